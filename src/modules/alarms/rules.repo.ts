import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { alarmRules } from './alarms.tables.ts';

export type RuleRow = typeof alarmRules.$inferSelect;
export type NewRule = typeof alarmRules.$inferInsert;

export function rulesRepo(db: Db) {
  return {
    list: (): Promise<RuleRow[]> => db.select().from(alarmRules).orderBy(asc(alarmRules.id)),
    enabled: (kind: string): Promise<RuleRow[]> =>
      db
        .select()
        .from(alarmRules)
        .where(sql`${alarmRules.enabled} and ${alarmRules.kind} = ${kind}`)
        .orderBy(asc(alarmRules.id)),
    async get(id: number): Promise<RuleRow | undefined> {
      const [row] = await db.select().from(alarmRules).where(eq(alarmRules.id, id));
      return row;
    },
    async insert(row: NewRule): Promise<RuleRow> {
      const [r] = await db.insert(alarmRules).values(row).returning();
      return r!;
    },
    async update(id: number, set: Partial<NewRule>): Promise<RuleRow | undefined> {
      const [r] = await db
        .update(alarmRules)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(alarmRules.id, id))
        .returning();
      return r;
    },
    async remove(id: number): Promise<boolean> {
      const r = await db.delete(alarmRules).where(eq(alarmRules.id, id)).returning({ id: alarmRules.id });
      return r.length > 0;
    },
  };
}
