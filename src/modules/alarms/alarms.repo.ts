import { and, desc, eq, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { alarms, type silenceWatch } from './alarms.tables.ts';

export type AlarmRow = typeof alarms.$inferSelect;
export type WatchRow = typeof silenceWatch.$inferSelect;

export type AlarmFilter = {
  status: 'active' | 'cleared' | 'any';
  acknowledged?: boolean | undefined;
  type?: string | undefined;
  accountId?: number | undefined;
  simId?: number | undefined;
  before?: { lastSeenAt: Date; id: number } | undefined;
  limit: number;
};

export function alarmsRepo(db: Db) {
  return {
    async list(f: AlarmFilter): Promise<AlarmRow[]> {
      const where: (SQL | undefined)[] = [
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
    async get(id: number): Promise<AlarmRow | undefined> {
      const [row] = await db.select().from(alarms).where(eq(alarms.id, id));
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
