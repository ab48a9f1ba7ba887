import { Anchor, Badge, Button, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AlarmSeriesChart } from './AlarmSeriesChart.tsx';
import { type Alarm, alarmWords, deviceOf } from './alarm-words.ts';
import { type SeriesBucket, useAlarm, useAlarmSeries } from './queries.ts';

const SEVERITY_COLOR: Record<Alarm['severity'], string> = {
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  warning: 'blue',
};
const BUCKETS: { value: SeriesBucket | 'auto'; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: '5', label: '5 min' },
  { value: '15', label: '15 min' },
  { value: '60', label: '1 h' },
];

/**
 * One alarm (issue 17, point 6): what it says, and the traffic around it — the SIM's own events for a SIM's alarm,
 * the network's or APN's over the fleet for a fleet alarm — with its instants marked, so the desk sees the story
 * before it calls anyone. Acknowledge and clear as in the list.
 */
export default function AlarmPage() {
  const { t, dateTime, number, bytes } = useI18n();
  const id = Number(useParams().id);
  const [bucket, setBucket] = useState<SeriesBucket | 'auto'>('auto');
  const alarm = useAlarm(id);
  // Staff are answered in the desk's shape (a customer gets CustomerAlarm, shown in the portal).
  const a = alarm.data && 'originator' in alarm.data ? alarm.data : undefined;
  // A SIM's events or a network's or APN's traffic: a rule's and a device's alarms have none (the API answers 400).
  const hasSeries = a !== undefined && a.originator.type !== 'rule' && a.originator.type !== 'device';
  const series = useAlarmSeries(id, bucket === 'auto' ? null : bucket, hasSeries);
  const qc = useQueryClient();
  const act = useMutation({
    mutationFn: (action: 'acknowledge' | 'clear') =>
      action === 'acknowledge'
        ? unwrap(api.POST('/api/v1/alarms/{id}/acknowledge', { params: { path: { id } }, body: {} }))
        : unwrap(api.POST('/api/v1/alarms/{id}/clear', { params: { path: { id } }, body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alarms'] }),
  });
  const on = a ? originatorName(a, t) : '';
  return (
    <Stack>
      <Anchor component={Link} to="/alarms" size="sm">
        ← All alarms
      </Anchor>
      <ErrorAlert error={alarm.error ?? act.error} />
      {a && (
        <>
          <Group justify="space-between">
            <Title order={1} size="h3">
              {t(`alarms.type.${a.type}`)}: {on}
            </Title>
            {a.status === 'active' && (
              <Group gap={4}>
                {!a.acknowledged && (
                  <Button size="compact-sm" variant="default" onClick={() => act.mutate('acknowledge')}>
                    Acknowledge
                  </Button>
                )}
                <Button size="compact-sm" variant="default" onClick={() => act.mutate('clear')}>
                  Clear
                </Button>
              </Group>
            )}
          </Group>
          <Group gap={6}>
            <Badge variant="light" c="dark.9" miw="max-content" color={SEVERITY_COLOR[a.severity]}>
              {a.severity}
            </Badge>
            <Badge variant="light" c="dark.9" miw="max-content" color={a.status === 'active' ? 'orange' : 'gray'}>
              {a.status}
            </Badge>
            {a.acknowledged && (
              <Badge variant="light" c="dark.9" miw="max-content" color="blue">
                acknowledged
              </Badge>
            )}
          </Group>
          <Text>{alarmWords(a, { dateTime, number, bytes })}</Text>
          <Text size="sm">
            Raised {dateTime(a.firstSeenAt)}
            {a.count > 1 ? ` · found ${a.count}× until ${dateTime(a.lastSeenAt)}` : ''}
            {a.clearedAt ? ` · cleared ${dateTime(a.clearedAt)}` : ''}
            {a.originator.iccid && (
              <>
                {' · '}
                <Anchor component={Link} to={`/sims/${a.originator.iccid}`} size="sm">
                  the SIM's page
                </Anchor>
              </>
            )}
          </Text>
          {hasSeries && (
            <Card withBorder>
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h5">
                  {a.originator.type === 'sim'
                    ? "The SIM's traffic around the alarm"
                    : 'Fleet traffic around the alarm'}
                </Title>
                <SegmentedControl
                  aria-label="Bucket width"
                  size="xs"
                  value={bucket}
                  onChange={(v) => setBucket(v as SeriesBucket | 'auto')}
                  data={BUCKETS}
                />
              </Group>
              <ErrorAlert error={series.error} />
              {series.isPending && !series.error && <Text size="sm">Loading the traffic…</Text>}
              {series.data && <AlarmSeriesChart series={series.data} subject={on} />}
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}

/**
 * Who the alarm is about, as the list names it: the SIM's ICCID, "Network 26201", "APN iot.x", "Rule #3", a device's
 * metric "Cabinet 7 · temperature_c".
 */
function originatorName(a: Alarm, t: ReturnType<typeof useI18n>['t']): string {
  const o = a.originator;
  const device = deviceOf(a);
  if (device) return `${device.name} · ${device.metric}`;
  if (o.type === 'plmn') return `${t('alarms.originator.plmn')} ${o.id}`;
  if (o.type === 'apn') return `${t('alarms.originator.apn')} ${o.id}`;
  if (o.type === 'rule') return `${t('alarms.rule')} #${o.id}`;
  return o.iccid ?? `SIM ${o.id}`;
}
