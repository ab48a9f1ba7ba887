import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { emitEach } from '../../platform/events/emit.ts';
import { CaseEvents } from './cases.events.ts';
import { caseEvents, cases } from './cases.tables.ts';
import { OPEN_STATES } from './state-machine.ts';

/**
 * SQL of the set-based priority recompute (priority-recompute.ts), kept apart from cases.repo.ts so the two evolve
 * independently. Lists travel as one comma-joined text parameter, like cases.repo.ts does: the same on both drivers.
 */
const list = (xs: readonly (string | number)[], type: 'bigint' | 'text') =>
  sql`string_to_array(${xs.join(',')}, ',')::${sql.raw(type)}[]`;
const openStates = list(OPEN_STATES, 'text');

export type RecomputeScope = { tenantId: number; accountId: number } | Record<string, never>;

export function priorityRecomputeRepo(db: Db) {
  return {
    /** Ids of the open cases in scope, ascending (one index walk; the rows are read and locked per batch). */
    async openCaseIds(scope: RecomputeScope): Promise<number[]> {
      const rows = await db
        .select({ id: cases.id })
        .from(cases)
        .where(
          and(
            sql`${cases.state} = any(${openStates})`,
            'accountId' in scope ? eq(cases.tenantId, scope.tenantId) : undefined,
            'accountId' in scope ? eq(cases.accountId, scope.accountId) : undefined,
          ),
        )
        .orderBy(asc(cases.id));
      return rows.map((r) => r.id);
    },
    /** Reads and locks a batch, skipping cases that left the open states since their ids were listed. */
    lockOpen(ids: readonly number[]) {
      return db
        .select({
          id: cases.id,
          tenantId: cases.tenantId,
          accountId: cases.accountId,
          type: cases.type,
          severity: cases.severity,
          affectedSimCount: cases.affectedSimCount,
          priority: cases.priority,
          computedPriority: cases.computedPriority,
          priorityOverride: cases.priorityOverride,
        })
        .from(cases)
        .where(and(sql`${cases.id} = any(${list(ids, 'bigint')})`, sql`${cases.state} = any(${openStates})`))
        .orderBy(asc(cases.id))
        .for('update');
    },
    /** One statement for the whole batch. */
    async setPriorities(rows: readonly { id: number; computedPriority: string; priority: string }[]): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(sql`
        update ${cases} set computed_priority = v.cp, priority = v.p, updated_at = now()
          from (select unnest(${list(
            rows.map((r) => r.id),
            'bigint',
          )}) as id, unnest(${list(
            rows.map((r) => r.computedPriority),
            'text',
          )}) as cp, unnest(${list(
            rows.map((r) => r.priority),
            'text',
          )}) as p) v
         where ${cases.id} = v.id`);
    },
    /** Like casesRepo.insertEvent, batched: the changed cases are announced (cases.changed) for the SLA module. */
    async insertEvents(rows: (typeof caseEvents.$inferInsert)[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insert(caseEvents).values(rows);
      await emitEach(db, CaseEvents.changed, 'caseId', [...new Set(rows.map((r) => r.caseId))], 'case');
    },
  };
}
