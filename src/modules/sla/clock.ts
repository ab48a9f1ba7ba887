/**
 * SLA clocks derived from a case's state history, so they can be recomputed at any time
 * (after a priority change the new target simply counts from the case's start again).
 * The clock starts at the first history entry, runs while the state is neither a pause
 * nor a stop state, and a reopened case (resolved → open) runs again. `stopAt` ends a clock
 * for good, e.g. the first public response for a first-response target.
 */
import { addBusinessMs, businessMsBetween } from './business-time.ts';
import type { Calendar } from './calendar.ts';
import { MINUTE_MS } from './tz.ts';

export type StateChange = { at: Date; state: string };
export type ClockRules = {
  /** States that pause the clock (e.g. pending_customer when the policy says so). */
  pauseStates: readonly string[];
  /** States that stop it (resolved, closed, cancelled). */
  stopStates: readonly string[];
};
export type ClockStatus = 'running' | 'paused' | 'stopped';
export type ClockOptions = { stopAt?: Date };

export const DEFAULT_CLOCK_RULES: ClockRules = {
  pauseStates: ['pending_customer'],
  stopStates: ['resolved', 'closed', 'cancelled'],
};

type Span = { from: number; to: number }; // to = Infinity while still running

function sorted(history: readonly StateChange[]): StateChange[] {
  return [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function statusOf(state: string, rules: ClockRules): ClockStatus {
  if (rules.stopStates.includes(state)) return 'stopped';
  if (rules.pauseStates.includes(state)) return 'paused';
  return 'running';
}

/** Running spans of wall time and the status after the last change. */
export function runningSpans(
  history: readonly StateChange[],
  rules: ClockRules,
  opts: ClockOptions = {},
): { spans: Span[]; status: ClockStatus } {
  const spans: Span[] = [];
  let status: ClockStatus = 'stopped';
  let runningSince: number | null = null;
  const stopAt = opts.stopAt?.getTime() ?? Infinity;
  for (const change of sorted(history)) {
    const at = change.at.getTime();
    if (at >= stopAt) break;
    const next = statusOf(change.state, rules);
    if (next === 'running' && runningSince === null) runningSince = at;
    if (next !== 'running' && runningSince !== null) {
      if (at > runningSince) spans.push({ from: runningSince, to: at });
      runningSince = null;
    }
    status = next;
  }
  if (runningSince !== null) spans.push({ from: runningSince, to: stopAt });
  if (stopAt !== Infinity) status = 'stopped';
  return { spans, status };
}

/** Business ms the clock had run by instant `at`. */
export function elapsedBusinessMs(
  cal: Calendar,
  history: readonly StateChange[],
  rules: ClockRules,
  at: Date,
  opts: ClockOptions = {},
): number {
  const until = at.getTime();
  let total = 0;
  for (const s of runningSpans(history, rules, opts).spans) {
    if (s.from >= until) break;
    total += businessMsBetween(cal, s.from, Math.min(s.to, until));
  }
  return total;
}

/**
 * The instant the clock reaches `targetMinutes` business minutes, assuming the current
 * state continues; null when it is paused or stopped short of the target.
 */
export function dueInstant(
  cal: Calendar,
  history: readonly StateChange[],
  rules: ClockRules,
  targetMinutes: number,
  opts: ClockOptions = {},
): Date | null {
  const target = targetMinutes * MINUTE_MS;
  let used = 0;
  for (const s of runningSpans(history, rules, opts).spans) {
    const len = s.to === Infinity ? Infinity : businessMsBetween(cal, s.from, s.to);
    if (used + len >= target) return new Date(addBusinessMs(cal, s.from, target - used));
    used += len;
  }
  return null;
}

export type TargetEvaluation = {
  status: ClockStatus;
  elapsedMs: number;
  remainingMs: number;
  dueAt: Date | null;
  warn75At: Date | null;
  warn90At: Date | null;
  breached: boolean;
};

/** Everything the case views and the job queue need about one target at `now`. */
export function evaluateTarget(
  cal: Calendar,
  history: readonly StateChange[],
  rules: ClockRules,
  targetMinutes: number,
  now: Date,
  opts: ClockOptions = {},
): TargetEvaluation {
  const elapsedMs = elapsedBusinessMs(cal, history, rules, now, opts);
  const spansStatus = runningSpans(
    history.filter((h) => h.at <= now),
    rules,
    opts.stopAt && opts.stopAt <= now ? opts : {},
  ).status;
  const dueAt = dueInstant(cal, history, rules, targetMinutes, opts);
  return {
    status: spansStatus,
    elapsedMs,
    remainingMs: targetMinutes * MINUTE_MS - elapsedMs,
    dueAt,
    warn75At: dueInstant(cal, history, rules, targetMinutes * 0.75, opts),
    warn90At: dueInstant(cal, history, rules, targetMinutes * 0.9, opts),
    breached: elapsedMs >= targetMinutes * MINUTE_MS && targetMinutes > 0,
  };
}

/**
 * The history re-based at `from` (e.g. the latest public update, for the periodic-update
 * clock): one entry at `from` with the state then in force, followed by the later changes.
 */
export function historySince(history: readonly StateChange[], from: Date): StateChange[] {
  const all = sorted(history);
  let state: string | undefined;
  for (const c of all) if (c.at <= from) state = c.state;
  const later = all.filter((c) => c.at > from);
  return state === undefined ? later : [{ at: from, state }, ...later];
}
