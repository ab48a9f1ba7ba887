import { Alert, Box, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { DeviceBacktestTable } from './DeviceBacktestTable.tsx';
import { duration, plural, type RuleKind, signedPercent } from './rule-words.ts';

export type Backtest = Schemas['AlarmRuleBacktest'];

/**
 * The backtest's answer in one sentence, as the desk would say it: in SIMs, or in devices for a telemetry rule (the
 * API's sims* counts are then its devices).
 */
export function backtestSentence(b: Backtest, days: number, kind: RuleKind): string {
  const unit = kind === 'telemetry_threshold' ? 'device' : 'SIM';
  const span = `On the last ${plural(days, 'day')}`;
  if (b.simsInScope === 0) return `${span}, no ${unit} was in this rule's scope: it would not have fired.`;
  if (b.fired === 0) return `${span} this rule would not have fired on any of its ${plural(b.simsInScope, unit)}.`;
  return `${span} this rule would have fired ${plural(b.fired, 'time')} on ${b.simsFired} of ${plural(b.simsInScope, unit)}.`;
}

const DAY_MS = 86_400_000;

/** Every day of the window, the quiet ones at 0 (the API lists only days it fired on), by UTC date as it does. */
function everyDay(b: Backtest): { day: string; fired: number }[] {
  const fired = new Map(b.byDay.map((d) => [d.day.slice(0, 10), d.fired]));
  const out: { day: string; fired: number }[] = [];
  const last = Date.parse(`${b.to.slice(0, 10)}T00:00:00Z`);
  for (let t = Date.parse(`${b.from.slice(0, 10)}T00:00:00Z`); t <= last && out.length < 31; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, fired: fired.get(day) ?? 0 });
  }
  return out;
}

/** A figure the API gives only for some kinds (null for the others). */
const orDash = (v: number | null, show: (n: number) => string) => (v === null ? '—' : show(v));

/**
 * What a draft would have raised on the stored history: the sentence, the alarms per day, and the SIMs it fired on
 * (each opens in a new tab, so the draft being tried stays as it is), with the figures of the rule's kind; for a
 * telemetry rule, the devices it fired on (DeviceBacktestTable) with the farthest value of its metric.
 */
export function BacktestPanel({
  result,
  days,
  stale,
  kind,
  metric,
}: {
  result: Backtest;
  days: number;
  stale: boolean;
  kind: RuleKind;
  /** A telemetry rule's metric, as the backtest was run with it. */
  metric: string;
}) {
  const { t, lang, dateTime, number } = useI18n();
  const dayLabel = (day: string) =>
    new Date(`${day.slice(0, 10)}T00:00:00Z`).toLocaleDateString(lang, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
  const perDay = everyDay(result);
  const most = Math.max(1, ...perDay.map((d) => d.fired));
  const devices = kind === 'telemetry_threshold';
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="backtest-title">
      <Stack gap="sm">
        <Title order={2} size="h5" id="backtest-title">
          Backtest
        </Title>
        {stale && (
          <Alert color="yellow" c="dark.9" role="status">
            The rule has changed since this backtest: run it again to see what the rule as it is now would do.
          </Alert>
        )}
        <Text fw={600} role="status">
          {backtestSentence(result, days, kind)}
        </Text>
        <Text size="sm" c="dimmed">
          {devices
            ? `From ${dateTime(result.from)} to ${dateTime(result.to)}, on the devices' stored reports, as if the rule had been saved then (a rule of the same metric more specific than this one would still take its devices).`
            : `From ${dateTime(result.from)} to ${dateTime(result.to)}, on the stored history, as if the rule had been saved then (a rule more specific than this one would still take its SIMs).`}
          {result.sampled &&
            ` Sampled: the scope holds more ${devices ? 'devices' : 'SIMs'} than were read, so the figures are for the first ${number(result.simsConsidered)} read.`}
        </Text>
        {perDay.length > 0 && (
          <Table captionSide="top" aria-label="Alarms per day" layout="fixed">
            <Table.Caption ta="left">Alarms per day (UTC days)</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                {perDay.map((d) => (
                  <Table.Th key={d.day} ta="center" fw={500} fz="xs">
                    {dayLabel(d.day)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                {perDay.map((d) => (
                  <Table.Td key={d.day} ta="center" miw={64}>
                    <Box
                      h={48}
                      style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'center' }}
                      aria-hidden
                    >
                      <Box
                        w={24}
                        h={Math.max(2, Math.round((46 * d.fired) / most))}
                        bg={d.fired > 0 ? 'orange.6' : 'gray.3'}
                      />
                    </Box>
                    <Text size="sm" fw={600}>
                      {number(d.fired)}
                    </Text>
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        )}
        {devices && <DeviceBacktestTable result={result} metric={metric} />}
        {result.sims.length > 0 && (
          <>
            <Table striped aria-label="SIMs it would have fired on">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>SIM</Table.Th>
                  <Table.Th>Alarms</Table.Th>
                  <Table.Th>First at</Table.Th>
                  {kind === 'silence' && (
                    <>
                      <Table.Th>{t('alarms.backtest.col.longestSilence')}</Table.Th>
                      <Table.Th>{t('alarms.backtest.col.threshold')}</Table.Th>
                    </>
                  )}
                  {kind === 'refusal_burst' && <Table.Th>{t('alarms.backtest.col.refusals')}</Table.Th>}
                  {kind === 'usage_drop' && <Table.Th>{t('alarms.backtest.col.deepestDrop')}</Table.Th>}
                  {kind === 'usage_drift' && <Table.Th>{t('alarms.backtest.col.largestDrift')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.sims.map((s) => (
                  <Table.Tr key={s.iccid}>
                    <Table.Td ff="monospace">
                      <Link to={`/sims/${s.iccid}`} target="_blank">
                        {s.iccid}
                        <VisuallyHidden> (opens in a new tab)</VisuallyHidden>
                      </Link>
                    </Table.Td>
                    <Table.Td>{number(s.fired)}</Table.Td>
                    <Table.Td>{dateTime(s.firstAt)}</Table.Td>
                    {kind === 'silence' && (
                      <>
                        <Table.Td>{orDash(s.longestSilenceMinutes, duration)}</Table.Td>
                        <Table.Td>{orDash(s.thresholdMinutes, duration)}</Table.Td>
                      </>
                    )}
                    {kind === 'refusal_burst' && <Table.Td>{orDash(s.refusals, number)}</Table.Td>}
                    {kind === 'usage_drop' && <Table.Td>{orDash(s.deepestDropPercent, (n) => `−${n} %`)}</Table.Td>}
                    {kind === 'usage_drift' && <Table.Td>{orDash(s.largestDriftPercent, signedPercent)}</Table.Td>}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {result.sims.length < result.simsFired && (
              <Text size="sm" c="dimmed">
                The {result.sims.length} SIMs with the most alarms are shown, of {number(result.simsFired)}.
              </Text>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
