/**
 * DB-backed job queue with scheduled timers (table: jobs.tables.ts). Works on PGlite and PostgreSQL.
 *
 * Producers call `queue.enqueue(kind, payload, { runAt, dedupeKey })`, ideally in the same flow that changed
 * the data (SLA timers: one job per case and threshold, runAt = the computed due time, dedupeKey e.g.
 * `sla:warn90:C-2026-000123:<targetIso>` so a re-computation never fires it twice; when the targets move,
 * `cancel(oldKey)` and enqueue the new one). A dedupe key stays taken for the job's whole life.
 *
 * How a module registers handlers: it owns `<name>.jobs.ts` exporting a record built with `defineJob`:
 *   export const casesJobs = (services) => ({
 *     'cases.sla_warning': defineJob(slaWarningPayload, (p, job) => services.cases.fireSlaWarning(p)),
 *   });
 * and the composition root merges every module's record into one `handlers` map for `startWorker`.
 * Handlers must be idempotent: a job whose worker died mid-run is claimed again after its lease.
 *
 * How `iotops serve` will run the worker role: when the node's roles include `worker` (the default single
 * process runs all roles), it calls `createJobQueue(ctx).startWorker({ handlers, pollMs, batch })` and awaits
 * `stop()` on shutdown, after the HTTP server stops accepting. Several worker processes may share one
 * PostgreSQL: the claim uses `FOR UPDATE SKIP LOCKED`, so no job is handed to two of them. PGlite has a single
 * connection (one process), so its claim is the same statement without the locking clause.
 *
 * The claim is one autocommitted UPDATE … RETURNING; no transaction is held while a handler does its I/O.
 * A worker only claims the kinds it has handlers for, so workers with different handler sets can coexist.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'dead';

export type Job = {
  id: number;
  kind: string;
  payload: unknown;
  runAt: Date;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  dedupeKey: string | null;
  /** Jobs of one kind and key run one at a time, in id order (null: unordered). */
  orderingKey: string | null;
};

export type JobInfo = {
  id: number;
  kind: string;
  attempt: number;
  maxAttempts: number;
  log: Logger;
  /** The worker clock's time of this run: handlers evaluate "now" with it (tests drive a fake clock). */
  at: Date;
};

/**
 * A handler with its payload schema; the payload is validated before `run` sees it. `onDead` runs once the job has
 * no attempts left, so that the work it stood for (a batch diagnosis, …) says `failed` with the reason instead of
 * `running` for ever (issue 13, point 9).
 */
export type JobHandler = {
  schema: z.ZodType;
  run(payload: unknown, job: JobInfo): Promise<void>;
  onDead?(payload: unknown, reason: string, job: JobInfo): Promise<void>;
  /**
   * Several jobs of this kind claimed together, handled at once (set-based reads and writes instead of one round
   * trip each: the webhooks fan-out). If it throws, each job is run alone with `run`, so one bad job fails alone.
   */
  runMany?(payloads: unknown[], job: JobInfo): Promise<void>;
  /**
   * The handler acts on the current state of its ordering key (an SLA recompute reads the case as it is now), so
   * one run covers the jobs of the key queued behind it when it started: they are finished with it, not run again.
   */
  coalesce?: boolean;
};

export function defineJob<S extends z.ZodType>(
  schema: S,
  run: (payload: z.output<S>, job: JobInfo) => Promise<void>,
  opts: {
    onDead?: (payload: z.output<S>, reason: string, job: JobInfo) => Promise<void>;
    runMany?: (payloads: z.output<S>[], job: JobInfo) => Promise<void>;
    coalesce?: boolean;
  } = {},
): JobHandler {
  const { onDead, runMany, coalesce } = opts;
  return {
    schema,
    ...(coalesce ? { coalesce } : {}),
    run: (payload, job) => run(payload as z.output<S>, job),
    ...(onDead ? { onDead: (payload, reason, job) => onDead(payload as z.output<S>, reason, job) } : {}),
    ...(runMany ? { runMany: (payloads, job) => runMany(payloads as z.output<S>[], job) } : {}),
  };
}

export type EnqueueOptions = { runAt?: Date; dedupeKey?: string; maxAttempts?: number };

export type WorkerOptions = {
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  batch?: number;
  /** Batches running at once (the next is claimed while earlier ones run); default 2 on PostgreSQL, 1 on PGlite. */
  concurrency?: number;
  /** The worker's clock (tests inject one); enqueue's default run_at uses the queue's clock. */
  now?: () => Date;
  workerId?: string;
  /** How long a claim is valid; a running job past its lease is considered abandoned and claimed again. */
  leaseMs?: number;
  /** Delay before retry number `attempt` (1-based count of attempts made so far). */
  backoffMs?: (attempt: number) => number;
  /** Run before each claim (the event dispatcher: events become jobs); answers how much it did. */
  beforeClaim?: () => Promise<number>;
};

export type Worker = {
  id: string;
  /** Dispatches events, claims one batch of due jobs, runs them; resolves with how many events and jobs. */
  tick(): Promise<number>;
  /** Ticks now instead of at the next poll (work arrived); a tick in progress is followed by another at once. */
  wake(): void;
  /** Stops polling and waits for the batch in flight. */
  stop(): Promise<void>;
};

export type JobQueueDeps = { database: Database; log: Logger; metrics: Metrics; now?: () => Date };

/** Exponential from 10 s, capped at one hour. */
export const defaultBackoffMs = (attempt: number) => Math.min(10_000 * 2 ** (attempt - 1), 3_600_000);

const GAUGES_EVERY_MS = 1000;
/** Rows a purge deletes per statement. */
const PURGE_CHUNK = 10_000;

const JOB_COLUMNS = `id::text as id, kind, payload, run_at, state, attempts, max_attempts, last_error, dedupe_key, ordering_key`;

type JobRow = {
  id: string;
  kind: string;
  payload: unknown;
  run_at: Date | string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  dedupe_key: string | null;
  ordering_key: string | null;
};

const toJob = (r: JobRow): Job => ({
  id: Number(r.id),
  kind: r.kind,
  payload: r.payload,
  runAt: new Date(r.run_at),
  state: r.state,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  lastError: r.last_error,
  dedupeKey: r.dedupe_key,
  orderingKey: r.ordering_key,
});

export type JobQueue = ReturnType<typeof createJobQueue>;

export function createJobQueue(deps: JobQueueDeps) {
  const { database, metrics } = deps;
  const queueNow = deps.now ?? (() => new Date());

  /**
   * Adds a job; with a dedupe key, a second enqueue returns the existing job (whatever its state)
   * instead of adding one. Resolves with the job and whether it was created by this call.
   */
  async function enqueue(
    kind: string,
    payload: unknown,
    opts: EnqueueOptions = {},
  ): Promise<{ job: Job; created: boolean }> {
    const runAt = (opts.runAt ?? queueNow()).toISOString();
    const params = [kind, JSON.stringify(payload ?? null), runAt, opts.maxAttempts ?? 5, opts.dedupeKey ?? null];
    const inserted = await database.query<JobRow>(
      `insert into jobs (kind, payload, run_at, max_attempts, dedupe_key)
       values ($1, $2::jsonb, $3::timestamptz, $4, $5)
       on conflict (dedupe_key) where dedupe_key is not null do nothing
       returning ${JOB_COLUMNS}`,
      params,
    );
    const row = inserted[0];
    if (row) return { job: toJob(row), created: true };
    const existing = await database.query<JobRow>(`select ${JOB_COLUMNS} from jobs where dedupe_key = $1`, [
      opts.dedupeKey,
    ]);
    const found = existing[0];
    // Only reachable if the conflicting row was deleted (cancel) between the two statements: try again.
    if (!found) return enqueue(kind, payload, opts);
    return { job: toJob(found), created: false };
  }

  /**
   * Adds several jobs in one statement; a job whose dedupe key exists already is skipped (not returned, unlike
   * `enqueue`). For schedulers that (re)arm many timers at once, e.g. a case's SLA thresholds. Answers how many
   * were new.
   */
  async function enqueueMany(jobs: readonly ({ kind: string; payload: unknown } & EnqueueOptions)[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const now = queueNow().toISOString();
    const rows = await database.query<{ n: number }>(
      `with added as (
         insert into jobs (kind, payload, run_at, max_attempts, dedupe_key)
         select j.kind, j.payload, j.run_at, j.max_attempts, j.dedupe_key
           from jsonb_to_recordset($1::jsonb)
                as j(kind text, payload jsonb, run_at timestamptz, max_attempts int, dedupe_key text)
         on conflict (dedupe_key) where dedupe_key is not null do nothing
         returning 1)
       select count(*)::int as n from added`,
      [
        JSON.stringify(
          jobs.map((j) => ({
            kind: j.kind,
            payload: j.payload ?? null,
            run_at: j.runAt?.toISOString() ?? now,
            max_attempts: j.maxAttempts ?? 5,
            dedupe_key: j.dedupeKey ?? null,
          })),
        ),
      ],
    );
    return rows[0]?.n ?? 0;
  }

  /** Removes a job that has not started (queued, or failed and waiting for a retry); true if one was removed. */
  async function cancel(dedupeKey: string): Promise<boolean> {
    const rows = await database.query(
      `delete from jobs where dedupe_key = $1 and state in ('queued', 'failed') returning id`,
      [dedupeKey],
    );
    return rows.length > 0;
  }

  async function get(id: number): Promise<Job | undefined> {
    const rows = await database.query<JobRow>(`select ${JOB_COLUMNS} from jobs where id = $1`, [id]);
    const row = rows[0];
    return row ? toJob(row) : undefined;
  }

  /**
   * Jobs left `running` by processes that are gone, claimable again now rather than when their lease runs out. Only
   * for a caller that knows no other process runs jobs (the embedded database's owner, at start).
   */
  async function releaseRunning(): Promise<number> {
    const rows = await database.query(
      `update jobs set state = 'queued', locked_by = null, locked_until = null where state = 'running' returning id`,
    );
    return rows.length;
  }

  /**
   * Deletes jobs finished (done) before `before` — only those whose kind starts with `kinds.only`, or all but
   * those with `kinds.except` — in chunks, so a day of event jobs (millions at full ingest) never makes one huge
   * statement. Dead jobs stay for inspection. Answers how many went.
   */
  async function purgeFinished(before: Date, kinds: { only?: string; except?: string } = {}): Promise<number> {
    let total = 0;
    for (;;) {
      const [r] = await database.query<{ n: number }>(
        `with gone as (
           delete from jobs where id in (
             select id from jobs
              where state = 'done' and finished_at < $1::timestamptz
                and ($2::text is null or starts_with(kind, $2::text))
                and ($3::text is null or not starts_with(kind, $3::text))
              limit $4)
           returning 1)
         select count(*)::int as n from gone`,
        [before.toISOString(), kinds.only ?? null, kinds.except ?? null, PURGE_CHUNK],
      );
      total += r?.n ?? 0;
      if ((r?.n ?? 0) < PURGE_CHUNK) return total;
    }
  }

  /** A worker that is not polling yet: drive it with `tick()` (tests), or use `startWorker`. */
  function createWorker(opts: WorkerOptions): Worker & { start(): void } {
    const id = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    const now = opts.now ?? queueNow;
    const batch = opts.batch ?? 10;
    // One connection (PGlite) gains nothing from a second batch in flight but interleaving: one at a time there.
    const concurrency = opts.concurrency ?? (database.kind === 'postgres' ? 2 : 1);
    const pollMs = opts.pollMs ?? 1000;
    const leaseMs = opts.leaseMs ?? 5 * 60_000;
    const backoffMs = opts.backoffMs ?? defaultBackoffMs;
    const kinds = Object.keys(opts.handlers);
    const log = deps.log.child({ worker: id });
    const lockClause = database.kind === 'postgres' ? 'for update skip locked' : '';

    async function claim(at: Date): Promise<Job[]> {
      const nowIso = at.toISOString();
      // A running job past its lease (its worker died) goes back to the queue first, so that the claim below reads
      // one partial index in (run_at, id) order and stops at `batch` — with both conditions in one OR it sorted
      // every due job, ~40 ms at 5,000 queued (bench:webhooks).
      await database.query(
        `update jobs set state = 'queued', locked_by = null, locked_until = null
          where state = 'running' and locked_until < $1::timestamptz and kind = any($2::text[])`,
        [nowIso, kinds],
      );
      const rows = await database.query<JobRow>(
        `update jobs set state = 'running', attempts = attempts + 1, locked_by = $1,
           locked_until = $2::timestamptz + ($3::int * interval '1 millisecond')
         where id in (
           select id from jobs j
           where state in ('queued', 'failed') and run_at <= $2::timestamptz
             and kind = any($4::text[])
             -- In order within a key: not while an earlier job of the key is yet to finish (dead ones do not hold).
             and (j.ordering_key is null or not exists (
               select 1 from jobs e
                where e.kind = j.kind and e.ordering_key = j.ordering_key and e.id < j.id
                  and e.state in ('queued', 'failed', 'running')))
           order by run_at, id
           limit $5
           ${lockClause}
         )
         returning ${JOB_COLUMNS}`,
        [id, nowIso, leaseMs, kinds, batch],
      );
      return rows.map(toJob);
    }

    async function finish(job: Job, state: JobState, error: string | null, runAt?: Date): Promise<void> {
      // locked_by guards against a worker that lost its lease overwriting the new owner's outcome.
      await database.query(
        `update jobs set state = $1, last_error = $2, locked_by = null, locked_until = null,
           run_at = coalesce($3::timestamptz, run_at),
           finished_at = case when $1 in ('done', 'dead') then $4::timestamptz else null end
         where id = $5 and locked_by = $6 and state = 'running'`,
        [state, error, runAt?.toISOString() ?? null, now().toISOString(), job.id, id],
      );
      metrics.jobsFinished.inc({ kind: job.kind, outcome: state });
    }

    async function runOne(job: Job, at: Date): Promise<void> {
      const jobLog = log.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
      metrics.jobsLag.observe({ kind: job.kind }, Math.max(0, (at.getTime() - job.runAt.getTime()) / 1000));
      const handler = opts.handlers[job.kind];
      if (!handler) return; // unreachable: claim filters on the handlers' kinds
      const parsed = handler.schema.safeParse(job.payload);
      if (!parsed.success) {
        // Retrying cannot fix a payload: dead at once, with what was wrong and where.
        const message = `invalid payload: ${z.prettifyError(parsed.error)}`;
        jobLog.error({ err: message }, 'job payload invalid; marked dead');
        await finish(job, 'dead', message);
        return;
      }
      const info: JobInfo = {
        id: job.id,
        kind: job.kind,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        log: jobLog,
        at,
      };
      try {
        // Read before the run starts: each of these comes from a change committed already, which the run sees.
        const covered = handler.coalesce ? await queuedBehind(job) : [];
        await handler.run(parsed.data, info);
        await finish(job, 'done', null);
        await finishCovered(job.kind, covered);
        jobLog.debug('job done');
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (job.attempts >= job.maxAttempts) {
          jobLog.error({ err: e }, 'job failed; no attempts left, marked dead');
          await finish(job, 'dead', message);
          await handler.onDead?.(parsed.data, message, info).catch((err: unknown) => {
            jobLog.error({ err }, 'the dead job’s onDead failed');
          });
        } else {
          const retryAt = new Date(now().getTime() + backoffMs(job.attempts));
          jobLog.warn({ err: e, retryAt }, 'job failed; will retry');
          await finish(job, 'failed', message, retryAt);
        }
      }
    }

    /** Jobs whose handler takes several at once, by kind (two or more); the others alone. */
    function groupForMany(claimed: Job[]): { together: Job[][]; alone: Job[] } {
      const byKind = Map.groupBy(claimed, (j) => j.kind);
      const together: Job[][] = [];
      const alone: Job[] = [];
      for (const [kind, jobs] of byKind) {
        // In id order (the claim's RETURNING has none): a batch handler sees its events as they were created.
        if (opts.handlers[kind]?.runMany && jobs.length > 1) together.push(jobs.sort((a, b) => a.id - b.id));
        else alone.push(...jobs);
      }
      return { together, alone };
    }

    async function runGroup(group: Job[], at: Date): Promise<void> {
      const handler = opts.handlers[group[0]!.kind]!;
      const parsed = group.map((job) => ({ job, p: handler.schema.safeParse(job.payload) }));
      const valid = parsed.filter((x) => x.p.success);
      const info: JobInfo = {
        id: group[0]!.id,
        kind: group[0]!.kind,
        attempt: Math.min(...group.map((j) => j.attempts)),
        maxAttempts: group[0]!.maxAttempts,
        log: log.child({ kind: group[0]!.kind, jobs: group.length }),
        at,
      };
      try {
        await handler.runMany!(
          valid.map((x) => x.p.data),
          info,
        );
      } catch (e) {
        info.log.warn({ err: e }, 'jobs handled together failed; each runs alone');
        await Promise.allSettled(group.map((job) => runOne(job, at)));
        return;
      }
      await finishMany(valid.map((x) => x.job));
      // Invalid payloads die alone, with their reason (runOne says what was wrong).
      await Promise.allSettled(parsed.filter((x) => !x.p.success).map((x) => runOne(x.job, at)));
    }

    /** The jobs of `job`'s kind and ordering key waiting behind it (none for an unordered job). */
    async function queuedBehind(job: Job): Promise<number[]> {
      if (job.orderingKey === null) return [];
      const rows = await database.query<{ id: string }>(
        `select id::text as id from jobs
          where kind = $1 and ordering_key = $2 and id > $3 and state = 'queued'
          order by id limit 1000`,
        [job.kind, job.orderingKey, job.id],
      );
      return rows.map((r) => Number(r.id));
    }

    /** Jobs a coalescing run covered: done with it (a claimed one is left to its worker). */
    async function finishCovered(kind: string, ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await database.query(
        `update jobs set state = 'done', last_error = null, finished_at = $1::timestamptz
          where id = any($2::bigint[]) and state = 'queued'`,
        [now().toISOString(), ids],
      );
      metrics.jobsFinished.inc({ kind, outcome: 'done' }, ids.length);
    }

    async function finishMany(jobs: Job[]): Promise<void> {
      if (jobs.length === 0) return;
      await database.query(
        `update jobs set state = 'done', last_error = null, locked_by = null, locked_until = null, finished_at = $1::timestamptz
         where id = any($2::bigint[]) and locked_by = $3 and state = 'running'`,
        [now().toISOString(), jobs.map((j) => j.id), id],
      );
      metrics.jobsFinished.inc({ kind: jobs[0]!.kind, outcome: 'done' }, jobs.length);
    }

    let gaugesAt = 0;
    /** The queue's gauges, at most once a second: a count over the queue on every tick cost more than a claim. */
    async function refreshGauges(): Promise<void> {
      if (Date.now() - gaugesAt < GAUGES_EVERY_MS) return;
      gaugesAt = Date.now();
      const rows = await database.query<{ state: string; n: string | number }>(
        `select state, count(*)::int as n from jobs where state in ('queued', 'failed', 'running') group by state`,
      );
      for (const state of ['queued', 'failed', 'running']) {
        const n = rows.find((r) => r.state === state)?.n ?? 0;
        metrics.jobsByState.set({ state }, Number(n));
      }
    }

    /** Dispatches events and claims a batch; `run` is the batch running (it never rejects). */
    async function claimPhase(): Promise<{ n: number; run: Promise<void> }> {
      const prepared = opts.beforeClaim ? await opts.beforeClaim() : 0;
      if (kinds.length === 0) return { n: prepared, run: Promise.resolve() };
      const at = now();
      const claimed = await claim(at);
      const run = (async () => {
        // Handlers never throw out of runOne except on DB errors in finish(); one bad job must not stop the batch.
        const { together, alone } = groupForMany(claimed);
        const results = await Promise.allSettled([
          ...alone.map((job) => runOne(job, at)),
          ...together.map((group) => runGroup(group, at)),
        ]);
        for (const r of results) {
          if (r.status === 'rejected') log.error({ err: r.reason }, 'recording a job outcome failed');
        }
        await refreshGauges().catch((e: unknown) => log.warn({ err: e }, 'refreshing the queue gauges failed'));
      })();
      return { n: prepared + claimed.length, run };
    }

    async function tick(): Promise<number> {
      const { n, run } = await claimPhase();
      await run;
      return n;
    }

    let stopped = true;
    let timer: NodeJS.Timeout | undefined;
    /** A claim under way (one at a time per worker), and the batches still running. */
    let claiming: Promise<void> | null = null;
    const running = new Set<Promise<void>>();
    /** The last claim was full, or work arrived since: claim again as soon as a slot is free. */
    let more = false;
    /** Woken while a claim ran: what woke it may have come after that claim. */
    let woken = false;

    /**
     * Claims the next batch while earlier ones still run, up to `concurrency` batches at once: the database's work
     * for one batch (dispatch, claim, the handlers' reads and writes) overlaps the network waits of another
     * (webhook POSTs), instead of each waiting for the other (bench:webhooks).
     */
    function pump(): void {
      if (stopped || claiming || running.size >= concurrency) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      woken = false;
      claiming = claimPhase().then(
        ({ n, run }) => {
          claiming = null;
          more = n >= batch || woken;
          const done = run.finally(() => {
            running.delete(done);
            next();
          });
          running.add(done);
          next();
        },
        (e: unknown) => {
          claiming = null;
          more = false;
          log.error({ err: e }, 'job worker tick failed');
          next();
        },
      );
    }

    function next(): void {
      if (stopped) return;
      if (more) pump();
      // Nothing more known: poll once every batch is done.
      else if (running.size === 0 && !claiming && !timer) {
        timer = setTimeout(() => {
          timer = undefined;
          pump();
        }, pollMs);
      }
    }

    return {
      id,
      tick,
      /** Work arrived (a new event, a new job): claim now rather than at the next poll. */
      wake() {
        if (stopped) return;
        woken = true;
        more = true;
        pump();
      },
      start() {
        if (!stopped) return;
        stopped = false;
        log.info({ kinds, pollMs, batch, concurrency }, 'job worker started');
        pump();
      },
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        await claiming;
        await Promise.all(running);
        log.info('job worker stopped');
      },
    };
  }

  function startWorker(opts: WorkerOptions): Worker {
    const worker = createWorker(opts);
    worker.start();
    return worker;
  }

  return { enqueue, enqueueMany, cancel, get, releaseRunning, purgeFinished, createWorker, startWorker };
}
