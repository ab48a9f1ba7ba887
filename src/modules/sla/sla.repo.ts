import { asc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { slaCalendars, slaPolicies } from './sla.tables.ts';

export type SlaCalendarRow = typeof slaCalendars.$inferSelect;
export type SlaPolicyRow = typeof slaPolicies.$inferSelect;

/** SLA configuration is provider-wide (no tenant): the service restricts it to staff. */
export function slaRepo(db: Db) {
  return {
    calendars: () => db.select().from(slaCalendars).orderBy(asc(slaCalendars.id)),
    async calendar(id: number): Promise<SlaCalendarRow | undefined> {
      const [row] = await db.select().from(slaCalendars).where(eq(slaCalendars.id, id));
      return row;
    },
    async insertCalendar(values: typeof slaCalendars.$inferInsert): Promise<SlaCalendarRow> {
      const [row] = await db.insert(slaCalendars).values(values).returning();
      return row!;
    },
    async updateCalendar(id: number, values: Partial<typeof slaCalendars.$inferInsert>): Promise<SlaCalendarRow> {
      const [row] = await db
        .update(slaCalendars)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(slaCalendars.id, id))
        .returning();
      return row!;
    },
    policies: () => db.select().from(slaPolicies).orderBy(asc(slaPolicies.id)),
    async policy(id: number): Promise<SlaPolicyRow | undefined> {
      const [row] = await db.select().from(slaPolicies).where(eq(slaPolicies.id, id));
      return row;
    },
    async insertPolicy(values: typeof slaPolicies.$inferInsert): Promise<SlaPolicyRow> {
      const [row] = await db.insert(slaPolicies).values(values).returning();
      return row!;
    },
    async updatePolicy(id: number, values: Partial<typeof slaPolicies.$inferInsert>): Promise<SlaPolicyRow> {
      const [row] = await db
        .update(slaPolicies)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(slaPolicies.id, id))
        .returning();
      return row!;
    },
    async deleteCalendar(id: number): Promise<void> {
      await db.delete(slaCalendars).where(eq(slaCalendars.id, id));
    },
    async deletePolicy(id: number): Promise<void> {
      await db.delete(slaPolicies).where(eq(slaPolicies.id, id));
    },
    policiesOnCalendar: (calendarId: number) =>
      db
        .select({ id: slaPolicies.id, name: slaPolicies.name })
        .from(slaPolicies)
        .where(eq(slaPolicies.calendarId, calendarId))
        .orderBy(asc(slaPolicies.id)),
    /** Seeds rows that are not there yet (by key or name); never overwrites what staff edited. */
    async seedCalendars(rows: (typeof slaCalendars.$inferInsert)[]): Promise<Map<string, number>> {
      if (rows.length > 0) await db.insert(slaCalendars).values(rows).onConflictDoNothing();
      const keyed = await db
        .select({ id: slaCalendars.id, key: slaCalendars.key })
        .from(slaCalendars)
        .where(isNotNull(slaCalendars.key));
      return new Map(keyed.map((r) => [r.key!, r.id]));
    },
    async seedPolicies(rows: (typeof slaPolicies.$inferInsert)[]): Promise<void> {
      if (rows.length > 0) await db.insert(slaPolicies).values(rows).onConflictDoNothing();
    },
  };
}
