import { sql } from 'drizzle-orm';
import { primaryKey } from 'drizzle-orm/pg-core';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';
import { OPEN_STATES } from './state-machine.ts';

/** The queue's due-time sort key: a case without a running SLA clock sorts after every due time. */
export const queueDue = sql`coalesce("sla_due_at", 'infinity'::timestamptz)`;
/**
 * The active cases (still being worked), the queue's default view: written out as literals, because a partial index
 * serves a query only when the planner can prove its predicate from the query's, and a parameter proves nothing in
 * a generic plan.
 */
export const ACTIVE_STATES_SQL = `state in (${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`;

/**
 * One row per case. `number` is `C-<year>-<6 digits>`, the year of creation plus a per-year sequence taken
 * from case_number_counters in the creating transaction, so numbers have no gaps even under concurrency
 * (a rolled-back create also rolls back its increment).
 * Attachments are stored in case_attachments (attachments.tables.ts).
 */
export const cases = pgTable(
  'cases',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    number: text('number').notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    type: text('type').notNull(), // incident | information_request | service_request | order
    channel: text('channel').notNull(), // email | phone | portal | api | monitoring
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    severity: text('severity').notNull(),
    /**
     * The effective priority, P1 (highest) … P4; sorts as text, so the agent queue orders by it directly.
     * It is the override's priority while one exists, else computed_priority.
     */
    priority: text('priority').notNull().default('P3'),
    /**
     * What the priority matrix (src/modules/sla/priority.ts) gives for severity × affected SIMs × the
     * account's VIP tier × type; recomputed whenever one of those changes on the case.
     */
    computedPriority: text('computed_priority').notNull().default('P3'),
    /** A manual override: { priority, reason, by (user id), byLabel, at (ISO) }; null = none. */
    priorityOverride: jsonb('priority_override').$type<Record<string, unknown>>(),
    state: text('state').notNull().default('new'),
    queue: text('queue'),
    assigneeUserId: bigint('assignee_user_id', { mode: 'number' }),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    affectedSimCount: integer('affected_sim_count').notNull().default(0),
    /**
     * The earliest due time among the case's running SLA clocks (first response, periodic update, resolution),
     * written by the SLA module's recompute job after every change (src/modules/sla/sla.jobs.ts); null when no
     * clock runs (paused, stopped, met, or no policy). The agent queue orders by it after priority.
     */
    slaDueAt: timestamptz('sla_due_at'),
    /** A saved SIM filter instead of (or besides) a list in case_sims. */
    affectedFilter: jsonb('affected_filter').$type<Record<string, unknown>>(),
    /** Set on a major case once it has children; customers never see it, only their own child case. */
    isMajor: boolean('is_major').notNull().default(false),
    parentCaseId: bigint('parent_case_id', { mode: 'number' }),
    followUpOf: bigint('follow_up_of', { mode: 'number' }),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    resolvedAt: timestamptz('resolved_at'),
    /** Working days the verification period of the resolution at verification_extended_for was extended by. */
    verificationExtraDays: integer('verification_extra_days').notNull().default(0),
    verificationExtendedFor: timestamptz('verification_extended_for'),
    closedAt: timestamptz('closed_at'),
  },
  (t) => [
    uniqueIndex('cases_number_uq').on(t.number),
    index('cases_tenant_account_idx').on(t.tenantId, t.accountId),
    // The agent queue: priority, then the SLA due time (none = last), then age. The keyset walks this order.
    index('cases_queue_idx').on(t.priority, queueDue, t.createdAt, t.id),
    // The queue filtered by state (the common view: open work): without it the walk of cases_queue_idx skips
    // thousands of old closed cases per page (bench:cases, PERFORMANCE.md).
    index('cases_queue_state_idx').on(t.state, t.priority, queueDue, t.createdAt, t.id),
    // The default queue, active cases only: a twentieth of the full index on a year-old desk, and no walk past
    // closed cases to fill a page (case-queue.repo.ts).
    index('cases_queue_active_idx').on(t.priority, queueDue, t.createdAt, t.id).where(sql.raw(ACTIVE_STATES_SQL)),
    index('cases_assignee_idx').on(t.assigneeUserId),
    index('cases_parent_idx').on(t.parentCaseId),
  ],
);

/** The last case number handed out per year; one row per year, locked by the creating transaction. */
export const caseNumberCounters = pgTable('case_number_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

export const caseSims = pgTable(
  'case_sims',
  {
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.simId] }), index('case_sims_sim_idx').on(t.simId)],
);

/** Contacts (accounts.contacts) attached to a case. */
export const caseContacts = pgTable(
  'case_contacts',
  {
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    contactId: bigint('contact_id', { mode: 'number' }).notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.contactId] })],
);

/** A case handed to a partner: that provider's name and its own ticket number. */
export const caseProviderRefs = pgTable(
  'case_provider_refs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    provider: text('provider').notNull(),
    ticket: text('ticket').notNull(),
    note: text('note'),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('case_provider_refs_uq').on(t.caseId, t.provider, t.ticket)],
);

/** The timeline: every message, call, note and change, with who and when. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    at: timestamptz('at').notNull().defaultNow(),
    kind: text('kind').notNull(), // email_in | email_out | phone_call | portal_message | note | system
    visibility: text('visibility').notNull(), // public | internal
    authorUserId: bigint('author_user_id', { mode: 'number' }),
    authorLabel: text('author_label').notNull(),
    /** customer | staff: which side wrote the entry (reports count customer contacts; SLA counts staff replies). */
    authorSide: text('author_side').$type<'customer' | 'staff'>().notNull(),
    body: text('body').notNull().default(''),
    /** Kind-specific facts: call duration, before/after of a state change. */
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.at, t.id)],
);
