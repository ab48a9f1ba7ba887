import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { notifications } from './notifications.tables.ts';

export type NotificationRow = typeof notifications.$inferSelect;

/** Whose notifications: the user's own and the desk's (no user), optionally only the desk's of one queue. */
function visibleTo(userId: number, queue?: string): SQL | undefined {
  const desk =
    queue === undefined
      ? isNull(notifications.userId)
      : and(isNull(notifications.userId), eq(notifications.queue, queue));
  return or(eq(notifications.userId, userId), desk);
}

export function notificationsRepo(db: Db) {
  return {
    /** Inserts unless the dedupe key is taken; answers the new row or undefined. */
    async insert(values: typeof notifications.$inferInsert): Promise<NotificationRow | undefined> {
      const [row] = await db.insert(notifications).values(values).onConflictDoNothing().returning();
      return row;
    },
    async list(userId: number, f: { unread: boolean; queue?: string | undefined; beforeId?: number }, limit: number) {
      return db
        .select()
        .from(notifications)
        .where(
          and(
            visibleTo(userId, f.queue),
            f.unread ? isNull(notifications.readAt) : undefined,
            f.beforeId !== undefined ? lt(notifications.id, f.beforeId) : undefined,
          ),
        )
        .orderBy(desc(notifications.id))
        .limit(limit);
    },
    /** Read keeps the first read time; unread clears it. */
    async setRead(userId: number, id: number, at: Date | null): Promise<NotificationRow | undefined> {
      const [row] = await db
        .update(notifications)
        .set(
          at
            ? { readAt: sql`coalesce(${notifications.readAt}, ${at.toISOString()}::timestamptz)`, readBy: userId }
            : { readAt: null, readBy: null },
        )
        .where(and(eq(notifications.id, id), visibleTo(userId)))
        .returning();
      return row;
    },
  };
}
