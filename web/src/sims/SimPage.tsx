import { Badge, Button, Card, Grid, Group, List, Stack, Tabs, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { isStaff, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { StateBadge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { ImeiHistoryPanel } from './ImeiHistory.tsx';
import { useDiagnose, useRequestAction, useSim } from './queries.ts';
import { ActionsPanel, HistoryPanel, SessionsPanel, TracePanel, UsagePanel } from './SimActivity.tsx';

const VERDICT_COLOR: Record<string, string> = { ok: 'teal', warning: 'yellow', error: 'red', unknown: 'gray' };

/** One SIM: identity, plans, lifecycle and network state, and a diagnosis on demand (customers: in their language). */
export default function SimPage() {
  const iccid = useParams().iccid ?? '';
  const { t, lang, dateTime } = useI18n();
  const me = useMe();
  const staff = me.data ? isStaff(me.data) : false;
  const sim = useSim(iccid);
  const diagnose = useDiagnose(iccid);
  const fix = useRequestAction(iccid);
  if (sim.error) return <ErrorAlert error={sim.error} />;
  if (!sim.data) return <Text>{t('common.loading')}</Text>;
  const s = sim.data;
  const d = diagnose.data;
  return (
    <Stack>
      <Title order={1} size="h3" ff="monospace">
        {s.iccid}
      </Title>
      <Group gap="xs">
        <StateBadge s={s.state} />
        <StateBadge s={s.networkState} />
        <Text size="sm" c="dimmed">
          {s.account.name ?? s.account.number}
        </Text>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              {t('sim.identity')}
            </Title>
            <Text size="sm">IMSI: {s.imsis.map((i) => i.imsi).join(', ') || '—'}</Text>
            <Text size="sm">MSISDN: {s.msisdn ?? '—'}</Text>
            <Text size="sm">
              IMEI: {s.imei ?? '—'}
              {s.imeiLock ? ` (${t('sim.imeiLocked')})` : ''}
            </Text>
            <Text size="sm">
              {t('sims.col.plan')}: {s.communicationPlan?.name ?? '—'} / {s.ratePlan?.name ?? '—'}
            </Text>
            <Text size="sm">
              {t('sims.col.state')}: {s.state} · {dateTime(s.stateChangedAt)}
            </Text>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h5">
                {t('sim.diagnosis')}
              </Title>
              <Button size="xs" loading={diagnose.isPending} onClick={() => diagnose.mutate({ language: lang })}>
                {staff ? t('sim.diagnose') : t('portal.sims.check')}
              </Button>
            </Group>
            <ErrorAlert error={diagnose.error} />
            {d && (
              <Stack gap="xs" aria-live="polite">
                <Group gap="xs">
                  <Badge color={VERDICT_COLOR[d.rootCause.verdict] ?? 'gray'}>{d.rootCause.verdict}</Badge>
                  <Text fw={600}>{d.rootCause.code.replace(/_/g, ' ')}</Text>
                </Group>
                <Text size="sm" data-testid="customer-summary">
                  {d.summary.customer}
                </Text>
                {staff && d.summary.agent && (
                  <Text size="sm" c="dimmed">
                    {d.summary.agent}
                  </Text>
                )}
                {staff && d.rootCause.fix && (
                  <Text size="sm">
                    {t('sim.fix')}: {d.rootCause.fix}
                  </Text>
                )}
                {staff && d.rootCause.action && (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      color="teal"
                      loading={fix.isPending}
                      onClick={() =>
                        // The diagnosis' action body is accepted by the actions API as it is (checked server-side).
                        fix.mutate({
                          ...d.rootCause.action,
                          reference: `diagnosis:${d.rootCause.check ?? d.rootCause.code}`,
                        } as Schemas['NetworkActionRequestInput'])
                      }
                    >
                      Apply the fix: {d.rootCause.action.kind.replace(/_/g, ' ')}
                    </Button>
                    {fix.isSuccess && <Text size="sm">Requested — its outcome shows under Actions.</Text>}
                  </Group>
                )}
                <ErrorAlert error={fix.error} />
                <List size="sm" spacing={2}>
                  {d.checks.map((c) => (
                    <List.Item key={`${c.layer}-${c.check}`}>
                      <Badge size="xs" color={VERDICT_COLOR[c.verdict] ?? 'gray'} mr={6}>
                        {c.verdict}
                      </Badge>
                      {c.layer}: {c.title}
                    </List.Item>
                  ))}
                </List>
              </Stack>
            )}
          </Card>
        </Grid.Col>
      </Grid>
      <Tabs defaultValue={staff ? 'trace' : 'usage'} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="trace">Trace</Tabs.Tab>
          <Tabs.Tab value="usage">Usage</Tabs.Tab>
          <Tabs.Tab value="sessions">Sessions</Tabs.Tab>
          <Tabs.Tab value="imei">{t('sim.imeiHistory')}</Tabs.Tab>
          {staff && <Tabs.Tab value="actions">Actions</Tabs.Tab>}
          {staff && <Tabs.Tab value="history">History</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="trace" pt="sm">
          <TracePanel iccid={iccid} />
        </Tabs.Panel>
        <Tabs.Panel value="usage" pt="sm">
          <UsagePanel iccid={iccid} />
        </Tabs.Panel>
        <Tabs.Panel value="sessions" pt="sm">
          <SessionsPanel iccid={iccid} />
        </Tabs.Panel>
        <Tabs.Panel value="imei" pt="sm">
          <ImeiHistoryPanel iccid={iccid} />
        </Tabs.Panel>
        {staff && (
          <Tabs.Panel value="actions" pt="sm">
            <ActionsPanel iccid={iccid} />
          </Tabs.Panel>
        )}
        {staff && (
          <Tabs.Panel value="history" pt="sm">
            <HistoryPanel iccid={iccid} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}
