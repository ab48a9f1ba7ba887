import { Badge, Card, Grid, Stack, Table, Text, Title } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { type BarDatum, Legend, type Series, StackedBars } from '../ui/charts.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useFailing, useHandlingTime, useIngestRate, useSlaMet, useVolume } from './queries.ts';

const CHANNELS: Series[] = [
  { key: 'email', color: '#1864ab', label: 'email' },
  { key: 'phone', color: '#2b8a3e', label: 'phone' },
  { key: 'portal', color: '#e67700', label: 'portal' },
  { key: 'api', color: '#862e9c', label: 'api' },
  { key: 'monitoring', color: '#495057', label: 'monitoring' },
];
const TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;
/** Average handling time in working days today, by case type, in the field (../shared/design/domain.md). */
const FIELD_DAYS: Record<(typeof TYPES)[number], number> = {
  incident: 9.3,
  information_request: 7.1,
  service_request: 9.3,
  order: 12,
};

/** The desk at a glance: volume by channel, handling time against the field's, SLA met, ingest, failing networks. */
export default function DashboardPage() {
  const { dateTime, number } = useI18n();
  const volume = useVolume();
  const handling = useHandlingTime();
  const sla = useSlaMet();
  const rate = useIngestRate();
  const failing = useFailing();

  const byMonth = new Map<string, Record<string, number>>();
  for (const r of volume.data && typeof volume.data !== 'string' ? volume.data.items : []) {
    const m = byMonth.get(r.period.slice(0, 7)) ?? {};
    m[r.channel] = (m[r.channel] ?? 0) + r.created;
    byMonth.set(r.period.slice(0, 7), m);
  }
  const volumeData: BarDatum[] = [...byMonth].sort().map(([label, values]) => ({ label, values }));

  const handlingItems = handling.data && typeof handling.data !== 'string' ? handling.data.items : [];
  const handlingData: BarDatum[] = TYPES.map((t) => {
    const row = handlingItems.find((i) => i.type === t);
    return { label: t.replace(/_/g, ' '), values: { days: row?.meanWorkingDays ?? row?.meanCalendarDays ?? 0 } };
  });

  const buckets = rate.data?.items ?? [];
  const perBucket = new Map<string, number>();
  for (const b of buckets) perBucket.set(b.at, (perBucket.get(b.at) ?? 0) + b.events);
  const rateData: BarDatum[] = [...perBucket]
    .sort()
    .map(([at, events]) => ({ label: at.slice(11, 16), values: { perSecond: events / 300 } }));
  const last = rateData.at(-2) ?? rateData.at(-1);

  return (
    <Stack>
      <Title order={1} size="h3">
        Dashboard
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5">
              Cases opened per month, by channel
            </Title>
            <ErrorAlert error={volume.error} />
            <StackedBars data={volumeData} series={CHANNELS} label="Cases opened per month by channel" />
            <Legend series={CHANNELS} />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5">
              Handling time (mean working days) — dashed: the field today
            </Title>
            <ErrorAlert error={handling.error} />
            <StackedBars
              data={handlingData}
              series={[{ key: 'days', color: '#1864ab', label: 'working days' }]}
              marks={TYPES.map((t) => FIELD_DAYS[t])}
              label="Mean handling time in working days per case type, against the field's figures"
            />
            <Text size="xs" c="dimmed">
              {handlingItems.map((i) => `${i.type.replace(/_/g, ' ')}: ${i.count} cases`).join(' · ') ||
                'No closed case yet.'}
            </Text>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5">
              SLA met
            </Title>
            <ErrorAlert error={sla.error} />
            <Table fz="sm" aria-label="SLA met per policy and metric">
              <Table.Tbody>
                {(sla.data && typeof sla.data !== 'string' ? sla.data.items : []).map((r) => (
                  <Table.Tr key={`${r.policyId}-${r.metric}`}>
                    <Table.Td>{r.policy}</Table.Td>
                    <Table.Td>{r.metric.replace(/_/g, ' ')}</Table.Td>
                    <Table.Td>{r.metPercent === null ? '—' : `${number(r.metPercent)} %`}</Table.Td>
                    <Table.Td>
                      {r.met} met, {r.breached} breached
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Card withBorder>
            <Title order={2} size="h5">
              Network ingest —{' '}
              {last ? `${number(Math.round(last.values.perSecond ?? 0))} events/s` : 'no events in the last hour'}
            </Title>
            <ErrorAlert error={rate.error} />
            <StackedBars
              data={rateData}
              series={[{ key: 'perSecond', color: '#2b8a3e', label: 'events/s' }]}
              label="Network events per second, 5-minute buckets, last hour"
              height={140}
            />
            <Title order={3} size="h6" mt="sm">
              Failing now
            </Title>
            <ErrorAlert error={failing.error} />
            {(failing.data?.items ?? []).length === 0 && <Text size="sm">No PLMN or APN is refusing many SIMs.</Text>}
            {(failing.data?.items ?? []).map((f) => (
              <Text size="sm" key={`${f.kind}-${f.key}-${f.attempt}`}>
                <Badge size="sm" color="red.9" mr={6}>
                  {f.kind}
                </Badge>
                {f.network ?? f.key} — {f.attempt} refused
                {f.failingSims != null ? `, ${f.failingSims} SIMs` : ''}
                {f.since ? ` since ${dateTime(f.since)}` : ''}
              </Text>
            ))}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
