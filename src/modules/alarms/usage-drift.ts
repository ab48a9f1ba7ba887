/**
 * Usage drift (issue 17.1): an EWMA control chart on a SIM's daily data volume. A slow change no single hour shows —
 * a device stuck in a retry loop using a little more each day (a bill to come), a fleet whose firmware update
 * doubled its reports, a meter sending a little less each day as its sensor fails — shows in the exponentially
 * weighted moving average of the newest `days` (weight λ for the newest day), started at the mean learned from the
 * `learnDays` before them. Drifting when the EWMA leaves the control limits, mean ± limit × σ_z with
 * σ_z = σ·√(λ/(2 − λ)·(1 − (1 − λ)^(2·days))) (the EWMA's own standard deviation after `days` steps), and is at least
 * minChangePercent away from the mean (a SIM of very steady days is not news for a small change). Judged once a day,
 * after the day's usage is final (the hourly run at DRIFT_HOUR UTC), per tenant; one active alarm per SIM, counted up
 * each day it drifts, cleared with hysteresis once back within half the limits.
 */
import { inSchedule, type Schedule } from './rules.ts';
import { type UsageAlarmDeps, type UsageRule, usageAlarms } from './usage-alarms.ts';

export type UsageDriftParams = {
  lambda: number;
  limit: number;
  days: number;
  learnDays: number;
  direction: 'up' | 'down' | 'both';
  minChangePercent: number;
  minUsualKb: number;
};
export type UsageDriftRule = UsageRule<UsageDriftParams>;
export type DriftStats = { simId: number; mean: number; sd: number; ewma: number };
export type DriftVerdict = {
  state: 'drift' | 'hold' | 'normal';
  direction: 'up' | 'down';
  /** The control limits, widened to minChangePercent where that is wider. */
  upper: number;
  lower: number;
};

const DAY_MS = 24 * 3_600_000;
/** The UTC hour the daily judgement runs at: the daily roll-up is done shortly after midnight. */
export const DRIFT_HOUR = 3;

/** The EWMA's standard deviation after `days` steps, for days of standard deviation `sd`. */
export const ewmaSigma = (p: Pick<UsageDriftParams, 'lambda' | 'days'>, sd: number) =>
  sd * Math.sqrt((p.lambda / (2 - p.lambda)) * (1 - (1 - p.lambda) ** (2 * p.days)));

export function judgeDrift(p: UsageDriftParams, mean: number, sd: number, ewma: number): DriftVerdict {
  const dev = ewma - mean;
  const direction = dev >= 0 ? 'up' : 'down';
  const reach = Math.max(p.limit * ewmaSigma(p, sd), (mean * p.minChangePercent) / 100);
  const out = { direction, upper: mean + reach, lower: mean - reach } as const;
  const allowed = p.direction === 'both' || p.direction === direction;
  if (!allowed || mean < p.minUsualKb * 1000) return { ...out, state: 'normal' };
  if (Math.abs(dev) > reach) return { ...out, state: 'drift' };
  return { ...out, state: Math.abs(dev) > reach / 2 ? 'hold' : 'normal' };
}

/** The learned mean and deviation and the EWMA of one SIM's days (oldest first; learnDays, then days). */
export function driftStats(p: UsageDriftParams, daily: readonly number[]): Omit<DriftStats, 'simId'> {
  const base = daily.slice(0, p.learnDays);
  const mean = base.reduce((a, b) => a + b, 0) / p.learnDays;
  const sd = Math.sqrt(Math.max(base.reduce((a, b) => a + b * b, 0) / p.learnDays - mean * mean, 0));
  let ewma = mean;
  for (const x of daily.slice(p.learnDays, p.learnDays + p.days)) ewma = p.lambda * x + (1 - p.lambda) * ewma;
  return { mean, sd, ewma };
}

/**
 * The alarms the rule would have raised between `from` and `to` on one SIM's daily bytes (UTC day start → bytes):
 * each day's end judged as the daily run judges it; an alarm where a SIM not in one starts drifting (inside the
 * schedule), ended where it is back within half the limits.
 */
export function driftsOf(
  rule: { params: UsageDriftParams; schedule: Schedule | null },
  bytes: ReadonlyMap<number, number>,
  from: number,
  to: number,
): { at: number; change: number }[] {
  const p = rule.params;
  const out: { at: number; change: number }[] = [];
  let active = false;
  for (let end = Math.ceil(from / DAY_MS) * DAY_MS; end <= to; end += DAY_MS) {
    const first = end - (p.learnDays + p.days) * DAY_MS;
    const daily = Array.from({ length: p.learnDays + p.days }, (_, i) => bytes.get(first + i * DAY_MS) ?? 0);
    const s = driftStats(p, daily);
    const v = judgeDrift(p, s.mean, s.sd, s.ewma);
    if (v.state === 'normal') active = false;
    else if (v.state === 'drift' && !active && (rule.schedule === null || inSchedule(rule.schedule, end))) {
      active = true;
      out.push({ at: end, change: Math.round((s.ewma / s.mean - 1) * 100) });
    }
  }
  return out;
}

export type UsageDriftDeps = UsageAlarmDeps & {
  rules: () => Promise<UsageDriftRule[]>;
  usageDriftIn: (q: {
    tenantId: number;
    end: Date;
    days: number;
    learnDays: number;
    lambda: number;
    floorBytes: number;
    minShare: number;
  }) => Promise<DriftStats[]>;
};

export function usageDrift(deps: UsageDriftDeps) {
  const alarms = usageAlarms(deps);

  /** Judge one tenant's SIMs on the days ending at `end` (a UTC day boundary). Idempotent per `end`. */
  async function judgeTenant(tenantId: number, end: Date, now: Date) {
    const rules = await deps.rules();
    const v = await alarms.verdictsOf(
      rules,
      (p) => `${p.days}|${p.learnDays}|${p.lambda}`,
      (group) => {
        const { days, learnDays, lambda } = group[0]!.params;
        return deps.usageDriftIn({
          tenantId,
          end,
          days,
          learnDays,
          lambda,
          floorBytes: Math.min(...group.map((r) => r.params.minUsualKb * 1000)),
          // Half the smallest change: the SIMs between the lines too (an active alarm holds there).
          minShare: Math.min(...group.map((r) => r.params.minChangePercent)) / 200,
        });
      },
      (rule, c) => {
        const d = judgeDrift(rule.params, c.mean, c.sd, c.ewma);
        const { days, learnDays } = rule.params;
        return {
          state: d.state === 'drift' ? 'found' : d.state,
          details: {
            ruleId: rule.id,
            rule: rule.name,
            windowFrom: new Date(end.getTime() - days * DAY_MS).toISOString(),
            windowTo: end.toISOString(),
            days,
            learnDays,
            direction: d.direction,
            meanBytesPerDay: Math.round(c.mean),
            sdBytesPerDay: Math.round(c.sd),
            ewmaBytesPerDay: Math.round(c.ewma),
            upperBytesPerDay: Math.round(d.upper),
            lowerBytesPerDay: Math.round(d.lower),
            changePercent: Math.round((c.ewma / c.mean - 1) * 100),
          },
        };
      },
    );
    return alarms.settle('usage_drift', tenantId, v, end, now);
  }

  return { judgeTenant };
}
