import { numberField, splitList } from '../admin/ui.tsx';
import { ApiError, type Schemas } from '../api/client.ts';
import {
  type Attempt,
  burstOf,
  DEFAULTS,
  type Direction,
  driftOf,
  dropOf,
  fleetOf,
  permanentStreakOf,
  type RefField,
  type Rule,
  type RuleKind,
  type Severity,
  silenceOf,
  telemetryOf,
  type Weekday,
} from './rule-words.ts';

type Num = string | number;
/** A scope reference as the editor holds it: an id, or text the user typed that names nothing known (yet). */
export type Ref = number | string;

/**
 * The editor's state: what the inputs show, turned into the API's body only when sent. Each kind keeps its own
 * parameters, so trying another kind on a new rule and coming back loses nothing typed.
 */
export type Draft = {
  kind: RuleKind;
  name: string;
  enabled: boolean;
  refs: Record<RefField, Ref[]>;
  apns: string;
  plmns: string;
  params: { factor: Num; graceMinutes: Num; noRhythmMinutes: Num; learnWeeks: Num };
  /** Causes as the tags show them: a tag that is no number is held, and named, rather than sent. */
  burst: {
    count: Num;
    windowMinutes: Num;
    causes: string[];
    attempts: Attempt[];
    clearMinutes: Num;
    streak: Num;
    streakHours: Num;
    permanentStreak: Num;
  };
  /** The burst's streak condition is on (off: sent as null). */
  streakOn: boolean;
  /** The burst's shorter streak for causes no retry cures is on (off: sent as null). */
  permanentOn: boolean;
  fleet: { attempts: Attempt[]; clearMinutes: Num };
  drop: { dropPercent: Num; k: Num; hours: Num; learnWeeks: Num; minUsualKb: Num };
  drift: {
    lambda: Num;
    limit: Num;
    days: Num;
    learnDays: Num;
    direction: Direction;
    minChangePercent: Num;
    minUsualKb: Num;
  };
  /** A bound left empty is none (null); the API wants at least one. */
  telemetry: { metric: string; above: Num; below: Num; repeats: Num; durationMinutes: Num; hysteresis: Num };
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
  const params = r?.params ?? {};
  const burst = burstOf(params);
  const fleet = fleetOf(params);
  return {
    kind: r?.kind ?? 'silence',
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
    params: pickSilence(silenceOf(params)),
    burst: {
      ...burst,
      causes: burst.causes.map(String),
      attempts: [...burst.attempts],
      streak: burst.streak ?? 3,
      permanentStreak: permanentStreakOf(params) ?? DEFAULTS.refusal_burst.permanentStreak ?? 2,
    },
    streakOn: burst.streak !== null,
    // A new rule has it (the API's default); one saved before it existed has it off, as the API applies it.
    permanentOn: r === null || permanentStreakOf(params) !== null,
    fleet: { ...fleet, attempts: [...fleet.attempts] },
    // Only a drop rule's own: a silence rule's learnWeeks has the same name and a wider range.
    drop: r?.kind === 'usage_drop' ? pickDrop(dropOf(params)) : { ...DEFAULTS.usage_drop },
    // Likewise a drift rule's minUsualKb and a drop rule's.
    drift: r?.kind === 'usage_drift' ? pickDrift(driftOf(params)) : { ...DEFAULTS.usage_drift },
    telemetry: pickTelemetry(telemetryOf(r?.kind === 'telemetry_threshold' ? params : {})),
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

function pickSilence(p: ReturnType<typeof silenceOf>): Draft['params'] {
  return {
    factor: p.factor,
    graceMinutes: p.graceMinutes,
    noRhythmMinutes: p.noRhythmMinutes,
    learnWeeks: p.learnWeeks,
  };
}

function pickDrop(p: ReturnType<typeof dropOf>): Draft['drop'] {
  return { dropPercent: p.dropPercent, k: p.k, hours: p.hours, learnWeeks: p.learnWeeks, minUsualKb: p.minUsualKb };
}

function pickDrift(p: ReturnType<typeof driftOf>): Draft['drift'] {
  const { lambda, limit, days, learnDays, direction, minChangePercent, minUsualKb } = p;
  return { lambda, limit, days, learnDays, direction, minChangePercent, minUsualKb };
}

function pickTelemetry(p: ReturnType<typeof telemetryOf>): Draft['telemetry'] {
  return {
    metric: p.metric,
    above: p.above ?? '',
    below: p.below ?? '',
    repeats: p.repeats,
    durationMinutes: p.durationMinutes,
    hysteresis: p.hysteresis,
  };
}

/**
 * The kinds whose watch honours a schedule: outside it, a silence due waits for its start, and a drop, a drift or a
 * telemetry value found beyond is raised when next judged inside it. A burst is news at once; a fleet alarm too.
 */
export const hasSchedule = (kind: RuleKind) => kind !== 'refusal_burst' && kind !== 'fleet_refusals';

/** The scope fields a fleet rule may use: it watches networks and APNs, not SIMs (the API refuses the others). */
export const scopesSims = (kind: RuleKind) => kind !== 'fleet_refusals' && kind !== 'telemetry_threshold';
/** A telemetry rule watches devices: scoped by their account and model only (the API refuses the other fields). */
export const scopesDevices = (kind: RuleKind) => kind === 'telemetry_threshold';
/** The reference fields a kind's scope may hold. */
export const refFieldsOf = (kind: RuleKind): RefField[] =>
  scopesSims(kind) ? REF_FIELDS : scopesDevices(kind) ? ['accountIds', 'deviceModelIds'] : [];
/** Its alarms belong to the desk alone: no case for the customer (the API refuses openCase for them). */
export const opensCases = (kind: RuleKind) => kind !== 'fleet_refusals' && kind !== 'telemetry_threshold';
/**
 * The kinds the server can backtest: it replays SIMs' history, or a telemetry rule's devices' reports. A fleet rule's
 * history is the fleet's hourly roll-up, not a SIM's: it answers 400.
 */
export const canBacktestKind = (kind: RuleKind) => kind !== 'fleet_refusals';

/**
 * Typed references that name nothing known, by field: the editor says so instead of sending them. Only the fields
 * the kind sends count: a fleet rule sends no references, a telemetry rule only accounts and device models.
 */
export function unresolved(d: Draft): Partial<Record<RefField, string[]>> {
  const out: Partial<Record<RefField, string[]>> = {};
  for (const f of refFieldsOf(d.kind)) {
    const bad = d.refs[f].filter((r): r is string => typeof r === 'string');
    if (bad.length > 0) out[f] = bad;
  }
  return out;
}

/** Cause tags that are no whole number: held back and named, as a cause is a number (0–255, the API checks). */
export const badCauses = (d: Draft) =>
  d.kind === 'refusal_burst' ? d.burst.causes.filter((c) => !/^\d+$/.test(c)) : [];

/** Anything the editor holds back rather than send. */
export const isBlocked = (d: Draft) => Object.keys(unresolved(d)).length > 0 || badCauses(d).length > 0;

const numbers = <K extends string>(o: Record<K, Num>, saved: boolean) =>
  Object.fromEntries(
    Object.entries<Num>(o)
      .map(([k, v]) => [k, numberField(v, saved)] as const)
      .filter(([, v]) => v !== undefined),
  ) as Record<K, number>;

/**
 * The body the API takes, for a save or a backtest. Empty lists are left out (a scope field given must hold).
 * Numbers go as typed: an empty one on a new rule takes the API's default; on a saved rule it goes as null, so
 * the API names the emptied field rather than keeping the old value unseen.
 */
export function bodyOf(d: Draft, saved: boolean): Schemas['CreateAlarmRuleRequestInput'] {
  const scope: Schemas['AlarmRuleScopeInput'] = {};
  for (const f of refFieldsOf(d.kind)) if (d.refs[f].length > 0) scope[f] = d.refs[f] as number[];
  const apns = scopesDevices(d.kind) ? [] : splitList(d.apns);
  const plmns = scopesDevices(d.kind) ? [] : splitList(d.plmns);
  if (apns.length > 0) scope.apns = apns;
  if (plmns.length > 0) scope.plmns = plmns;
  // What a kind does not apply goes as its "none", so a saved rule does not keep one unseen.
  const fleet = d.kind === 'fleet_refusals';
  const common = {
    name: d.name,
    enabled: d.enabled,
    scope,
    severity: d.severity,
    escalation:
      d.escalate && !fleet
        ? { afterMinutes: numberField(d.escalation.afterMinutes, true) as number, severity: d.escalation.severity }
        : null,
    schedule: d.scheduled && hasSchedule(d.kind) ? { ...d.schedule } : null,
    openCase: d.openCase && opensCases(d.kind),
    remindMinutes: d.remind && !fleet ? (numberField(d.remindMinutes, true) as number) : null,
  };
  if (d.kind === 'refusal_burst') {
    const { causes, attempts, streak, streakHours, permanentStreak, ...rest } = d.burst;
    return {
      ...common,
      kind: 'refusal_burst',
      params: {
        ...numbers(rest, saved),
        ...(d.streakOn ? numbers({ streak }, saved) : { streak: null }),
        ...(d.permanentOn ? numbers({ permanentStreak }, saved) : { permanentStreak: null }),
        ...(d.streakOn || d.permanentOn ? numbers({ streakHours }, saved) : {}),
        causes: causes.map(Number),
        attempts: [...attempts],
      },
    };
  }
  if (d.kind === 'usage_drop') return { ...common, kind: 'usage_drop', params: numbers(d.drop, saved) };
  if (d.kind === 'usage_drift') {
    const { direction, ...rest } = d.drift;
    return { ...common, kind: 'usage_drift', params: { ...numbers(rest, saved), direction } };
  }
  if (d.kind === 'telemetry_threshold') {
    const { metric, above, below, ...rest } = d.telemetry;
    // An empty bound is none: sent as null, so the API names a rule with neither under params.above.
    const bound = (v: Num) => (numberField(v, true) as number | null) ?? null;
    return {
      ...common,
      kind: 'telemetry_threshold',
      params: { ...numbers(rest, saved), metric, above: bound(above), below: bound(below) },
    };
  }
  if (fleet) {
    const { attempts, ...rest } = d.fleet;
    return { ...common, kind: 'fleet_refusals', params: { ...numbers(rest, saved), attempts: [...attempts] } };
  }
  return { ...common, kind: 'silence', params: numbers(d.params, saved) };
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
