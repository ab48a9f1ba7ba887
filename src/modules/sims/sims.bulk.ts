import type { Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { checkIccid, displayIccid } from './identifiers.ts';
import { checkTransition, type SimState } from './lifecycle.ts';
import { type AuditMeta, type PlanChange, simsBulkRepo } from './sims.bulk.repo.ts';
import { SimsErrors as E } from './sims.errors.ts';
import { filterWhere, Problems } from './sims.filters.ts';
import { actorLabel, actorOf, OPERATOR, type SimsAccess } from './sims.reach.ts';
import { type SimWhere, simsRepo } from './sims.repo.ts';
import type { BulkChangeInput } from './sims.schemas.ts';

export type BulkResult = {
  dryRun: boolean;
  matched: number;
  wouldChange: number;
  changed: number;
  unchanged: number;
  rejectedCount: number;
  rejected: { iccid: string; reason: string }[];
  rejectedByReason: RejectedGroup[];
};
export type RejectedGroup = { reason: string; count: number; examples: string[] };

const REPORT_LIMIT = 1000;
const ERROR_LIMIT = 100;
/** ICCIDs shown per refusal reason (a confirmation names a few; the full list is `rejected`). */
const EXAMPLES = 3;

/** How the selected SIMs split for one change, and how to apply it. */
type Plan = {
  change: number;
  same: number;
  rejected: number;
  rejectedSample: () => Promise<{ iccid: string; reason: string }[]>;
  rejectedGroups: () => Promise<RejectedGroup[]>;
  apply: (m: AuditMeta) => Promise<number>;
};

/**
 * A selection (a list of ICCIDs, or the list's filter) as the SIMs' where-clause within the caller's reach; a bad
 * ICCID is refused naming its index. Shared by the bulk change and other modules' many-SIM work (diagnoses).
 */
export async function selectionWhere(
  access: SimsAccess,
  p: Principal,
  sel: BulkChangeInput['selection'],
): Promise<{ where: SimWhere; iccids?: string[] }> {
  if ('iccids' in sel) {
    const pr = new Problems();
    const bodies = sel.iccids.map((raw, i) => pr.check(checkIccid(raw), E.iccidInvalid, `selection.iccids[${i}]`, raw));
    pr.details.splice(ERROR_LIMIT);
    pr.throwIfAny('Invalid ICCID list');
    const iccids = [...new Set(bodies)];
    return { where: { ...(await access.reach(p, { subtree: true })), iccids }, iccids };
  }
  const f = sel.filter;
  const states = f.state === undefined ? undefined : typeof f.state === 'string' ? [f.state] : f.state;
  const networkStates =
    f.networkState === undefined ? undefined : typeof f.networkState === 'string' ? [f.networkState] : f.networkState;
  return { where: { ...filterWhere({ ...f, states, networkStates }), ...(await access.reach(p, f)) } };
}

export function createBulkChange(db: Db, access: SimsAccess) {
  /** Per account of the selection: may it use the requested plans? (accounts with no reason are fine) */
  async function plans(where: SimWhere, pc: PlanChange) {
    const rejectReason = new Map<number, string>();
    const checked = new Set<number>();
    for (const accountId of await simsRepo(db).distinctAccounts(where)) {
      checked.add(accountId);
      const a = await access.account(OPERATOR, accountId);
      if (!a) {
        rejectReason.set(accountId, `account ${accountId} is unknown`);
        continue;
      }
      for (const field of ['communicationPlanId', 'ratePlanId'] as const) {
        const id = pc[field];
        if (typeof id !== 'number' || rejectReason.has(accountId)) continue;
        if ((await access.planName(field, id, a.path)) === undefined) {
          const kind = field === 'communicationPlanId' ? 'communication' : 'rate';
          rejectReason.set(accountId, `${kind} plan ${id} is not available to account ${a.number}`);
        }
      }
    }
    return { rejectReason, checked };
  }

  return async function bulk(p: Principal, input: BulkChangeInput): Promise<BulkResult> {
    const { where, iccids } = await selectionWhere(access, p, input.selection);
    const actor = actorOf(p);
    const change = input.change;
    const planVerdicts =
      'state' in change
        ? { rejectReason: new Map<number, string>(), checked: new Set<number>() }
        : await plans(where, change);

    return db.transaction(async (tx) => {
      const repo = simsBulkRepo(tx);
      const matched = await repo.select(where);
      if (iccids) {
        const missing = await repo.missing(iccids, ERROR_LIMIT);
        if (missing.total > 0) {
          const shown = missing.first.map(displayIccid);
          throw invalid(
            E.bulkUnknownIccids,
            `${missing.total} ICCID(s) not found: ${shown.slice(0, 5).join(', ')}${missing.total > 5 ? ', …' : ''}`,
            shown.map((v) => ({ field: 'selection.iccids', value: v, reason: 'unknown ICCID' })),
          );
        }
      }

      let plan: Plan;
      if ('state' in change) {
        const to = change.state;
        const changeFrom: string[] = [];
        const rejectReason = new Map<string, string>();
        let counts = { change: 0, same: 0, rejected: 0 };
        for (const { state, n } of await repo.countByState()) {
          if (state === to) {
            counts = { ...counts, same: counts.same + n };
            continue;
          }
          const check = checkTransition(state as SimState, to, actor);
          if (check.ok) {
            changeFrom.push(state);
            counts = { ...counts, change: counts.change + n };
          } else {
            rejectReason.set(
              state,
              check.reason === 'no_such_transition'
                ? `transition not allowed from ${state} to ${to}`
                : `only the provider may move a SIM from ${state} to ${to}`,
            );
            counts = { ...counts, rejected: counts.rejected + n };
          }
        }
        plan = {
          ...counts,
          rejectedSample: async () =>
            (await repo.sample('state', [...rejectReason.keys()], REPORT_LIMIT)).map((r) => ({
              iccid: displayIccid(r.iccid),
              reason: rejectReason.get(r.state) ?? 'rejected',
            })),
          rejectedGroups: async () =>
            byReason(await repo.groups('state', [...rejectReason.keys()], EXAMPLES), (k) => rejectReason.get(k)),
          apply: (m) => repo.applyState(changeFrom, to, { ...m, reason: change.reason ?? null }),
        };
      } else {
        const pc: PlanChange = change;
        const { rejectReason, checked } = planVerdicts;
        // Availability was checked before the transaction (PGlite has one connection: no look-ups inside).
        if ((await repo.accounts()).some((id) => !checked.has(id))) throw concurrentChange(1);
        const rejectedAccounts = [...rejectReason.keys()];
        const counts = await repo.planCounts(rejectedAccounts, pc);
        plan = {
          change: counts.change,
          same: counts.same,
          rejected: counts.rejected,
          rejectedSample: async () =>
            (await repo.sample('account', rejectedAccounts, REPORT_LIMIT)).map((r) => ({
              iccid: displayIccid(r.iccid),
              reason: rejectReason.get(r.accountId) ?? 'rejected',
            })),
          rejectedGroups: async () =>
            byReason(await repo.groups('account', rejectedAccounts, EXAMPLES), (k) => rejectReason.get(Number(k))),
          apply: (m) => repo.applyPlans(rejectedAccounts, pc, m),
        };
      }

      const rejected = plan.rejected > 0 ? await plan.rejectedSample() : [];
      const rejectedByReason = plan.rejected > 0 ? await plan.rejectedGroups() : [];
      const result: BulkResult = {
        dryRun: input.dryRun,
        matched,
        wouldChange: plan.change,
        changed: 0,
        unchanged: plan.same,
        rejectedCount: plan.rejected,
        rejected,
        rejectedByReason,
      };
      if (input.dryRun || plan.change === 0) {
        if (!input.dryRun && plan.rejected > 0 && !input.skipRejected) throw rejectedError(result);
        return result;
      }
      if (plan.rejected > 0 && !input.skipRejected) throw rejectedError(result);
      const changed = await plan.apply({ userId: p.userId || null, actor: actorLabel(p), reason: null });
      if (changed !== plan.change) {
        // Throwing rolls the whole change back: all-or-nothing, even against a concurrent writer.
        throw conflict(E.concurrentChange, `${plan.change - changed} SIM(s) changed meanwhile; nothing was changed`, [
          {
            field: 'selection',
            value: plan.change - changed,
            reason: 'changed by someone else during the bulk change',
          },
        ]);
      }
      return { ...result, changed };
    });
  };
}

/** Groups of one state / account merged by their reason text (two accounts may share a reason), largest first. */
function byReason(
  groups: { key: string; n: number; examples: string[] }[],
  reasonOf: (key: string) => string | undefined,
) {
  const out = new Map<string, RejectedGroup>();
  for (const g of groups) {
    const reason = reasonOf(g.key) ?? 'rejected';
    const cur = out.get(reason) ?? { reason, count: 0, examples: [] };
    cur.count += g.n;
    cur.examples = [...cur.examples, ...g.examples.map(displayIccid)].sort().slice(0, EXAMPLES);
    out.set(reason, cur);
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

function concurrentChange(n: number) {
  return conflict(E.concurrentChange, `${n} SIM(s) changed meanwhile; nothing was changed`, [
    { field: 'selection', value: n, reason: 'changed by someone else during the bulk change' },
  ]);
}

function rejectedError(r: BulkResult) {
  return conflict(
    E.bulkRejected,
    `${r.rejectedCount} of ${r.matched} SIM(s) cannot take this change; nothing was changed ` +
      '(dryRun: true lists them; skipRejected: true changes the others)',
    r.rejected.slice(0, ERROR_LIMIT).map((x) => ({ field: 'iccid', value: x.iccid, reason: x.reason })),
  );
}
