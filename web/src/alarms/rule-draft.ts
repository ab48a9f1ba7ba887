import { numberField, splitList } from '../admin/ui.tsx';
import { ApiError, type Schemas } from '../api/client.ts';
import type { RefField, Rule, Severity, Weekday } from './rule-words.ts';

type Num = string | number;
/** A scope reference as the editor holds it: an id, or text the user typed that names nothing known (yet). */
export type Ref = number | string;

/** The editor's state: what the inputs show, turned into the API's body only when sent. */
export type Draft = {
  name: string;
  enabled: boolean;
  refs: Record<RefField, Ref[]>;
  apns: string;
  plmns: string;
  params: { factor: Num; graceMinutes: Num; noRhythmMinutes: Num; learnWeeks: Num };
  severity: Severity;
  escalate: boolean;
  escalation: { afterMinutes: Num; severity: Severity };
  scheduled: boolean;
  schedule: { days: Weekday[]; from: string; to: string; timeZone: string };
  openCase: boolean;
  remind: boolean;
  remindMinutes: Num;
};

export const REF_FIELDS: RefField[] = ['accountIds', 'communicationPlanIds', 'ratePlanIds', 'deviceModelIds'];

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A saved rule as the editor shows it; a new one starts from the API's defaults, so the user sees them. */
export function draftOf(r: Rule | null): Draft {
  return {
    name: r?.name ?? '',
    enabled: r?.enabled ?? true,
    refs: {
      accountIds: r?.scope.accountIds ?? [],
      communicationPlanIds: r?.scope.communicationPlanIds ?? [],
      ratePlanIds: r?.scope.ratePlanIds ?? [],
      deviceModelIds: r?.scope.deviceModelIds ?? [],
    },
    apns: r?.scope.apns?.join(', ') ?? '',
    plmns: r?.scope.plmns?.join(', ') ?? '',
    params: r ? { ...r.params } : { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 },
    severity: r?.severity ?? 'major',
    escalate: Boolean(r?.escalation),
    escalation: r?.escalation ? { ...r.escalation } : { afterMinutes: 60, severity: 'critical' },
    scheduled: Boolean(r?.schedule),
    schedule: r?.schedule
      ? { ...r.schedule, days: [...r.schedule.days] }
      : { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00', timeZone: browserTimeZone() },
    openCase: r?.openCase ?? false,
    remind: r?.remindMinutes != null,
    remindMinutes: r?.remindMinutes ?? 60,
  };
}

/** Typed references that name nothing known, by field: the editor says so instead of sending them. */
export function unresolved(d: Draft): Partial<Record<RefField, string[]>> {
  const out: Partial<Record<RefField, string[]>> = {};
  for (const f of REF_FIELDS) {
    const bad = d.refs[f].filter((r): r is string => typeof r === 'string');
    if (bad.length > 0) out[f] = bad;
  }
  return out;
}

/**
 * The body the API takes, for a save or a backtest. Empty lists are left out (a scope field given must hold).
 * Numbers go as typed: an empty one on a new rule takes the API's default; on a saved rule it goes as null, so
 * the API names the emptied field rather than keeping the old value unseen.
 */
export function bodyOf(d: Draft, saved: boolean): Schemas['CreateAlarmRuleRequestInput'] {
  const scope: Schemas['AlarmRuleScopeInput'] = {};
  for (const f of REF_FIELDS) if (d.refs[f].length > 0) scope[f] = d.refs[f] as number[];
  const apns = splitList(d.apns);
  const plmns = splitList(d.plmns);
  if (apns.length > 0) scope.apns = apns;
  if (plmns.length > 0) scope.plmns = plmns;
  const params = Object.fromEntries(
    Object.entries<Num>(d.params)
      .map(([k, v]) => [k, numberField(v, saved)] as const)
      .filter(([, v]) => v !== undefined),
  ) as Schemas['AlarmRuleSilenceParamsInput'];
  return {
    name: d.name,
    kind: 'silence',
    enabled: d.enabled,
    scope,
    params,
    severity: d.severity,
    escalation: d.escalate
      ? { afterMinutes: numberField(d.escalation.afterMinutes, true) as number, severity: d.escalation.severity }
      : null,
    schedule: d.scheduled ? { ...d.schedule } : null,
    openCase: d.openCase,
    remindMinutes: d.remind ? (numberField(d.remindMinutes, true) as number) : null,
  };
}

/**
 * The API's reasons for one field and the items inside it (`scope.accountIds[1]`), each with the value it names
 * where the field is a list, so "#999 does not exist" says which of several is wrong.
 */
export function reasonsFor(error: unknown, field: string, show: (value: unknown) => string = JSON.stringify) {
  if (!(error instanceof ApiError)) return undefined;
  const hits = error.details.filter(
    (d) => d.field === field || d.field?.startsWith(`${field}.`) || d.field?.startsWith(`${field}[`),
  );
  if (hits.length === 0) return undefined;
  return hits
    .map((d) =>
      d.field?.startsWith(`${field}[`) && d.value !== undefined ? `${show(d.value)}: ${d.reason}` : d.reason,
    )
    .join('; ');
}
