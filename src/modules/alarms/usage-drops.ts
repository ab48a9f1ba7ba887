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
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { inSchedule, type RuleScope, ruleFor, type Schedule, type SimProfile, severityAfter } from './rules.ts';

export type UsageDropParams = { dropPercent: number; k: number; hours: number; learnWeeks: number; minUsualKb: number };
export type UsageDropRule = {
  id: number;
  name: string;
  scope: RuleScope;
  params: UsageDropParams;
  severity: string;
  escalation: { afterMinutes: number; severity: string } | null;
  schedule: Schedule | null;
  openCase: boolean;
};
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

export type UsageDropDeps = {
  database: Database;
  rules: () => Promise<UsageDropRule[]>;
  usageLowIn: (q: {
    tenantId: number;
    end: Date;
    hours: number;
    weeks: number;
    floorBytes: number;
    ratio: number;
  }) => Promise<UsageWeeks[]>;
  nextUsageTenant: (after: number) => Promise<number | null>;
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  inService: (simIds: readonly number[]) => Promise<Set<number>>;
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

type Low = { rule: UsageDropRule; accountId: number; details: Record<string, unknown> };
type Result = { raised: number; repeated: number; cleared: number };

export function usageDrops(deps: UsageDropDeps) {
  const { database } = deps;

  /** The tenant's SIMs low or holding (between the lines) at `end`, each by its governing rule. */
  async function verdicts(tenantId: number, end: Date, rules: UsageDropRule[]) {
    const low = new Map<number, Low>();
    const holding = new Set<number>();
    const failed = new Map<number, unknown>();
    const groups = new Map<string, UsageDropRule[]>();
    for (const r of rules) {
      const key = `${r.params.hours}|${r.params.learnWeeks}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      const { hours, learnWeeks } = group[0]!.params;
      const candidates = await deps.usageLowIn({
        tenantId,
        end,
        hours,
        weeks: learnWeeks,
        floorBytes: Math.min(...group.map((r) => r.params.minUsualKb * 1000)),
        ratio: 1 - Math.min(...group.map((r) => r.params.dropPercent)) / 200,
      });
      if (candidates.length === 0) continue;
      const ids = candidates.map((c) => c.simId);
      const [profiles, inService, silent] = await Promise.all([
        deps.profilesOf(ids),
        deps.inService(ids),
        silentNow(ids),
      ]);
      for (const c of candidates) {
        const profile = profiles.get(c.simId);
        const rule = profile && inService.has(c.simId) ? ruleFor(rules, profile) : undefined;
        // Judged in the group of its own rule's hours and weeks; a SIM silent altogether is the silence alarm's.
        if (!rule || !group.includes(rule) || failed.has(rule.id)) continue;
        if (c.observed === 0 && silent.has(c.simId)) continue;
        let v: Verdict;
        try {
          v = judgeUsage(rule.params, c.observed, c.weeks);
        } catch (e) {
          failed.set(rule.id, e);
          continue;
        }
        if (v.state === 'hold') holding.add(c.simId);
        if (v.state !== 'low') continue;
        low.set(c.simId, {
          rule,
          accountId: profile!.accountId,
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
        });
      }
    }
    return { low, holding, failed };
  }

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
   * low, clear those back to normal (or no longer governed by a usage-drop rule). Idempotent per `end`: a retried run
   * counts no alarm up twice (its last_seen_at is `end`'s run already).
   */
  async function judgeTenant(tenantId: number, end: Date, now: Date): Promise<Result> {
    const out: Result = { raised: 0, repeated: 0, cleared: 0 };
    const rules = await deps.rules();
    const { low, holding, failed } = await verdicts(tenantId, end, rules);
    const active = await database.query<{ id: string; originator_id: string; account_id: string }>(
      `select id::text, originator_id, account_id::text from alarms
        where cleared_at is null and type = 'usage_drop' and tenant_id = $1`,
      [tenantId],
    );
    const activeSims = new Set(active.map((a) => Number(a.originator_id)));
    await database.rawTransaction(async (tx) => {
      for (const [simId, l] of low) {
        if (!activeSims.has(simId) && l.rule.schedule !== null && !inSchedule(l.rule.schedule, end.getTime())) continue;
        const r = await upsert(tx, tenantId, simId, l, end, now);
        if (r === 'raised') out.raised++;
        else if (r === 'repeated') out.repeated++;
      }
      for (const a of active) {
        const simId = Number(a.originator_id);
        // A rule that failed leaves its alarms as they are until it is mended.
        if (low.has(simId) || holding.has(simId) || failed.size > 0) continue;
        if (await clear(tx, a.id, tenantId, simId, Number(a.account_id), now)) out.cleared++;
      }
    });
    for (const [ruleId, e] of failed) await deps.onRuleError(ruleId, e);
    return out;
  }

  async function upsert(tx: RawTx, tenantId: number, simId: number, l: Low, end: Date, now: Date) {
    const [a] = await tx.query<{ id: string; fresh: boolean; severity: string; first_seen_at: Date }>(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details, rule_id, case_pending)
       values ($1, $2, 'sim', $3, 'usage_drop', $4, $5, $5, $6::jsonb, $7, $8)
       on conflict (originator_type, originator_id, type) where cleared_at is null
       do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at,
                     details = alarms.details || excluded.details
         where alarms.last_seen_at < excluded.last_seen_at
       returning id::text, (xmax = 0) as fresh, severity, first_seen_at`,
      [
        tenantId,
        l.accountId,
        String(simId),
        l.rule.severity,
        end,
        JSON.stringify(l.details),
        l.rule.id,
        l.rule.openCase,
      ],
    );
    if (!a) return 'same';
    if (!a.fresh) {
      const severity = severityAfter(l.rule, now.getTime() - new Date(a.first_seen_at).getTime());
      if (severity !== a.severity) await tx.query('update alarms set severity = $2 where id = $1', [a.id, severity]);
      return 'repeated';
    }
    await emitRaw(
      tx,
      AlarmEvents.raised,
      {
        alarmId: Number(a.id),
        simId,
        tenantId,
        accountId: l.accountId,
        type: 'usage_drop',
        severity: l.rule.severity,
        at: end.toISOString(),
        details: l.details,
      },
      { orderingKey: simOrderingKey(simId) },
    );
    return 'raised';
  }

  async function clear(tx: RawTx, id: string, tenantId: number, simId: number, accountId: number, now: Date) {
    const done = await tx.query<{ severity: string }>(
      `update alarms set cleared_at = $2, details = details || '{"clearedBy": "usage"}'::jsonb
        where id = $1 and cleared_at is null returning severity`,
      [id, now],
    );
    if (!done[0]) return false;
    await emitRaw(
      tx,
      AlarmEvents.cleared,
      {
        alarmId: Number(id),
        simId,
        tenantId,
        accountId,
        type: 'usage_drop',
        severity: done[0].severity,
        at: now.toISOString(),
        by: 'traffic',
      },
      { orderingKey: simOrderingKey(simId) },
    );
    return true;
  }

  return {
    judgeTenant,
    /** The next tenant with usage after this one (the run pages tenant by tenant). */
    nextTenant: deps.nextUsageTenant,
  };
}
