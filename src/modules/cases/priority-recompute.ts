import type { Db } from '../../platform/db/client.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { computedPriorityOf, effectivePriority, type PriorityOverride } from './case-priority.ts';
import type { PriorityMatrixConfig } from './priority.ts';
import type { PriorityMatrixSource } from './priority-matrix.store.ts';
import { priorityRecomputeRepo, type RecomputeScope } from './priority-recompute.repo.ts';

/**
 * Recomputes the open cases' priority after something that feeds the matrix changed outside the case: the matrix
 * itself (every open case) or an account's VIP tier (that account's open cases). Closed, cancelled and resolved
 * cases keep the priority they were handled under; history is not rewritten.
 *
 * Each case whose computed priority changes gets an internal system entry saying why; its effective priority
 * follows unless an override is in force (the override stays, only computed_priority moves).
 *
 * Runs inside the caller's transaction (the matrix change, the account update), so the cause and its effect on
 * the cases commit together. Set-based: the open ids are listed once, then each batch of RECOMPUTE_BATCH cases costs
 * four statements (lock+read, the accounts' VIP tiers, one UPDATE, one multi-row INSERT), whatever it changes. There is no cap on the
 * number of cases: memory is bounded by the batch (plus the id list), time grows with the open cases — a matrix
 * change is a rare admin action, and capping would leave some open cases on a matrix no longer in force.
 */
export const RECOMPUTE_BATCH = 500;

export type RecomputeCause =
  | { kind: 'priority_matrix_changed'; matrixVersion: number }
  | { kind: 'vip_tier_changed'; accountId: number; before: string; after: string };

export type RecomputeRequest = {
  matrix: PriorityMatrixConfig;
  /** Only this account's cases (a VIP tier change); absent = every open case. */
  account?: { tenantId: number; id: number };
  /** VIP tiers of the given accounts, read in the same transaction. */
  vipTiersOf: (accountIds: number[]) => Promise<Map<number, string>>;
  by: { userId: number | null; label: string };
  cause: RecomputeCause;
};

export type RecomputeResult = { examined: number; changed: number };

function why(cause: RecomputeCause, by: string): string {
  return cause.kind === 'priority_matrix_changed'
    ? `priority matrix changed by ${by}`
    : `VIP tier ${cause.before} → ${cause.after} (changed by ${by})`;
}

export async function recomputeOpenCases(tx: Db, req: RecomputeRequest): Promise<RecomputeResult> {
  const repo = priorityRecomputeRepo(tx);
  const scope: RecomputeScope = req.account ? { tenantId: req.account.tenantId, accountId: req.account.id } : {};
  const ids = await repo.openCaseIds(scope);
  let changed = 0;
  for (let i = 0; i < ids.length; i += RECOMPUTE_BATCH) {
    const rows = await repo.lockOpen(ids.slice(i, i + RECOMPUTE_BATCH));
    const tiers = await req.vipTiersOf([...new Set(rows.map((r) => r.accountId))]);
    const updates = [];
    const events = [];
    for (const c of rows) {
      const vipTier = tiers.get(c.accountId);
      if (vipTier === undefined) throw new Error(`case ${c.id}: account ${c.accountId} has no VIP tier`);
      const computedPriority = computedPriorityOf({ ...c, vipTier }, req.matrix);
      if (computedPriority === c.computedPriority) continue;
      const override = (c.priorityOverride ?? null) as PriorityOverride | null;
      const priority = effectivePriority(computedPriority, override);
      updates.push({ id: c.id, computedPriority, priority });
      const reason = why(req.cause, req.by.label);
      events.push({
        caseId: c.id,
        tenantId: c.tenantId,
        kind: 'system',
        visibility: 'internal',
        authorUserId: req.by.userId,
        authorLabel: req.by.label,
        authorSide: 'staff' as const,
        body: override
          ? `Computed priority recomputed ${c.computedPriority} → ${computedPriority} (override ${override.priority} stays in force): ${reason}`
          : `Priority recomputed ${c.priority} → ${priority}: ${reason}`,
        data: {
          action: 'priority_recomputed',
          cause: req.cause,
          before: { priority: c.priority, computedPriority: c.computedPriority },
          after: { priority, computedPriority },
          overridden: override !== null,
        },
      });
    }
    await repo.setPriorities(updates);
    await repo.insertEvents(events);
    changed += updates.length;
  }
  return { examined: ids.length, changed };
}

/**
 * The cases service's entry point: `recompute(tx, req)` inside the caller's transaction, with the matrix in force
 * in `tx` unless the caller gives the new one. It first takes the lock a matrix change takes, so a VIP tier change
 * holds case writes off the same way (a no-op when a matrix change already holds it).
 */
export function priorityRecomputer(deps: {
  priorityMatrix: PriorityMatrixSource;
  accounts: Pick<AccountsService, 'vipTiersOf'>;
}) {
  return async (
    tx: Db,
    req: Omit<RecomputeRequest, 'matrix' | 'vipTiersOf'> & { matrix?: PriorityMatrixConfig },
  ): Promise<RecomputeResult> => {
    await deps.priorityMatrix.lockForChange(tx);
    const matrix = req.matrix ?? (await deps.priorityMatrix.current(tx));
    return recomputeOpenCases(tx, { ...req, matrix, vipTiersOf: (ids) => deps.accounts.vipTiersOf(ids, tx) });
  };
}
