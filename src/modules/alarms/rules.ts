/**
 * Alarm rules, the pure part: which rule governs a SIM, the SIM's usual interval by hour of the week, a silence's
 * threshold, and a rule's schedule. No I/O: the silence watch and the backtest feed it what they read.
 */

export type RuleScope = {
  accountIds?: number[] | undefined;
  communicationPlanIds?: number[] | undefined;
  ratePlanIds?: number[] | undefined;
  apns?: string[] | undefined;
  plmns?: string[] | undefined;
  deviceModelIds?: number[] | undefined;
};
/** What a scope is matched against: the SIM's inventory, its last network state and its device. */
export type SimProfile = {
  accountId: number;
  communicationPlanId: number | null;
  ratePlanId: number | null;
  apn: string | null;
  plmn: string | null;
  deviceModelId: number | null;
};
export type SilenceParams = {
  /** The silence may last this many times the SIM's usual interval for the hour of the week it went quiet in… */
  factor: number;
  /** …plus this (also the floor: a router's usual minute does not make a two-minute pause news). */
  graceMinutes: number;
  /** For a SIM without a learned rhythm (too few active hours). */
  noRhythmMinutes: number;
  /** Weeks of hourly usage the rhythm is learned from. */
  learnWeeks: number;
};
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type Schedule = { days: Weekday[]; from: string; to: string; timeZone: string };
export type RuleLike = { id: number; scope: RuleScope };

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

const SCOPE_FIELDS = ['accountIds', 'communicationPlanIds', 'ratePlanIds', 'apns', 'plmns', 'deviceModelIds'] as const;
const PROFILE_FIELD = {
  accountIds: 'accountId',
  communicationPlanIds: 'communicationPlanId',
  ratePlanIds: 'ratePlanId',
  apns: 'apn',
  plmns: 'plmn',
  deviceModelIds: 'deviceModelId',
} as const;

/** Scope fields that are set (a non-empty list): each must hold the SIM's value. */
export function specificity(scope: RuleScope): number {
  return SCOPE_FIELDS.filter((f) => (scope[f]?.length ?? 0) > 0).length;
}

export function inScope(scope: RuleScope, sim: SimProfile): boolean {
  for (const f of SCOPE_FIELDS) {
    const list = scope[f] as readonly (string | number)[] | undefined;
    if (!list || list.length === 0) continue;
    const v = sim[PROFILE_FIELD[f]];
    if (v === null) return false;
    // APNs are compared as the network does: case-insensitively.
    const match =
      f === 'apns' ? list.some((a) => String(a).toLowerCase() === String(v).toLowerCase()) : list.includes(v);
    if (!match) return false;
  }
  return true;
}

/** The rule that governs this SIM: the most specific whose scope takes it in; of equals, the older (lower id). */
export function ruleFor<R extends RuleLike>(rules: readonly R[], sim: SimProfile): R | undefined {
  let best: R | undefined;
  let bestSpec = -1;
  for (const r of rules) {
    if (!inScope(r.scope, sim)) continue;
    const s = specificity(r.scope);
    if (s > bestSpec || (s === bestSpec && best !== undefined && r.id < best.id)) {
      best = r;
      bestSpec = s;
    }
  }
  return best;
}

/**
 * A SIM's usual interval by hour of the week, learned from its active hours (hour starts, any order): the time from
 * each active hour to the next, grouped by that hour's hour of the week (UTC). A meter's nightly upload and a tracker's
 * working day each get their own: the pause after Friday's last trip is the weekend, after Tuesday's noon an hour.
 */
export type WeeklyRhythm = {
  /**
   * 168 entries, Monday 00:00 UTC first: the longest interval from an active hour in that hour of the week (≥ 2 weeks
   * seen). The longest, not the median: a device's gaps after the same hour vary from week to week, and a threshold
   * at 1.5 × the median fired on a third of the healthy devices of the simulator's fleet every day
   * (test/alarms-detection.test.ts); the goal is < 1 false alarm per 10,000 SIM-days.
   */
  byHourOfWeek: (number | null)[];
  /**
   * 24 entries: the longest interval from an active hour in that hour of the day (≥ 3 seen), the fallback while the
   * hour of the week is not learned — the longest, so a weekend's pause seen once is not news the next weekend.
   */
  byHourOfDay: (number | null)[];
  /** The 95th percentile of all intervals (≥ 3 seen), the last fallback. */
  overall: number | null;
};

/** Hour of the week, Monday 00:00 UTC = 0 (1970-01-01 was a Thursday: +3 days). */
export const hourOfWeek = (t: number) => Math.floor(((t + 3 * 24 * HOUR_MS) % WEEK_MS) / HOUR_MS);

export function weeklyRhythm(hours: readonly number[]): WeeklyRhythm {
  const ts = [...new Set(hours)].sort((a, b) => a - b);
  const byWeek: number[][] = Array.from({ length: 168 }, () => []);
  const byDay: number[][] = Array.from({ length: 24 }, () => []);
  const all: number[] = [];
  for (let i = 1; i < ts.length; i++) {
    const start = ts[i - 1]!;
    // Hour to hour: a device active every hour has an interval of an hour, whatever it does within it.
    const gap = ts[i]! - start;
    byWeek[hourOfWeek(start)]!.push(gap);
    byDay[new Date(start).getUTCHours()]!.push(gap);
    all.push(gap);
  }
  return {
    byHourOfWeek: byWeek.map((g) => (g.length >= 2 ? Math.max(...g) : null)),
    byHourOfDay: byDay.map((g) => (g.length >= 3 ? Math.max(...g) : null)),
    overall: all.length >= 3 ? quantile(all, 0.95) : null,
  };
}

/** The usual interval after a contact at `at` (null: no rhythm learned). */
export function usualIntervalAt(r: WeeklyRhythm, at: number): number | null {
  return r.byHourOfWeek[hourOfWeek(at)] ?? r.byHourOfDay[new Date(at).getUTCHours()] ?? r.overall;
}

/**
 * How long a silence after a contact at `lastAt` may last before it is news: factor × the usual interval + grace, or
 * noRhythmMinutes without a rhythm.
 */
export function silenceThreshold(p: SilenceParams, r: WeeklyRhythm | undefined, lastAt: number): number {
  const usual = r ? usualIntervalAt(r, lastAt) : null;
  if (usual === null) return p.noRhythmMinutes * 60_000;
  return Math.round(p.factor * usual + p.graceMinutes * 60_000);
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

// ---- schedules ---------------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is this an IANA time zone the runtime knows? */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock at `t` in the zone: its weekday (mon…sun), minutes since midnight, and its offset from UTC. */
function wall(t: number, timeZone: string): { day: Weekday; minute: number; offsetMs: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  return {
    day: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
    minute: +parts.hour! * 60 + +parts.minute!,
    offsetMs: local - Math.floor(t / 60_000) * 60_000,
  };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Is `t` inside the schedule? A window whose `to` is not after its `from` runs past midnight (22:00–06:00): its
 * night belongs to the day it started on.
 */
export function inSchedule(s: Schedule, t: number): boolean {
  const w = wall(t, s.timeZone);
  const from = minutesOf(s.from);
  const to = minutesOf(s.to);
  if (from < to) return s.days.includes(w.day) && w.minute >= from && w.minute < to;
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(w.day) + 6) % 7]!;
  return (s.days.includes(w.day) && w.minute >= from) || (s.days.includes(yesterday) && w.minute < to);
}

/**
 * The first instant at or after `t` inside the schedule (within eight days; a schedule always has one). Throws when it
 * finds none (a schedule no validation let through, a time zone the runtime lost): its rule is then disabled.
 */
export function nextInSchedule(s: Schedule, t: number): number {
  if (inSchedule(s, t)) return t;
  const from = minutesOf(s.from);
  let best = Number.POSITIVE_INFINITY;
  const w = wall(t, s.timeZone);
  const startOfLocalDay = t + w.offsetMs - w.minute * 60_000 - (t % 60_000);
  for (let d = 0; d <= 8; d++) {
    const localStart = startOfLocalDay + d * 24 * HOUR_MS + from * 60_000; // as if the zone were UTC
    // The offset at the candidate, twice: a daylight-saving change between t and the candidate moves it by an hour.
    let utc = localStart - w.offsetMs;
    utc = localStart - wall(utc, s.timeZone).offsetMs;
    if (utc >= t && inSchedule(s, utc)) {
      best = utc;
      break;
    }
  }
  if (!Number.isFinite(best)) throw new Error(`the schedule ${JSON.stringify(s)} has no opening within 8 days`);
  return best;
}

/** An enabled silence rule, as the watch applies it. */
export type SilenceRule = {
  id: number;
  name: string;
  scope: RuleScope;
  params: SilenceParams;
  severity: string;
  escalation: { afterMinutes: number; severity: string } | null;
  schedule: Schedule | null;
  openCase: boolean;
};

/** The severity of a silence that has lasted `silentMs` past its threshold: the rule's, or its escalation's. */
export function severityAfter(rule: Pick<SilenceRule, 'severity' | 'escalation'>, overdueMs: number): string {
  return rule.escalation && overdueMs >= rule.escalation.afterMinutes * 60_000
    ? rule.escalation.severity
    : rule.severity;
}
