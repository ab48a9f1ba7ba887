import { desc, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrixConfig, PriorityMatrixConfig as Schema } from './priority.ts';
import { slaPriorityMatrixVersions as versions } from './priority-matrix.tables.ts';

export type PriorityMatrixVersionRow = typeof versions.$inferSelect;
export type PriorityMatrixStore = ReturnType<typeof priorityMatrixStore>;
/** What the cases module needs from the store (it must not depend on the SLA service). */
export type PriorityMatrixSource = Pick<PriorityMatrixStore, 'current' | 'lockForChange'>;

/**
 * The persisted priority matrix, shared by the SLA module (which edits it) and the cases module (which applies
 * it). Kept apart from sla.service.ts because the SLA service depends on the cases service, not the reverse.
 *
 * Caching: every read asks PostgreSQL for the newest version row (one primary-key index probe) and re-parses the
 * matrix only when that row's id differs from the cached one. Several iotops processes may share the database, so
 * a TTL would let them apply different matrices for the TTL; the per-read probe makes a change visible to all of
 * them at once, for one tiny query per case write.
 *
 * Locking: a change of a priority input from outside the case (the matrix, an account's VIP tier) holds the
 * versions table in EXCLUSIVE mode (`lockForChange`) while it recomputes the open cases; a case write reads the
 * matrix through `current(tx)` inside its own transaction, which takes ROW SHARE on the table first, and reads the
 * VIP tier after that. So a case write either commits before the change's recompute looks at the cases, or runs
 * after the change and reads its result: no case keeps a priority from inputs no longer in force. Plain reads
 * (no tx given) do not lock. Lock order, for every writer: this table, then case rows.
 */
export function priorityMatrixStore(db: Db) {
  let cached: { id: number; matrix: PriorityMatrixConfig } | undefined;

  async function latest(on: Db): Promise<PriorityMatrixVersionRow | undefined> {
    const [row] = await on.select().from(versions).orderBy(desc(versions.id)).limit(1);
    return row;
  }

  function matrixOf(row: PriorityMatrixVersionRow | undefined): PriorityMatrixConfig {
    if (!row || row.matrix === null) return DEFAULT_PRIORITY_MATRIX;
    if (cached?.id === row.id) return cached.matrix;
    // Validated on write; parsing again guards against a hand-edited row rather than trusting a cast.
    const matrix = Schema.parse(row.matrix);
    cached = { id: row.id, matrix };
    return matrix;
  }

  return {
    /** The matrix in force. Inside a transaction (`tx`), waits for a matrix change in progress (see above). */
    async current(tx?: Db): Promise<PriorityMatrixConfig> {
      if (tx) await tx.execute(sql`lock table ${versions} in row share mode`);
      return matrixOf(await latest(tx ?? db));
    },
    /** The newest version row (undefined: never changed) and the matrix it puts in force. */
    async latest(): Promise<{ row: PriorityMatrixVersionRow | undefined; matrix: PriorityMatrixConfig }> {
      const row = await latest(db);
      return { row, matrix: matrixOf(row) };
    },
    /** Holds off case writes until `tx` ends (they wait in `current(tx)`); serialises changes. */
    async lockForChange(tx: Db): Promise<void> {
      await tx.execute(sql`lock table ${versions} in exclusive mode`);
    },
    /** Newest first. */
    history: (limit: number) => db.select().from(versions).orderBy(desc(versions.id)).limit(limit),
    /**
     * Appends a version inside `tx` after taking the EXCLUSIVE lock that serialises matrix changes and holds
     * case writes off until `tx` ends. `matrix` null resets to the default.
     */
    async append(
      tx: Db,
      values: { matrix: PriorityMatrixConfig | null; by: { userId: number | null; label: string } },
    ): Promise<{ row: PriorityMatrixVersionRow }> {
      await tx.execute(sql`lock table ${versions} in exclusive mode`);
      const [row] = await tx
        .insert(versions)
        .values({ matrix: values.matrix, updatedByUserId: values.by.userId, updatedByLabel: values.by.label })
        .returning();
      return { row: row! };
    },
  };
}
