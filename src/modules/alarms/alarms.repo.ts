import { and, desc, eq, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { idsAny } from '../../platform/db/rows.ts';
import { alarms, type silenceWatch } from './alarms.tables.ts';

export type AlarmRow = typeof alarms.$inferSelect;
export type WatchRow = typeof silenceWatch.$inferSelect;

/**
 * Which alarms a caller reaches (the service's reachOf): staff everything ({}); a customer their tenant, below its root
 * only their subtree's accounts, and only the originators and types customers see.
 */
export type AlarmReach = {
  tenantId?: number | undefined;
  accountIds?: number[] | undefined;
  originatorTypes?: readonly string[] | undefined;
  types?: readonly string[] | undefined;
};

const textList = (xs: readonly string[]) => sql`string_to_array(${xs.join(',')}, ',')::text[]`;

function reachWhere(r: AlarmReach): SQL | undefined {
  return and(
    r.tenantId !== undefined ? eq(alarms.tenantId, r.tenantId) : undefined,
    r.accountIds !== undefined ? sql`${alarms.accountId} = any(${idsAny(r.accountIds)})` : undefined,
    r.originatorTypes !== undefined ? sql`${alarms.originatorType} = any(${textList(r.originatorTypes)})` : undefined,
    r.types !== undefined ? sql`${alarms.type} = any(${textList(r.types)})` : undefined,
  );
}

export type AlarmFilter = AlarmReach & {
  status: 'active' | 'cleared' | 'any';
  acknowledged?: boolean | undefined;
  type?: string | undefined;
  accountId?: number | undefined;
  simId?: number | undefined;
  /** Leave out the alarms grouped under a fleet alarm that is still active. */
  grouped?: boolean | undefined;
  parentId?: number | undefined;
  before?: { lastSeenAt: Date; id: number } | undefined;
  limit: number;
};

export function alarmsRepo(db: Db) {
  return {
    async list(f: AlarmFilter): Promise<AlarmRow[]> {
      const where: (SQL | undefined)[] = [
        reachWhere(f),
        f.status === 'active'
          ? isNull(alarms.clearedAt)
          : f.status === 'cleared'
            ? isNotNull(alarms.clearedAt)
            : undefined,
        f.acknowledged === undefined
          ? undefined
          : f.acknowledged
            ? isNotNull(alarms.acknowledgedAt)
            : isNull(alarms.acknowledgedAt),
        f.type ? eq(alarms.type, f.type) : undefined,
        f.accountId ? eq(alarms.accountId, f.accountId) : undefined,
        f.simId ? and(eq(alarms.originatorType, 'sim'), eq(alarms.originatorId, String(f.simId))) : undefined,
        f.grouped
          ? sql`(${alarms.parentId} is null or not exists (select 1 from alarms p where p.id = ${alarms.parentId} and p.cleared_at is null))`
          : undefined,
        f.parentId ? eq(alarms.parentId, f.parentId) : undefined,
        f.before
          ? or(
              lt(alarms.lastSeenAt, f.before.lastSeenAt),
              and(eq(alarms.lastSeenAt, f.before.lastSeenAt), lt(alarms.id, f.before.id)),
            )
          : undefined,
      ];
      return db
        .select()
        .from(alarms)
        .where(and(...where))
        .orderBy(desc(alarms.lastSeenAt), desc(alarms.id))
        .limit(f.limit);
    },
    /** How many SIM alarms each of these (fleet) alarms has grouped under it; those with none are absent. */
    async groupSizes(ids: readonly number[]): Promise<Map<number, number>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ parentId: alarms.parentId, n: sql<number>`count(*)::int` })
        .from(alarms)
        .where(sql`${alarms.parentId} = any(${idsAny(ids)})`)
        .groupBy(alarms.parentId);
      return new Map(rows.map((r) => [r.parentId!, r.n]));
    },
    /** One alarm the reach takes in (staff: any). */
    async get(id: number, reach: AlarmReach = {}): Promise<AlarmRow | undefined> {
      const [row] = await db
        .select()
        .from(alarms)
        .where(and(eq(alarms.id, id), reachWhere(reach)));
      return row;
    },
    async acknowledge(id: number, by: number, at: Date): Promise<AlarmRow | undefined> {
      const [row] = await db
        .update(alarms)
        .set({
          acknowledgedAt: sql`coalesce(${alarms.acknowledgedAt}, ${at.toISOString()}::timestamptz)`,
          acknowledgedBy: sql`coalesce(${alarms.acknowledgedBy}, ${by})`,
        })
        .where(eq(alarms.id, id))
        .returning();
      return row;
    },
    /** Clears an active alarm; undefined when it was cleared already. */
    async clear(id: number, by: number | null, at: Date): Promise<AlarmRow | undefined> {
      const [row] = await db
        .update(alarms)
        .set({ clearedAt: at, clearedBy: by })
        .where(and(eq(alarms.id, id), isNull(alarms.clearedAt)))
        .returning();
      return row;
    },
  };
}
