import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/**
 * One row per SIM. The table is loaded a million rows at a time, so it carries only the indexes the
 * product needs: unique ICCID/MSISDN (IMSIs live in sim_imsis) and the tenant/account scan paths.
 * No foreign keys here on purpose: the import validates account and plans itself, and accounts and
 * plans are never hard-deleted (a FK probe per row would cost as much as another unique index).
 */
export const sims = pgTable(
  'sims',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    /** ICCID body: the first 19 digits (ITU E.118); the Luhn check digit is derived when shown. */
    iccid: text('iccid').notNull(),
    msisdn: text('msisdn'),
    imei: text('imei'),
    /** IMEI lock on this SIM alone (its communication plan may lock all its SIMs): only `imei` may carry it. */
    imeiLock: boolean('imei_lock').notNull().default(false),
    eid: text('eid'),
    communicationPlanId: bigint('communication_plan_id', { mode: 'number' }),
    ratePlanId: bigint('rate_plan_id', { mode: 'number' }),
    state: text('state').notNull().default('INVENTORY'),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    customFields: jsonb('custom_fields').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    importId: bigint('import_id', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    stateChangedAt: timestamptz('state_changed_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sims_iccid_uq').on(t.iccid),
    uniqueIndex('sims_msisdn_uq').on(t.msisdn),
    index('sims_tenant_account_idx').on(t.tenantId, t.accountId, t.id),
    index('sims_state_idx').on(t.state, t.id),
    // List paths (checked with EXPLAIN on 1M SIMs): a tenant's SIMs in ICCID order (the default sort, also
    // what keeps a small tenant's filtered list from walking the global ICCID index), and the time sorts.
    index('sims_tenant_iccid_idx').on(t.tenantId, t.iccid),
    index('sims_created_idx').on(t.createdAt, t.id),
    index('sims_updated_idx').on(t.updatedAt, t.id),
  ],
);

/** Every IMSI a SIM holds (multi-IMSI SIMs); exactly one is current. Globally unique. */
export const simImsis = pgTable(
  'sim_imsis',
  {
    imsi: text('imsi').primaryKey(),
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    position: smallint('position').notNull(),
    isCurrent: boolean('is_current').notNull(),
  },
  (t) => [index('sim_imsis_sim_idx').on(t.simId)],
);

/**
 * Who changed what on a SIM, when, before/after. Creation by a bulk import is not copied here row by row:
 * sims.import_id points at the sim_imports job (who, when, which file), and the history view starts with it.
 */
export const simAudit = pgTable(
  'sim_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    at: timestamptz('at').notNull().defaultNow(),
    actorUserId: bigint('actor_user_id', { mode: 'number' }),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    /** Why, as the actor said it (state changes). */
    reason: text('reason'),
  },
  (t) => [index('sim_audit_sim_idx').on(t.simId, t.at)],
);

/** A bulk import job (CLI or API): progress counters and its line-numbered error report. */
export const simImports = pgTable('sim_imports', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  status: text('status').notNull(), // running | succeeded | failed
  mode: text('mode').notNull(), // atomic | skip-invalid
  upsert: boolean('upsert').notNull().default(false),
  source: text('source').notNull(), // cli | api
  filename: text('filename'),
  createdByUserId: bigint('created_by_user_id', { mode: 'number' }),
  rowsRead: integer('rows_read').notNull().default(0),
  rowsImported: integer('rows_imported').notNull().default(0),
  rowsUpdated: integer('rows_updated').notNull().default(0),
  rowsRejected: integer('rows_rejected').notNull().default(0),
  message: text('message'),
  startedAt: timestamptz('started_at').notNull().defaultNow(),
  finishedAt: timestamptz('finished_at'),
});

export const simImportErrors = pgTable(
  'sim_import_errors',
  {
    importId: bigint('import_id', { mode: 'number' }).notNull(),
    line: integer('line').notNull(),
    field: text('field'),
    value: text('value'),
    reason: text('reason').notNull(),
  },
  (t) => [index('sim_import_errors_import_idx').on(t.importId, t.line)],
);
