import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { forbidden } from '../../platform/errors.ts';
import { CasesErrors as E } from './cases.errors.ts';
import type { CasesService } from './cases.service.ts';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrixConfig, parsePriorityMatrix } from './priority.ts';
import type { PriorityMatrixStore, PriorityMatrixVersionRow } from './priority-matrix.store.ts';

export type PriorityMatrixService = ReturnType<typeof createPriorityMatrixService>;
export type PriorityMatrixDeps = {
  store: PriorityMatrixStore;
  cases: Pick<CasesService, 'recomputePriorities'>;
};
export type PriorityMatrixState = { row: PriorityMatrixVersionRow | undefined; matrix: PriorityMatrixConfig };

const staffOnly = (p: Principal) => {
  if (!isStaff(p))
    throw forbidden(E.priorityMatrixStaffOnly, 'The priority matrix is provider configuration (staff only)');
};

/**
 * Reading and changing the provider's priority matrix. A change (or a reset to the default) appends a version
 * (who, when, what) and, in the same transaction, recomputes every open case's priority under the new matrix,
 * so cases never sit on a matrix that is no longer in force. Route scopes: read for GET, admin for changes.
 */
export function createPriorityMatrixService(ctx: Pick<Ctx, 'database'>, deps: PriorityMatrixDeps) {
  const db = ctx.database.db;

  async function change(p: Principal, matrix: PriorityMatrixConfig | null) {
    staffOnly(p);
    const by = { userId: p.userId > 0 ? p.userId : null, label: p.email };
    return db.transaction(async (tx) => {
      const { row } = await deps.store.append(tx, { matrix, by });
      const inForce = matrix ?? DEFAULT_PRIORITY_MATRIX;
      const recomputed = await deps.cases.recomputePriorities(tx, {
        matrix: inForce,
        by,
        cause: { kind: 'priority_matrix_changed', matrixVersion: row.id },
      });
      return { row, matrix: inForce, recomputed };
    });
  }

  return {
    async get(p: Principal): Promise<PriorityMatrixState> {
      staffOnly(p);
      return deps.store.latest();
    },
    /** Replaces the whole matrix; 400 names each bad cell. */
    async put(p: Principal, input: unknown) {
      staffOnly(p);
      return change(p, parsePriorityMatrix(input));
    },
    /** The built-in default, so "reset to default" can be previewed before it is done. */
    defaultMatrix(p: Principal): PriorityMatrixConfig {
      staffOnly(p);
      return DEFAULT_PRIORITY_MATRIX;
    },
    /** Back to the built-in default (recorded as a version, like any change). */
    async reset(p: Principal) {
      return change(p, null);
    },
    async history(p: Principal, limit: number): Promise<PriorityMatrixVersionRow[]> {
      staffOnly(p);
      return deps.store.history(limit);
    },
  };
}
