/**
 * Simulated time. `ts` = start + (wall time since the run began) x speed, but never ahead of the wall clock plus
 * `maxAheadMs`: iotops refuses records stamped too far in the future (the ingest bound is +1 day ahead of the
 * server's clock), so the simulated clock waits for real time rather than produce records that would be refused.
 *
 * Default start, so that an accelerated run ends at about "now":
 * - with a duration D at speed N the run covers N x D of simulated time and starts at now - D x (N - 1); the
 *   simulated clock then meets the wall clock exactly when the run ends (speed 1: start = now);
 * - without a duration at speed N > 1 it starts a day back, catches up with the wall clock at N x, then goes on
 *   at real time (history first, then live traffic) until stopped.
 */
const DAY = 86_400_000;

export type ClockPlan = {
  /** Simulated start (epoch ms). */
  start: number;
  /** Simulated end, when a duration was given. */
  end: number | null;
  speed: number;
  maxAheadMs: number;
  /** Wall-clock instant the run began. */
  wallStart: number;
};

export type ClockInput = {
  now: number;
  speed: number;
  durationMs: number | null;
  start?: number | undefined;
  maxAheadMs: number;
};

/** Works out start and end; returns a reason when they cannot be honoured (the caller names the option). */
export function planClock(
  i: ClockInput,
): { ok: true; plan: ClockPlan } | { ok: false; option: string; reason: string } {
  const start =
    i.start ?? (i.durationMs !== null ? i.now - i.durationMs * (i.speed - 1) : i.speed > 1 ? i.now - DAY : i.now);
  const end = i.durationMs === null ? null : start + i.durationMs * i.speed;
  const limit = (wall: number) => wall + i.maxAheadMs;
  if (start > limit(i.now))
    return {
      ok: false,
      option: 'start',
      reason: `${new Date(start).toISOString()} is ahead of now + --max-ahead; iotops refuses records stamped that far in the future`,
    };
  if (end !== null && i.durationMs !== null && end > limit(i.now + i.durationMs))
    return {
      ok: false,
      option: 'start',
      reason: `at --speed ${i.speed} the run would reach ${new Date(end).toISOString()}, ahead of the wall clock + --max-ahead when it ends; start earlier (or leave --start out: it then defaults to ending at now)`,
    };
  return { ok: true, plan: { start, end, speed: i.speed, maxAheadMs: i.maxAheadMs, wallStart: i.now } };
}

/** The simulated instant at a wall-clock instant. */
export function simulatedAt(plan: ClockPlan, wall: number): number {
  let t = plan.start + (wall - plan.wallStart) * plan.speed;
  t = Math.min(t, wall + plan.maxAheadMs);
  if (plan.end !== null) t = Math.min(t, plan.end);
  return Math.floor(t);
}
