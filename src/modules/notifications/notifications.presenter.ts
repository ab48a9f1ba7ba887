import type { z } from 'zod';
import type { NotificationRow } from './notifications.repo.ts';
import type { NotificationKind, NotificationView } from './notifications.schemas.ts';

export function presentNotification(n: NotificationRow): z.infer<typeof NotificationView> {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    to: { userId: n.userId, queue: n.queue },
    caseNumber: n.caseNumber,
    title: n.title,
    body: n.body,
    data: n.data ?? null,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}
