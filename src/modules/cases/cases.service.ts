import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { SimsService } from '../sims/sims.service.ts';
import type { UsersService } from '../users/users.service.ts';
import { caseAutomationOps, SYSTEM_AUTHOR, type VerificationCheck } from './case-automation.ts';
import { keepOpenOps } from './case-keep-open.ts';
import { caseMailOps } from './case-mail.ts';
import { caseMessageViews } from './case-messages.ts';
import { computedPriorityOf, effectivePriority, type PriorityOverride, priorityInputsReader } from './case-priority.ts';
import { caseQueueRepo } from './case-queue.repo.ts';
import { createCaseQueue } from './case-queue.ts';
import { caseSimsOps } from './case-sims.ts';
import { caseUpdates, refuseStaffOnlyFields, refuseStaffOnlyFilters, requireAssignee } from './case-updates.ts';
import { type CaseRecord, caseRecords } from './case-views.ts';
import { authorOf, insertNumbered, type Landed, landEntry } from './case-writes.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseEventRow, type CaseReach, type CaseRow, casesRepo } from './cases.repo.ts';
import type {
  CreateCaseInput,
  CreateEventInput,
  KeepOpenInput,
  ListCasesQueryInput,
  OverridePriorityInput,
  TransitionInput,
  UpdateCaseInput,
} from './cases.schemas.ts';
import { majorCaseOps, syncEntryToChildren, syncStateToChildren } from './major-cases.ts';
import type { PriorityMatrixSource } from './priority-matrix.store.ts';
import { priorityRecomputer } from './priority-recompute.ts';
import { replyOutcome } from './reply-policy.ts';
import { type CaseState, checkCaseTransition, customerMayMove, isCaseState } from './state-machine.ts';

export type CasesService = ReturnType<typeof createCasesService>;
export type { CaseEventRow, CaseRecord, CaseRow };
export type CasesDeps = {
  accounts: AccountsService;
  sims: Pick<SimsService, 'resolveIccids' | 'countMatching' | 'list' | 'idsByIdentifier'>;
  /** Who a case may be assigned to (enabled staff), and their names for the timeline. */
  users: Pick<UsersService, 'staffMember' | 'byId'>;
  /** The priority matrix in force; read with the write's transaction before any case row is locked. */
  priorityMatrix: PriorityMatrixSource;
  /** The clock; tests inject one to land replies after the reopen window without waiting. */
  now?: () => Date;
  /** Checks a resolved case must pass before its verification period closes it (case-automation.ts). */
  verificationChecks?: readonly VerificationCheck[];
  /** CASE_QUEUE_CACHE_MS: how long an API queue page is reused (0 = never). */
  queueCacheMs?: number;
};

/** Notified by the triggers of migration 0022 on every change of cases and case_sims. */
const CASES_CHANGED_CHANNEL = 'iotops_cases_changed';

const overrideOf = (c: CaseRow) => (c.priorityOverride ?? null) as PriorityOverride | null;

export function createCasesService(ctx: Pick<Ctx, 'database'>, deps: CasesDeps) {
  const db: Db = ctx.database.db;
  const repo = casesRepo(db);
  const clock = deps.now ?? (() => new Date());
  const priorityInputs = priorityInputsReader(deps);

  /** Staff reach every case; a customer its tenant, and below its root only its own subtree's accounts. */
  async function reachOf(p: Principal): Promise<CaseReach> {
    const scope = scopeOf(p);
    if (scope.kind === 'operator') return {};
    if (scope.accountPath === `/${scope.tenantId}/`)
      return { tenantId: scope.tenantId, hideMajor: true, customer: true };
    const accountIds = await deps.accounts.subtreeIds(scope, scope.accountPath);
    return { tenantId: scope.tenantId, accountIds, hideMajor: true, customer: true };
  }

  const queue = createCaseQueue({
    repo: caseQueueRepo(db),
    reachOf,
    simIdsByIdentifier: deps.sims.idsByIdentifier,
    requireAccount: (p, accountId) => deps.accounts.get(p, accountId),
    clock,
    cacheMs: deps.queueCacheMs ?? 0,
  });

  async function load(p: Principal, number: string): Promise<CaseRow> {
    const c = await repo.byNumber(await reachOf(p), number);
    // Another tenant's case answers exactly like a missing one.
    if (!c)
      throw notFound(E.notFound, `Case ${number} not found`, [{ field: 'number', value: number, reason: 'not found' }]);
    return c;
  }

  const affected = caseSimsOps({ accounts: deps.accounts, sims: deps.sims, reachOf });
  const records = caseRecords(deps.accounts);
  const updates = caseUpdates({ db, accounts: deps.accounts, users: deps.users, affected, priorityInputs, load });
  const major = majorCaseOps({ db, accounts: deps.accounts, priorityInputs, load, author: authorOf, clock });
  const keepOpen = keepOpenOps({ db, load, author: authorOf });

  async function changeOverride(p: Principal, number: string, input: OverridePriorityInput | null): Promise<CaseRow> {
    // Load first: another tenant's customer gets the same 404 as for a missing case, before any 403.
    const c = await load(p, number);
    if (!isStaff(p)) {
      throw forbidden(E.priorityForbidden, 'Only the provider overrides a priority', [
        { field: input ? 'priority' : 'number', value: input?.priority ?? number, reason: 'staff only' },
      ]);
    }
    return db.transaction(async (tx) => {
      const r = casesRepo(tx);
      const before = (await r.lockById(c.id)) ?? c;
      const old = overrideOf(before);
      if (!input && !old) return before;
      const override: PriorityOverride | null = input && {
        priority: input.priority,
        reason: input.reason,
        by: { userId: p.userId > 0 ? p.userId : null, label: p.email },
        at: new Date().toISOString(),
      };
      const priority = effectivePriority(before.computedPriority, override);
      const after = await r.update(c.id, { priority, priorityOverride: override });
      await r.insertEvent({
        caseId: c.id,
        tenantId: c.tenantId,
        kind: 'system',
        visibility: 'internal',
        ...authorOf(p),
        body: override
          ? `Priority overridden ${before.priority} → ${priority}: ${override.reason}`
          : `Priority override removed ${before.priority} → ${priority} (computed)`,
        data: {
          action: override ? 'priority_overridden' : 'priority_override_removed',
          before: { priority: before.priority, override: old },
          after: { priority, override },
          computedPriority: before.computedPriority,
        },
      });
      return after;
    });
  }

  /**
   * Posts a timeline entry and answers where it landed: a customer's public reply reopens a resolved case
   * within the reopen window, and after it (or on a closed case) opens a linked follow-up case instead.
   */
  async function postEvent(p: Principal, number: string, input: CreateEventInput): Promise<Landed> {
    const visibility = input.visibility ?? (input.kind === 'note' ? 'internal' : 'public');
    if (!isStaff(p) && (input.kind !== 'portal_message' || visibility !== 'public')) {
      const field = input.kind !== 'portal_message' ? 'kind' : 'visibility';
      throw forbidden(E.eventForbidden, 'Customers may only post public portal messages', [
        {
          field,
          value: field === 'kind' ? input.kind : visibility,
          reason: 'customers post public portal messages only',
        },
      ]);
    }
    const c = await load(p, number);
    const now = clock();
    const facts = { kind: input.kind, visibility, byCustomer: !isStaff(p) };
    // Only a customer reply on a resolved or closed case may need a follow-up; its priority needs the account.
    const mayFollowUp = replyOutcome({ ...facts, state: 'closed', resolvedAt: null }, now) === 'follow_up';
    const entry = {
      kind: input.kind,
      visibility,
      ...authorOf(p),
      body: input.body,
      data: input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : null,
    };
    return db.transaction(async (tx) => {
      const r = casesRepo(tx);
      let priority = c.priority;
      if (mayFollowUp) {
        const { matrix, vipTierOf } = await priorityInputs(tx, [c.accountId]);
        const facts = { type: c.type, severity: c.severity, affectedSimCount: 0, vipTier: vipTierOf(c.accountId) };
        priority = computedPriorityOf(facts, matrix);
      }
      // Decide under the row lock, so a reply racing a state change acts on the state it will change.
      const locked = (await r.lockById(c.id)) ?? c;
      const outcome = replyOutcome({ ...facts, state: locked.state, resolvedAt: locked.resolvedAt }, now);
      // Only portal messages come through here; mail ingest will land email_in with channel email.
      const landed = await landEntry(r, locked, outcome, entry, now, { priority, channel: 'portal' });
      await syncEntryToChildren(r, landed.case, landed.event);
      return landed;
    });
  }

  return {
    /** The case row within the caller's reach (404 otherwise): what other use cases and modules build on. */
    get: load,
    /** The case as shown (its customer's name, the caller's allowed transitions). */
    show: async (p: Principal, number: string): Promise<CaseRecord> => records.one(p, await load(p, number)),
    /** For other modules' messages about cases (webhooks): case-messages.ts. */
    messageViews: caseMessageViews(repo, records),
    /** Opens one child case per account; answers all of the parent's children. */
    createChildren: async (p: Principal, number: string, accountIds: readonly number[]) =>
      records.many(p, await major.createChildren(p, number, accountIds)),
    children: async (p: Principal, number: string) => records.many(p, await major.children(p, number)),
    /** For job handlers (SLA bookkeeping, verification period): by id, no principal. */
    automation: caseAutomationOps({ db, verificationChecks: deps.verificationChecks ?? [] }),
    /** For the mail desk: land an inbound mail on its case or open one (case-mail.ts), in the mail's transaction. */
    mail: caseMailOps({ db, priorityInputs }),

    /** `within` writes more in the creating transaction (the case's contacts, case-parties.ts). */
    async create(
      p: Principal,
      input: CreateCaseInput,
      opts: { within?: ((tx: Db, c: CaseRow) => Promise<void>) | undefined } = {},
    ): Promise<CaseRecord> {
      refuseStaffOnlyFields(p, input);
      await requireAssignee(deps.users, input.assigneeUserId);
      const account = await deps.accounts.get(p, input.accountId);
      const sims = await affected.resolveAffected(p, account, {
        iccids: input.affectedIccids,
        filter: input.affectedFilter,
      });
      const channel = isStaff(p) ? input.channel : 'portal';
      const now = clock();
      const created = await db.transaction(async (tx) => {
        const r = casesRepo(tx);
        const { matrix, vipTierOf } = await priorityInputs(tx, [account.id]);
        const facts = { ...input, affectedSimCount: sims.count, vipTier: vipTierOf(account.id) };
        const computed = computedPriorityOf(facts, matrix);
        const c = await insertNumbered(r, now, {
          tenantId: account.tenantId,
          accountId: account.id,
          type: input.type,
          channel,
          subject: input.subject,
          description: input.description,
          severity: input.severity,
          priority: computed,
          computedPriority: computed,
          queue: input.queue ?? null,
          assigneeUserId: input.assigneeUserId ?? null,
          tags: input.tags,
          affectedSimCount: sims.count,
          affectedFilter: sims.filter,
          createdBy: p.userId > 0 ? p.userId : null,
        });
        await r.insertSims(sims.simIds.map((simId) => ({ caseId: c.id, simId, tenantId: c.tenantId })));
        if (sims.count > 0) await r.announceSimsSet(c.id);
        await r.insertEvent({
          caseId: c.id,
          tenantId: c.tenantId,
          at: now,
          kind: 'system',
          visibility: 'public',
          ...authorOf(p),
          body: 'Case created',
          data: { action: 'created', state: c.state, channel, priority: c.priority, affectedSimCount: sims.count },
        });
        await opts.within?.(tx, c);
        return c;
      });
      return records.one(p, created);
    },

    /** Staff change what feeds the priority matrix (the priority follows), the assignee or the queue. */
    update: async (p: Principal, number: string, input: UpdateCaseInput): Promise<CaseRecord> =>
      records.one(p, await updates.update(p, number, input)),

    /** Pins the priority against the matrix until removed; `priority` then stays this whatever gets recomputed. */
    async overridePriority(p: Principal, number: string, input: OverridePriorityInput): Promise<CaseRecord> {
      return records.one(p, await changeOverride(p, number, input));
    },

    /** Back to the computed priority. Without an override this changes nothing and writes no timeline entry. */
    async clearPriorityOverride(p: Principal, number: string): Promise<CaseRecord> {
      return records.one(p, await changeOverride(p, number, null));
    },

    /** The case's affected SIMs (its list, or what its saved filter selects now), within the caller's reach. */
    async affectedSims(p: Principal, number: string, page: { limit: number; cursor?: string | undefined }) {
      const c = await load(p, number);
      const listed = await affected.listAffected(p, c, (id) => repo.simIdsOf(id), page);
      return { ...listed, affectedSimCount: c.affectedSimCount };
    },

    /** The queue as rows (the CLI's table). */
    async list(p: Principal, q: ListCasesQueryInput) {
      refuseStaffOnlyFilters(p, q);
      return queue.rows(p, q);
    },

    /** The queue as the API answers it: a CasePage's JSON text, built without mapping rows in Node (the hot path). */
    listJson: (p: Principal, q: ListCasesQueryInput) => {
      refuseStaffOnlyFilters(p, q);
      return queue.json(p, q);
    },
    /**
     * Keeps this process's queue page cache (CASE_QUEUE_CACHE_MS) in step with every case change, from any process;
     * the HTTP role calls it once and closes it at shutdown. Until it hears, no page is kept.
     */
    async watchQueue(): Promise<{ close(): Promise<void> }> {
      if (!deps.queueCacheMs) return { close: async () => undefined };
      const l = await ctx.database.listen(CASES_CHANGED_CHANNEL, { notify: queue.changed, state: queue.listening });
      queue.hearWith(l);
      return {
        close: async () => {
          queue.hearWith(null);
          await l.close();
        },
      };
    },

    async transition(p: Principal, number: string, input: TransitionInput): Promise<CaseRecord> {
      const c = await load(p, number);
      const from = c.state;
      if (!isCaseState(from)) throw new Error(`case ${c.number} has unknown state ${from}`);
      const to: CaseState = input.to;
      const check = checkCaseTransition(from, to);
      if (!check.ok) {
        throw conflict(E.transitionNotAllowed, `Case ${number} cannot go from ${from} to ${to}`, [
          { field: 'to', value: to, reason: `from ${from} only ${check.allowed.join(', ') || 'nothing'} is allowed` },
        ]);
      }
      // A customer may withdraw its case or reopen a resolved one; everything else is the provider's call.
      if (!isStaff(p) && !customerMayMove(from, to)) {
        throw forbidden(E.transitionForbidden, `Only the provider moves a case to ${to}`, [
          { field: 'to', value: to, reason: 'staff only' },
        ]);
      }
      const now = clock();
      const moved = await db.transaction(async (tx) => {
        const r = casesRepo(tx);
        const row = await r.setState(c.id, from, {
          state: to,
          ...(to === 'resolved' ? { resolvedAt: now } : {}),
          ...(to === 'closed' || to === 'cancelled' ? { closedAt: now } : {}),
          ...(to === 'open' && from === 'resolved' ? { resolvedAt: null } : {}),
        });
        if (!row) return undefined;
        await r.insertEvent({
          caseId: c.id,
          tenantId: c.tenantId,
          at: now,
          kind: 'system',
          visibility: 'public',
          ...authorOf(p),
          body: `State changed from ${from} to ${to}`,
          data: { action: 'state_changed', before: { state: from }, after: { state: to } },
        });
        const visibility = isStaff(p) ? (input.noteVisibility ?? 'internal') : 'public';
        const note = input.note === undefined ? undefined : { body: input.note, visibility };
        if (note) {
          await r.insertEvent({
            caseId: c.id,
            tenantId: c.tenantId,
            at: now,
            kind: isStaff(p) ? 'note' : 'portal_message',
            visibility: note.visibility,
            ...authorOf(p),
            body: input.note,
            data: { transition: { from, to } },
          });
        }
        await syncStateToChildren(r, row, to, note, authorOf(p), now);
        return row;
      });
      if (!moved) {
        throw conflict(E.stateChanged, `Case ${number} changed state meanwhile; reload and retry`, [
          { field: 'to', value: to, reason: `the case is no longer ${from}` },
        ]);
      }
      return records.one(p, moved);
    },

    postEvent,
    /** The customer asks to keep a resolved case open longer before it closes itself (case-keep-open.ts). */
    keepOpen: async (p: Principal, number: string, input: KeepOpenInput): Promise<CaseRecord> =>
      records.one(p, await keepOpen(p, number, input)),

    /** For a matrix or VIP tier change, inside its transaction (priority-recompute.ts). */
    recomputePriorities: priorityRecomputer(deps),

    async addEvent(p: Principal, number: string, input: CreateEventInput): Promise<CaseEventRow> {
      return (await postEvent(p, number, input)).event;
    },

    /**
     * Another module's internal system entry on a case (a network action run for it), by id: the caller reached the
     * case with `get` first. `by`: who did it (absent: iotops itself). Inside `tx` when given, so the entry commits
     * with what it records; the case is touched and leaves through the outbox like every change.
     */
    async appendSystemEntry(
      caseId: number,
      entry: { body: string; data: Record<string, unknown>; by?: Principal | undefined },
      tx: Db = db,
    ): Promise<CaseEventRow | undefined> {
      const r = casesRepo(tx);
      const c = await r.byId(caseId);
      if (!c) return undefined;
      const author = entry.by ? authorOf(entry.by) : SYSTEM_AUTHOR;
      const event = await r.insertEvent({
        caseId,
        tenantId: c.tenantId,
        kind: 'system',
        visibility: 'internal',
        ...author,
        body: entry.body,
        data: entry.data,
      });
      await r.touch(caseId);
      return event;
    },

    async events(p: Principal, number: string): Promise<CaseEventRow[]> {
      const c = await load(p, number);
      return repo.events(c.id, !isStaff(p));
    },
  };
}
