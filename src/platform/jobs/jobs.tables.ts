import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamptz, uniqueIndex } from '../db/columns.ts';

/**
 * The job queue (see queue.ts). `state`: queued → running → done; a failed attempt goes back to
 * `failed` with a later run_at (retried like queued); after max_attempts, or on an invalid payload, `dead`.
 * `locked_until` is the lease: a running job whose lease expired (its worker died) is claimed again.
 * `ordering_key`: a job is only claimed when no earlier job of its kind and key is still to finish (queue.ts).
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    runAt: timestamptz('run_at').notNull().defaultNow(),
    state: text('state').notNull().default('queued'), // queued | running | done | failed | dead
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lastError: text('last_error'),
    lockedBy: text('locked_by'),
    lockedUntil: timestamptz('locked_until'),
    dedupeKey: text('dedupe_key'),
    /** Jobs of one kind and ordering key run one at a time, in id order (an ordered event subscriber's). */
    orderingKey: text('ordering_key'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    // Unique for the job's whole life: "the 90 % warning of case X" fires once even after it ran.
    uniqueIndex('jobs_dedupe_uq').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    // (run_at, id): the claim's order, so it reads the due jobs in order and stops at its batch.
    index('jobs_due_idx').on(t.runAt, t.id).where(sql`${t.state} in ('queued', 'failed')`),
    index('jobs_ordering_idx')
      .on(t.kind, t.orderingKey, t.id)
      .where(sql`${t.orderingKey} is not null and ${t.state} in ('queued', 'failed', 'running')`),
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`${t.state} = 'running'`),
  ],
);
