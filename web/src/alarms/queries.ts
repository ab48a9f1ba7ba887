import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useAccountOptions, useCommunicationPlans, useRatePlans } from '../admin/queries.ts';
import { api, type Schemas, unwrap } from '../api/client.ts';
import type { operations } from '../api/schema';
import type { RefField, RefNames } from './rule-words.ts';

// The list's key is the prefix of each rule's, so a change refreshes both.
export const ruleKeys = {
  all: ['alarm-rules'] as const,
  one: (id: number) => ['alarm-rules', id] as const,
};

export const useRules = () =>
  useQuery({ queryKey: ruleKeys.all, queryFn: () => unwrap(api.GET('/api/v1/alarm-rules')) });

export const useRule = (id: number) =>
  useQuery({
    queryKey: ruleKeys.one(id),
    queryFn: () => unwrap(api.GET('/api/v1/alarm-rules/{id}', { params: { path: { id } } })),
  });

function useRuleChange<V, R>(mutationFn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => qc.invalidateQueries({ queryKey: ruleKeys.all }) });
}

export const useSaveRule = () =>
  useRuleChange(
    (
      v:
        | { id: null; body: Schemas['CreateAlarmRuleRequestInput'] }
        | { id: number; body: Schemas['UpdateAlarmRuleRequestInput'] },
    ) =>
      v.id === null
        ? unwrap(api.POST('/api/v1/alarm-rules', { body: v.body }))
        : unwrap(api.PATCH('/api/v1/alarm-rules/{id}', { params: { path: { id: v.id } }, body: v.body })),
  );

export const useSetRuleEnabled = () =>
  useRuleChange((v: { id: number; enabled: boolean }) =>
    unwrap(api.PATCH('/api/v1/alarm-rules/{id}', { params: { path: { id: v.id } }, body: { enabled: v.enabled } })),
  );

export const useDeleteRule = () =>
  useRuleChange((id: number) => unwrap(api.DELETE('/api/v1/alarm-rules/{id}', { params: { path: { id } } })));

/** A draft run on the stored history; nothing is saved, so nothing is refreshed. */
export const useBacktest = () =>
  useMutation({
    mutationFn: (v: { body: Schemas['CreateAlarmRuleRequestInput']; days: number }) =>
      unwrap(api.POST('/api/v1/alarm-rule-backtests', { params: { query: { days: v.days } }, body: v.body })),
  });

const useDeviceModels = () =>
  useQuery({
    queryKey: ['device-models'],
    queryFn: () => unwrap(api.GET('/api/v1/device-models')),
    staleTime: 60_000,
  });

/** What a picker offers for one id field: labels to pick from, and the way back from a label (or a typed id). */
export type RefOptions = {
  labels: string[];
  labelOf: (id: number) => string;
  /** A tag as the picker holds it: the id it names, or the text itself when it names nothing known. */
  resolve: (tag: string) => number | string;
};

function refOptions(items: { id: number; label: string; aliases?: string[] }[]): RefOptions {
  // Two plans may share a name (one per owner): a label shown twice gets its id, so each picks one thing.
  const count = new Map<string, number>();
  for (const i of items) count.set(i.label, (count.get(i.label) ?? 0) + 1);
  const labelById = new Map(items.map((i) => [i.id, (count.get(i.label) ?? 0) > 1 ? `${i.label} #${i.id}` : i.label]));
  const byLabel = new Map([...labelById].map(([id, l]) => [l, id]));
  const byAlias = new Map<string, number | null>();
  for (const i of items)
    for (const a of i.aliases ?? []) {
      const k = a.toLowerCase();
      byAlias.set(k, byAlias.has(k) && byAlias.get(k) !== i.id ? null : i.id);
    }
  return {
    labels: [...labelById.values()],
    labelOf: (id) => labelById.get(id) ?? `#${id}`,
    resolve: (tag) => {
      const t = tag.trim();
      const known = byLabel.get(t) ?? byAlias.get(t.toLowerCase());
      if (known != null) return known;
      const id = /^#?(\d+)$/.exec(t)?.[1];
      return id ? Number(id) : t;
    },
  };
}

/**
 * The accounts, plans and device models a scope can name, from the lists the console already reads (the plans and
 * accounts share the admin screens' cache). A typed account number or exact name finds its account too.
 */
export function useRefOptions(): { options: Record<RefField, RefOptions>; names: RefNames } {
  const accounts = useAccountOptions();
  const comm = useCommunicationPlans();
  const rate = useRatePlans();
  const models = useDeviceModels();
  return useMemo(() => {
    const accountLabel = new Map((accounts.data ?? []).map((a) => [Number(a.value), a.label]));
    const owner = (accountId: number | null) =>
      accountId === null ? 'shared' : (accountLabel.get(accountId) ?? `account #${accountId}`);
    const plan = (p: { id: number; name: string; accountId: number | null }) => ({
      id: p.id,
      label: `${p.name} — ${owner(p.accountId)}`,
      aliases: [p.name],
    });
    const options: Record<RefField, RefOptions> = {
      accountIds: refOptions(
        (accounts.data ?? []).map((a) => ({
          id: Number(a.value),
          label: a.label,
          // The label is "Name (NUMBER)": either part typed alone finds the account.
          aliases: [a.label.replace(/ \([^)]*\)$/, ''), /\(([^)]*)\)$/.exec(a.label)?.[1] ?? ''].filter(Boolean),
        })),
      ),
      communicationPlanIds: refOptions((comm.data?.items ?? []).map(plan)),
      ratePlanIds: refOptions((rate.data?.items ?? []).map(plan)),
      deviceModelIds: refOptions(
        (models.data?.items ?? []).map((m) => ({
          id: m.id,
          label: `${m.name} (${m.kind}) — ${owner(m.ownerAccountId)}`,
          aliases: [m.name],
        })),
      ),
    };
    const names: RefNames = {
      accountIds: options.accountIds.labelOf,
      communicationPlanIds: options.communicationPlanIds.labelOf,
      ratePlanIds: options.ratePlanIds.labelOf,
      deviceModelIds: options.deviceModelIds.labelOf,
    };
    return { options, names };
  }, [accounts.data, comm.data, rate.data, models.data]);
}

/** One alarm and its series: under the list's key ['alarms'], so acknowledging or clearing anywhere refreshes them. */
export const alarmKeys = {
  one: (id: number) => ['alarms', 'one', id] as const,
  series: (id: number, bucketMinutes: SeriesBucket | null) => ['alarms', 'series', id, bucketMinutes] as const,
};
export type SeriesBucket = NonNullable<
  NonNullable<operations['getAlarmSeries']['parameters']['query']>['bucketMinutes']
>;

export const useAlarm = (id: number) =>
  useQuery({
    queryKey: alarmKeys.one(id),
    queryFn: () => unwrap(api.GET('/api/v1/alarms/{id}', { params: { path: { id } } })),
    refetchInterval: 30_000,
  });

/** The traffic around the alarm, in its default window (the server picks it from the alarm's instants); a rule's alarm has none. */
export const useAlarmSeries = (id: number, bucketMinutes: SeriesBucket | null, enabled = true) =>
  useQuery({
    enabled,
    queryKey: alarmKeys.series(id, bucketMinutes),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/alarms/{id}/series', {
          params: { path: { id }, query: bucketMinutes === null ? {} : { bucketMinutes } },
        }),
      ),
    refetchInterval: 60_000,
  });
