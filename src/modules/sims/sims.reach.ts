/**
 * Who may see which SIMs, and the account/plan look-ups the SIM use cases share. SIM rows carry tenant and
 * account but not the account path (the import writes them a million at a time), so a subtree is resolved
 * here through the accounts service into a set of account ids.
 */

import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import { invalid, isAppError } from '../../platform/errors.ts';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import type { Actor } from './lifecycle.ts';
import { SimsErrors as E } from './sims.errors.ts';
import type { SimReach } from './sims.repo.ts';
import type { ColleaguesOf } from './sims.viewer.ts';

export type SimsDeps = {
  accounts: Pick<AccountsService, 'getInScope' | 'subtreeIds'>;
  catalog: Pick<CatalogService, 'availableCommunicationPlan' | 'availableRatePlan'>;
  /**
   * The SIMs' current network state (ATTACHED | ONLINE | OFFLINE | BLOCKED), owned by network ingest: read per
   * page when a SIM is shown, so ingest never writes the wide `sims` row on its hot path. Absent: no state shown.
   */
  networkStates?: (simIds: number[]) => Promise<Map<number, string>>;
  /** Which actors of a change a customer may see named (users.colleaguesAmong). Absent: only themselves. */
  colleaguesOf?: ColleaguesOf;
};

export const OPERATOR: TenantScope = { kind: 'operator' };
export const actorOf = (p: Principal): Actor => (isStaff(p) ? 'operator' : 'customer');
/** What the audit trail records as "who". */
export const actorLabel = (p: Principal) => p.email;

export type PlanField = 'communicationPlanId' | 'ratePlanId';

export function simsAccess(deps: SimsDeps) {
  /** The account if the scope sees it, else undefined (another tenant's account looks missing). */
  async function account(scope: TenantScope, id: number): Promise<AccountRow | undefined> {
    try {
      return await deps.accounts.getInScope(scope, id);
    } catch (e) {
      if (isAppError(e) && e.kind === 'not_found') return undefined;
      throw e;
    }
  }

  /** The plan's name if the account (by path) may use it; undefined when unknown or not offered to it. */
  async function planName(field: PlanField, id: number, accountPath: string): Promise<string | undefined> {
    const plan =
      field === 'communicationPlanId'
        ? await deps.catalog.availableCommunicationPlan(id, accountPath)
        : await deps.catalog.availableRatePlan(id, accountPath);
    return plan?.name;
  }

  return {
    account,
    networkStates: (ids: number[]) =>
      deps.networkStates && ids.length > 0 ? deps.networkStates(ids) : Promise.resolve(new Map<number, string>()),

    /** Unknown (or invisible) account in a request → 400 naming the field. */
    async requireAccount(scope: TenantScope, id: number, field = 'accountId'): Promise<AccountRow> {
      const a = await account(scope, id);
      if (!a)
        throw invalid(E.accountUnknown, `Unknown account ${id}`, [{ field, value: id, reason: 'unknown account' }]);
      return a;
    },

    /** The SIMs a principal reaches, narrowed to an account (and by default its subtree) when given. */
    async reach(p: Principal, f: { accountId?: number | undefined; subtree: boolean }): Promise<SimReach> {
      const scope = scopeOf(p);
      if (f.accountId !== undefined) {
        const a = await account(scope, f.accountId);
        if (!a) {
          throw invalid(E.accountUnknown, `Unknown account ${f.accountId}`, [
            { field: 'accountId', value: f.accountId, reason: 'unknown account' },
          ]);
        }
        if (!f.subtree) return { tenantId: a.tenantId, accountIds: [a.id] };
        // A whole tenant needs no account list: the tenant column says it all.
        if (a.parentId === null) return { tenantId: a.tenantId };
        return { tenantId: a.tenantId, accountIds: await deps.accounts.subtreeIds(scope, a.path) };
      }
      if (scope.kind === 'operator') return {};
      if (scope.accountPath === `/${scope.tenantId}/`) return { tenantId: scope.tenantId };
      return { tenantId: scope.tenantId, accountIds: await deps.accounts.subtreeIds(scope, scope.accountPath) };
    },

    planName,

    async requirePlan(field: PlanField, id: number, a: AccountRow): Promise<void> {
      const name = await planName(field, id, a.path);
      if (name === undefined) {
        const kind = field === 'communicationPlanId' ? 'Communication' : 'Rate';
        throw invalid(E.planUnavailable, `${kind} plan ${id} is not available to account ${a.number}`, [
          { field, value: id, reason: `unknown, or not available to account ${a.number}` },
        ]);
      }
    },
  };
}

export type SimsAccess = ReturnType<typeof simsAccess>;
