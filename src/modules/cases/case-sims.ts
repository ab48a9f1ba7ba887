/**
 * A case's affected SIMs: either a list (ICCIDs resolved to SIM ids in case_sims) or a saved SIM filter (the same
 * filter as GET /api/v1/sims, kept on the case and evaluated live), never both. The count is stored on the case
 * when the selection is set, because it feeds the priority matrix (SIM buckets) and must not drift with later
 * imports. SIMs are read through the SIMs service, within the caller's reach like every SIM read.
 */
import type { Principal } from '../../platform/auth.ts';
import { invalid, isAppError } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { filterAsQuery, type SimFilterInput } from '../sims/sims.schemas.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { CasesErrors as E } from './cases.errors.ts';
import type { CaseReach, CaseRow } from './cases.repo.ts';

export type AffectedSelection = { iccids?: readonly string[] | undefined; filter?: SimFilterInput | null | undefined };
export type ResolvedAffected = { simIds: number[]; filter: SimFilterInput | null; count: number };
type CaseAccount = { id: number; tenantId: number; path: string };

export type CaseSimsDeps = {
  accounts: Pick<AccountsService, 'get'>;
  sims: Pick<SimsService, 'resolveIccids' | 'countMatching' | 'list'>;
  reachOf: (p: Principal) => Promise<CaseReach>;
};

export function caseSimsOps(deps: CaseSimsDeps) {
  async function listed(p: Principal, tenantId: number, iccids: readonly string[]): Promise<number[]> {
    if (iccids.length === 0) return [];
    const reach = await deps.reachOf(p);
    const { found, unknown } = await deps.sims.resolveIccids(
      { tenantId, ...(reach.accountIds ? { accountIds: reach.accountIds } : {}) },
      iccids,
    );
    if (unknown.length > 0) {
      throw invalid(
        E.simsUnknown,
        `Unknown SIMs in affectedIccids: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}`,
        unknown.map((value) => ({
          field: `affectedIccids.${iccids.indexOf(value)}`,
          value,
          reason: "no such SIM in the case account's tenant",
        })),
      );
    }
    return found.map((s) => s.id);
  }

  /** The filter pinned inside the case account's subtree: its account defaults to the case's own. */
  async function pinned(p: Principal, account: CaseAccount, f: SimFilterInput): Promise<SimFilterInput> {
    if (f.accountId === undefined || f.accountId === account.id) return { ...f, accountId: account.id };
    const outside = invalid(E.affectedFilterInvalid, 'affectedFilter.accountId is outside the case account', [
      { field: 'affectedFilter.accountId', value: f.accountId, reason: "not the case's account or below it" },
    ]);
    try {
      const a = await deps.accounts.get(p, f.accountId);
      if (!a.path.startsWith(account.path)) throw outside;
      return f;
    } catch (e) {
      if (isAppError(e) && e.kind === 'not_found') throw outside;
      throw e;
    }
  }

  return {
    async resolveAffected(p: Principal, account: CaseAccount, sel: AffectedSelection): Promise<ResolvedAffected> {
      if (sel.filter && sel.iccids && sel.iccids.length > 0) {
        throw invalid(E.affectedFilterInvalid, 'Give affectedIccids or affectedFilter, not both', [
          { field: 'affectedFilter', reason: 'a case has a SIM list or a saved filter, not both' },
        ]);
      }
      if (sel.filter) {
        const filter = await pinned(p, account, sel.filter);
        const count = await deps.sims.countMatching(p, filterAsQuery(filter, { limit: 1 }));
        return { simIds: [], filter, count };
      }
      const simIds = await listed(p, account.tenantId, sel.iccids ?? []);
      return { simIds, filter: null, count: simIds.length };
    },

    /** The affected SIMs, paged by ICCID: the list's SIMs, or what the saved filter selects now. */
    async listAffected(
      p: Principal,
      c: CaseRow,
      simIdsOf: (caseId: number) => Promise<number[]>,
      page: { limit: number; cursor?: string | undefined },
    ) {
      const filter = (c.affectedFilter ?? null) as SimFilterInput | null;
      if (filter)
        return { selection: 'filter' as const, filter, ...(await deps.sims.list(p, filterAsQuery(filter, page))) };
      const simIds = await simIdsOf(c.id);
      if (simIds.length === 0) return { selection: 'none' as const, filter: null, items: [], nextCursor: null };
      const q = { subtree: true, sort: 'iccid' as const, order: 'asc' as const, ...page };
      return { selection: 'list' as const, filter: null, ...(await deps.sims.list(p, q, { simIds })) };
    },
  };
}
