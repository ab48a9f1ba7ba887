import { Fieldset, NativeSelect, NumberInput, Select, SimpleGrid, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useAccountOptions, useSaveRatePlan } from './queries.ts';
import { AdminForm, fieldError, numberField } from './ui.tsx';

type Plan = Schemas['RatePlan'];
type Num = string | number;
type Form = {
  name: string;
  accountId: string | null;
  description: string;
  currency: string;
  monthlyFee: string;
  pooling: Plan['pooling'];
  included: { dataMb: Num; sms: Num; voiceMin: Num };
  // Overage prices are decimal strings in the API (no float rounding of money), so they are typed as text.
  overage: { dataPerMb: string; smsEach: string; voicePerMin: string };
  /** What happens once the data allowance is used up, and the rate a throttled SIM keeps. */
  atLimit: Plan['overage']['action'];
  throttleKbps: Num;
  testReady: { dataMb: Num; sms: Num; voiceMin: Num; days: Num };
};

const fromPlan = (p: Plan | null): Form => ({
  name: p?.name ?? '',
  accountId: p?.accountId != null ? String(p.accountId) : null,
  description: p?.description ?? '',
  currency: p?.currency ?? 'EUR',
  monthlyFee: p?.monthlyFee ?? '',
  pooling: p?.pooling ?? 'per_sim',
  included: p ? { ...p.included } : { dataMb: '', sms: '', voiceMin: '' },
  overage: p
    ? { dataPerMb: p.overage.dataPerMb, smsEach: p.overage.smsEach, voicePerMin: p.overage.voicePerMin }
    : { dataPerMb: '', smsEach: '', voicePerMin: '' },
  atLimit: p?.overage.action ?? 'charge',
  throttleKbps: p?.overage.throttleKbps ?? '',
  testReady: p ? { ...p.testReady } : { dataMb: '', sms: '', voiceMin: '', days: '' },
});

const numbers = <K extends string>(o: Record<K, Num>, saved: boolean) =>
  Object.fromEntries(Object.entries<Num>(o).map(([k, v]) => [k, numberField(v, saved)])) as Record<K, number>;
// A new plan leaves out the prices not given (the API's default, 0); a saved one sends them as typed.
const prices = <K extends string>(o: Record<K, string>, saved: boolean) =>
  Object.fromEntries(Object.entries<string>(o).filter(([, v]) => saved || v.trim() !== '')) as Partial<
    Record<K, string>
  >;

/** A new rate plan (plan null) or an existing one's price, allowances and test-period limits. */
export function RatePlanForm({ plan, onDone }: { plan: Plan | null; onDone: () => void }) {
  const accounts = useAccountOptions();
  const save = useSaveRatePlan();
  const [f, setF] = useState<Form>(() => fromPlan(plan));
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((x) => ({ ...x, [k]: v }));
  const err = save.error;

  const submit = () => {
    const body = {
      name: f.name,
      description: f.description.trim() === '' ? null : f.description,
      currency: f.currency,
      monthlyFee: f.monthlyFee,
      pooling: f.pooling,
      included: numbers(f.included, plan !== null),
      overage: {
        ...prices(f.overage, plan !== null),
        action: f.atLimit,
        // Only a throttling plan has a rate; the API names a missing or stray one.
        ...(f.atLimit === 'throttle' ? { throttleKbps: numberField(f.throttleKbps, true) } : { throttleKbps: null }),
      },
      testReady: numbers(f.testReady, plan !== null),
    };
    save.mutate(
      plan
        ? { id: plan.id, body }
        : { id: null, body: { ...body, ...(f.accountId ? { accountId: Number(f.accountId) } : {}) } },
      { onSuccess: onDone },
    );
  };

  const num = (group: 'included' | 'testReady', key: string, label: string) => (
    <NumberInput
      label={label}
      min={0}
      // Out-of-range numbers go to the API as typed, whose answer names them; clamping would hide the mistake.
      clampBehavior="none"
      allowDecimal={false}
      value={(f[group] as Record<string, Num>)[key]}
      onChange={(v) => set(group, { ...f[group], [key]: v } as Form[typeof group])}
      error={fieldError(err, `${group}.${key}`)}
    />
  );
  const price = (key: keyof Form['overage'], label: string) => (
    <TextInput
      label={label}
      value={f.overage[key]}
      onChange={(e) => set('overage', { ...f.overage, [key]: e.currentTarget.value })}
      error={fieldError(err, `overage.${key}`)}
    />
  );

  return (
    <AdminForm
      onSubmit={submit}
      error={err}
      busy={save.isPending}
      submitLabel={plan ? 'Save plan' : 'Create plan'}
      onCancel={onDone}
    >
      <TextInput
        label="Name"
        required
        value={f.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        error={fieldError(err, 'name')}
      />
      <Select
        label="Owner account"
        description={plan ? 'Cannot change once created' : 'Empty: a shared plan, offered to every account'}
        searchable
        clearable
        disabled={plan !== null}
        placeholder="Shared (every account)"
        data={accounts.data ?? []}
        value={f.accountId}
        onChange={(v) => set('accountId', v)}
        error={fieldError(err, 'accountId')}
      />
      <Textarea
        label="Description"
        autosize
        minRows={2}
        value={f.description}
        onChange={(e) => set('description', e.currentTarget.value)}
        error={fieldError(err, 'description')}
      />
      <SimpleGrid cols={3}>
        <TextInput
          label="Currency"
          description="ISO code, e.g. EUR"
          required
          value={f.currency}
          onChange={(e) => set('currency', e.currentTarget.value)}
          error={fieldError(err, 'currency')}
        />
        <TextInput
          label="Monthly fee per SIM"
          description="e.g. 4.50"
          required
          value={f.monthlyFee}
          onChange={(e) => set('monthlyFee', e.currentTarget.value)}
          error={fieldError(err, 'monthlyFee')}
        />
        <NativeSelect
          label="Allowance"
          description="Pooled: summed over the SIMs"
          data={[
            { value: 'per_sim', label: 'per SIM' },
            { value: 'pooled', label: 'pooled' },
          ]}
          value={f.pooling}
          onChange={(e) => set('pooling', e.currentTarget.value as Plan['pooling'])}
          error={fieldError(err, 'pooling')}
        />
      </SimpleGrid>
      <Fieldset legend="Included each month">
        <SimpleGrid cols={3}>
          {num('included', 'dataMb', 'Included data (MB)')}
          {num('included', 'sms', 'Included SMS')}
          {num('included', 'voiceMin', 'Included voice (minutes)')}
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Overage prices">
        <SimpleGrid cols={3}>
          {price('dataPerMb', 'Overage per MB')}
          {price('smsEach', 'Overage per SMS')}
          {price('voicePerMin', 'Overage per voice minute')}
        </SimpleGrid>
        <SimpleGrid cols={3} mt="sm">
          <NativeSelect
            label="When the data allowance is used up"
            data={[
              { value: 'charge', label: 'charge overage, data goes on' },
              { value: 'block', label: 'block data until next month' },
              { value: 'throttle', label: 'throttle data' },
            ]}
            value={f.atLimit}
            onChange={(e) => set('atLimit', e.currentTarget.value as Form['atLimit'])}
            error={fieldError(err, 'overage.action')}
          />
          {f.atLimit === 'throttle' && (
            <NumberInput
              label="Throttled rate (kbit/s)"
              min={1}
              clampBehavior="none"
              allowDecimal={false}
              value={f.throttleKbps}
              onChange={(v) => set('throttleKbps', v)}
              error={fieldError(err, 'overage.throttleKbps')}
            />
          )}
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Test period (TEST_READY) limits">
        <SimpleGrid cols={4}>
          {num('testReady', 'dataMb', 'Test data (MB)')}
          {num('testReady', 'sms', 'Test SMS')}
          {num('testReady', 'voiceMin', 'Test voice (minutes)')}
          {num('testReady', 'days', 'Test days')}
        </SimpleGrid>
      </Fieldset>
    </AdminForm>
  );
}
