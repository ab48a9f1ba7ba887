import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentNotification } from './notifications.presenter.ts';
import {
  ListNotificationsQuery,
  NotificationIdParams,
  NotificationList,
  NotificationView,
  UpdateNotificationBody,
} from './notifications.schemas.ts';
import type { NotificationsService } from './notifications.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['notifications'];

/** A staff member's notifications: their own (as assignee) and the desk's (unassigned cases, by queue). */
export function notificationsRoutes(notifications: NotificationsService) {
  return (app: App) => {
    app.get(
      '/api/v1/notifications',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listNotifications',
          summary: 'List notifications',
          description: 'Yours and the desk’s (SLA warnings at 75 %/90 % and breaches), newest first.',
          querystring: ListNotificationsQuery,
          response: { 200: NotificationList, ...errors },
        },
      },
      async (req) => {
        const page = await notifications.list(principalOf(req), req.query);
        return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
      },
    );
    app.patch(
      '/api/v1/notifications/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags,
          operationId: 'updateNotification',
          summary: 'Mark a notification read or unread',
          params: NotificationIdParams,
          body: UpdateNotificationBody,
          response: { 200: NotificationView, ...errors },
        },
      },
      async (req) => presentNotification(await notifications.setRead(principalOf(req), req.params.id, req.body.read)),
    );
  };
}
