/**
 * Usage drops (issue 17.1): a SIM whose data volume over the last `hours` complete hours fell well below its usual for
 * the same hours of the week — a camera sending only thumbnails, a meter whose register read fails, a router whose LAN
 * side went down — while it still talks, so no silence rule sees it. The usual is the median of the same hours in the
 * `learnWeeks` weeks before (a week without usage counts as none); the spread is the median absolute deviation (MAD),
 * the robust pair a few odd weeks cannot move. Low means both: below usual × (1 − drop) and below
 * usual − k × 1.4826 × MAD (a SIM whose weeks vary a lot is not news for an ordinary low week). Judged every hour,
 * after the hour's usage is in (the worker's `alarms.usage_drop` run, per tenant); one active alarm per SIM, counted
 * up each hour it stays low, cleared with hysteresis once back above usual × (1 − drop / 2). A SIM with no usage in the
 * window and an active silence alarm is left to that alarm (it says more).
 */
import { inSchedule, type Schedule } from './rules.ts';
import { type UsageAlarmDeps, type UsageRule, usageAlarms } from './usage-alarms.ts';

export type UsageDropParams = { dropPercent: number; k: number; hours: number; learnWeeks: number; minUsualKb: number };
export type UsageDropRule = UsageRule<UsageDropParams>;
export type UsageWeeks = { simId: number; observed: number; weeks: number[] };
export type Verdict = {
  state: 'low' | 'hold' | 'normal';
  usual: number;
  mad: number;
  /** Low at or below this many bytes. */
  raiseAt: number;
  /** Cleared at or above this many bytes. */
  clearAt: number;
};

const HOUR_MS = 3_600_000;
/** The Gaussian consistency constant: 1.4826 × MAD estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The window's bytes against the same hours of past weeks (missing weeks as 0 bytes: a week the SIM sent nothing). */
export function judgeUsage(p: UsageDropParams, observed: number, weeks: readonly number[]): Verdict {
  const padded = [...weeks.slice(0, p.learnWeeks)];
  while (padded.length < p.learnWeeks) padded.push(0);
  const usual = median(padded);
  const mad = median(padded.map((b) => Math.abs(b - usual)));
  const raiseAt = Math.min(usual * (1 - p.dropPercent / 100), usual - p.k * MAD_TO_SIGMA * mad);
  const clearAt = usual * (1 - p.dropPercent / 200);
  if (usual < p.minUsualKb * 1000 || raiseAt < 0) return { state: 'normal', usual, mad, raiseAt, clearAt };
  const state = observed <= raiseAt ? 'low' : observed < clearAt ? 'hold' : 'normal';
  return { state, usual, mad, raiseAt, clearAt };
}

/**
 * The alarms the rule would have raised between `from` and `to` on one SIM's hourly bytes (hour start → bytes): each
 * hour's end judged as the live run judges it; an alarm where a SIM not in one goes low (inside the schedule), ended
 * where it is back to normal.
 */
export function usageDropsOf(
  rule: { params: UsageDropParams; schedule: Schedule | null },
  bytes: ReadonlyMap<number, number>,
  from: number,
  to: number,
): { at: number; drop: number }[] {
  const p = rule.params;
  const out: { at: number; drop: number }[] = [];
  const sum = (end: number) => {
    let b = 0;
    for (let i = 1; i <= p.hours; i++) b += bytes.get(end - i * HOUR_MS) ?? 0;
    return b;
  };
  let active = false;
  for (let end = Math.ceil(from / HOUR_MS) * HOUR_MS; end <= to; end += HOUR_MS) {
    const weeks = Array.from({ length: p.learnWeeks }, (_, w) => sum(end - (w + 1) * 168 * HOUR_MS));
    const observed = sum(end);
    const v = judgeUsage(p, observed, weeks);
    if (v.state === 'normal') active = false;
    else if (v.state === 'low' && !active && (rule.schedule === null || inSchedule(rule.schedule, end))) {
      active = true;
      out.push({ at: end, drop: Math.round((1 - observed / v.usual) * 100) });
    }
  }
  return out;
}

export type UsageDropDeps = UsageAlarmDeps & {
  rules: () => Promise<UsageDropRule[]>;
  usageLowIn: (q: {
    tenantId: number;
    end: Date;
    hours: number;
    weeks: number;
    floorBytes: number;
    ratio: number;
  }) => Promise<UsageWeeks[]>;
};

export function usageDrops(deps: UsageDropDeps) {
  const { database } = deps;
  const alarms = usageAlarms(deps);

  async function silentNow(simIds: readonly number[]): Promise<Set<number>> {
    const rows = await database.query<{ id: string }>(
      `select originator_id as id from alarms where cleared_at is null and type = 'silence'
          and originator_type = 'sim' and originator_id = any($1::text[])`,
      [simIds.map(String)],
    );
    return new Set(rows.map((r) => Number(r.id)));
  }

  /**
   * Judge one tenant's SIMs for the window ending at `end` (an hour boundary): raise or count up the alarms of those
   * low, clear those back to normal (or no longer governed by a usage-drop rule). Idempotent per `end`.
   */
  async function judgeTenant(tenantId: number, end: Date, now: Date) {
    const rules = await deps.rules();
    let silent = new Set<number>();
    const v = await alarms.verdictsOf(
      rules,
      (p) => `${p.hours}|${p.learnWeeks}`,
      async (group) => {
        const { hours, learnWeeks } = group[0]!.params;
        const candidates = await deps.usageLowIn({
          tenantId,
          end,
          hours,
          weeks: learnWeeks,
          floorBytes: Math.min(...group.map((r) => r.params.minUsualKb * 1000)),
          ratio: 1 - Math.min(...group.map((r) => r.params.dropPercent)) / 200,
        });
        silent = candidates.length === 0 ? new Set() : await silentNow(candidates.map((c) => c.simId));
        return candidates;
      },
      (rule, c) => {
        // A SIM silent altogether is the silence alarm's (it says more).
        if (c.observed === 0 && silent.has(c.simId)) return null;
        const v = judgeUsage(rule.params, c.observed, c.weeks);
        const { hours, learnWeeks } = rule.params;
        return {
          state: v.state === 'low' ? 'found' : v.state,
          details: {
            ruleId: rule.id,
            rule: rule.name,
            windowFrom: new Date(end.getTime() - hours * HOUR_MS).toISOString(),
            windowTo: end.toISOString(),
            hours,
            observedBytes: Math.round(c.observed),
            usualBytes: Math.round(v.usual),
            madBytes: Math.round(v.mad),
            thresholdBytes: Math.round(v.raiseAt),
            dropPercent: Math.round((1 - c.observed / v.usual) * 100),
            learnWeeks,
          },
        };
      },
    );
    return alarms.settle('usage_drop', tenantId, v, end, now);
  }

  return { judgeTenant };
}
