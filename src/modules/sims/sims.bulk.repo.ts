import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { SimEvents } from './sims.events.ts';
import { idList, type SimWhere, simWhere, textList } from './sims.repo.ts';

export type AuditMeta = { userId: number | null; actor: string; reason: string | null };
export type PlanChange = { communicationPlanId?: number | null | undefined; ratePlanId?: number | null | undefined };

/**
 * Set-based bulk change, inside one transaction: the selection is copied once into a temporary table
 * (dropped at commit), counted and classified with GROUP BY, and applied with one INSERT…SELECT for the
 * audit rows plus one UPDATE…FROM. No statement is issued per SIM.
 */
export function simsBulkRepo(tx: Db) {
  const count = async (q: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(tx, q))[0]?.n ?? 0;

  /** Plan-change predicates for the selection rows (`b`). */
  function planPredicates(c: PlanChange) {
    const cp = c.communicationPlanId !== undefined;
    const rp = c.ratePlanId !== undefined;
    const cpDiff = cp
      ? sql`b.communication_plan_id is distinct from ${c.communicationPlanId ?? null}::bigint`
      : sql`false`;
    const rpDiff = rp ? sql`b.rate_plan_id is distinct from ${c.ratePlanId ?? null}::bigint` : sql`false`;
    return { cp, rp, cpDiff, rpDiff, changes: sql`(${cpDiff} or ${rpDiff})` };
  }

  return {
    /** Copies the selected SIMs (id, iccid and the fields a change compares) into bulk_sel; returns the count. */
    async select(w: SimWhere): Promise<number> {
      await tx.execute(sql`create temp table bulk_sel on commit drop as
        select id, iccid, tenant_id, account_id, state, communication_plan_id, rate_plan_id
        from sims where ${simWhere(w) ?? sql`true`}`);
      await tx.execute(sql`analyze bulk_sel`);
      return count(sql`select count(*)::int as n from bulk_sel`);
    },
    /** ICCIDs of the list that the selection did not find (unknown, or out of the caller's reach). */
    async missing(iccids: string[], limit: number): Promise<{ total: number; first: string[] }> {
      const rows = await queryRows<{ iccid: string; total: number }>(
        tx,
        sql`select u.iccid, count(*) over ()::int as total
            from unnest(${textList(iccids)}) as u(iccid)
            where not exists (select 1 from bulk_sel b where b.iccid = u.iccid)
            order by u.iccid limit ${limit}`,
      );
      return { total: rows[0]?.total ?? 0, first: rows.map((r) => r.iccid) };
    },
    async countByState(): Promise<{ state: string; n: number }[]> {
      return queryRows(tx, sql`select state, count(*)::int as n from bulk_sel group by state`);
    },
    async accounts(): Promise<number[]> {
      const rows = await queryRows<{ id: string | number }>(tx, sql`select distinct account_id as id from bulk_sel`);
      return rows.map((r) => Number(r.id));
    },
    async sample(by: 'state' | 'account', values: (string | number)[], limit: number) {
      const cond =
        by === 'state'
          ? sql`b.state = any(${textList(values.map(String))})`
          : sql`b.account_id = any(${idList(values.map(Number))})`;
      const rows = await queryRows<{ iccid: string; state: string; account_id: string | number }>(
        tx,
        sql`select b.iccid, b.state, b.account_id from bulk_sel b where ${cond} order by b.iccid limit ${limit}`,
      );
      return rows.map((r) => ({ iccid: r.iccid, state: r.state, accountId: Number(r.account_id) }));
    },
    /** The first `per` SIMs (by ICCID) of each state / account among `values`, and how many each holds. */
    async groups(by: 'state' | 'account', values: (string | number)[], per: number) {
      const key = by === 'state' ? sql`b.state` : sql`b.account_id::text`;
      const cond =
        by === 'state'
          ? sql`b.state = any(${textList(values.map(String))})`
          : sql`b.account_id = any(${idList(values.map(Number))})`;
      const rows = await queryRows<{ key: string; n: number; examples: string[] }>(
        tx,
        sql`select g.key, g.n, array(select b.iccid from bulk_sel b where ${key} = g.key order by b.iccid limit ${per}) as examples
            from (select ${key} as key, count(*)::int as n from bulk_sel b where ${cond} group by 1) g`,
      );
      return rows.map((r) => ({ key: r.key, n: Number(r.n), examples: r.examples }));
    },
    async applyState(fromStates: string[], to: string, m: AuditMeta): Promise<number> {
      const from = sql`b.state = any(${textList(fromStates)})`;
      await tx.execute(sql`insert into sim_audit (tenant_id, sim_id, actor_user_id, actor, action, before, after, reason)
        select b.tenant_id, b.id, ${m.userId}::bigint, ${m.actor}, 'state_changed',
               jsonb_build_object('state', b.state), jsonb_build_object('state', ${to}::text), ${m.reason}::text
        from bulk_sel b where ${from}`);
      // `s.state = b.state` re-checks each row under its lock: a SIM changed meanwhile is not counted. Each SIM moved
      // is announced (sims.events.ts stateChanged: the same payload, set-based), in this transaction.
      const e = SimEvents.stateChanged;
      return count(sql`with u as (
          update sims s set state = ${to}, state_changed_at = now(), updated_at = now()
          from bulk_sel b where s.id = b.id and ${from} and s.state = b.state
          returning s.id, s.tenant_id, s.account_id, b.state as from_state),
        announced as (
          insert into domain_events (name, version, payload, ordering_key)
          select ${e.name}, ${e.version},
                 jsonb_build_object('simId', u.id, 'tenantId', u.tenant_id, 'accountId', u.account_id,
                                    'from', u.from_state, 'to', ${to}::text),
                 'sim:' || u.id::text
            from u order by u.id)
        select count(*)::int as n from u`);
    },
    async planCounts(rejectedAccounts: number[], c: PlanChange) {
      const { changes } = planPredicates(c);
      const rejected = sql`b.account_id = any(${idList(rejectedAccounts)})`;
      const [r] = await queryRows<{ rejected: number; change: number; same: number }>(
        tx,
        sql`select count(*) filter (where ${rejected})::int as rejected,
                   count(*) filter (where not ${rejected} and ${changes})::int as change,
                   count(*) filter (where not ${rejected} and not ${changes})::int as same
            from bulk_sel b`,
      );
      return r ?? { rejected: 0, change: 0, same: 0 };
    },
    async applyPlans(rejectedAccounts: number[], c: PlanChange, m: AuditMeta): Promise<number> {
      const p = planPredicates(c);
      const target = sql`not b.account_id = any(${idList(rejectedAccounts)}) and ${p.changes}`;
      const side = (diff: typeof p.cpDiff, key: string, value: ReturnType<typeof sql>) =>
        sql`case when ${diff} then jsonb_build_object(${key}::text, ${value}) else '{}'::jsonb end`;
      const cpNew = sql`${c.communicationPlanId ?? null}::bigint`;
      const rpNew = sql`${c.ratePlanId ?? null}::bigint`;
      await tx.execute(sql`insert into sim_audit (tenant_id, sim_id, actor_user_id, actor, action, before, after, reason)
        select b.tenant_id, b.id, ${m.userId}::bigint, ${m.actor}, 'updated',
          ${side(p.cpDiff, 'communicationPlanId', sql`b.communication_plan_id`)} || ${side(p.rpDiff, 'ratePlanId', sql`b.rate_plan_id`)},
          ${side(p.cpDiff, 'communicationPlanId', cpNew)} || ${side(p.rpDiff, 'ratePlanId', rpNew)},
          ${m.reason}::text
        from bulk_sel b where ${target}`);
      return count(sql`with u as (
          update sims s set
            communication_plan_id = ${p.cp ? cpNew : sql`s.communication_plan_id`},
            rate_plan_id = ${p.rp ? rpNew : sql`s.rate_plan_id`},
            updated_at = now()
          from bulk_sel b
          where s.id = b.id and ${target}
            and s.communication_plan_id is not distinct from b.communication_plan_id
            and s.rate_plan_id is not distinct from b.rate_plan_id
          returning 1)
        select count(*)::int as n from u`);
    },
  };
}
