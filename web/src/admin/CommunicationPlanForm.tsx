import { Checkbox, Group, Select, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useAccountOptions, useSaveCommunicationPlan } from './queries.ts';
import { AdminForm, fieldError, splitList } from './ui.tsx';

type Plan = Schemas['CommunicationPlan'];
type Rat = Plan['allowedRats'][number];
type Zone = Plan['roamingZones'][number];
const SERVICES = ['data', 'sms', 'voice', 'csd'] as const;
const SERVICE_LABEL: Record<(typeof SERVICES)[number], string> = {
  data: 'Data',
  sms: 'SMS',
  voice: 'Voice',
  csd: 'CSD (circuit-switched data)',
};
const RATS: Rat[] = ['2G', '3G', '4G', '5G', 'LTE-M', 'NB-IoT'];
const ZONES: Zone[] = ['EU_EEA', 'NORDICS', 'NORTH_AMERICA', 'WORLD'];

// Lists are kept as typed (comma-separated text), so a refused save shows exactly what the admin wrote.
type Form = {
  name: string;
  accountId: string | null;
  description: string;
  apns: string;
  services: string[];
  allowedRats: string[];
  roamingZones: string[];
  roamingPlmns: string;
  imeiLock: boolean;
};

const fromPlan = (p: Plan | null): Form => ({
  name: p?.name ?? '',
  accountId: p?.accountId != null ? String(p.accountId) : null,
  description: p?.description ?? '',
  apns: p?.apns.join(', ') ?? '',
  services: p ? SERVICES.filter((s) => p.services[s]) : ['data'],
  allowedRats: p?.allowedRats ?? ['4G', 'LTE-M'],
  roamingZones: p?.roamingZones ?? [],
  roamingPlmns: p?.roamingPlmns.join(', ') ?? '',
  imeiLock: p?.imeiLock ?? false,
});

/** A new communication plan (plan null) or an existing one's main fields; the owner is fixed once created. */
export function CommunicationPlanForm({ plan, onDone }: { plan: Plan | null; onDone: () => void }) {
  const accounts = useAccountOptions();
  const save = useSaveCommunicationPlan();
  const [f, setF] = useState<Form>(() => fromPlan(plan));
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((x) => ({ ...x, [k]: v }));
  const err = save.error;

  const submit = () => {
    const body = {
      name: f.name,
      description: f.description.trim() === '' ? null : f.description,
      apns: splitList(f.apns),
      services: Object.fromEntries(SERVICES.map((s) => [s, f.services.includes(s)])),
      allowedRats: f.allowedRats as Rat[],
      roamingPlmns: splitList(f.roamingPlmns),
      roamingZones: f.roamingZones as Zone[],
      imeiLock: f.imeiLock,
    };
    save.mutate(
      plan
        ? { id: plan.id, body }
        : { id: null, body: { ...body, ...(f.accountId ? { accountId: Number(f.accountId) } : {}) } },
      { onSuccess: onDone },
    );
  };

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
      <TextInput
        label="APNs"
        description="Comma-separated, e.g. iot.example, backup.example"
        value={f.apns}
        onChange={(e) => set('apns', e.currentTarget.value)}
        error={fieldError(err, 'apns')}
      />
      <Checkbox.Group
        label="Services"
        value={f.services}
        onChange={(v) => set('services', v)}
        error={fieldError(err, 'services')}
      >
        <Group mt={4}>
          {SERVICES.map((s) => (
            <Checkbox key={s} value={s} label={SERVICE_LABEL[s]} />
          ))}
        </Group>
      </Checkbox.Group>
      <Checkbox.Group
        label="Allowed radio access"
        value={f.allowedRats}
        onChange={(v) => set('allowedRats', v)}
        error={fieldError(err, 'allowedRats')}
      >
        <Group mt={4}>
          {RATS.map((r) => (
            <Checkbox key={r} value={r} label={r} />
          ))}
        </Group>
      </Checkbox.Group>
      <Checkbox.Group
        label="Roaming zones"
        value={f.roamingZones}
        onChange={(v) => set('roamingZones', v)}
        error={fieldError(err, 'roamingZones')}
      >
        <Group mt={4}>
          {ZONES.map((z) => (
            <Checkbox key={z} value={z} label={z.replace(/_/g, ' ')} />
          ))}
        </Group>
      </Checkbox.Group>
      <TextInput
        label="Roaming networks (PLMN codes)"
        description="Comma-separated MCC+MNC, e.g. 26201, 26202; allowed besides the zones"
        value={f.roamingPlmns}
        onChange={(e) => set('roamingPlmns', e.currentTarget.value)}
        error={fieldError(err, 'roamingPlmns')}
      />
      <Checkbox
        label="IMEI lock: refuse a SIM of this plan in any device but the one its record names"
        checked={f.imeiLock}
        onChange={(e) => set('imeiLock', e.currentTarget.checked)}
        error={fieldError(err, 'imeiLock')}
      />
    </AdminForm>
  );
}
