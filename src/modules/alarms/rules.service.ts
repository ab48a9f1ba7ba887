/**
 * Alarm rules: saved, validated (every referenced account, plan and device model must exist: each unknown one is
 * named by its place), and backtested before they are saved — "on the stored history this rule would have fired N
 * times in the last 7 days, on these SIMs".
 */
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, type ErrorDetail, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { RulesErrors as E } from './alarms.errors.ts';
import { type RuleRow, rulesRepo } from './rules.repo.ts';
import type { Backtest, CreateRuleInput, UpdateRuleInput } from './rules.schemas.ts';
import {
  inScope,
  nextInSchedule,
  type RuleScope,
  type Schedule,
  type SilenceParams,
  type SilenceRule,
  type SimProfile,
  silenceThreshold,
  weeklyRhythm,
} from './rules.ts';

export type RulesService = ReturnType<typeof createRulesService>;
export type { RuleRow };

/** SIMs a backtest reads at most (the first by id; beyond, the figures are a sample's). */
export const BACKTEST_MAX_SIMS = 5000;
/** SIMs whose hours are read in one statement. */
const BACKTEST_CHUNK = 1000;
const DAY_MS = 24 * 3_600_000;
const WEEK_MS = 7 * DAY_MS;

export type RulesDeps = {
  /** The ids of these references that do not exist. */
  unknownRefs: (refs: {
    accountIds: readonly number[];
    communicationPlanIds: readonly number[];
    ratePlanIds: readonly number[];
    deviceModelIds: readonly number[];
  }) => Promise<{ [K in 'accountIds' | 'communicationPlanIds' | 'ratePlanIds' | 'deviceModelIds']: Set<number> }>;
  /** In-service SIMs the inventory fields of a scope take in, by id, at most `limit` (and whether there are more). */
  simsForScope: (
    scope: Pick<RuleScope, 'accountIds' | 'communicationPlanIds' | 'ratePlanIds'>,
    limit: number,
  ) => Promise<{ simIds: number[]; more: boolean }>;
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  activeHoursOf: (simIds: readonly number[], since: Date) => Promise<Map<number, number[]>>;
  iccidsOf: (simIds: readonly number[]) => Promise<Map<number, string>>;
};

const staffOnly = (p: Principal) => {
  if (!isStaff(p))
    throw forbidden('alarms.staff_only', "Alarm rules are for the provider's staff", [
      { field: 'role', value: p.role, reason: 'staff only' },
    ]);
};

/** A saved rule as the watch applies it. */
export const asSilenceRule = (r: RuleRow): SilenceRule => ({
  id: r.id,
  name: r.name,
  scope: r.scope as RuleScope,
  params: r.params as SilenceParams,
  severity: r.severity,
  escalation: (r.escalation as SilenceRule['escalation']) ?? null,
  schedule: (r.schedule as Schedule | null) ?? null,
  openCase: r.openCase,
});

export function createRulesService(db: Db, deps: RulesDeps, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const repo = rulesRepo(db);

  async function get(p: Principal, id: number): Promise<RuleRow> {
    staffOnly(p);
    const row = await repo.get(id);
    if (!row)
      throw notFound(E.notFound, `Alarm rule ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return row;
  }

  /** Every problem the schema cannot see, all at once: unknown references, an escalation that does not escalate. */
  async function check(r: { scope: RuleScope; severity: string; escalation: SilenceRule['escalation'] }) {
    const details: ErrorDetail[] = [];
    const s = r.scope;
    const unknown = await deps.unknownRefs({
      accountIds: s.accountIds ?? [],
      communicationPlanIds: s.communicationPlanIds ?? [],
      ratePlanIds: s.ratePlanIds ?? [],
      deviceModelIds: s.deviceModelIds ?? [],
    });
    for (const field of ['accountIds', 'communicationPlanIds', 'ratePlanIds', 'deviceModelIds'] as const)
      (s[field] ?? []).forEach((id, i) => {
        if (unknown[field].has(id))
          details.push({ field: `scope.${field}[${i}]`, value: id, reason: 'does not exist' });
      });
    const order = ['warning', 'minor', 'major', 'critical'];
    if (r.escalation && order.indexOf(r.escalation.severity) <= order.indexOf(r.severity))
      details.push({
        field: 'escalation.severity',
        value: r.escalation.severity,
        reason: `must be more severe than the rule's severity (${r.severity})`,
      });
    if (details.length > 0) throw invalid(E.invalid, 'The rule cannot be saved as it is', details);
  }

  const nameTaken = (e: unknown, name: string) => {
    if (isUniqueViolation(e, 'alarm_rules_name_uq'))
      return conflict(E.nameTaken, `A rule named "${name}" exists`, [
        { field: 'name', value: name, reason: 'taken (names are compared case-insensitively)' },
      ]);
    return e;
  };

  /** What the rule would have done on the stored history of the last `days` days. */
  async function backtest(rule: SilenceRule, days: number): Promise<Backtest> {
    const to = now();
    const from = to - days * DAY_MS;
    const { simIds, more } = await deps.simsForScope(rule.scope, BACKTEST_MAX_SIMS);
    const profiles = await deps.profilesOf(simIds);
    const inScopeIds = simIds.filter((id) => {
      const p = profiles.get(id);
      return p !== undefined && inScope(rule.scope, p);
    });
    const fires = new Map<number, { fired: number; firstAt: number; longest: number; threshold: number }>();
    const byDay = new Map<string, number>();
    for (let i = 0; i < inScopeIds.length; i += BACKTEST_CHUNK) {
      const ids = inScopeIds.slice(i, i + BACKTEST_CHUNK);
      const hours = await deps.activeHoursOf(ids, new Date(from - rule.params.learnWeeks * WEEK_MS - DAY_MS));
      for (const id of ids) {
        for (const at of firesOf(rule, hours.get(id) ?? [], from, to)) {
          const f = fires.get(id) ?? { fired: 0, firstAt: at.at, longest: 0, threshold: at.threshold };
          f.fired++;
          f.longest = Math.max(f.longest, at.silence);
          fires.set(id, f);
          const day = new Date(at.at).toISOString().slice(0, 10);
          byDay.set(day, (byDay.get(day) ?? 0) + 1);
        }
      }
    }
    const top = [...fires.entries()].sort((a, b) => b[1].fired - a[1].fired || a[0] - b[0]).slice(0, 50);
    const iccids = await deps.iccidsOf(top.map(([id]) => id));
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
        longestSilenceMinutes: Math.round(f.longest / 60_000),
        thresholdMinutes: Math.round(f.threshold / 60_000),
      })),
    };
  }

  const toRule = (id: number, input: CreateRuleInput): SilenceRule => ({
    id,
    name: input.name,
    scope: input.scope,
    params: input.params,
    severity: input.severity,
    escalation: input.escalation,
    schedule: input.schedule as Schedule | null,
    openCase: input.openCase,
  });

  return {
    get,
    async list(p: Principal): Promise<RuleRow[]> {
      staffOnly(p);
      return repo.list();
    },
    /** The enabled silence rules, for the watch. */
    enabledSilence: async (): Promise<SilenceRule[]> => (await repo.enabled('silence')).map(asSilenceRule),
    async create(p: Principal, input: CreateRuleInput): Promise<RuleRow> {
      staffOnly(p);
      await check(input);
      try {
        return await repo.insert({ ...input, createdBy: p.userId || null });
      } catch (e) {
        throw nameTaken(e, input.name);
      }
    },
    async update(p: Principal, id: number, input: UpdateRuleInput): Promise<RuleRow> {
      const row = await get(p, id);
      const merged = {
        scope: input.scope ?? (row.scope as RuleScope),
        severity: input.severity ?? row.severity,
        escalation: input.escalation === undefined ? asSilenceRule(row).escalation : input.escalation,
      };
      await check(merged);
      try {
        const { params, ...rest } = input;
        return (await repo.update(id, {
          ...rest,
          ...(params ? { params: { ...(row.params as SilenceParams), ...params } } : {}),
        }))!;
      } catch (e) {
        throw nameTaken(e, input.name ?? row.name);
      }
    },
    async remove(p: Principal, id: number): Promise<void> {
      await get(p, id);
      await repo.remove(id);
    },
    /** A rule not saved yet (the editor's "try it"): validated as at save, then run on the history. */
    async backtestDraft(p: Principal, input: CreateRuleInput, days: number): Promise<Backtest> {
      staffOnly(p);
      await check(input);
      return backtest(toRule(0, input), days);
    },
    async backtestSaved(p: Principal, id: number, days: number): Promise<Backtest> {
      return backtest(asSilenceRule(await get(p, id)), days);
    },
  };
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
