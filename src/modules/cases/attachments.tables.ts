import { bigint, bytea, index, integer, pgTable, text, timestamptz } from '../../platform/db/columns.ts';
import { caseEvents, cases } from './cases.tables.ts';

/**
 * Files attached to a timeline entry. The bytes live in the database: a multi-process deployment on
 * PostgreSQL shares nothing else (no common disk), and a backup of the database is then a backup of the desk.
 * Reads of metadata never select `content`.
 */
export const caseAttachments = pgTable(
  'case_attachments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => caseEvents.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** Hex SHA-256 of the bytes, so a caller can check a download and spot the same file sent twice. */
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('case_attachments_event_idx').on(t.eventId), index('case_attachments_case_idx').on(t.caseId)],
);
