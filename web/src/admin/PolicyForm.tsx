import {
  Checkbox,
  Fieldset,
  Group,
  MultiSelect,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useAccountOptions, useCalendars, useSavePolicy } from './queries.ts';
import { AdminForm, fieldError, numberField } from './ui.tsx';

type Policy = Schemas['SlaPolicyView'];
type Match = Schemas['SlaPolicyMatchInput'];
type Num = string | number;
const CASE_TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const VIP_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const;
const PAUSE_STATES = ['pending_customer', 'pending_provider'] as const;

type Form = {
  name: string;
  calendarId: string;
  caseTypes: string[];
  priorities: string[];
  vipTiers: string[];
  accountIds: string[];
  firstResponseMinutes: Num;
  periodicUpdateMinutes: Num;
  resolutionMinutes: Num;
  pauseStates: string[];
  verificationWorkingDays: Num;
};
const fromPolicy = (p: Policy | null): Form => ({
  name: p?.name ?? '',
  calendarId: p ? String(p.calendarId) : '',
  caseTypes: p?.match.caseTypes ?? [],
  priorities: p?.match.priorities ?? [],
  vipTiers: p?.match.vipTiers ?? [],
  accountIds: (p?.match.accountIds ?? []).map(String),
  firstResponseMinutes: p?.targets.firstResponseMinutes ?? '',
  periodicUpdateMinutes: p?.targets.periodicUpdateMinutes ?? '',
  resolutionMinutes: p?.targets.resolutionMinutes ?? '',
  pauseStates: p?.pauseStates ?? ['pending_customer'],
  verificationWorkingDays: p?.verificationWorkingDays ?? 3,
});

function Choices({
  label,
  options,
  value,
  onChange,
  error,
}: {
  label: string;
  options: readonly string[];
  value: string[];
  onChange: (v: string[]) => void;
  error: string | undefined;
}) {
  return (
    <Checkbox.Group label={label} value={value} onChange={onChange} error={error}>
      <Group mt={4}>
        {options.map((o) => (
          <Checkbox key={o} value={o} label={o.replace(/_/g, ' ')} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}

/** An SLA policy: which cases it covers, on which calendar, and the three targets in business minutes. */
export function PolicyForm({ policy, onDone }: { policy: Policy | null; onDone: () => void }) {
  const calendars = useCalendars();
  const accounts = useAccountOptions();
  const save = useSavePolicy();
  const [f, setF] = useState<Form>(() => fromPolicy(policy));
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((x) => ({ ...x, [k]: v }));
  const err = save.error;

  const submit = () => {
    const saved = policy !== null;
    // An empty criterion matches anything, which the API says by leaving it out (it takes no empty lists).
    const match: Match = {};
    if (f.caseTypes.length) match.caseTypes = f.caseTypes as Match['caseTypes'];
    if (f.priorities.length) match.priorities = f.priorities as Match['priorities'];
    if (f.vipTiers.length) match.vipTiers = f.vipTiers as Match['vipTiers'];
    if (f.accountIds.length) match.accountIds = f.accountIds.map(Number);
    const body = {
      name: f.name,
      match,
      calendarId: Number(f.calendarId),
      targets: {
        firstResponseMinutes: numberField(f.firstResponseMinutes, saved) as number,
        periodicUpdateMinutes: numberField(f.periodicUpdateMinutes, saved) as number,
        resolutionMinutes: numberField(f.resolutionMinutes, saved) as number,
      },
      pauseStates: f.pauseStates as (typeof PAUSE_STATES)[number][],
      verificationWorkingDays: numberField(f.verificationWorkingDays, saved) as number,
    };
    save.mutate(policy ? { id: policy.id, body } : { id: null, body }, { onSuccess: onDone });
  };

  const target = (k: 'firstResponseMinutes' | 'periodicUpdateMinutes' | 'resolutionMinutes', label: string) => (
    <NumberInput
      label={label}
      min={1}
      // Out-of-range numbers go to the API as typed, whose answer names them; clamping would hide the mistake.
      clampBehavior="none"
      allowDecimal={false}
      value={f[k]}
      onChange={(v) => set(k, v)}
      error={fieldError(err, `targets.${k}`) ?? (k === 'firstResponseMinutes' ? fieldError(err, 'targets') : undefined)}
    />
  );

  return (
    <AdminForm
      onSubmit={submit}
      error={err}
      busy={save.isPending}
      submitLabel={policy ? 'Save policy' : 'Create policy'}
      onCancel={onDone}
    >
      <TextInput
        label="Name"
        required
        value={f.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        error={fieldError(err, 'name')}
      />
      <NativeSelect
        label="Calendar (when the clocks run)"
        required
        data={[
          { value: '', label: 'Choose a calendar…', disabled: true },
          ...(calendars.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name })),
        ]}
        value={f.calendarId}
        onChange={(e) => set('calendarId', e.currentTarget.value)}
        error={fieldError(err, 'calendarId')}
      />
      <Fieldset legend="Applies to (nothing ticked: any; the most specific matching policy wins)">
        <Stack gap="xs">
          <Choices
            label="Case types"
            options={CASE_TYPES}
            value={f.caseTypes}
            onChange={(v) => set('caseTypes', v)}
            error={fieldError(err, 'match.caseTypes')}
          />
          <Choices
            label="Priorities"
            options={PRIORITIES}
            value={f.priorities}
            onChange={(v) => set('priorities', v)}
            error={fieldError(err, 'match.priorities')}
          />
          <Choices
            label="VIP tiers"
            options={VIP_TIERS}
            value={f.vipTiers}
            onChange={(v) => set('vipTiers', v)}
            error={fieldError(err, 'match.vipTiers')}
          />
          <MultiSelect
            label="Accounts under contract"
            description="A case matches through its own account or its enterprise account"
            searchable
            clearable
            data={accounts.data ?? []}
            value={f.accountIds}
            onChange={(v) => set('accountIds', v)}
            error={fieldError(err, 'match.accountIds')}
          />
        </Stack>
      </Fieldset>
      <Fieldset legend="Targets (business minutes on the calendar)">
        <SimpleGrid cols={3}>
          {target('firstResponseMinutes', 'First response (minutes)')}
          {target('periodicUpdateMinutes', 'Public update every (minutes)')}
          {target('resolutionMinutes', 'Resolution (minutes)')}
        </SimpleGrid>
      </Fieldset>
      <SimpleGrid cols={2}>
        <Choices
          label="Clocks pause while the case is"
          options={PAUSE_STATES}
          value={f.pauseStates}
          onChange={(v) => set('pauseStates', v)}
          error={fieldError(err, 'pauseStates')}
        />
        <NumberInput
          label="Verification period (working days)"
          description="A resolved case closes itself after this"
          min={0}
          clampBehavior="none"
          allowDecimal={false}
          value={f.verificationWorkingDays}
          onChange={(v) => set('verificationWorkingDays', v)}
          error={fieldError(err, 'verificationWorkingDays')}
        />
      </SimpleGrid>
    </AdminForm>
  );
}
