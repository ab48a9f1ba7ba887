import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { NotificationsErrors as E } from './notifications.errors.ts';
import { type NotificationRow, notificationsRepo } from './notifications.repo.ts';
import { type ListNotificationsQuery, NotifyInput } from './notifications.schemas.ts';

export type NotificationsService = ReturnType<typeof createNotificationsService>;
export type { NotificationRow };

const staffOnly = (p: Principal) => {
  if (!isStaff(p)) throw forbidden(E.staffOnly, 'Notifications are for the provider’s staff');
};

export function createNotificationsService(ctx: Pick<Ctx, 'database'>) {
  const repo = notificationsRepo(ctx.database.db);
  return {
    /** For producers inside iotops (jobs); at most once per dedupe key. Answers whether it was new. */
    async notify(input: NotifyInput): Promise<{ created: boolean; row?: NotificationRow }> {
      const v = NotifyInput.parse(input);
      const row = await repo.insert(v);
      return row ? { created: true, row } : { created: false };
    },

    async list(p: Principal, q: ListNotificationsQuery) {
      staffOnly(p);
      const rows = await repo.list(
        p.userId,
        { unread: q.unread, queue: q.queue, ...(q.cursor ? { beforeId: Number(q.cursor) } : {}) },
        q.limit + 1,
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return { items: page, nextCursor: rows.length > q.limit && last ? String(last.id) : null };
    },

    async setRead(p: Principal, id: number, read: boolean): Promise<NotificationRow> {
      staffOnly(p);
      const row = await repo.setRead(p.userId, id, read ? new Date() : null);
      if (!row)
        throw notFound(E.notFound, `Notification ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
      return row;
    },
  };
}
