import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamptz, uniqueIndex } from '../../platform/db/columns.ts';

/**
 * Staff notifications (SLA warnings and breaches today; mail delivery of them arrives with the mail role).
 * Addressed to one user (the case's assignee) or, with user_id null, to the desk: everyone in `queue`, or every
 * agent when the case has no queue either. `dedupe_key` makes a notification at-most-once even when the job
 * that raises it runs twice.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    userId: bigint('user_id', { mode: 'number' }),
    queue: text('queue'),
    kind: text('kind').notNull(), // sla_warning | sla_breach
    caseId: bigint('case_id', { mode: 'number' }),
    caseNumber: text('case_number'),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>(),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    readAt: timestamptz('read_at'),
    readBy: bigint('read_by', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_uq').on(t.dedupeKey),
    index('notifications_user_idx').on(t.userId, t.id),
    index('notifications_desk_idx').on(t.id).where(sql`${t.userId} is null`),
  ],
);
