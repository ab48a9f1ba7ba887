import { sql } from 'drizzle-orm';
import { bigint, boolean, integer, jsonb, pgTable, text, timestamptz, uniqueIndex } from '../../platform/db/columns.ts';

/**
 * SLA configuration is the provider's, not a tenant's: no tenant_id, staff-only routes. A policy may still
 * target accounts (a contract) through account_ids.
 * `key` names a seeded built-in row (the idempotent seed upserts on it), null for rows staff create.
 */
export const slaCalendars = pgTable(
  'sla_calendars',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    key: text('key'),
    name: text('name').notNull(),
    /** A CalendarDefinition (calendar.ts), validated before every write. */
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    builtIn: boolean('built_in').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sla_calendars_name_uq').on(t.name), uniqueIndex('sla_calendars_key_uq').on(t.key)],
);

/** Match criteria: null or empty = any; the most specific matching policy wins (defaults.ts matchPolicy). */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    key: text('key'),
    name: text('name').notNull(),
    caseTypes: text('case_types').array(),
    priorities: text('priorities').array(),
    vipTiers: text('vip_tiers').array(),
    /** Accounts under contract; a case matches through its own account or its tenant (root) account. */
    accountIds: bigint('account_ids', { mode: 'number' }).array(),
    calendarId: bigint('calendar_id', { mode: 'number' })
      .notNull()
      .references(() => slaCalendars.id),
    firstResponseMin: integer('first_response_min').notNull(),
    updateIntervalMin: integer('update_interval_min').notNull(),
    resolutionMin: integer('resolution_min').notNull(),
    pauseStates: text('pause_states').array().notNull().default(sql`'{pending_customer}'::text[]`),
    verificationWorkingDays: integer('verification_working_days').notNull().default(3),
    builtIn: boolean('built_in').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sla_policies_name_uq').on(t.name), uniqueIndex('sla_policies_key_uq').on(t.key)],
);
