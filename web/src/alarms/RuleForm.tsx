import {
  Alert,
  Button,
  Group,
  NativeSelect,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { Badge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { type Backtest, BacktestPanel } from './BacktestPanel.tsx';
import { useBacktest, useRefOptions, useSaveRule } from './queries.ts';
import { BurstFields, FleetFields } from './RefusalFields.tsx';
import { ScopeFields, SeverityAndScheduleFields, ThresholdFields } from './RuleFields.tsx';
import { bodyOf, canBacktestKind, draftOf, isBlocked, reasonsFor } from './rule-draft.ts';
import { RULE_KINDS, type Rule, type RuleKind } from './rule-words.ts';
import { TelemetryThresholdFields } from './TelemetryThresholdFields.tsx';
import { UsageDriftFields } from './UsageDriftFields.tsx';
import { UsageDropFields } from './UsageDropFields.tsx';

const DAYS = ['1', '3', '7', '14'];

/**
 * A new rule (rule null) or a saved one's changes. The draft can be backtested as it stands before it is saved:
 * the same validation as a save, so a wrong field shows either way, under its input and in the alert. The kind is
 * chosen for a new rule only: a saved rule's parameters are checked against its own kind.
 */
export function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const { t } = useI18n();
  const { options } = useRefOptions();
  const save = useSaveRule();
  const backtest = useBacktest();
  const [d, setD] = useState(() => draftOf(rule));
  const set = (patch: Partial<typeof d>) => setD((x) => ({ ...x, ...patch }));
  // The last answer's error, whichever of save and backtest gave it: the fields show what the API said last.
  const [error, setError] = useState<unknown>(null);
  const [days, setDays] = useState('7');
  // The kind and metric it was run with: its table's columns are theirs, even once the draft has changed.
  const [result, setResult] = useState<{
    backtest: Backtest;
    days: number;
    key: string;
    kind: RuleKind;
    metric: string;
  } | null>(null);
  const [unsent, setUnsent] = useState(false);

  const saved = rule !== null;
  const body = bodyOf(d, saved);
  const key = JSON.stringify(body);
  // Typed references that name nothing would only come back as an error: say so here, and send nothing.
  const blocked = isBlocked(d);
  // The server has none for fleet rules (their history is the fleet's hourly roll-up, not a SIM's).
  const canBacktest = canBacktestKind(d.kind);
  const chooseKind = (kind: RuleKind) => {
    // The built-in fleet alarms are critical: a new fleet rule starts there, unless a severity was chosen.
    const usual = (k: RuleKind) => (k === 'fleet_refusals' ? 'critical' : 'major');
    set({ kind, ...(d.severity === usual(d.kind) ? { severity: usual(kind) } : {}) });
    // Another kind's figures and errors name fields this form no longer shows.
    setResult(null);
    setError(null);
  };

  const runBacktest = async () => {
    setUnsent(blocked);
    if (blocked) return;
    setError(null);
    try {
      const n = Number(days);
      const answer = await backtest.mutateAsync({ body, days: n });
      setResult({ backtest: answer, days: n, key, kind: d.kind, metric: d.telemetry.metric.trim() });
    } catch (e) {
      setError(e);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setUnsent(blocked);
    if (blocked) return;
    setError(null);
    try {
      const { kind: _kind, ...changes } = body;
      await save.mutateAsync(rule ? { id: rule.id, body: changes } : { id: null, body });
      onDone();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={rule ? `Edit ${rule.name}` : 'New alarm rule'}>
      <Stack gap="md">
        {rule ? (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('alarms.kind.fixed')}
            </Text>
            <Group gap="xs">
              <Badge color="gray">{t(`alarms.kind.${rule.kind}`)}</Badge>
              <Text size="sm" c="dimmed">
                {t(`alarms.kind.about.${rule.kind}`)}
              </Text>
            </Group>
          </Stack>
        ) : (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="rule-kind-label">
              {t('alarms.kind.label')}
            </Text>
            <SegmentedControl
              aria-labelledby="rule-kind-label"
              value={d.kind}
              onChange={(v) => chooseKind(v as RuleKind)}
              data={RULE_KINDS.map((k) => ({ value: k, label: t(`alarms.kind.${k}`) }))}
              style={{ alignSelf: 'flex-start' }}
            />
            <Text size="sm" c="dimmed">
              {t(`alarms.kind.about.${d.kind}`)}
            </Text>
          </Stack>
        )}
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <TextInput
            label="Name"
            required
            value={d.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={reasonsFor(error, 'name')}
          />
          <Switch
            mt={{ md: 30 }}
            label="Enabled: its watch applies it"
            checked={d.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
        </SimpleGrid>
        <ScopeFields d={d} set={set} error={error} options={options} />
        {d.kind === 'silence' && <ThresholdFields d={d} set={set} error={error} />}
        {d.kind === 'refusal_burst' && <BurstFields d={d} set={set} error={error} />}
        {d.kind === 'usage_drop' && <UsageDropFields d={d} set={set} error={error} />}
        {d.kind === 'usage_drift' && <UsageDriftFields d={d} set={set} error={error} />}
        {d.kind === 'telemetry_threshold' && <TelemetryThresholdFields d={d} set={set} error={error} />}
        {d.kind === 'fleet_refusals' && <FleetFields d={d} set={set} error={error} />}
        <SeverityAndScheduleFields d={d} set={set} error={error} />
        {unsent && blocked && (
          <Alert color="red" role="alert" title="Not sent">
            Some fields hold what the server would refuse (a reference that names nothing in its list, a cause that is
            no number): see the message under each.
          </Alert>
        )}
        <ErrorAlert error={error} />
        <Group justify="space-between" align="flex-end">
          <Group align="flex-end" gap="xs">
            <NativeSelect
              label="Backtest on the last"
              data={DAYS.map((n) => ({ value: n, label: n === '1' ? '1 day' : `${n} days` }))}
              value={days}
              disabled={!canBacktest}
              onChange={(e) => setDays(e.currentTarget.value)}
            />
            <Button
              variant="default"
              loading={backtest.isPending}
              disabled={!canBacktest}
              aria-describedby={canBacktest ? undefined : 'no-backtest'}
              onClick={() => void runBacktest()}
            >
              Backtest
            </Button>
          </Group>
          <Group>
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save rule
            </Button>
          </Group>
        </Group>
        {!canBacktest && (
          <Text size="sm" c="dimmed" id="no-backtest" maw={560}>
            {t('alarms.backtest.none')}
          </Text>
        )}
        {result && (
          <BacktestPanel
            result={result.backtest}
            days={result.days}
            stale={result.key !== key}
            kind={result.kind}
            metric={result.metric}
          />
        )}
      </Stack>
    </form>
  );
}
