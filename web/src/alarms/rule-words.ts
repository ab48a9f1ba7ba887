import type { Schemas } from '../api/client.ts';

export type Rule = Schemas['AlarmRule'];
export type RuleKind = Rule['kind'];
export type Params = Rule['params'];
export type Attempt = 'attach' | 'session';
export type Severity = Rule['severity'];
export type Schedule = NonNullable<Rule['schedule']>;
export type Escalation = NonNullable<Rule['escalation']>;
export type Weekday = Schedule['days'][number];
/** The scope fields that name things by id (the API checks each exists); the others are values. */
export type RefField = 'accountIds' | 'communicationPlanIds' | 'ratePlanIds' | 'deviceModelIds';

export const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'warning'];
export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  warning: 'blue',
};
export const WEEKDAYS: { value: Weekday; label: string }[] = [
  { value: 'mon', label: 'Mon' },
  { value: 'tue', label: 'Tue' },
  { value: 'wed', label: 'Wed' },
  { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' },
  { value: 'sat', label: 'Sat' },
  { value: 'sun', label: 'Sun' },
];

/** Minutes as a person says them: 45 min, 6 h 30 min, 3 d. */
export function duration(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m >= 2 * 1440 && m % 1440 === 0) return `${m / 1440} d`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

export const RULE_KINDS: RuleKind[] = [
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
  'fleet_refusals',
];
export type Direction = 'up' | 'down' | 'both';
export const DIRECTIONS: Direction[] = ['both', 'up', 'down'];
export const ATTEMPTS: Attempt[] = ['attach', 'session'];

/** The API's defaults per kind: a new rule starts from them, and a saved rule lacking one (older data) shows it. */
export const DEFAULTS = {
  silence: { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 },
  refusal_burst: {
    count: 3,
    windowMinutes: 15,
    causes: [] as number[],
    attempts: ATTEMPTS,
    clearMinutes: 15,
    streak: 3 as number | null,
    streakHours: 6,
    permanentStreak: 2 as number | null,
  },
  fleet_refusals: { attempts: ATTEMPTS, clearMinutes: 10 },
  usage_drop: { dropPercent: 50, k: 3, hours: 3, learnWeeks: 4, minUsualKb: 100 },
  usage_drift: {
    lambda: 0.3,
    limit: 3,
    days: 7,
    learnDays: 28,
    direction: 'both' as Direction,
    minChangePercent: 25,
    minUsualKb: 100,
  },
  // The metric and its bounds have no default: the API requires the metric and at least one bound.
  telemetry_threshold: { repeats: 3, durationMinutes: 0, hysteresis: 0 },
};
export const silenceOf = (p: Params) => ({ ...DEFAULTS.silence, ...p });
export const burstOf = (p: Params) => ({ ...DEFAULTS.refusal_burst, ...p });
/** The permanent-cause streak as the API applies it: absent (a rule saved before it) is off, not the default. */
export const permanentStreakOf = (p: Params): number | null =>
  typeof p.permanentStreak === 'number' ? p.permanentStreak : null;
export const fleetOf = (p: Params) => ({ ...DEFAULTS.fleet_refusals, ...p });
export const dropOf = (p: Params) => ({ ...DEFAULTS.usage_drop, ...p });
export const driftOf = (p: Params) => ({ ...DEFAULTS.usage_drift, ...p });
export const telemetryOf = (p: Params) => ({
  metric: '',
  above: null as number | null,
  below: null as number | null,
  ...DEFAULTS.telemetry_threshold,
  ...p,
});

/**
 * Causes the desk meets most, offered as hints. The same number means different things in the two tables, so each
 * says which refusal carries it. Copied from the backend's tables (src/modules/network/causes.ts): the console
 * does not import server code.
 */
export const COMMON_CAUSES: { code: number; attempt: Attempt; name: string }[] = [
  { code: 11, attempt: 'attach', name: 'PLMN not allowed' },
  { code: 13, attempt: 'attach', name: 'Roaming not allowed in this tracking area' },
  { code: 15, attempt: 'attach', name: 'No suitable cells in tracking area' },
  { code: 27, attempt: 'session', name: 'Missing or unknown APN' },
  { code: 33, attempt: 'session', name: 'Requested service option not subscribed' },
];
export const causeHint = (c: (typeof COMMON_CAUSES)[number]) =>
  `${c.code} ${c.name} (${c.attempt === 'attach' ? 'EMM, attach' : 'ESM, session'})`;

export const attemptWords = (a: readonly Attempt[]) =>
  a.length === 0 ? 'no refusal' : ATTEMPTS.filter((x) => a.includes(x)).join(' and ');
export const causesWords = (c: readonly number[]) =>
  c.length === 0 ? 'any cause' : `${c.length === 1 ? 'cause' : 'causes'} ${c.join(', ')}`;

export const thresholdWords = (params: Params) => {
  const p = silenceOf(params);
  return `${p.factor} × usual interval + ${duration(p.graceMinutes)}`;
};
export const burstWords = (params: Params) => {
  const p = burstOf(params);
  const streak = p.streak === null ? '' : `, or ${p.streak} in a row not accepted`;
  // A rule saved before the permanent-cause streak existed has it off (the API reads it absent as off).
  const permanent = permanentStreakOf(params);
  const sooner = permanent === null ? '' : `, or ${permanent} in a row of a cause no retry cures`;
  const within = streak || sooner ? ` (within ${p.streakHours} h)` : '';
  return `${plural(p.count, 'refusal')} within ${duration(p.windowMinutes)}${streak}${sooner}${within} (${causesWords(p.causes)}; ${attemptWords(p.attempts)})`;
};
/** A volume given in kB as a person reads it: 100 kB, 1.5 MB, 2 GB (decimal units, as the portal's usage). */
export function kbWords(kb: number): string {
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = kb;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Math.round(v * 10) / 10} ${units[i]}`;
}
// 1.4826 × MAD is what the watch subtracts k times (usage-drops.ts); the desk knows it as "k MADs".
export const dropWords = (params: Params) => {
  const p = dropOf(params);
  const hours = p.hours === 1 ? 'hour' : `${p.hours} hours`;
  const mads = p.k === 0 ? '' : `, beyond ${plural(p.k, 'MAD')}`;
  return (
    `a SIM carries ${p.dropPercent} % less than its usual for the same ${hours} of the week ` +
    `(median of ${plural(p.learnWeeks, 'week')}${mads}), if it usually carries ≥ ${kbWords(p.minUsualKb)}`
  );
};
const DIRECTION_WORDS: Record<Direction, string> = { up: 'above', down: 'below', both: 'above or below' };
// The EWMA's limits are mean ± limit·σ_z (usage-drift.ts); the desk knows the limit as "k σ".
export const driftWords = (params: Params) => {
  const p = driftOf(params);
  return (
    `a SIM's daily volume over ${plural(p.days, 'day')} (EWMA, λ ${p.lambda}) drifts ${DIRECTION_WORDS[p.direction]} ` +
    `its mean of the ${p.learnDays} days before by more than ${p.limit} σ and ≥ ${p.minChangePercent} %, ` +
    `if it usually carries ≥ ${kbWords(p.minUsualKb)} a day`
  );
};
/** A change as the desk reads it: "+140 %", "−35 %" (the sign says the direction). */
export const signedPercent = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n)} %`;
/** A telemetry rule's bounds as said: "above 90", "below 10", "outside 10 to 90" (a band). */
export function boundWords(above: number | null, below: number | null): string {
  if (above !== null && below !== null) return `outside ${below} to ${above}`;
  if (above !== null) return `above ${above}`;
  return below !== null ? `below ${below}` : 'beyond no bound';
}
export const telemetryWords = (params: Params) => {
  const p = telemetryOf(params);
  const long = p.durationMinutes > 0 ? ` for at least ${duration(p.durationMinutes)}` : '';
  return `a device's ${p.metric} ${boundWords(p.above, p.below)} for ${plural(p.repeats, 'report')} in a row${long}`;
};
export const FLEET_WORDS = 'network or APN refusing many SIMs against its baseline';

/** When a rule alarms, as the list says it: the condition, and a smaller line with the rest of its parameters. */
export function conditionWords(r: Pick<Rule, 'kind' | 'params'>): { main: string; more: string } {
  if (r.kind === 'refusal_burst') {
    const p = burstOf(r.params);
    return {
      main: burstWords(p),
      more: `cleared once accepted again and refused no more for ${duration(p.clearMinutes)}`,
    };
  }
  if (r.kind === 'usage_drop') {
    const p = dropOf(r.params);
    return {
      main: dropWords(p),
      more: `judged every hour; cleared once back above ${p.dropPercent / 2} % below its usual`,
    };
  }
  if (r.kind === 'usage_drift') {
    const p = driftOf(r.params);
    return { main: driftWords(p), more: 'judged daily at 03 UTC; cleared once back within half the limits' };
  }
  if (r.kind === 'telemetry_threshold') {
    const p = telemetryOf(r.params);
    return {
      main: telemetryWords(p),
      more: `judged as reports arrive; cleared once a report is back inside${p.hysteresis > 0 ? ` by ${p.hysteresis}` : ''}`,
    };
  }
  if (r.kind === 'fleet_refusals') {
    const p = fleetOf(r.params);
    return {
      main: FLEET_WORDS,
      more: `${attemptWords(p.attempts)}; cleared ${duration(p.clearMinutes)} after it stops failing`,
    };
  }
  const p = silenceOf(r.params);
  return {
    main: thresholdWords(p),
    more: `without a rhythm: ${duration(p.noRhythmMinutes)}; learned over ${plural(p.learnWeeks, 'week')}`,
  };
}

// A burst's severity is looked at again as refusals go on (refusal-bursts.ts), a drop's each hour it stays low
// (usage-drops.ts), a drift's each day it drifts (usage-drift.ts), a telemetry alarm's at each report beyond
// (telemetry-thresholds.ts): all from when the alarm was raised; a silence's from its threshold.
export const escalationWords = (e: Escalation | null, kind: RuleKind = 'silence') =>
  !e
    ? 'no escalation'
    : kind === 'refusal_burst'
      ? `to ${e.severity} if still refused ${duration(e.afterMinutes)} after it was raised`
      : kind === 'usage_drop'
        ? `to ${e.severity} if still low ${duration(e.afterMinutes)} after it was raised`
        : kind === 'usage_drift'
          ? `to ${e.severity} if still drifting ${duration(e.afterMinutes)} after it was raised`
          : kind === 'telemetry_threshold'
            ? `to ${e.severity} if still beyond ${duration(e.afterMinutes)} after it was raised`
            : `to ${e.severity} ${duration(e.afterMinutes)} past the threshold`;

/** What follows an alarm besides itself, as short phrases (none: an empty list). */
export function followUpWords(r: Pick<Rule, 'openCase' | 'remindMinutes'>): string[] {
  return [
    ...(r.openCase ? ['opens a case for the account'] : []),
    ...(r.remindMinutes != null ? [`reminds the desk every ${duration(r.remindMinutes)} until acknowledged`] : []),
  ];
}

/** Days as ranges where they run on (Mon–Fri, Sat, Sun), in the week's order. */
function dayWords(days: readonly Weekday[]): string {
  const on = WEEKDAYS.map((d) => days.includes(d.value));
  if (on.every(Boolean)) return 'Every day';
  const runs: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!on[i]) continue;
    let j = i;
    while (j + 1 < 7 && on[j + 1]) j++;
    const first = WEEKDAYS[i]!.label;
    const last = WEEKDAYS[j]!.label;
    runs.push(j === i ? first : j === i + 1 ? `${first}, ${last}` : `${first}–${last}`);
    i = j;
  }
  return runs.join(', ');
}

export function scheduleWords(s: Schedule | null): string {
  if (!s) return 'Always';
  // "to" before "from" is how the API says the window runs past midnight.
  const overnight = s.to < s.from ? ' (overnight)' : '';
  return `${dayWords(s.days)} ${s.from}–${s.to}${overnight}, ${s.timeZone}`;
}

/** Names for the ids a scope holds; an id no list knows shows as #id (deleted since, or not visible). */
export type RefNames = Record<RefField, (id: number) => string>;

const SCOPE_LABEL: Record<keyof Rule['scope'], string> = {
  accountIds: 'Accounts',
  communicationPlanIds: 'Communication plans',
  ratePlanIds: 'Rate plans',
  apns: 'APNs',
  plmns: 'Networks (PLMN)',
  deviceModelIds: 'Device models',
};

/** The scope as lines ("Accounts: Nordgrid Energi AB (NORDGRID)"); every line must hold for a SIM to be in. */
export function scopeLines(scope: Rule['scope'], names: RefNames): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const field of Object.keys(SCOPE_LABEL) as (keyof Rule['scope'])[]) {
    const list = scope[field];
    if (!list || list.length === 0) continue;
    const text =
      field === 'apns' || field === 'plmns'
        ? (list as string[]).join(', ')
        : (list as number[]).map((id) => names[field](id)).join(', ');
    out.push({ label: SCOPE_LABEL[field], text });
  }
  return out;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
