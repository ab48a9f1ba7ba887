import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, invalid, isAppError } from '../../platform/errors.ts';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.ts';
import { computedPriorityOf, type PriorityInputs } from './case-priority.ts';
import { insertNumbered } from './case-writes.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseEventRow, type CaseRow, casesRepo } from './cases.repo.ts';
import { type CaseState, checkCaseTransition, FINAL_STATES, OPEN_STATES } from './state-machine.ts';

/**
 * Major cases: one parent, one child case per affected account. The parent is the provider's working case;
 * customers only ever see their own child, which mirrors the parent's public entries and state.
 */
type Repo = ReturnType<typeof casesRepo>;
type Who = { authorUserId: number | null; authorLabel: string; authorSide: 'customer' | 'staff' };

/** Parent states a child follows; pending_customer is about the parent's own contact, not the children's. */
const SYNCED_STATES: readonly CaseState[] = ['open', 'pending_provider', 'resolved'];

/** Copies a public parent entry to every open child (internal entries stay on the parent). */
export async function syncEntryToChildren(r: Repo, parent: CaseRow, e: CaseEventRow): Promise<void> {
  if (!parent.isMajor || e.visibility !== 'public') return;
  for (const child of await r.lockOpenChildren(parent.id)) {
    await r.insertEvent({
      caseId: child.id,
      tenantId: child.tenantId,
      at: e.at,
      kind: e.kind,
      visibility: 'public',
      authorUserId: e.authorUserId,
      authorLabel: e.authorLabel,
      authorSide: e.authorSide,
      body: e.body,
      data: { ...(e.data ?? {}), copiedFrom: { case: parent.number, eventId: e.id } },
    });
    await r.touch(child.id);
  }
}

/**
 * Applies a parent's state change to its open children, with the parent's note (same visibility).
 * A child still `new` goes straight to the parent's state: it was never worked on its own.
 */
export async function syncStateToChildren(
  r: Repo,
  parent: CaseRow,
  to: CaseState,
  note: { body: string; visibility: string } | undefined,
  who: Who,
  now: Date,
): Promise<void> {
  if (!parent.isMajor || !SYNCED_STATES.includes(to)) return;
  for (const child of await r.lockOpenChildren(parent.id)) {
    const from = child.state as CaseState;
    const ok = checkCaseTransition(from, to).ok || (from === 'new' && checkCaseTransition('open', to).ok);
    if (!ok || from === to) continue;
    await r.update(child.id, {
      state: to,
      ...(to === 'resolved' ? { resolvedAt: now } : {}),
    });
    await r.insertEvent({
      caseId: child.id,
      tenantId: child.tenantId,
      at: now,
      kind: 'system',
      visibility: 'public',
      ...who,
      body: `State changed from ${from} to ${to}`,
      data: { action: 'state_changed', before: { state: from }, after: { state: to }, syncedFrom: parent.number },
    });
    if (note) {
      await r.insertEvent({
        caseId: child.id,
        tenantId: child.tenantId,
        at: now,
        kind: 'note',
        visibility: note.visibility,
        ...who,
        body: note.body,
        data: { transition: { from, to }, copiedFrom: { case: parent.number } },
      });
    }
  }
}

type Helpers = {
  db: Db;
  accounts: AccountsService;
  priorityInputs: (tx: Db, accountIds: readonly number[]) => Promise<PriorityInputs>;
  load: (p: Principal, number: string) => Promise<CaseRow>;
  author: (p: Principal) => Who;
  clock: () => Date;
};

export function majorCaseOps(h: Helpers) {
  async function staffParent(p: Principal, number: string): Promise<CaseRow> {
    // Load first: a customer gets the same 404 for a case it cannot see as for a missing one.
    const parent = await h.load(p, number);
    if (!isStaff(p)) {
      throw forbidden(E.majorForbidden, 'Only the provider manages major cases', [
        { field: 'number', value: number, reason: 'staff only' },
      ]);
    }
    return parent;
  }

  /** Every account by id (staff reach every tenant); 400 names each unknown one. */
  async function accountsOf(p: Principal, ids: readonly number[]): Promise<AccountRow[]> {
    const found: AccountRow[] = [];
    const unknown: { i: number; id: number }[] = [];
    for (const [i, id] of ids.entries()) {
      try {
        found.push(await h.accounts.getInScope(scopeOf(p), id));
      } catch (e) {
        if (!isAppError(e) || e.kind !== 'not_found') throw e;
        unknown.push({ i, id });
      }
    }
    if (unknown.length > 0) {
      throw invalid(
        E.accountsUnknown,
        `Unknown accounts in accountIds: ${unknown.map((u) => u.id).join(', ')}`,
        unknown.map((u) => ({ field: `accountIds.${u.i}`, value: u.id, reason: 'no such account' })),
      );
    }
    return found;
  }

  const refuseParent = (parent: CaseRow) => {
    if (FINAL_STATES.includes(parent.state as CaseState)) {
      throw conflict(E.parentClosed, `Case ${parent.number} is ${parent.state}; it takes no child cases`, [
        { field: 'number', value: parent.number, reason: `the case is ${parent.state}` },
      ]);
    }
    if (parent.parentCaseId !== null) {
      throw conflict(E.parentIsChild, `Case ${parent.number} is itself a child case`, [
        { field: 'number', value: parent.number, reason: 'major cases do not nest' },
      ]);
    }
  };

  return {
    /**
     * Opens one child case per account not yet covered (repeating an account is a no-op) and marks the
     * parent major. Answers all of the parent's children.
     */
    async createChildren(p: Principal, number: string, accountIds: readonly number[]): Promise<CaseRow[]> {
      const parent = await staffParent(p, number);
      refuseParent(parent);
      const accounts = await accountsOf(p, [...new Set(accountIds)]);
      const now = h.clock();
      return h.db.transaction(async (tx) => {
        const r = casesRepo(tx);
        const { matrix, vipTierOf } = await h.priorityInputs(
          tx,
          accounts.map((a) => a.id),
        );
        const locked = (await r.lockById(parent.id)) ?? parent;
        refuseParent(locked);
        const covered = new Set((await r.children(locked.id)).map((c) => c.accountId));
        // Children start where the parent is, so its next state change applies to them directly.
        const state = OPEN_STATES.includes(locked.state as CaseState) ? locked.state : 'open';
        const opened: CaseRow[] = [];
        for (const a of accounts.filter((x) => !covered.has(x.id))) {
          const priority = computedPriorityOf({ ...locked, affectedSimCount: 0, vipTier: vipTierOf(a.id) }, matrix);
          const child = await insertNumbered(r, now, {
            tenantId: a.tenantId,
            accountId: a.id,
            type: locked.type,
            channel: locked.channel,
            subject: locked.subject,
            description: locked.description,
            severity: locked.severity,
            priority,
            computedPriority: priority,
            state,
            queue: locked.queue,
            parentCaseId: locked.id,
            createdBy: p.userId > 0 ? p.userId : null,
          });
          await r.insertEvent({
            caseId: child.id,
            tenantId: child.tenantId,
            at: now,
            kind: 'system',
            visibility: 'public',
            ...h.author(p),
            body: 'Case created',
            data: { action: 'created', state, channel: child.channel, priority, parentCase: locked.number },
          });
          opened.push(child);
        }
        if (opened.length > 0) {
          await r.update(locked.id, { isMajor: true });
          await r.insertEvent({
            caseId: locked.id,
            tenantId: locked.tenantId,
            at: now,
            kind: 'system',
            visibility: 'internal',
            ...h.author(p),
            body: `Child cases opened: ${opened.map((c) => c.number).join(', ')}`,
            data: { action: 'children_opened', children: opened.map((c) => c.number) },
          });
        }
        return r.children(locked.id);
      });
    },

    async children(p: Principal, number: string): Promise<CaseRow[]> {
      const parent = await staffParent(p, number);
      return casesRepo(h.db).children(parent.id);
    },
  };
}
