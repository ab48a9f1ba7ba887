import { Progress, Stack, Text } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/** Each SLA clock of the case: business minutes used of the target, coloured at the server's 75 % / 90 % marks. */
export function SlaClocks({ sla }: { sla: Schemas['CaseSla'] }) {
  const { t, dateTime } = useI18n();
  if (!sla.policy) return <Text size="sm">{t('case.noPolicy')}</Text>;
  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed">
        {sla.policy.name} · {sla.policy.calendarName}
      </Text>
      {sla.metrics.map((m) => {
        const used = m.targetMinutes > 0 ? (m.elapsedMinutes / m.targetMinutes) * 100 : 0;
        const color = used >= 100 ? 'red' : used >= 90 ? 'orange' : used >= 75 ? 'yellow' : 'teal';
        return (
          <div key={m.metric}>
            <Text size="sm">
              {m.metric.replace(/_/g, ' ')} — {m.status.replace(/_/g, ' ')}
              {m.dueAt ? ` · due ${dateTime(m.dueAt)}` : ''}
            </Text>
            <Progress value={Math.min(used, 100)} color={color} aria-label={`${m.metric} ${Math.round(used)} %`} />
          </div>
        );
      })}
    </Stack>
  );
}
