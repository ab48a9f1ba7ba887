import { Progress, Stack, Text } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { inZone, sameZone, userTimeZone } from './time.ts';

/**
 * Each SLA clock of the case: business minutes used of the target, coloured at the server's 75 % / 90 % marks.
 * Due times are in the user's zone; the calendar's zone is named beside them where it differs.
 */
export function SlaClocks({ sla }: { sla: Schemas['CaseSla'] }) {
  const { t, lang, dateTime } = useI18n();
  if (!sla.policy) return <Text size="sm">{t('case.noPolicy')}</Text>;
  const mine = userTimeZone();
  const calendarZone = sla.policy.calendarTimeZone;
  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed">
        {sla.policy.name} · {sla.policy.calendarName} ({calendarZone})
      </Text>
      {sla.metrics.map((m) => {
        const used = m.targetMinutes > 0 ? (m.elapsedMinutes / m.targetMinutes) * 100 : 0;
        const color = used >= 100 ? 'red' : used >= 90 ? 'orange' : used >= 75 ? 'yellow' : 'teal';
        const due = m.dueAt;
        return (
          <div key={m.metric}>
            <Text size="sm">
              {m.metric.replace(/_/g, ' ')} — {m.status.replace(/_/g, ' ')}
              {due ? ` · ${t('case.due')} ${dateTime(due)} (${mine})` : ''}
            </Text>
            {due && !sameZone(mine, calendarZone, new Date(due)) && (
              <Text size="xs" c="dimmed" data-testid="sla-calendar-time">
                = {inZone(due, calendarZone, lang)} {calendarZone} ({t('case.calendarZone')})
              </Text>
            )}
            <Progress value={Math.min(used, 100)} color={color} aria-label={`${m.metric} ${Math.round(used)} %`} />
          </div>
        );
      })}
    </Stack>
  );
}
