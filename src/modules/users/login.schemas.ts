import { z } from 'zod';
import { UserView } from './users.schemas.ts';

export const LOGIN_OUTCOMES = ['success', 'failure', 'locked', 'unlocked'] as const;

/** What admins see of a user: the user and the state of their login throttle. */
export const AdminUserView = UserView.extend({
  failedLogins: z
    .number()
    .int()
    .describe('Failed logins in a row not yet forgotten (a success or an unlock resets it; 12 quiet hours forget it)'),
  lockedUntil: z
    .string()
    .nullable()
    .describe('Until when a login is refused (429: a wait after 5 failures, a 1 h lock after 20); null: allowed now'),
}).meta({ id: 'AdminUser' });

export const AdminUserPage = z
  .object({
    items: z.array(AdminUserView),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
  })
  .meta({ id: 'AdminUserPage' });

/** Nothing to say: the user is in the path. A body, when sent, must be `{}` (every POST documents one). */
export const UnlockBody = z.object({}).strict().meta({ id: 'UnlockRequest' });

export const UnlockResult = z
  .object({
    user: AdminUserView,
    message: z.string().describe('What was lifted, in words (the console and CLI show it)'),
  })
  .meta({ id: 'UnlockResult' });

export const LOGIN_EVENTS_PAGE_MAX = 500;
export const ListLoginEventsQuery = z.object({
  userId: z.coerce.number().int().positive().optional().describe("Only this user's events"),
  outcome: z.enum(LOGIN_OUTCOMES).optional().describe('Only events with this outcome'),
  limit: z.coerce.number().int().min(1).max(LOGIN_EVENTS_PAGE_MAX).default(100).describe('Events per page (1-500)'),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a nextCursor from a previous page')
    .optional()
    .describe("The previous page's nextCursor: the older events after it"),
});
export type ListLoginEventsInput = z.infer<typeof ListLoginEventsQuery>;

export const LoginEventView = z
  .object({
    id: z.number().int(),
    at: z.string(),
    userId: z.number().int().nullable().describe('The user when the e-mail belongs to one'),
    email: z.string().describe('As typed (lower-cased), at most 254 characters'),
    address: z.string().describe("The client's address ('cli' for an unlock at the console)"),
    userAgent: z.string().nullable().describe('At most 256 characters'),
    outcome: z.enum(LOGIN_OUTCOMES),
    reason: z
      .string()
      .nullable()
      .describe('failure, locked: wrong_password, unknown_email or user_disabled; unlocked: admin or cli'),
    byUserId: z.number().int().nullable().describe('unlocked: the admin who lifted the lock'),
  })
  .meta({ id: 'LoginEvent' });

export const LoginEventPage = z
  .object({
    items: z.array(LoginEventView),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null on the last page'),
  })
  .meta({ id: 'LoginEventPage' });
