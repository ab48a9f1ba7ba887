import { Alert, Anchor, Card, Group, List, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { Saturation } from './CapacityPage.tsx';
import { ForecastChart } from './ForecastChart.tsx';
import { useCapacityLink } from './queries.ts';
import { pctText, speedText, trendText } from './words.ts';

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dark.4">
        {label}
      </Text>
      <div>{children}</div>
    </Card>
  );
}

/** One link: its figures, the daily p95 measured and forecast against the saturation level, and the staged plan. */
export default function CapacityLinkPage() {
  const { t, lang, dateTime } = useI18n();
  const deviceId = Number(useParams().deviceId);
  const [days, setDays] = useState(28);
  const q = useCapacityLink(deviceId, days);
  const l = q.data;
  return (
    <Stack>
      <Anchor component={Link} to="/capacity" size="sm">
        ← {t('capacity.back')}
      </Anchor>
      <ErrorAlert error={q.error} />
      {l && (
        <>
          <Title order={1} size="h3">
            {t('capacity.link')} {l.name ? `${l.name} (${l.externalId})` : l.externalId}
          </Title>
          <Text size="sm">
            {l.accountName ?? `#${l.accountId}`} · {l.modelName} · {t('capacity.computedAt')} {dateTime(l.computedAt)}
          </Text>
          <SimpleGrid cols={{ base: 2, md: 5 }}>
            <Figure label={t('capacity.col.p95')}>{pctText(l.currentP95Pct)}</Figure>
            <Figure label={t('capacity.col.trend')}>
              {l.status === 'ok' ? `${trendText(l.trendPctPerWeek)} ${t('capacity.perWeek')}` : '—'}
            </Figure>
            <Figure label={`${t('capacity.col.saturation')} (${l.saturationPct} %)`}>
              <Saturation link={l} leadTimeDays={l.leadTimeDays} />
            </Figure>
            <Figure label={t('capacity.col.speed')}>
              {speedText(l.linkKbps)} · {t('capacity.max')} {speedText(l.maxLinkKbps)}
            </Figure>
            <Figure label={t('capacity.col.proposal')}>
              {l.proposal ? (
                <Link to={`/cases/${l.proposal.caseNumber}`}>
                  {l.proposal.caseNumber}
                  {l.proposal.state === 'ended' ? ` (${t('capacity.ended')})` : ''}
                </Link>
              ) : (
                '—'
              )}
            </Figure>
          </SimpleGrid>
          {l.status === 'insufficient_history' && (
            <Alert color="yellow" c="dark.9" title={t('capacity.insufficient')}>
              {l.reason}
            </Alert>
          )}
          <Card withBorder>
            <Group justify="space-between">
              <Title order={2} size="h5">
                {t('capacity.chart')}
              </Title>
              <SegmentedControl
                aria-label={t('capacity.forecastDays')}
                size="xs"
                value={String(days)}
                onChange={(v) => setDays(Number(v))}
                data={['14', '28', '90'].map((v) => ({ value: v, label: `${v} ${t('capacity.days')}` }))}
              />
            </Group>
            <ForecastChart history={l.history} forecast={l.forecast} level={l.saturationPct} lang={lang} />
          </Card>
          {l.plan && (
            <Card withBorder>
              <Title order={2} size="h5">
                {t('capacity.plan')}
              </Title>
              <List type="ordered" mt="xs">
                {l.plan.steps.map((s) => (
                  <List.Item key={s}>{s}</List.Item>
                ))}
              </List>
              <Text size="xs" c="dark.4" mt="xs">
                {t('capacity.planNote')}
              </Text>
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}
