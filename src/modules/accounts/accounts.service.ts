import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { AccountsErrors as E } from './accounts.errors.ts';
import { type AccountRow, accountsRepo, type ContactRow } from './accounts.repo.ts';
import type {
  CreateAccountInput,
  CreateContactInput,
  UpdateAccountInput,
  UpdateContactInput,
} from './accounts.schemas.ts';

export type AccountsService = ReturnType<typeof createAccountsService>;
export type { AccountRow, ContactRow };
/**
 * Told about a VIP tier change inside the account update's transaction `tx`. Registered by the composition root
 * (src/services.ts): the cases module recomputes the account's open cases' priorities, and accounts need not know.
 */
export type VipTierListener = (
  tx: Db,
  change: { account: AccountRow; before: string; by: { userId: number | null; label: string } },
) => Promise<void>;

const encodeCursor = (path: string) => Buffer.from(path).toString('base64url');
function decodeCursor(cursor: string): string {
  const path = Buffer.from(cursor, 'base64url').toString();
  if (!/^(\/\d+)+\/$/.test(path))
    throw invalid(E.cursorInvalid, 'Invalid cursor', [
      { field: 'cursor', value: cursor, reason: 'not a cursor from this list' },
    ]);
  return path;
}

export function createAccountsService(ctx: Pick<Ctx, 'database'>) {
  const db: Db = ctx.database.db;
  const repo = accountsRepo(db);
  const vipTierListeners: VipTierListener[] = [];

  async function get(scope: TenantScope, id: number): Promise<AccountRow> {
    const a = await repo.byId(scope, id);
    // Another tenant's account answers exactly like a missing one.
    if (!a) throw notFound(E.notFound, `Account ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return a;
  }

  return {
    get: (p: Principal, id: number) => get(scopeOf(p), id),
    getInScope: get,
    byNumber: (scope: TenantScope, number: string) => repo.byNumber(scope, number),
    allNumbers: () => repo.allNumbers(),
    count: () => repo.count(),
    /** The account and all accounts below it, as ids (for filters over rows that carry only an account id). */
    subtreeIds: (scope: TenantScope, path: string) => repo.subtreeIds(scope, path),
    /** Which of these account ids the scope sees (a customer: their account and below); the others are absent. */
    async idsInScope(scope: TenantScope, ids: readonly number[]): Promise<Set<number>> {
      return new Set(await repo.idsInScope(scope, [...new Set(ids)]));
    },
    /**
     * Contacts by id, each with its account's path (for rules over the account tree); ids outside the scope,
     * of another tenant or unknown are simply absent.
     */
    contactsByIds: (scope: TenantScope, ids: readonly number[]) => repo.contactsByIds(scope, ids),
    /** Operator-level: the contacts an inbound mail's sender may be (any tenant); for the mail desk only. */
    contactsByEmail: (email: string) => repo.contactsByEmail(email),
    /** contactsByEmail for several addresses in one read (a burst of inbound mail). */
    contactsByEmails: (emails: readonly string[]) => repo.contactsByEmails(emails),
    /** The mail desk: mail to this address bounced for good; the desk sends it nothing more until it changes. */
    flagBouncedEmail: (email: string, at: Date) => repo.flagBouncedEmail(email, at),
    /** VIP tier by account id, staff-side (no scope): for recomputing priorities; `on` = the caller's transaction. */
    async vipTiersOf(ids: readonly number[], on: Db = db): Promise<Map<number, string>> {
      return new Map((await accountsRepo(on).vipTiers(ids)).map((r) => [r.id, r.vipTier]));
    },
    /**
     * Name and number by account id, staff-side (no scope): for showing rows another module already reached
     * through its own tenancy (a case's customer).
     */
    /** Where accounts sit in the tree (tenant and path), for rules over it (webhook subscriptions). */
    async placesOf(ids: readonly number[]): Promise<Map<number, { tenantId: number; path: string }>> {
      const rows = await repo.places([...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, { tenantId: r.tenantId, path: r.path }]));
    },
    async namesOf(ids: readonly number[]): Promise<Map<number, { name: string; number: string }>> {
      const rows = await repo.names([...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, { name: r.name, number: r.number }]));
    },
    onVipTierChanged(listener: VipTierListener): void {
      vipTierListeners.push(listener);
    },

    async create(p: Principal, input: CreateAccountInput): Promise<AccountRow> {
      const scope = scopeOf(p);
      if (input.parentId === undefined && !isStaff(p)) {
        throw forbidden(E.rootForbidden, 'Only the provider can create an enterprise (root) account');
      }
      const parent = input.parentId === undefined ? undefined : await repo.byId(scope, input.parentId);
      if (input.parentId !== undefined && !parent) {
        throw notFound(E.parentNotFound, `Parent account ${input.parentId} not found`, [
          { field: 'parentId', value: input.parentId, reason: 'not found' },
        ]);
      }
      // The provider decides who is VIP (PATCH refuses the tier to customers): a customer's new sub-account takes
      // its parent's tier, and naming another is refused like a PATCH would be (outside probe round 5).
      const vipTier = input.vipTier ?? parent?.vipTier ?? 'standard';
      if (!isStaff(p) && vipTier !== parent?.vipTier) {
        throw forbidden(E.vipTierForbidden, 'Only the provider sets the VIP tier', [
          {
            field: 'vipTier',
            value: input.vipTier,
            reason: `staff only; a sub-account takes its parent's (${parent?.vipTier})`,
          },
        ]);
      }
      try {
        return await db.transaction(async (tx) => {
          const r = accountsRepo(tx);
          const id = await r.nextId();
          return r.insert({
            id,
            tenantId: parent ? parent.tenantId : id,
            parentId: parent?.id ?? null,
            path: `${parent?.path ?? '/'}${id}/`,
            depth: parent ? parent.depth + 1 : 0,
            number: input.number,
            name: input.name,
            kind: input.kind ?? (parent ? 'sub_account' : 'enterprise'),
            vipTier,
            language: input.language,
            timeZone: input.timeZone,
            country: input.country,
          });
        });
      } catch (e) {
        if (isUniqueViolation(e, 'accounts_number_uq')) {
          throw conflict(E.numberTaken, `Account number ${input.number} is already used`, [
            { field: 'number', value: input.number, reason: 'already used' },
          ]);
        }
        throw e;
      }
    },

    async update(p: Principal, id: number, input: UpdateAccountInput): Promise<AccountRow> {
      await get(scopeOf(p), id);
      // Customers may not raise their own VIP tier.
      if (!isStaff(p) && input.vipTier !== undefined) {
        throw forbidden(E.vipTierForbidden, 'Only the provider sets the VIP tier', [
          { field: 'vipTier', value: input.vipTier, reason: 'staff only' },
        ]);
      }
      if (input.vipTier === undefined || vipTierListeners.length === 0) return repo.update(id, input);
      // The listeners run in this transaction, so the new tier and the case priorities it implies commit
      // together or not at all: a failed recompute fails the update instead of leaving priorities silently stale.
      return db.transaction(async (tx) => {
        const r = accountsRepo(tx);
        const before = (await r.lockById(id))!;
        const after = await r.update(id, input);
        if (before.vipTier !== after.vipTier) {
          const by = { userId: p.userId > 0 ? p.userId : null, label: p.email };
          for (const listener of vipTierListeners) await listener(tx, { account: after, before: before.vipTier, by });
        }
        return after;
      });
    },

    async list(
      p: Principal,
      q: {
        parentId?: number | undefined;
        under?: number | undefined;
        q?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ) {
      const scope = scopeOf(p);
      const under = q.under === undefined ? undefined : (await get(scope, q.under)).path;
      const rows = await repo.list(scope, {
        parentId: q.parentId,
        under,
        q: q.q,
        afterPath: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
        limit: q.limit + 1,
      });
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!.path) : null };
    },

    async addContact(p: Principal, accountId: number, input: CreateContactInput): Promise<ContactRow> {
      const a = await get(scopeOf(p), accountId);
      return repo.insertContact({
        tenantId: a.tenantId,
        accountId: a.id,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        language: input.language ?? a.language,
        roles: input.roles,
      });
    },

    /** Within the caller's reach like adding one; a contact keeps an email or a phone (the desk must reach them). */
    async updateContact(
      p: Principal,
      accountId: number,
      contactId: number,
      input: UpdateContactInput,
    ): Promise<ContactRow> {
      await get(scopeOf(p), accountId);
      const c = await repo.contactOf(accountId, contactId);
      if (!c) {
        throw notFound(E.contactNotFound, `Contact ${contactId} not found on account ${accountId}`, [
          { field: 'contactId', value: contactId, reason: 'not found on this account' },
        ]);
      }
      const email = input.email === undefined ? c.email : input.email;
      const phone = input.phone === undefined ? c.phone : input.phone;
      if (email === null && phone === null) {
        const field = input.email === null ? 'email' : 'phone';
        throw invalid(E.contactUnreachable, 'A contact needs an email or a phone', [
          { field, value: null, reason: 'the contact would have neither email nor phone' },
        ]);
      }
      // A new address starts clean: the bounce was the old one's.
      const changed = input.email !== undefined && input.email?.toLowerCase() !== c.email?.toLowerCase();
      return repo.updateContact(contactId, changed ? { ...input, emailBouncedAt: null } : input);
    },

    async contacts(p: Principal, accountId: number): Promise<ContactRow[]> {
      await get(scopeOf(p), accountId);
      return repo.contactsOf(accountId);
    },
  };
}
