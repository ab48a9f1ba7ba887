/**
 * Fleet alarms (issue 17.1, "fleet rules on aggregates"): a network (PLMN) or APN refusing many SIMs against its own
 * baseline — the diagnosis' incident rule over the fleet's last hour (its `failing` list, the same one GET
 * /api/v1/network/failing shows), so the alarm and every SIM's diagnosis agree. One alarm per network or APN and
 * attempt (originator plmn/apn), raised by the worker's pass, counted up while it lasts, cleared with hysteresis:
 * once out of the failing list for the rule's clearMinutes. Built in (severity critical) for every network and APN;
 * a fleet_refusals rule scoped by plmns/apns sets severity, attempts and clearMinutes for those it takes in.
 * Staff see them; no customer webhook (an outage reaches customers through its major case). The SIMs' own refusal
 * bursts of the same attempt on that network or APN are grouped under it (parent_id) at every pass: the desk sees
 * one outage with its SIMs, not one row per SIM (issue 17.2).
 */
import type { Database } from '../../platform/db/client.ts';
import { type RuleScope, ruleFor } from './rules.ts';

export type FleetRule = {
  id: number;
  name: string;
  scope: RuleScope;
  params: { attempts: ('attach' | 'session')[]; clearMinutes: number };
  severity: string;
};
export type FailingNow = {
  kind: 'plmn' | 'apn';
  key: string;
  attempt: 'attach' | 'session';
  rejected: number;
  accepted: number;
  share: number;
  failingSims: number | null;
  failingTenants: number | null;
  since: Date | null;
};
export type FleetDeps = {
  database: Database;
  rules: () => Promise<FleetRule[]>;
  failingNow: () => Promise<FailingNow[]>;
  /** A rule threw while applied: disabled (the built-in rule takes its networks). */
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

/** The built-in fleet rule. */
export const FLEET_DEFAULT = { severity: 'critical', clearMinutes: 10 };
/** Several workers pass every FLEET_PASS_MS: an alarm counts up at most once per this. */
const COUNT_EVERY_MS = 20_000;

export function fleetWatch(deps: FleetDeps) {
  const { database } = deps;
  return async function fleetTick(now: Date): Promise<{ raised: number; cleared: number; grouped: number }> {
    const out = { raised: 0, cleared: 0, grouped: 0 };
    const [failing, all] = await Promise.all([deps.failingNow(), deps.rules()]);
    // A rule whose parameters cannot be read is disabled; the built-in rule takes its networks.
    const rules: FleetRule[] = [];
    for (const r of all)
      if (Array.isArray(r.params?.attempts) && Number.isFinite(r.params.clearMinutes)) rules.push(r);
      else await deps.onRuleError(r.id, new Error(`parameters ${JSON.stringify(r.params)} are not a fleet rule's`));
    const seen: string[] = [];
    for (const f of failing) {
      const rule = ruleFor(rules, {
        accountId: 0,
        communicationPlanId: null,
        ratePlanId: null,
        deviceModelId: null,
        plmn: f.kind === 'plmn' ? f.key : null,
        apn: f.kind === 'apn' ? f.key : null,
      });
      if (rule && !rule.params.attempts.includes(f.attempt)) continue;
      const type = `fleet_${f.attempt}_refusals`;
      seen.push(`${f.kind}|${f.key}|${type}`);
      const details = {
        ...(rule ? { ruleId: rule.id, rule: rule.name } : {}),
        attempt: f.attempt,
        share: f.share,
        rejected: f.rejected,
        accepted: f.accepted,
        failingSims: f.failingSims,
        failingTenants: f.failingTenants,
        since: f.since?.toISOString() ?? null,
        clearMinutes: rule?.params.clearMinutes ?? FLEET_DEFAULT.clearMinutes,
      };
      const [a] = await database.query<{ fresh: boolean }>(
        `insert into alarms (originator_type, originator_id, type, severity, first_seen_at, last_seen_at, details, rule_id)
         values ($1, $2, $3, $4, $5, $5, $6::jsonb, $7)
         on conflict (originator_type, originator_id, type) where cleared_at is null
         do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at,
                       details = alarms.details || excluded.details
           where alarms.last_seen_at <= excluded.last_seen_at - make_interval(secs => $8)
         returning (xmax = 0) as fresh`,
        [
          f.kind,
          f.key,
          type,
          rule?.severity ?? FLEET_DEFAULT.severity,
          now,
          JSON.stringify(details),
          rule?.id ?? null,
          COUNT_EVERY_MS / 1000,
        ],
      );
      if (a?.fresh) out.raised++;
      out.grouped += await group(f.kind, f.key, type, f.attempt);
    }
    // Out of the failing list for clearMinutes: cleared by its condition (a blip back under the threshold is not).
    const done = await database.query<{ id: string }>(
      `update alarms set cleared_at = $1, details = details || '{"clearedBy": "condition"}'::jsonb
        where cleared_at is null and originator_type in ('plmn', 'apn')
          and not ((originator_type || '|' || originator_id || '|' || type) = any($2::text[]))
          and last_seen_at < $1::timestamptz - make_interval(mins => coalesce((details->>'clearMinutes')::int, $3))
        returning id::text`,
      [now, seen, FLEET_DEFAULT.clearMinutes],
    );
    out.cleared = done.length;
    return out;
  };

  /**
   * Puts the active refusal bursts of this attempt on this network or APN (their last refusal's) that are in no group
   * yet under its active fleet alarm. A SIM's burst raised later joins at the next pass (within a minute).
   */
  async function group(kind: 'plmn' | 'apn', key: string, type: string, attempt: 'attach' | 'session') {
    const rows = await database.query<{ id: string }>(
      `update alarms c set parent_id = p.id
         from alarms p
        where p.originator_type = $1 and p.originator_id = $2 and p.type = $3 and p.cleared_at is null
          and c.cleared_at is null and c.originator_type = 'sim' and c.type = 'refusal_burst' and c.parent_id is null
          and c.details->>'lastType' = $4
          and (case when $1 = 'plmn' then c.details->>'plmn' = $2 else lower(c.details->>'apn') = $2 end)
        returning c.id::text`,
      [kind, key, type, `${attempt}_rejected`],
    );
    return rows.length;
  }
}
