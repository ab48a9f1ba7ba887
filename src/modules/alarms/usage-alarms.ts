/**
 * What the usage rules (usage drop: usage-drops.ts; usage drift: usage-drift.ts) share: judging a tenant's candidate
 * SIMs each by its governing rule, then settling the tenant's alarms of the type in one transaction — raise or count
 * up those found, leave those between the lines (hysteresis), clear the rest with their events.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { inSchedule, type RuleScope, ruleFor, type Schedule, type SimProfile, severityAfter } from './rules.ts';

export type UsageRule<P> = {
  id: number;
  name: string;
  scope: RuleScope;
  params: P;
  severity: string;
  escalation: { afterMinutes: number; severity: string } | null;
  schedule: Schedule | null;
  openCase: boolean;
};
/** found: raise or count up; hold: an active alarm stays as it is; normal: cleared. */
export type UsageState = 'found' | 'hold' | 'normal';
export type Verdicts<P> = {
  found: Map<number, { rule: UsageRule<P>; accountId: number; details: Record<string, unknown> }>;
  holding: Set<number>;
  failed: Map<number, unknown>;
};
export type UsageAlarmDeps = {
  database: Database;
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  inService: (simIds: readonly number[]) => Promise<Set<number>>;
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};
type Result = { raised: number; repeated: number; cleared: number };

export function usageAlarms(deps: UsageAlarmDeps) {
  const { database } = deps;

  /**
   * The rules grouped by what their candidate query needs (`keyOf`); each group's candidates judged by their own
   * governing rule (in service, in scope, of that group). `judge` throwing disables its rule, not the run.
   */
  async function verdictsOf<P, C extends { simId: number }>(
    rules: readonly UsageRule<P>[],
    keyOf: (p: P) => string,
    candidatesOf: (group: UsageRule<P>[]) => Promise<C[]>,
    judge: (rule: UsageRule<P>, c: C) => { state: UsageState; details: Record<string, unknown> } | null,
  ): Promise<Verdicts<P>> {
    const out: Verdicts<P> = { found: new Map(), holding: new Set(), failed: new Map() };
    const groups = new Map<string, UsageRule<P>[]>();
    for (const r of rules) groups.set(keyOf(r.params), [...(groups.get(keyOf(r.params)) ?? []), r]);
    for (const group of groups.values()) {
      const candidates = await candidatesOf(group);
      if (candidates.length === 0) continue;
      const ids = candidates.map((c) => c.simId);
      const [profiles, inService] = await Promise.all([deps.profilesOf(ids), deps.inService(ids)]);
      for (const c of candidates) {
        const profile = profiles.get(c.simId);
        const rule = profile && inService.has(c.simId) ? ruleFor(rules, profile) : undefined;
        if (!rule || !group.includes(rule) || out.failed.has(rule.id)) continue;
        let v: ReturnType<typeof judge>;
        try {
          v = judge(rule, c);
        } catch (e) {
          out.failed.set(rule.id, e);
          continue;
        }
        if (v?.state === 'hold') out.holding.add(c.simId);
        if (v?.state === 'found') out.found.set(c.simId, { rule, accountId: profile!.accountId, details: v.details });
      }
    }
    return out;
  }

  /**
   * The tenant's alarms of `type` after a judgement at `at`: raised or counted up where found (a new one only inside
   * its rule's schedule), left where holding, cleared elsewhere. Idempotent per `at`: a retried run counts nothing
   * twice. While a rule failed, nothing is cleared (its SIMs were not judged).
   */
  async function settle<P>(type: string, tenantId: number, v: Verdicts<P>, at: Date, now: Date): Promise<Result> {
    const out: Result = { raised: 0, repeated: 0, cleared: 0 };
    const active = await database.query<{ id: string; originator_id: string; account_id: string }>(
      `select id::text, originator_id, account_id::text from alarms
        where cleared_at is null and type = $2 and tenant_id = $1`,
      [tenantId, type],
    );
    const activeSims = new Set(active.map((a) => Number(a.originator_id)));
    const activeBySim = new Map(active.map((a) => [Number(a.originator_id), a]));
    await database.rawTransaction(async (tx) => {
      for (const [simId, f] of v.found) {
        // Moved to another account since its alarm was raised: that one stays the old account's, cleared; this
        // hour's finding is the new account's, on an alarm of its own.
        const old = activeBySim.get(simId);
        if (old && Number(old.account_id) !== f.accountId) {
          await clear(tx, type, old.id, tenantId, simId, Number(old.account_id), now, 'moved');
          activeSims.delete(simId);
        }
        if (!activeSims.has(simId) && f.rule.schedule !== null && !inSchedule(f.rule.schedule, at.getTime())) continue;
        const r = await upsert(tx, type, tenantId, simId, f, at, now);
        if (r === 'raised') out.raised++;
        else if (r === 'repeated') out.repeated++;
      }
      if (v.failed.size > 0) return;
      for (const a of active) {
        const simId = Number(a.originator_id);
        if (v.found.has(simId) || v.holding.has(simId)) continue;
        if (await clear(tx, type, a.id, tenantId, simId, Number(a.account_id), now)) out.cleared++;
      }
    });
    for (const [ruleId, e] of v.failed) await deps.onRuleError(ruleId, e);
    return out;
  }

  async function upsert<P>(
    tx: RawTx,
    type: string,
    tenantId: number,
    simId: number,
    f: Verdicts<P>['found'] extends Map<number, infer F> ? F : never,
    at: Date,
    now: Date,
  ) {
    const [a] = await tx.query<{ id: string; fresh: boolean; severity: string; first_seen_at: Date }>(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details, rule_id, case_pending)
       values ($1, $2, 'sim', $3, $9, $4, $5, $5, $6::jsonb, $7, $8)
       on conflict (originator_type, originator_id, type) where cleared_at is null
       do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at,
                     details = alarms.details || excluded.details
         where alarms.last_seen_at < excluded.last_seen_at
       returning id::text, (xmax = 0) as fresh, severity, first_seen_at`,
      [
        tenantId,
        f.accountId,
        String(simId),
        f.rule.severity,
        at,
        JSON.stringify(f.details),
        f.rule.id,
        f.rule.openCase,
        type,
      ],
    );
    if (!a) return 'same';
    if (!a.fresh) {
      const severity = severityAfter(f.rule, now.getTime() - new Date(a.first_seen_at).getTime());
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
        accountId: f.accountId,
        type,
        severity: f.rule.severity,
        at: at.toISOString(),
        details: f.details,
      },
      { orderingKey: simOrderingKey(simId) },
    );
    return 'raised';
  }

  async function clear(
    tx: RawTx,
    type: string,
    id: string,
    tenantId: number,
    simId: number,
    accountId: number,
    now: Date,
    by: 'traffic' | 'moved' = 'traffic',
  ) {
    const done = await tx.query<{ severity: string }>(
      `update alarms set cleared_at = $2, details = details || jsonb_build_object('clearedBy', $3::text)
        where id = $1 and cleared_at is null returning severity`,
      [id, now, by === 'moved' ? 'moved' : 'usage'],
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
        type,
        severity: done[0].severity,
        at: now.toISOString(),
        by,
      },
      { orderingKey: simOrderingKey(simId) },
    );
    return true;
  }

  return { verdictsOf, settle };
}
