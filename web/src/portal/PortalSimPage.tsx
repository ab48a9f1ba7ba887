import { Anchor, Button, Card, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { alarmText, seenText } from './alarm-text.ts';
import { EnumBadge } from './PortalBadges.tsx';
import { usePortalAlarms, usePortalDiagnose, usePortalNetworkState, usePortalSim, usePortalUsage } from './queries.ts';

/**
 * One own SIM as the customer sees it: identity, plans, state, network state and last seen, 30 days of usage, and a
 * self-check whose explanation comes in the portal's language, and its active alarms. Nothing of the staff's SIM page (trace, audit,
 * network actions, the agent's summary) is asked for or shown.
 */
export default function PortalSimPage() {
  const iccid = useParams().iccid ?? '';
  const { t, lang, dateTime, number, bytes } = useI18n();
  const sim = usePortalSim(iccid);
  const net = usePortalNetworkState(iccid);
  const usage = usePortalUsage(iccid);
  const check = usePortalDiagnose(iccid);
  if (sim.error) return <ErrorAlert error={sim.error} />;
  if (!sim.data) return <Text>{t('common.loading')}</Text>;
  const s = sim.data;
  const used = (usage.data?.items ?? []).reduce(
    (a, u) => ({ bytes: a.bytes + u.bytesUp + u.bytesDown, sms: a.sms + u.smsMo + u.smsMt }),
    { bytes: 0, sms: 0 },
  );
  const d = check.data;
  return (
    <Stack>
      <Anchor component={Link} to="/portal/sims" size="sm">
        {t('portal.sim.back')}
      </Anchor>
      <Title order={1} size="h3" ff="monospace">
        {s.iccid}
      </Title>
      <Group gap="xs">
        <EnumBadge family="simState" value={s.state} />
        <Text size="sm">
          {t('portal.sim.since')} {dateTime(s.stateChangedAt)}
        </Text>
        <EnumBadge family="network" value={net.data?.status ?? s.networkState} />
        <Text size="sm">
          {t('portal.sim.lastSeen')}: {net.data?.lastSeenAt ? dateTime(net.data.lastSeenAt) : t('portal.sim.never')}
        </Text>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="xs">
              {t('portal.sim.identity')}
            </Title>
            <Text size="sm">
              {t('portal.sims.col.msisdn')}: {s.msisdn ?? '—'}
            </Text>
            <Text size="sm">IMEI: {s.imei ?? '—'}</Text>
            <Text size="sm">
              {t('portal.sims.col.plan')}: {s.communicationPlan?.name ?? '—'} / {s.ratePlan?.name ?? '—'}
            </Text>
            <Text size="sm" mt="xs">
              {t('portal.sim.usage')}: {bytes(used.bytes)}
            </Text>
            <Text size="sm">
              {t('portal.sim.sms')}: {number(used.sms)}
            </Text>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h5">
                {t('portal.sim.checkTitle')}
              </Title>
              <Button size="xs" loading={check.isPending} onClick={() => check.mutate({ language: lang })}>
                {t('portal.sims.check')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {t('portal.sim.checkHint')}
            </Text>
            <ErrorAlert error={check.error} />
            {d && (
              <Stack gap="xs" mt="xs" aria-live="polite" role="region" aria-label={t('portal.sim.result')}>
                <Group gap="xs">
                  <Text fw={600}>{t('portal.sim.result')}</Text>
                  <EnumBadge family="verdict" value={d.rootCause.verdict} />
                </Group>
                <Text size="sm" data-testid="customer-summary">
                  {d.summary.customer}
                </Text>
              </Stack>
            )}
            <Anchor component={Link} to={`/portal/cases?sims=${s.iccid}`} size="sm" mt="sm" display="block">
              {t('portal.sim.openCase')}
            </Anchor>
          </Card>
        </Grid.Col>
      </Grid>
      <SimAlarms iccid={s.iccid} />
    </Stack>
  );
}

/** The SIM's active alarms in words, and the way to all of them (the ended ones too) on the alarms page. */
function SimAlarms({ iccid }: { iccid: string }) {
  const i18n = useI18n();
  const { t, enumText } = i18n;
  const alarms = usePortalAlarms({ status: 'active', iccid, limit: 20 });
  const items = alarms.data?.items ?? [];
  return (
    <Card withBorder component="section" aria-label={t('portal.sim.alarms')}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5">
          {t('portal.sim.alarms')}
        </Title>
        <Anchor component={Link} to={`/portal/alarms?iccid=${iccid}`} size="sm">
          {t('portal.sim.allAlarms')}
        </Anchor>
      </Group>
      <ErrorAlert error={alarms.error} />
      {alarms.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('portal.sim.noAlarm')}
        </Text>
      )}
      <Stack gap="xs">
        {items.map((a) => (
          <Stack key={a.id} gap={2}>
            <Group gap="xs">
              <EnumBadge family="alarmSeverity" value={a.severity} />
              <Text size="sm" fw={600}>
                {enumText('alarmType', a.type)}
              </Text>
              <Text size="xs" c="dimmed">
                {seenText(a, i18n)}
              </Text>
            </Group>
            <Text size="sm">{alarmText(a, i18n)}</Text>
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
