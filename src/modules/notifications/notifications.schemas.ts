import { z } from 'zod';

export const NOTIFICATION_KINDS = ['sla_warning', 'sla_breach', 'webhook_disabled', 'alarm_unacknowledged'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What a producer (the SLA jobs) hands to `notify`; validated like every other boundary. */
export const NotifyInput = z.object({
  userId: z.number().int().positive().nullable(),
  queue: z.string().min(1).max(100).nullable(),
  kind: z.enum(NOTIFICATION_KINDS),
  caseId: z.number().int().positive().nullable(),
  caseNumber: z.string().nullable(),
  title: z.string().min(1).max(300),
  body: z.string().max(4000).default(''),
  data: z.record(z.string(), z.unknown()).nullable().default(null),
  dedupeKey: z.string().min(1).max(300),
});
export type NotifyInput = z.input<typeof NotifyInput>;

export const ListNotificationsQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only unread ones'),
  queue: z.string().min(1).max(100).optional().describe("Only the desk's notifications of this queue (and mine)"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'not a cursor from this list')
    .optional(),
});
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuery>;

export const NotificationIdParams = z.object({ id: z.coerce.number().int().positive() });

export const NotificationView = z
  .object({
    id: z.number().int(),
    kind: z.enum(NOTIFICATION_KINDS),
    to: z.object({ userId: z.number().int().nullable(), queue: z.string().nullable() }),
    caseNumber: z.string().nullable(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationList = z.object({ items: z.array(NotificationView), nextCursor: z.string().nullable() });

export const UpdateNotificationBody = z.strictObject({ read: z.boolean() });
