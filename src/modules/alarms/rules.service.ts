/**
 * Alarm rules: saved, validated (every referenced account, plan and device model must exist: each unknown one is
 * named by its place), and backtested before they are saved — "on the stored history this rule would have fired N
 * times in the last 7 days, on these SIMs".
 */

import { sql } from 'drizzle-orm';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, type ErrorDetail, forbidden, formatPath, invalid, notFound } from '../../platform/errors.ts';
import { RulesErrors as E } from './alarms.errors.ts';
import type { FleetRule } from './fleet-watch.ts';
import type { RefusalParams, RefusalRule } from './refusal-bursts.ts';
import { type BacktestDeps, type BacktestRule, backtest } from './rules.backtest.ts';
import { type RuleRow, rulesRepo } from './rules.repo.ts';
import {
  type Backtest,
  type CreateRuleInput,
  PARAMS_OF_KIND,
  type RuleKind,
  type UpdateRuleInput,
} from './rules.schemas.ts';
import type { RuleScope, Schedule, SilenceParams, SilenceRule } from './rules.ts';
import type { ThresholdParams, ThresholdRule } from './telemetry-thresholds.ts';
import type { UsageDriftParams, UsageDriftRule } from './usage-drift.ts';
import type { UsageDropParams, UsageDropRule } from './usage-drops.ts';

export type RulesService = ReturnType<typeof createRulesService>;
export type { RuleRow };

const DAY_MS = 24 * 3_600_000;

export type RulesDeps = {
  /** The ids of these references that do not exist. */
  unknownRefs: (refs: {
    accountIds: readonly number[];
    communicationPlanIds: readonly number[];
    ratePlanIds: readonly number[];
    deviceModelIds: readonly number[];
  }) => Promise<{ [K in 'accountIds' | 'communicationPlanIds' | 'ratePlanIds' | 'deviceModelIds']: Set<number> }>;
} & BacktestDeps;

const staffOnly = (p: Principal) => {
  if (!isStaff(p))
    throw forbidden('alarms.staff_only', "Alarm rules are for the provider's staff", [
      { field: 'role', value: p.role, reason: 'staff only' },
    ]);
};

/** A saved rule as the watch applies it. */
/**
 * A saved rule as its watch applies it: the row's fields typed, its parameters as its kind's (checked against the
 * kind's schema when saved). Each watch reads the fields it needs (a fleet rule has no escalation to apply, …).
 */
function asRule<P>(r: RuleRow) {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope as RuleScope,
    params: r.params as P,
    severity: r.severity,
    escalation: (r.escalation as { afterMinutes: number; severity: string } | null) ?? null,
    schedule: (r.schedule as Schedule | null) ?? null,
    openCase: r.openCase,
  };
}
export const asSilenceRule = (r: RuleRow): SilenceRule => asRule<SilenceParams>(r);
export const asRefusalRule = (r: RuleRow): RefusalRule => asRule<RefusalParams>(r);
export const asUsageDropRule = (r: RuleRow): UsageDropRule => asRule<UsageDropParams>(r);
export const asUsageDriftRule = (r: RuleRow): UsageDriftRule => asRule<UsageDriftParams>(r);
export const asThresholdRule = (r: RuleRow): ThresholdRule => asRule<ThresholdParams>(r);
export const asFleetRule = (r: RuleRow): FleetRule => asRule<FleetRule['params']>(r);

/** The kinds a backtest replays (rules.backtest.ts); a fleet rule's history is the fleet's roll-up, not a SIM's. */
const REPLAYABLE: ReadonlySet<string> = new Set([
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
]);
/** The scope fields a fleet rule may use: it watches networks and APNs, not SIMs. */
const FLEET_SCOPE = new Set(['plmns', 'apns']);
/** The scope fields a telemetry rule may use: it watches devices (their account and model), not SIMs. */
const DEVICE_SCOPE = new Set(['accountIds', 'deviceModelIds']);

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
  async function check(r: {
    kind: string;
    scope: RuleScope;
    severity: string;
    escalation: SilenceRule['escalation'];
    openCase?: boolean;
  }) {
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
    if (r.kind === 'fleet_refusals')
      for (const [field, v] of Object.entries(s))
        if (!FLEET_SCOPE.has(field) && Array.isArray(v) && v.length > 0)
          details.push({
            field: `scope.${field}`,
            value: v,
            reason: 'a fleet rule watches networks (plmns) and APNs (apns), not SIMs',
          });
    if (r.kind === 'telemetry_threshold') {
      for (const [field, v] of Object.entries(s))
        if (!DEVICE_SCOPE.has(field) && Array.isArray(v) && v.length > 0)
          details.push({
            field: `scope.${field}`,
            value: v,
            reason: 'a telemetry rule watches devices: scope them by accountIds and deviceModelIds',
          });
      if (r.openCase)
        details.push({
          field: 'openCase',
          value: true,
          reason: 'telemetry alarms open no case yet (they are the desk’s: no customer view of a device alarm yet)',
        });
    }
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

  function replayable(r: { kind: string; scope: RuleScope; params: unknown; schedule: unknown }): BacktestRule {
    if (!REPLAYABLE.has(r.kind))
      throw invalid(E.invalid, 'Fleet rules have no backtest', [
        { field: 'kind', value: r.kind, reason: 'backtests replay SIMs and devices, not the fleet’s hourly roll-up' },
      ]);
    // The parameters were checked against the kind's schema (a draft just now, a saved rule when saved).
    return { kind: r.kind, scope: r.scope, params: r.params, schedule: r.schedule ?? null } as BacktestRule;
  }
  const run = (r: BacktestRule, days: number) => backtest(deps, r, now() - days * DAY_MS, now());

  return {
    get,
    async list(p: Principal): Promise<RuleRow[]> {
      staffOnly(p);
      return repo.list();
    },
    /** The enabled rules of each kind, for the watches. */
    enabledSilence: async (): Promise<SilenceRule[]> => (await repo.enabled('silence')).map(asSilenceRule),
    enabledRefusal: async (): Promise<RefusalRule[]> => (await repo.enabled('refusal_burst')).map(asRefusalRule),
    enabledFleet: async (): Promise<FleetRule[]> => (await repo.enabled('fleet_refusals')).map(asFleetRule),
    enabledUsageDrop: async (): Promise<UsageDropRule[]> => (await repo.enabled('usage_drop')).map(asUsageDropRule),
    enabledThreshold: async (): Promise<ThresholdRule[]> =>
      (await repo.enabled('telemetry_threshold')).map(asThresholdRule),
    enabledUsageDrift: async (): Promise<UsageDriftRule[]> => (await repo.enabled('usage_drift')).map(asUsageDriftRule),
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
        kind: row.kind,
        scope: input.scope ?? (row.scope as RuleScope),
        severity: input.severity ?? row.severity,
        escalation: input.escalation === undefined ? asSilenceRule(row).escalation : input.escalation,
        openCase: input.openCase ?? row.openCase,
      };
      // The parameters as they would be, checked against the rule's own kind (a silence rule has no `count`).
      let params: Record<string, unknown> | undefined;
      if (input.params) {
        const r = PARAMS_OF_KIND[row.kind as RuleKind].safeParse({ ...row.params, ...input.params });
        if (!r.success)
          throw invalid(
            E.invalid,
            'The rule cannot be saved as it is',
            r.error.issues.map((i) => ({
              field: formatPath(['params', ...(i.code === 'unrecognized_keys' ? [i.keys[0]!] : i.path)]),
              value: null,
              reason: i.code === 'unrecognized_keys' ? `not a parameter of a ${row.kind} rule` : i.message,
            })),
          );
        params = r.data;
      }
      await check(merged);
      try {
        const { params: _given, ...rest } = input;
        // Enabling a rule that failed clears its error (its failure alarm stays until cleared by hand).
        const cleared = input.enabled === true ? { lastError: null, failedAt: null } : {};
        return (await repo.update(id, { ...rest, ...cleared, ...(params ? { params } : {}) }))!;
      } catch (e) {
        throw nameTaken(e, input.name ?? row.name);
      }
    },
    /**
     * A rule threw while applied (a watch caught it): disabled, with the error kept on it, and an alarm of its own
     * (originator `rule`, type rule_failed) so the desk sees it; the watches go on with the other rules.
     */
    async failRule(ruleId: number, error: unknown): Promise<void> {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      const at = new Date(now());
      const row = await repo.update(ruleId, { enabled: false, lastError: message, failedAt: at });
      if (!row) return;
      await db.execute(sql`
        insert into alarms (originator_type, originator_id, type, severity, first_seen_at, last_seen_at, details, rule_id)
        values ('rule', ${String(ruleId)}, 'rule_failed', 'major', ${at.toISOString()}::timestamptz,
                ${at.toISOString()}::timestamptz, ${JSON.stringify({ rule: row.name, kind: row.kind, error: message })}::jsonb,
                ${ruleId})
        on conflict (originator_type, originator_id, type) where cleared_at is null
        do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at, details = excluded.details`);
    },
    async remove(p: Principal, id: number): Promise<void> {
      await get(p, id);
      await repo.remove(id);
    },
    /** A rule not saved yet (the editor's "try it"): validated as at save, then run on the history. */
    async backtestDraft(p: Principal, input: CreateRuleInput, days: number): Promise<Backtest> {
      staffOnly(p);
      await check(input);
      return run(replayable(input), days);
    },
    async backtestSaved(p: Principal, id: number, days: number): Promise<Backtest> {
      const row = await get(p, id);
      return run(replayable({ ...row, scope: row.scope as RuleScope }), days);
    },
  };
}
