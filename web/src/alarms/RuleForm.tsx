import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { type Backtest, BacktestPanel } from './BacktestPanel.tsx';
import { useBacktest, useRefOptions, useSaveRule } from './queries.ts';
import { ScopeFields, SeverityAndScheduleFields, ThresholdFields } from './RuleFields.tsx';
import { bodyOf, draftOf, reasonsFor, unresolved } from './rule-draft.ts';
import type { Rule } from './rule-words.ts';

const DAYS = ['1', '3', '7', '14'];

/**
 * A new rule (rule null) or a saved one's changes. The draft can be backtested as it stands before it is saved:
 * the same validation as a save, so a wrong field shows either way, under its input and in the alert.
 */
export function RuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const { options } = useRefOptions();
  const save = useSaveRule();
  const backtest = useBacktest();
  const [d, setD] = useState(() => draftOf(rule));
  const set = (patch: Partial<typeof d>) => setD((x) => ({ ...x, ...patch }));
  // The last answer's error, whichever of save and backtest gave it: the fields show what the API said last.
  const [error, setError] = useState<unknown>(null);
  const [days, setDays] = useState('7');
  const [result, setResult] = useState<{ backtest: Backtest; days: number; key: string } | null>(null);
  const [unsent, setUnsent] = useState(false);

  const saved = rule !== null;
  const body = bodyOf(d, saved);
  const key = JSON.stringify(body);
  // Typed references that name nothing would only come back as an error: say so here, and send nothing.
  const blocked = Object.keys(unresolved(d)).length > 0;

  const runBacktest = async () => {
    setUnsent(blocked);
    if (blocked) return;
    setError(null);
    try {
      const n = Number(days);
      setResult({ backtest: await backtest.mutateAsync({ body, days: n }), days: n, key });
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
            label="Enabled: the silence watch applies it"
            checked={d.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
        </SimpleGrid>
        <ScopeFields d={d} set={set} error={error} options={options} />
        <ThresholdFields d={d} set={set} error={error} />
        <SeverityAndScheduleFields d={d} set={set} error={error} />
        {unsent && blocked && (
          <Alert color="red" role="alert" title="Not sent">
            Some references name nothing in the lists: pick each from its list, or type an id.
          </Alert>
        )}
        <ErrorAlert error={error} />
        <Group justify="space-between" align="flex-end">
          <Group align="flex-end" gap="xs">
            <NativeSelect
              label="Backtest on the last"
              data={DAYS.map((n) => ({ value: n, label: n === '1' ? '1 day' : `${n} days` }))}
              value={days}
              onChange={(e) => setDays(e.currentTarget.value)}
            />
            <Button variant="default" loading={backtest.isPending} onClick={() => void runBacktest()}>
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
        {result && <BacktestPanel result={result.backtest} days={result.days} stale={result.key !== key} />}
      </Stack>
    </form>
  );
}
