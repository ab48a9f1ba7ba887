import { and, asc, eq, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { communicationPlans, ratePlans } from './catalog.tables.ts';

export type CommunicationPlanRow = typeof communicationPlans.$inferSelect;
export type RatePlanRow = typeof ratePlans.$inferSelect;
export type PlanKind = 'communication' | 'rate';

/** Plans visible from an account: shared ones, and those owned by the account or any of its ancestors. */
function availableWhere(
  table: typeof communicationPlans | typeof ratePlans,
  ancestorIds: number[] | null,
): SQL | undefined {
  if (ancestorIds === null) return undefined;
  return ancestorIds.length === 0
    ? isNull(table.accountId)
    : or(isNull(table.accountId), inArray(table.accountId, ancestorIds));
}

export type PlanListFilter = {
  /** null = every plan (staff view); otherwise shared plans and those owned by these accounts. */
  ancestorIds: number[] | null;
  owner?: 'shared' | 'account' | undefined;
  q?: string | undefined;
  after?: { name: string; id: number } | undefined;
  limit: number;
};

function listWhere(table: typeof communicationPlans | typeof ratePlans, f: PlanListFilter): SQL | undefined {
  return and(
    availableWhere(table, f.ancestorIds),
    f.owner === 'shared' ? isNull(table.accountId) : f.owner === 'account' ? isNotNull(table.accountId) : undefined,
    f.q ? sql`${table.name} ilike ${`%${f.q.replace(/[\\%_]/g, '\\$&')}%`}` : undefined,
    f.after ? sql`(${table.name}, ${table.id}) > (${f.after.name}, ${f.after.id})` : undefined,
  );
}

export function catalogRepo(db: Db) {
  return {
    async insertCommunicationPlan(v: typeof communicationPlans.$inferInsert) {
      const [row] = await db.insert(communicationPlans).values(v).returning();
      return row!;
    },
    async insertRatePlan(v: typeof ratePlans.$inferInsert) {
      const [row] = await db.insert(ratePlans).values(v).returning();
      return row!;
    },
    async ratePlansByIds(ids: readonly number[]): Promise<RatePlanRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(ratePlans)
        .where(inArray(ratePlans.id, [...ids]));
    },
    async updateCommunicationPlan(id: number, v: Partial<typeof communicationPlans.$inferInsert>) {
      const [row] = await db
        .update(communicationPlans)
        .set({ ...v, updatedAt: new Date() })
        .where(eq(communicationPlans.id, id))
        .returning();
      return row!;
    },
    async updateRatePlan(id: number, v: Partial<typeof ratePlans.$inferInsert>) {
      const [row] = await db
        .update(ratePlans)
        .set({ ...v, updatedAt: new Date() })
        .where(eq(ratePlans.id, id))
        .returning();
      return row!;
    },
    /** ancestorIds null = every plan (staff view). */
    async communicationPlan(id: number, ancestorIds: number[] | null): Promise<CommunicationPlanRow | undefined> {
      const [row] = await db
        .select()
        .from(communicationPlans)
        .where(and(eq(communicationPlans.id, id), availableWhere(communicationPlans, ancestorIds)));
      return row;
    },
    async ratePlan(id: number, ancestorIds: number[] | null): Promise<RatePlanRow | undefined> {
      const [row] = await db
        .select()
        .from(ratePlans)
        .where(and(eq(ratePlans.id, id), availableWhere(ratePlans, ancestorIds)));
      return row;
    },
    async communicationPlans(ancestorIds: number[] | null, ownerAccountId?: number): Promise<CommunicationPlanRow[]> {
      return db
        .select()
        .from(communicationPlans)
        .where(
          and(
            availableWhere(communicationPlans, ancestorIds),
            ownerAccountId === undefined ? undefined : eq(communicationPlans.accountId, ownerAccountId),
          ),
        )
        .orderBy(asc(communicationPlans.name), asc(communicationPlans.id));
    },
    async ratePlans(ancestorIds: number[] | null, ownerAccountId?: number): Promise<RatePlanRow[]> {
      return db
        .select()
        .from(ratePlans)
        .where(
          and(
            availableWhere(ratePlans, ancestorIds),
            ownerAccountId === undefined ? undefined : eq(ratePlans.accountId, ownerAccountId),
          ),
        )
        .orderBy(asc(ratePlans.name), asc(ratePlans.id));
    },
    /** Keyset page ordered by (name, id). */
    async listCommunicationPlans(f: PlanListFilter): Promise<CommunicationPlanRow[]> {
      return db
        .select()
        .from(communicationPlans)
        .where(listWhere(communicationPlans, f))
        .orderBy(asc(communicationPlans.name), asc(communicationPlans.id))
        .limit(f.limit);
    },
    async listRatePlans(f: PlanListFilter): Promise<RatePlanRow[]> {
      return db
        .select()
        .from(ratePlans)
        .where(listWhere(ratePlans, f))
        .orderBy(asc(ratePlans.name), asc(ratePlans.id))
        .limit(f.limit);
    },
    async deletePlan(kind: PlanKind, id: number): Promise<boolean> {
      const t = kind === 'communication' ? communicationPlans : ratePlans;
      return (await db.delete(t).where(eq(t.id, id)).returning({ id: t.id })).length > 0;
    },
    /** Every plan's id, name and owner: the import resolves names per row from this (a few hundred rows). */
    async planIndex(kind: PlanKind): Promise<{ id: number; name: string; accountId: number | null }[]> {
      const t = kind === 'communication' ? communicationPlans : ratePlans;
      return db.select({ id: t.id, name: t.name, accountId: t.accountId }).from(t);
    },
  };
}
