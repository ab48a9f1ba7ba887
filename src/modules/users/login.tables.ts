import { bigint, index, integer, pgTable, text, timestamptz } from '../../platform/db/columns.ts';
import { users } from './users.tables.ts';

/**
 * Failed-login counters, one row per subject: `account:<email>` (known or not, so a throttle never tells whether an
 * account exists) and `address:<ip>` (an IPv6 client by its /64). One row per subject keeps the table bounded by
 * the subjects that failed recently; the hourly prune deletes rows quiet for longer than their forget period.
 * A login that is refused by the throttle writes nothing (login-throttle.ts).
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    subject: text('subject').primaryKey(),
    /** Consecutive failed attempts (an attempt counts when it starts; a success takes it back). */
    failures: integer('failures').notNull(),
    lastAt: timestamptz('last_at').notNull(),
  },
  (t) => [index('login_throttle_last_idx').on(t.lastAt)],
);

/**
 * The login audit: every login that reached the password check (success or failure), the failure that locked an
 * account, and each unlock. Requests the throttle refused are not written one by one (that would let anyone
 * write a row per request for free); they show in the logs and the HTTP metrics as 429. Kept 90 days.
 */
export const loginEvents = pgTable(
  'login_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: timestamptz('at').notNull().defaultNow(),
    /** The account's user when the e-mail is known. */
    userId: bigint('user_id', { mode: 'number' }).references(() => users.id, { onDelete: 'set null' }),
    /** As typed (normalised to lower case by the login body), cut to 254 characters. */
    email: text('email').notNull(),
    address: text('address').notNull(),
    userAgent: text('user_agent'),
    /** success | failure | locked | unlocked */
    outcome: text('outcome').notNull(),
    /** failure/locked: wrong_password | unknown_email | user_disabled; unlocked: admin | cli */
    reason: text('reason'),
    /** unlocked: the admin who lifted the lockout. */
    byUserId: bigint('by_user_id', { mode: 'number' }).references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('login_events_user_idx').on(t.userId, t.id), index('login_events_at_idx').on(t.at)],
);
