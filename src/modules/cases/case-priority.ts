/**
 * How a case gets its priority: the matrix in src/modules/sla/priority.ts (pure) applied to the case's severity,
 * affected-SIM count and type and to its account's VIP tier. The effective priority (cases.priority, what the
 * queue sorts by) is a manual override's priority while one exists, else the computed one.
 *
 * The matrix is the provider's (src/modules/sla/priority-matrix.store.ts, staff edit it through the SLA routes);
 * callers pass the one in force. A change of the matrix or of an account's VIP tier recomputes the open cases
 * (priority-recompute.ts).
 */
import type { Db } from '../../platform/db/client.ts';
import { VIP_TIERS } from '../accounts/accounts.schemas.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import {
  CASE_TYPES,
  type CaseType,
  computePriority,
  type Priority,
  type PriorityMatrixConfig,
  SEVERITIES,
  type Severity,
  type VipTier,
} from './priority.ts';
import type { PriorityMatrixSource } from './priority-matrix.store.ts';

export type PriorityFacts = { type: string; severity: string; affectedSimCount: number; vipTier: string };
export type PriorityOverride = {
  priority: Priority;
  reason: string;
  by: { userId: number | null; label: string };
  at: string;
};

function oneOf<T extends string>(values: readonly T[], v: string, what: string): T {
  // Rows are written through validated input only; anything else is corrupt data, not a user error.
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new Error(`unknown ${what} '${v}' on a case or its account`);
}

export function computedPriorityOf(f: PriorityFacts, matrix: PriorityMatrixConfig): Priority {
  return computePriority(
    {
      severity: oneOf<Severity>(SEVERITIES, f.severity, 'severity'),
      caseType: oneOf<CaseType>(CASE_TYPES, f.type, 'case type'),
      vipTier: oneOf<VipTier>(VIP_TIERS, f.vipTier, 'VIP tier'),
      affectedSims: f.affectedSimCount,
    },
    matrix,
  ).priority;
}

export type PriorityInputs = { matrix: PriorityMatrixConfig; vipTierOf: (accountId: number) => string };

/**
 * The matrix and the accounts' VIP tiers as a case write in transaction `tx` must use them: the matrix read takes
 * the lock a matrix or VIP tier change waits on (priority-matrix.store.ts), and the tiers are read after it, in
 * `tx`. Call it before locking any case row.
 */
export function priorityInputsReader(deps: {
  priorityMatrix: PriorityMatrixSource;
  accounts: Pick<AccountsService, 'vipTiersOf'>;
}) {
  return async (tx: Db, accountIds: readonly number[]): Promise<PriorityInputs> => {
    const matrix = await deps.priorityMatrix.current(tx);
    const tiers = await deps.accounts.vipTiersOf(accountIds, tx);
    return {
      matrix,
      vipTierOf: (id) => {
        const tier = tiers.get(id);
        if (tier === undefined) throw new Error(`account ${id} vanished while its case was written`);
        return tier;
      },
    };
  };
}

export const effectivePriority = (computed: string, override: PriorityOverride | null): string =>
  override?.priority ?? computed;
