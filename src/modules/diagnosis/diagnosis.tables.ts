import { bigint, index, integer, pgTable, primaryKey, text, timestamptz } from '../../platform/db/columns.ts';

/**
 * Diagnosis of many SIMs at once (POST /api/v1/diagnoses): the request, and one row per SIM that the worker fills
 * in. The SIMs are resolved when the job is created (the caller's reach, then), so the worker needs no principal
 * and a SIM moved to another customer afterwards is still diagnosed for the one who asked, with its reads
 * filtered on that customer's tenant.
 */
export const diagnosisJobs = pgTable(
  'diagnosis_jobs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** The customer's tenant (its reads are filtered on it); null = staff. */
    tenantId: bigint('tenant_id', { mode: 'number' }),
    /** The customer's own account path: who in the tenant may read the job (its subtree's SIMs only were taken). */
    accountPath: text('account_path'),
    createdByUserId: bigint('created_by_user_id', { mode: 'number' }),
    createdBy: text('created_by').notNull(),
    /** queued | running | done | failed (its worker gave up, or its process died: `error` says why) */
    status: text('status').notNull().default('queued'),
    error: text('error'),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    windowFrom: timestamptz('window_from').notNull(),
    windowTo: timestamptz('window_to').notNull(),
    /** The customer summary's language; null = each SIM's account language. */
    language: text('language'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [index('diagnosis_jobs_tenant_idx').on(t.tenantId, t.id)],
);

/** One SIM of a job: the compact result (the full checks are one synchronous call away). Null code = not yet. */
export const diagnosisJobSims = pgTable(
  'diagnosis_job_sims',
  {
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    /** ICCID order within the job: the worker's progress cursor and the results' page key. */
    position: integer('position').notNull(),
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    iccid: text('iccid').notNull(),
    rootCause: text('root_cause'),
    verdict: text('verdict'),
    confidence: text('confidence'),
    check: text('check'),
    summaryAgent: text('summary_agent'),
    summaryCustomer: text('summary_customer'),
    language: text('language'),
    diagnosedAt: timestamptz('diagnosed_at'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.position] })],
);
