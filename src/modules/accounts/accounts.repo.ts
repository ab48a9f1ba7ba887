import { and, asc, eq, gt, inArray, like, type SQL, sql } from 'drizzle-orm';
import type { TenantScope } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { accounts, contacts } from './accounts.tables.ts';

export type AccountRow = typeof accounts.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;

/** The row filter for a principal's scope: staff see all; customers their tenant and own subtree. */
export function accountScopeWhere(scope: TenantScope): SQL | undefined {
  if (scope.kind === 'operator') return undefined;
  return and(eq(accounts.tenantId, scope.tenantId), like(accounts.path, `${scope.accountPath}%`));
}

export function accountsRepo(db: Db) {
  return {
    async nextId(): Promise<number> {
      const [r] = await queryRows<{ id: string }>(
        db,
        sql`select nextval(pg_get_serial_sequence('accounts', 'id')) as id`,
      );
      return Number(r!.id);
    },
    async insert(values: typeof accounts.$inferInsert): Promise<AccountRow> {
      const [row] = await db.insert(accounts).values(values).returning();
      return row!;
    },
    async byId(scope: TenantScope, id: number): Promise<AccountRow | undefined> {
      const [row] = await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.id, id), accountScopeWhere(scope)));
      return row;
    },
    async byNumber(scope: TenantScope, number: string): Promise<AccountRow | undefined> {
      const [row] = await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.number, number), accountScopeWhere(scope)));
      return row;
    },
    /** Keyset page ordered by path, so a page reads as the tree. */
    async list(
      scope: TenantScope,
      f: {
        parentId?: number | undefined;
        under?: string | undefined;
        q?: string | undefined;
        afterPath?: string | undefined;
        limit: number;
      },
    ): Promise<AccountRow[]> {
      const where = and(
        accountScopeWhere(scope),
        f.parentId !== undefined ? eq(accounts.parentId, f.parentId) : undefined,
        f.under !== undefined ? like(accounts.path, `${f.under}%`) : undefined,
        f.q ? sql`(${accounts.name} ilike ${`%${f.q}%`} or ${accounts.number} ilike ${`${f.q}%`})` : undefined,
        f.afterPath !== undefined ? gt(accounts.path, f.afterPath) : undefined,
      );
      return db.select().from(accounts).where(where).orderBy(asc(accounts.path)).limit(f.limit);
    },
    async update(id: number, values: Partial<typeof accounts.$inferInsert>): Promise<AccountRow> {
      const [row] = await db
        .update(accounts)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(accounts.id, id))
        .returning();
      return row!;
    },
    /** Reads the row and locks it until the transaction ends (a VIP tier change and what it triggers). */
    async lockById(id: number): Promise<AccountRow | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).for('update');
      return row;
    },
    async vipTiers(ids: readonly number[]): Promise<{ id: number; vipTier: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: accounts.id, vipTier: accounts.vipTier })
        .from(accounts)
        .where(sql`${accounts.id} = any(string_to_array(${ids.join(',')}, ',')::bigint[])`);
    },
    async places(ids: readonly number[]): Promise<{ id: number; tenantId: number; path: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: accounts.id, tenantId: accounts.tenantId, path: accounts.path })
        .from(accounts)
        .where(sql`${accounts.id} = any(string_to_array(${ids.join(',')}, ',')::bigint[])`);
    },
    async names(ids: readonly number[]): Promise<{ id: number; name: string; number: string }[]> {
      if (ids.length === 0) return [];
      return db
        .select({ id: accounts.id, name: accounts.name, number: accounts.number })
        .from(accounts)
        .where(sql`${accounts.id} = any(string_to_array(${ids.join(',')}, ',')::bigint[])`);
    },
    /** All accounts keyed by number, for bulk validation (import): small next to the SIM count. */
    async allNumbers(): Promise<Pick<AccountRow, 'id' | 'number' | 'tenantId' | 'path'>[]> {
      return db
        .select({ id: accounts.id, number: accounts.number, tenantId: accounts.tenantId, path: accounts.path })
        .from(accounts);
    },
    async insertContact(values: typeof contacts.$inferInsert): Promise<ContactRow> {
      const [row] = await db.insert(contacts).values(values).returning();
      return row!;
    },
    async contactOf(accountId: number, id: number): Promise<ContactRow | undefined> {
      const [row] = await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)));
      return row;
    },
    async updateContact(id: number, values: Partial<typeof contacts.$inferInsert>): Promise<ContactRow> {
      const [row] = await db.update(contacts).set(values).where(eq(contacts.id, id)).returning();
      return row!;
    },
    async contactsOf(accountId: number): Promise<ContactRow[]> {
      return db.select().from(contacts).where(eq(contacts.accountId, accountId)).orderBy(contacts.id);
    },
    /** The contacts with these ids whose account is within the scope, each with its account's path. */
    async contactsByIds(scope: TenantScope, ids: readonly number[]): Promise<(ContactRow & { accountPath: string })[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ contact: contacts, accountPath: accounts.path })
        .from(contacts)
        .innerJoin(accounts, eq(accounts.id, contacts.accountId))
        .where(and(inArray(contacts.id, [...ids]), accountScopeWhere(scope)))
        .orderBy(contacts.id);
      return rows.map((r) => ({ ...r.contact, accountPath: r.accountPath }));
    },
    /**
     * Every contact with this e-mail address (case-insensitive), with its account's place: how an inbound mail's
     * sender becomes a contact (mail threading). Across tenants: the mail desk decides which one, if any, it is.
     */
    async contactsByEmail(email: string, limit = 20): Promise<(ContactRow & { accountPath: string })[]> {
      const rows = await db
        .select({ contact: contacts, accountPath: accounts.path })
        .from(contacts)
        .innerJoin(accounts, eq(accounts.id, contacts.accountId))
        .where(sql`lower(${contacts.email}) = ${email.toLowerCase()}`)
        .orderBy(contacts.id)
        .limit(limit);
      return rows.map((r) => ({ ...r.contact, accountPath: r.accountPath }));
    },
    /** The contacts of several addresses at once (a burst of inbound mail), any case, with their accounts' paths. */
    async contactsByEmails(
      emails: readonly string[],
      limitEach = 20,
    ): Promise<(ContactRow & { accountPath: string })[]> {
      if (emails.length === 0) return [];
      const lower = [...new Set(emails.map((e) => e.toLowerCase()))];
      const rows = await db
        .select({ contact: contacts, accountPath: accounts.path })
        .from(contacts)
        .innerJoin(accounts, eq(accounts.id, contacts.accountId))
        .where(sql`lower(${contacts.email}) in (select jsonb_array_elements_text(${JSON.stringify(lower)}::jsonb))`)
        .orderBy(contacts.id);
      const seen = new Map<string, number>();
      return rows
        .filter((r) => {
          const key = (r.contact.email ?? '').toLowerCase();
          seen.set(key, (seen.get(key) ?? 0) + 1);
          return seen.get(key)! <= limitEach;
        })
        .map((r) => ({ ...r.contact, accountPath: r.accountPath }));
    },
    /** Marks every contact with this address as bounced (a hard bounce); answers how many. */
    async flagBouncedEmail(email: string, at: Date): Promise<number> {
      const rows = await db
        .update(contacts)
        .set({ emailBouncedAt: at })
        .where(sql`lower(${contacts.email}) = ${email.toLowerCase()} and ${contacts.emailBouncedAt} is null`)
        .returning({ id: contacts.id });
      return rows.length;
    },
    /** Ids of the account at `path` and every account below it (within the scope). */
    async idsInScope(scope: TenantScope, ids: readonly number[]): Promise<number[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: accounts.id })
        .from(accounts)
        .where(and(inArray(accounts.id, [...ids]), accountScopeWhere(scope)));
      return rows.map((r) => r.id);
    },
    async subtreeIds(scope: TenantScope, path: string): Promise<number[]> {
      const rows = await db
        .select({ id: accounts.id })
        .from(accounts)
        .where(and(like(accounts.path, `${path}%`), accountScopeWhere(scope)));
      return rows.map((r) => r.id);
    },
    async count(): Promise<number> {
      const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(accounts);
      return r?.n ?? 0;
    },
  };
}
