import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamptz, uniqueIndex } from '../db/columns.ts';

/**
 * The domain-event outbox (docs/ARCHITECTURE.md, "Events"). A producer inserts its event in the transaction of the
 * change, so the event exists if and only if the change committed. The dispatcher (dispatcher.ts) later fans each
 * event out into one job per subscriber and sets `dispatched_at`; dispatched events are purged after the job
 * retention. `ordering_key` ('case:12', 'sim:…') orders the jobs of ordered subscribers; `dedupe_key` makes many
 * changes of one thing in one transaction one event (emit.ts).
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    payload: jsonb('payload').notNull(),
    orderingKey: text('ordering_key'),
    dedupeKey: text('dedupe_key'),
    occurredAt: timestamptz('occurred_at').notNull().defaultNow(),
    dispatchedAt: timestamptz('dispatched_at'),
  },
  (t) => [
    uniqueIndex('domain_events_dedupe_uq').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    index('domain_events_pending_idx').on(t.id).where(sql`${t.dispatchedAt} is null`),
    index('domain_events_dispatched_idx').on(t.dispatchedAt).where(sql`${t.dispatchedAt} is not null`),
  ],
);
