/**
 * Fans committed domain events out into jobs: one per (event, subscriber), each with its own retries and dead
 * letter (the job queue's). The worker runs it before each claim (src/jobs.ts), so an event is handled within a
 * poll interval of its commit, sooner when the worker is woken.
 *
 * Exactly one dispatcher works at a time (a transaction-scoped advisory lock on PostgreSQL, waited for; PGlite has one
 * session), so the jobs of one ordering key are created in event order and the queue can keep them in order. The
 * fan-out and the `dispatched_at` mark are one transaction, and each job's dedupe key is `event:<subscriber>:<event id>`:
 * a dispatcher that dies half-way leaves the events pending, and running it again creates no second job.
 * An event whose name this code does not declare (written by another version) stays pending, never dropped.
 */
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { EventRegistry } from './registry.ts';

/** The channel the domain_events trigger NOTIFYs on each insert statement (migration 0024). */
export const EVENTS_CHANNEL = 'iotops_events';

/** pg_advisory_xact_lock key: "iotops events" (any constant unique within the database). */
const DISPATCH_LOCK = 7_202_612_001;

export type Dispatcher = ReturnType<typeof createDispatcher>;

export function createDispatcher(deps: { database: Database; registry: EventRegistry; log: Logger; batch?: number }) {
  const { database, registry } = deps;
  const batch = deps.batch ?? 500;
  const routes = registry.routes();
  const route = {
    events: routes.map((r) => r.event),
    kinds: routes.map((r) => r.kind),
    maxAttempts: routes.map((r) => r.maxAttempts),
    ordered: routes.map((r) => r.ordered),
  };

  /** Dispatches one batch of pending events; answers how many events it handled. */
  async function dispatch(): Promise<number> {
    return database.rawTransaction(async (tx) => {
      if (database.kind === 'postgres') {
        // Waits rather than skips: a worker that skipped would claim nothing while events are pending (a test's
        // "run every job now" would stop early); the other dispatcher's transaction is short.
        await tx.query('select pg_advisory_xact_lock($1)', [DISPATCH_LOCK]);
      }
      const pending = await tx.query<{ id: string }>(
        `select id::text as id from domain_events
          where dispatched_at is null and name = any($1::text[])
          order by id limit $2`,
        [registry.eventNames, batch],
      );
      if (pending.length === 0) return 0;
      const ids = pending.map((r) => r.id);
      // Identity values follow the SELECT's order: one ordering key's jobs get ids in event order.
      await tx.query(
        `insert into jobs (kind, payload, max_attempts, dedupe_key, ordering_key)
         select s.kind,
                jsonb_build_object('id', e.id, 'name', e.name, 'version', e.version,
                  'occurredAt', to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'orderingKey', e.ordering_key, 'payload', e.payload),
                s.max_attempts, s.kind || ':' || e.id::text,
                case when s.ordered then e.ordering_key end
           from domain_events e
           join unnest($1::text[], $2::text[], $3::int[], $4::bool[]) as s(event, kind, max_attempts, ordered)
             on s.event = e.name
          where e.id = any($5::bigint[])
          order by e.id, s.kind
         on conflict (dedupe_key) where dedupe_key is not null do nothing`,
        [route.events, route.kinds, route.maxAttempts, route.ordered, ids],
      );
      await tx.query('update domain_events set dispatched_at = now() where id = any($1::bigint[])', [ids]);
      return ids.length;
    });
  }

  /** Pending events no subscriber table of this code knows: said at start, as they wait for a version that does. */
  async function reportUnknown(): Promise<void> {
    const rows = await database.query<{ name: string; n: number }>(
      `select name, count(*)::int as n from domain_events
        where dispatched_at is null and not (name = any($1::text[])) group by name`,
      [registry.eventNames],
    );
    for (const r of rows)
      deps.log.warn({ event: r.name, pending: r.n }, 'pending events of a name this version does not declare: kept');
  }

  return { dispatch, reportUnknown };
}

/**
 * Deletes events dispatched before `before` (their jobs carry their payload), in chunks of 10,000; answers how many
 * went.
 */
export async function purgeDispatchedEvents(database: Database, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const [r] = await database.query<{ n: number }>(
      `with gone as (
         delete from domain_events where id in (
           select id from domain_events where dispatched_at < $1::timestamptz limit 10000)
         returning 1)
       select count(*)::int as n from gone`,
      [before.toISOString()],
    );
    total += r?.n ?? 0;
    if ((r?.n ?? 0) < 10_000) return total;
  }
}
