import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.ts';
import { loginEvents, loginThrottle } from './login.tables.ts';
import type { ThrottleState } from './login-throttle.ts';

export type LoginEventRow = typeof loginEvents.$inferSelect;
export type NewLoginEvent = typeof loginEvents.$inferInsert;

export function loginRepo(database: Database) {
  const db = database.db;
  return {
    /**
     * The attempt's check and its count in one transaction, exact across processes. Subject by subject, in the
     * given order (the same for every attempt, so two attempts never wait on each other crosswise): make its row
     * if missing, lock it (FOR UPDATE; a concurrent first attempt waits for the other's insert), and stop at the
     * first that `blocked` refuses. Only an attempt that passes every subject is counted. A refused attempt writes
     * nothing, except the zero row of a subject never seen before (one per new subject; pruned when quiet).
     */
    async attempt(
      subjects: { subject: string; forgetBefore: Date; blocked: (s: ThrottleState) => boolean }[],
      now: Date,
    ): Promise<{ allowed: boolean; states: Map<string, ThrottleState> }> {
      return database.rawTransaction(async (tx) => {
        const states = new Map<string, ThrottleState>();
        for (const s of subjects) {
          await tx.query(
            'insert into login_throttle (subject, failures, last_at) values ($1, 0, $2) on conflict (subject) do nothing',
            [s.subject, now.toISOString()],
          );
          const [row] = await tx.query<{ failures: number; last_at: string | Date }>(
            'select failures, last_at from login_throttle where subject = $1 for update',
            [s.subject],
          );
          const state = { failures: Number(row?.failures ?? 0), lastAt: new Date(row?.last_at ?? now) };
          states.set(s.subject, state);
          if (s.blocked(state)) return { allowed: false, states };
        }
        for (const s of subjects) {
          await tx.query(
            `update login_throttle set
               failures = case when last_at < $3 then 1 else failures + 1 end,
               last_at = $2
             where subject = $1`,
            [s.subject, now.toISOString(), s.forgetBefore.toISOString()],
          );
        }
        return { allowed: true, states };
      });
    },

    /** A success: the account starts from zero; the address gets back the attempt counted at the start. */
    async succeeded(account: string, address: string) {
      await db.delete(loginThrottle).where(eq(loginThrottle.subject, account));
      await db
        .update(loginThrottle)
        .set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
        .where(eq(loginThrottle.subject, address));
    },

    async states(subjects: string[]): Promise<Map<string, ThrottleState>> {
      if (subjects.length === 0) return new Map();
      const rows = await db.select().from(loginThrottle).where(inArray(loginThrottle.subject, subjects));
      return new Map(rows.map((r) => [r.subject, { failures: r.failures, lastAt: r.lastAt }]));
    },

    /** Lifts an account's wait or lock; true when there was a count to lift. */
    async clear(subject: string): Promise<boolean> {
      const rows = await db
        .delete(loginThrottle)
        .where(eq(loginThrottle.subject, subject))
        .returning({ s: loginThrottle.subject });
      return rows.length > 0;
    },

    async record(e: NewLoginEvent) {
      await db.insert(loginEvents).values(e);
    },

    /** Newest first, keyset paged by id. */
    async events(q: { userId?: number | undefined; outcome?: string | undefined; beforeId?: number; limit: number }) {
      return db
        .select()
        .from(loginEvents)
        .where(
          and(
            q.userId === undefined ? undefined : eq(loginEvents.userId, q.userId),
            q.outcome === undefined ? undefined : eq(loginEvents.outcome, q.outcome),
            q.beforeId === undefined ? undefined : lt(loginEvents.id, q.beforeId),
          ),
        )
        .orderBy(desc(loginEvents.id))
        .limit(q.limit);
    },

    /** Retention: events before `eventsBefore`; counters quiet since `quietBefore` (each past its forget period). */
    async prune(eventsBefore: Date, quietBefore: Date): Promise<{ events: number; counters: number }> {
      const count = async (text: string, at: Date) => {
        const [r] = await database.query<{ n: number }>(
          `with gone as (${text} returning 1) select count(*)::int as n from gone`,
          [at.toISOString()],
        );
        return Number(r?.n ?? 0);
      };
      return {
        events: await count('delete from login_events where at < $1', eventsBefore),
        counters: await count('delete from login_throttle where last_at < $1', quietBefore),
      };
    },
  };
}
