/**
 * Backtest before save (issue 17.1): what a rule would have raised on the stored history of the last days — "this
 * rule would have fired N times in the last 7 days, on these SIMs". Silence rules are replayed on the SIMs' active
 * hours (the rhythm learned as the watch would have, day by day); refusal-burst rules on their refusal records;
 * usage-drop rules on their hourly usage, each hour judged as the hourly run judges it; usage-drift rules on their
 * daily usage, each day as the daily judgement does; telemetry-threshold rules on devices (rules.backtest-devices.ts).
 * At most BACKTEST_MAX_SIMS in-service SIMs are read (the first by id): beyond, the answer says it is a sample.
 */

import { type Attempt, burstsOf, lookbackMinutes, type RefusalParams } from './refusal-bursts.ts';
import { backtestDevices, type DeviceBacktestDeps } from './rules.backtest-devices.ts';
import type { Backtest } from './rules.schemas.ts';
import {
  inScope,
  nextInSchedule,
  type RuleScope,
  type SilenceRule,
  type SimProfile,
  silenceThreshold,
  weeklyRhythm,
} from './rules.ts';
import type { ThresholdRule } from './telemetry-thresholds.ts';
import { driftsOf, type UsageDriftRule } from './usage-drift.ts';
import { type UsageDropRule, usageDropsOf } from './usage-drops.ts';

/** SIMs a backtest reads at most (the first by id; beyond, the figures are a sample's). */
export const BACKTEST_MAX_SIMS = 5000;
/** SIMs whose history is read in one statement. */
const BACKTEST_CHUNK = 1000;
const DAY_MS = 24 * 3_600_000;
const WEEK_MS = 7 * DAY_MS;

export type BacktestDeps = {
  simsForScope: (
    scope: Pick<RuleScope, 'accountIds' | 'communicationPlanIds' | 'ratePlanIds'>,
    limit: number,
  ) => Promise<{ simIds: number[]; more: boolean }>;
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  activeHoursOf: (simIds: readonly number[], since: Date) => Promise<Map<number, number[]>>;
  refusalsOf: (iccids: readonly string[], since: Date, acceptances?: boolean) => Promise<Attempt[]>;
  hourlyBytesOf: (simIds: readonly number[], since: Date, until: Date) => Promise<Map<number, Map<number, number>>>;
  dailyBytesOf: (simIds: readonly number[], since: Date, until: Date) => Promise<Map<number, Map<number, number>>>;
  iccidsOf: (simIds: readonly number[]) => Promise<Map<number, string>>;
} & DeviceBacktestDeps;

/** A rule to replay: a silence rule, a refusal-burst rule or a usage-drop rule. */
export type BacktestRule =
  | ({ kind: 'silence' } & Pick<SilenceRule, 'scope' | 'params' | 'schedule'>)
  | { kind: 'refusal_burst'; scope: RuleScope; params: RefusalParams }
  | ({ kind: 'usage_drop' } & Pick<UsageDropRule, 'scope' | 'params' | 'schedule'>)
  | ({ kind: 'usage_drift' } & Pick<UsageDriftRule, 'scope' | 'params' | 'schedule'>)
  | ({ kind: 'telemetry_threshold' } & Pick<ThresholdRule, 'scope' | 'params' | 'schedule'>);

type Fire = { at: number; silence?: number; threshold?: number; refusals?: number; drop?: number; change?: number };
type PerSim = {
  fired: number;
  firstAt: number;
  longest: number | null;
  threshold: number | null;
  refusals: number | null;
  drop: number | null;
  change: number | null;
};

export async function backtest(deps: BacktestDeps, rule: BacktestRule, from: number, to: number): Promise<Backtest> {
  if (rule.kind === 'telemetry_threshold') return backtestDevices(deps, rule, from, to);
  const { simIds, more } = await deps.simsForScope(rule.scope, BACKTEST_MAX_SIMS);
  const profiles = await deps.profilesOf(simIds);
  const inScopeIds = simIds.filter((id) => {
    const p = profiles.get(id);
    return p !== undefined && inScope(rule.scope, p);
  });
  const fires = new Map<number, PerSim>();
  const byDay = new Map<string, number>();
  for (let i = 0; i < inScopeIds.length; i += BACKTEST_CHUNK) {
    const ids = inScopeIds.slice(i, i + BACKTEST_CHUNK);
    for (const [id, list] of await firesOfChunk(deps, rule, ids, from, to))
      for (const f of list) {
        const s = fires.get(id) ?? {
          fired: 0,
          firstAt: f.at,
          longest: null,
          threshold: f.threshold ?? null,
          refusals: null,
          drop: null,
          change: null,
        };
        s.fired++;
        if (f.drop !== undefined) s.drop = Math.max(s.drop ?? 0, f.drop);
        if (f.change !== undefined && Math.abs(f.change) >= Math.abs(s.change ?? 0)) s.change = f.change;
        if (f.silence !== undefined) s.longest = Math.max(s.longest ?? 0, f.silence);
        if (f.refusals !== undefined) s.refusals = Math.max(s.refusals ?? 0, f.refusals);
        fires.set(id, s);
        const day = new Date(f.at).toISOString().slice(0, 10);
        byDay.set(day, (byDay.get(day) ?? 0) + 1);
      }
  }
  const top = [...fires.entries()].sort((a, b) => b[1].fired - a[1].fired || a[0] - b[0]).slice(0, 50);
  const iccids = await deps.iccidsOf(top.map(([id]) => id));
  const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 60_000));
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    simsConsidered: simIds.length,
    sampled: more,
    simsInScope: inScopeIds.length,
    fired: [...fires.values()].reduce((a, f) => a + f.fired, 0),
    simsFired: fires.size,
    byDay: [...byDay.entries()].sort().map(([day, fired]) => ({ day, fired })),
    sims: top.map(([id, f]) => ({
      iccid: iccids.get(id) ?? String(id),
      fired: f.fired,
      firstAt: new Date(f.firstAt).toISOString(),
      longestSilenceMinutes: minutes(f.longest),
      thresholdMinutes: minutes(f.threshold),
      refusals: f.refusals,
      deepestDropPercent: f.drop,
      largestDriftPercent: f.change,
    })),
    devices: [],
  };
}

async function firesOfChunk(
  deps: BacktestDeps,
  rule: Exclude<BacktestRule, { kind: 'telemetry_threshold' }>,
  ids: number[],
  from: number,
  to: number,
): Promise<Map<number, Fire[]>> {
  const out = new Map<number, Fire[]>();
  if (rule.kind === 'silence') {
    const hours = await deps.activeHoursOf(ids, new Date(from - rule.params.learnWeeks * WEEK_MS - DAY_MS));
    for (const id of ids) out.set(id, firesOf(rule, hours.get(id) ?? [], from, to));
    return out;
  }
  if (rule.kind === 'usage_drop') {
    const since = from - (rule.params.learnWeeks * WEEK_MS + (rule.params.hours + 1) * 3_600_000);
    const bytes = await deps.hourlyBytesOf(ids, new Date(since), new Date(to));
    for (const id of ids) out.set(id, usageDropsOf(rule, bytes.get(id) ?? new Map(), from, to));
    return out;
  }
  if (rule.kind === 'usage_drift') {
    const since = from - (rule.params.learnDays + rule.params.days + 1) * DAY_MS;
    const bytes = await deps.dailyBytesOf(ids, new Date(since), new Date(to));
    for (const id of ids) out.set(id, driftsOf(rule, bytes.get(id) ?? new Map(), from, to));
    return out;
  }
  // Refusal records are found by ICCID (the trace index): the stored 19-digit body of the shown ICCID.
  const iccids = await deps.iccidsOf(ids);
  const refusals = await deps.refusalsOf(
    [...iccids.values()].map((i) => i.slice(0, 19)),
    new Date(from - lookbackMinutes(rule.params) * 60_000),
    (rule.params.streak ?? 0) >= 1,
  );
  const bySim = new Map<number, Attempt[]>();
  for (const r of refusals) {
    const l = bySim.get(r.simId);
    if (l) l.push(r);
    else bySim.set(r.simId, [r]);
  }
  for (const [id, list] of bySim) out.set(id, burstsOf(rule.params, list, from, to));
  return out;
}

/**
 * The alarms a silence rule would have raised between `from` and `to` on a SIM with these active hours (hour starts).
 * Each pause between two active hours (or from the last to `to`) is judged as the watch would have: the threshold
 * from the rhythm of the rule's learning weeks before the day the pause began, postponed to the schedule's next
 * opening; an alarm when the pause outlasts it. Hours stand for the events in them: a backtest is as fine as an hour.
 */
export function firesOf(
  rule: Pick<SilenceRule, 'params' | 'schedule'>,
  activeHours: readonly number[],
  from: number,
  to: number,
): { at: number; silence: number; threshold: number }[] {
  const ts = [...new Set(activeHours)].sort((a, b) => a - b);
  const out: { at: number; silence: number; threshold: number }[] = [];
  const rhythms = new Map<number, ReturnType<typeof weeklyRhythm>>();
  const learnMs = rule.params.learnWeeks * WEEK_MS;
  for (let i = 0; i < ts.length; i++) {
    const a = ts[i]!;
    const b = ts[i + 1] ?? to;
    if (b <= from || a >= to) continue;
    const day = Math.floor(a / DAY_MS) * DAY_MS;
    let rhythm = rhythms.get(day);
    if (!rhythm) {
      rhythm = weeklyRhythm(ts.filter((t) => t >= day - learnMs && t < day));
      rhythms.set(day, rhythm);
    }
    const threshold = silenceThreshold(rule.params, rhythm, a);
    let at = a + threshold;
    if (rule.schedule) at = nextInSchedule(rule.schedule, at);
    if (at < b && at >= from && at < to) out.push({ at, silence: b - a, threshold });
  }
  return out;
}
