import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { apiTokens, sessions, users } from './users.tables.ts';

export type UserRow = typeof users.$inferSelect;
export type TokenRow = typeof apiTokens.$inferSelect;
const STAFF_ROLES = ['admin', 'agent'] as const;

export function usersRepo(db: Db) {
  return {
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
      return row;
    },
    async findById(id: number): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },
    async insert(values: typeof users.$inferInsert): Promise<UserRow> {
      const [row] = await db.insert(users).values(values).returning();
      return row!;
    },
    /** A keyset page in id order; tenantId null = every user. */
    async list(tenantId: number | null, page: { afterId?: number | undefined; limit: number }): Promise<UserRow[]> {
      return db
        .select()
        .from(users)
        .where(
          and(
            tenantId === null ? undefined : eq(users.tenantId, tenantId),
            page.afterId === undefined ? undefined : gt(users.id, page.afterId),
          ),
        )
        .orderBy(users.id)
        .limit(page.limit);
    },
    async update(id: number, v: Partial<Pick<UserRow, 'name' | 'role' | 'language' | 'disabled'>>) {
      const [row] = await db.update(users).set(v).where(eq(users.id, id)).returning();
      return row;
    },
    /** The provider's staff who can take work: admins and agents not disabled, by name. */
    async listStaff(): Promise<UserRow[]> {
      return db
        .select()
        .from(users)
        .where(and(inArray(users.role, [...STAFF_ROLES]), eq(users.disabled, false)))
        .orderBy(asc(users.name), asc(users.id));
    },
    async findStaff(id: number): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(and(eq(users.id, id), inArray(users.role, [...STAFF_ROLES]), eq(users.disabled, false)));
      return row;
    },
    /** Of these ids, the customer users of one tenant, with their account. */
    async customersAmong(tenantId: number, ids: readonly number[]): Promise<{ id: number; accountId: number }[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: users.id, accountId: users.accountId })
        .from(users)
        .where(and(inArray(users.id, [...ids]), eq(users.role, 'customer'), eq(users.tenantId, tenantId)));
      return rows.flatMap((r) => (r.accountId === null ? [] : [{ id: r.id, accountId: r.accountId }]));
    },
    async countAll(): Promise<number> {
      const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
      return r?.n ?? 0;
    },
    async setPassword(userId: number, passwordHash: string) {
      await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
    },
    /** Ends every web session of a user (after a password change). */
    async deleteSessionsOf(userId: number) {
      await db.delete(sessions).where(eq(sessions.userId, userId));
    },
    async insertSession(tokenHash: string, userId: number, expiresAt: Date) {
      await db.insert(sessions).values({ tokenHash, userId, expiresAt });
    },
    async sessionUser(tokenHash: string, now: Date): Promise<UserRow | undefined> {
      const [row] = await db
        .select({ user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)));
      return row?.user;
    },
    async deleteSession(tokenHash: string) {
      await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },
    async insertToken(values: typeof apiTokens.$inferInsert): Promise<TokenRow> {
      const [row] = await db.insert(apiTokens).values(values).returning();
      return row!;
    },
    async tokenWithUser(tokenHash: string, now: Date): Promise<{ token: TokenRow; user: UserRow } | undefined> {
      const [row] = await db
        .select({ token: apiTokens, user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(
          and(
            eq(apiTokens.tokenHash, tokenHash),
            isNull(apiTokens.revokedAt),
            or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
          ),
        );
      return row;
    },
    async touchToken(id: number, now: Date) {
      await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
    },
    async listTokens(userId: number): Promise<TokenRow[]> {
      return db
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .orderBy(apiTokens.id);
    },
    async revokeToken(userId: number, id: number, now: Date): Promise<boolean> {
      const rows = await db
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length > 0;
    },
  };
}
