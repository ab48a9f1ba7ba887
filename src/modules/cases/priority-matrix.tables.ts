import { bigint, jsonb, pgTable, text, timestamptz } from '../../platform/db/columns.ts';

/**
 * The provider's priority matrix, as an append-only list of versions: the newest row is in force, older rows are
 * the audit trail (who changed it, when, what it was). `matrix` null = the built-in DEFAULT_PRIORITY_MATRIX (a
 * reset is a version too, so it is audited like any change). No row at all = the default, never changed.
 * Provider configuration like the SLA calendars: no tenant_id, staff-only routes.
 */
export const slaPriorityMatrixVersions = pgTable('sla_priority_matrix_versions', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  /** A PriorityMatrixConfig (priority.ts), validated by parsePriorityMatrix before every write. */
  matrix: jsonb('matrix').$type<Record<string, unknown>>(),
  updatedByUserId: bigint('updated_by_user_id', { mode: 'number' }),
  updatedByLabel: text('updated_by_label').notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});
