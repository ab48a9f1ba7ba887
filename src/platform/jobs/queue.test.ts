/**
 * The queue on the test database (PGlite or PostgreSQL). Every test uses its own job kinds and dedupe keys,
 * so tests sharing one PostgreSQL database never claim each other's jobs. Time is injected: no sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anotherPool, testDatabase, testDbKind, uniq } from '../../../test/support/harness.ts';
import { loadConfig } from '../../config.ts';
import type { Database } from '../db/client.ts';
import { createLogger } from '../log.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { createJobQueue, defineJob, type JobQueue } from './queue.ts';

const T0 = new Date('2026-03-01T10:00:00Z');
const log = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));
let database: Database;
let metrics: Metrics;
let queue: JobQueue;

beforeAll(async () => {
  database = await testDatabase();
  metrics = createMetrics();
  queue = createJobQueue({ database, log, metrics, now: () => T0 });
});
afterAll(async () => {
  await database.close();
});

const payloadSchema = z.object({ caseNumber: z.string() });

/** A fake handler recording every payload it ran; `failTimes` makes the first N attempts throw. */
function recorder(failTimes = 0) {
  const seen: string[] = [];
  let calls = 0;
  const handler = defineJob(payloadSchema, async (p) => {
    calls += 1;
    if (calls <= failTimes) throw new Error(`boom ${calls}`);
    seen.push(p.caseNumber);
  });
  return { seen, handler, calls: () => calls };
}

describe('job queue', () => {
  it('runs a due job once and leaves a future one until its time', async () => {
    const kind = `test.${uniq()}`;
    const rec = recorder();
    let clock = T0;
    const worker = queue.createWorker({ handlers: { [kind]: rec.handler }, now: () => clock });
    const due = await queue.enqueue(kind, { caseNumber: 'C-1' }, { runAt: new Date(T0.getTime() - 1000) });
    const later = await queue.enqueue(kind, { caseNumber: 'C-2' }, { runAt: new Date(T0.getTime() + 3_600_000) });

    expect(await worker.tick()).toBe(1);
    expect(await worker.tick()).toBe(0);
    expect(rec.seen).toEqual(['C-1']);
    expect((await queue.get(due.job.id))?.state).toBe('done');
    expect((await queue.get(later.job.id))?.state).toBe('queued');

    clock = new Date(T0.getTime() + 3_600_000);
    expect(await worker.tick()).toBe(1);
    expect(rec.seen).toEqual(['C-1', 'C-2']);
    const done = await queue.get(later.job.id);
    expect(done).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    expect(await metrics.registry.getSingleMetricAsString('iotops_jobs_finished_total')).toContain(
      `iotops_jobs_finished_total{kind="${kind}",outcome="done"} 2`,
    );
  });

  it('enqueues a job with a dedupe key once, and cancel frees a job that has not run', async () => {
    const kind = `test.${uniq()}`;
    const key = `sla:warn90:${uniq()}`;
    const first = await queue.enqueue(kind, { caseNumber: 'C-1' }, { dedupeKey: key });
    const second = await queue.enqueue(kind, { caseNumber: 'C-1' }, { dedupeKey: key });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });

    expect(await queue.cancel(key)).toBe(true);
    expect(await queue.get(first.job.id)).toBeUndefined();
    expect(await queue.cancel(key)).toBe(false);

    const again = await queue.enqueue(kind, { caseNumber: 'C-1' }, { dedupeKey: key });
    expect(again.created).toBe(true);
    const rec = recorder();
    await queue.createWorker({ handlers: { [kind]: rec.handler } }).tick();
    // Once it ran, the key stays taken: the same warning is never enqueued (or fired) twice.
    expect((await queue.enqueue(kind, { caseNumber: 'C-1' }, { dedupeKey: key })).created).toBe(false);
    expect(await queue.cancel(key)).toBe(false);
    expect(rec.seen).toEqual(['C-1']);
  });

  it('enqueues many jobs in one statement, skipping dedupe keys already taken, each due at its own time', async () => {
    const kind = `test.${uniq()}`;
    const key = (n: number) => `many:${kind}:${n}`;
    await queue.enqueue(kind, { caseNumber: 'C-0' }, { dedupeKey: key(0) });
    const later = new Date(T0.getTime() + 60_000);
    const added = await queue.enqueueMany([
      { kind, payload: { caseNumber: 'C-0' }, dedupeKey: key(0) },
      { kind, payload: { caseNumber: 'C-1' }, dedupeKey: key(1) },
      { kind, payload: { caseNumber: 'C-2' }, dedupeKey: key(2), runAt: later },
    ]);
    expect(added).toBe(2);
    expect(await queue.enqueueMany([{ kind, payload: { caseNumber: 'C-1' }, dedupeKey: key(1) }])).toBe(0);
    expect(await queue.enqueueMany([])).toBe(0);
    const rec = recorder();
    await queue.createWorker({ handlers: { [kind]: rec.handler } }).tick();
    // Due now: the one enqueued before and C-1; C-2 waits for its minute.
    expect(rec.seen.sort()).toEqual(['C-0', 'C-1']);
  });

  it('retries a failing job with backoff, then marks it dead after max attempts', async () => {
    const kind = `test.${uniq()}`;
    const rec = recorder(Number.POSITIVE_INFINITY);
    let clock = T0;
    const worker = queue.createWorker({
      handlers: { [kind]: rec.handler },
      now: () => clock,
      backoffMs: (attempt) => attempt * 60_000,
    });
    const { job } = await queue.enqueue(kind, { caseNumber: 'C-9' }, { maxAttempts: 3 });

    expect(await worker.tick()).toBe(1);
    let row = await queue.get(job.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, lastError: 'boom 1' });
    expect(row?.runAt.toISOString()).toBe(new Date(T0.getTime() + 60_000).toISOString());
    expect(await worker.tick()).toBe(0); // not before its backoff

    clock = new Date(T0.getTime() + 60_000);
    expect(await worker.tick()).toBe(1);
    row = await queue.get(job.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 2, lastError: 'boom 2' });
    expect(row?.runAt.toISOString()).toBe(new Date(clock.getTime() + 120_000).toISOString());

    clock = new Date(clock.getTime() + 120_000);
    expect(await worker.tick()).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'boom 3' });
    clock = new Date(clock.getTime() + 86_400_000);
    expect(await worker.tick()).toBe(0);
    expect(rec.calls()).toBe(3);
  });

  it('tells the handler once, with the reason, when its job dies (so the work it stood for is not left running)', async () => {
    const kind = `test.${uniq()}`;
    const told: string[] = [];
    let clock = T0;
    const worker = queue.createWorker({
      handlers: {
        [kind]: defineJob(
          z.object({ caseNumber: z.string() }),
          async () => {
            throw new Error('adapter down');
          },
          {
            onDead: async (p, reason, job) => {
              told.push(`${p.caseNumber} after ${job.attempt}: ${reason}`);
            },
          },
        ),
      },
      now: () => clock,
      backoffMs: () => 1000,
    });
    await queue.enqueue(kind, { caseNumber: 'C-7' }, { maxAttempts: 2 });
    expect(await worker.tick()).toBe(1);
    expect(told).toEqual([]); // a retry is still to come
    clock = new Date(T0.getTime() + 1000);
    expect(await worker.tick()).toBe(1);
    expect(told).toEqual(['C-7 after 2: adapter down']);
  });

  it('marks a job with an invalid payload dead with the validation message, and keeps going', async () => {
    const kind = `test.${uniq()}`;
    const rec = recorder();
    const worker = queue.createWorker({ handlers: { [kind]: rec.handler } });
    const bad = await queue.enqueue(kind, { caseNumber: 42 });
    const good = await queue.enqueue(kind, { caseNumber: 'C-3' });

    expect(await worker.tick()).toBe(2);
    const dead = await queue.get(bad.job.id);
    expect(dead?.state).toBe('dead');
    expect(dead?.attempts).toBe(1);
    expect(dead?.lastError).toMatch(/invalid payload/);
    expect(dead?.lastError).toMatch(/caseNumber/);
    expect((await queue.get(good.job.id))?.state).toBe('done');
    expect(rec.seen).toEqual(['C-3']);
  });

  it('claims again a running job whose lease expired (its worker died)', async () => {
    const kind = `test.${uniq()}`;
    let clock = T0;
    const rec = recorder();
    const { job } = await queue.enqueue(kind, { caseNumber: 'C-4' });
    // Simulate a worker that claimed the job and vanished.
    await database.query(
      `update jobs set state = 'running', attempts = 1, locked_by = 'gone', locked_until = $1::timestamptz where id = $2`,
      [new Date(T0.getTime() + 60_000).toISOString(), job.id],
    );
    const worker = queue.createWorker({ handlers: { [kind]: rec.handler }, now: () => clock });
    expect(await worker.tick()).toBe(0);
    clock = new Date(T0.getTime() + 60_001);
    expect(await worker.tick()).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(rec.seen).toEqual(['C-4']);
  });

  it('only claims the kinds it has handlers for', async () => {
    const mine = `test.${uniq()}`;
    const other = `test.${uniq()}`;
    const rec = recorder();
    const { job } = await queue.enqueue(other, { caseNumber: 'C-5' });
    await queue.enqueue(mine, { caseNumber: 'C-6' });
    expect(await queue.createWorker({ handlers: { [mine]: rec.handler } }).tick()).toBe(1);
    expect((await queue.get(job.id))?.state).toBe('queued');
    expect(await queue.cancel(`none-${uniq()}`)).toBe(false);
  });

  it('startWorker polls until stopped', async () => {
    const kind = `test.${uniq()}`;
    const { job } = await queue.enqueue(kind, { caseNumber: 'C-7' });
    let resolveRan: () => void = () => undefined;
    const ran = new Promise<void>((r) => {
      resolveRan = r;
    });
    const worker = queue.startWorker({
      handlers: { [kind]: defineJob(payloadSchema, async () => resolveRan()) },
      pollMs: 5,
    });
    await ran;
    await worker.stop();
    await expect.poll(async () => (await queue.get(job.id))?.state).toBe('done');
  });

  it('wake() runs new work now, not at the next poll', async () => {
    const kind = `test.${uniq()}`;
    const ran: string[] = [];
    // The queue's clock is fixed at T0; the worker's must be real time for the job enqueued below to be due.
    const worker = queue.startWorker({
      handlers: { [kind]: defineJob(payloadSchema, async (p) => void ran.push(p.caseNumber)) },
      pollMs: 600_000,
      now: () => new Date(T0.getTime() + 60_000),
    });
    try {
      // The first poll (at start) finds nothing; the next would be in ten minutes.
      await queue.enqueue(kind, { caseNumber: 'C-woken' });
      worker.wake();
      await expect.poll(() => ran, { timeout: 10_000 }).toEqual(['C-woken']);
    } finally {
      await worker.stop();
    }
  });

  it('claims the next batch while one runs, yet never runs two jobs of one ordering key at once, nor out of order', async () => {
    const kind = `test.${uniq()}`;
    // Three keys, eight jobs each, interleaved in id order as an event stream would be.
    for (let i = 0; i < 24; i += 1)
      await database.query(
        `insert into jobs (kind, payload, run_at, ordering_key) values ($1, $2::jsonb, $3::timestamptz, $4)`,
        [kind, JSON.stringify({ caseNumber: `k${i % 3}:${Math.floor(i / 3)}` }), T0.toISOString(), `k${i % 3}`],
      );
    const seen = new Map<string, number[]>();
    const busy = new Set<string>();
    let inFlight = 0;
    let most = 0;
    let overlapped = false;
    const worker = queue.startWorker({
      handlers: {
        [kind]: defineJob(payloadSchema, async (p) => {
          const [key = '', seq] = p.caseNumber.split(':');
          if (busy.has(key)) overlapped = true;
          busy.add(key);
          inFlight += 1;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 20));
          seen.set(key, [...(seen.get(key) ?? []), Number(seq)]);
          inFlight -= 1;
          busy.delete(key);
        }),
      },
      batch: 2,
      concurrency: 2,
      pollMs: 5,
      now: () => new Date(T0.getTime() + 60_000),
    });
    try {
      await expect.poll(() => [...seen.values()].reduce((n, l) => n + l.length, 0), { timeout: 20_000 }).toBe(24);
    } finally {
      await worker.stop();
    }
    expect(overlapped).toBe(false);
    for (const key of ['k0', 'k1', 'k2']) expect(seen.get(key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Two batches of two ran at once: the second was claimed while the first ran.
    expect(most).toBeGreaterThan(2);
  });

  it('purges finished jobs by age and kind in chunks, and keeps dead ones', async () => {
    const tag = uniq();
    const old = new Date(T0.getTime() - 3 * 86_400_000).toISOString();
    for (const [kind, state] of [
      [`event:purge-${tag}`, 'done'],
      [`event:purge-${tag}`, 'done'],
      [`event:purge-${tag}`, 'dead'],
      [`other.purge-${tag}`, 'done'],
    ] as const)
      await database.query(
        `insert into jobs (kind, payload, state, finished_at) values ($1, '{}'::jsonb, $2, $3::timestamptz)`,
        [kind, state, old],
      );
    const left = async () =>
      (
        await database.query<{ kind: string; state: string }>(
          `select kind, state from jobs where kind like $1 order by kind, state`,
          [`%purge-${tag}`],
        )
      ).map((r) => `${r.kind.replace(`-${tag}`, '')}/${r.state}`);
    const before = new Date(T0.getTime() - 86_400_000);
    await queue.purgeFinished(before, { only: `event:purge-${tag}` });
    expect(await left()).toEqual(['event:purge/dead', 'other.purge/done']);
    await queue.purgeFinished(new Date(T0.getTime() - 4 * 86_400_000), { except: 'event:' });
    expect(await left()).toEqual(['event:purge/dead', 'other.purge/done']); // not old enough
    await queue.purgeFinished(before, { except: 'event:' });
    expect(await left()).toEqual(['event:purge/dead']);
  });

  it.runIf(testDbKind === 'postgres')(
    'two workers ticking concurrently run each of 100 jobs exactly once',
    async () => {
      const kind = `test.${uniq()}`;
      const second = await anotherPool(database); // its own connection pool, like a second process
      try {
        const queue2 = createJobQueue({ database: second, log, metrics: createMetrics(), now: () => T0 });
        for (let i = 0; i < 100; i += 1) await queue.enqueue(kind, { caseNumber: `C-${i}` });
        const runs = new Map<string, number>();
        const byWorker = [0, 0];
        const handlerFor = (w: 0 | 1) =>
          defineJob(payloadSchema, async (p) => {
            runs.set(p.caseNumber, (runs.get(p.caseNumber) ?? 0) + 1);
            byWorker[w] = (byWorker[w] ?? 0) + 1;
            await second.query('select 1'); // real I/O between claim and finish, so the workers interleave
          });
        const drain = async (w: { tick(): Promise<number> }) => {
          while ((await w.tick()) > 0) {}
        };
        await Promise.all([
          drain(queue.createWorker({ handlers: { [kind]: handlerFor(0) }, batch: 5 })),
          drain(queue2.createWorker({ handlers: { [kind]: handlerFor(1) }, batch: 5 })),
        ]);
        expect(runs.size).toBe(100);
        expect([...runs].filter(([, n]) => n !== 1)).toEqual([]);
        expect(byWorker[0]).toBeGreaterThan(0);
        expect(byWorker[1]).toBeGreaterThan(0);
        const left = await database.query<{ n: number }>(
          `select count(*)::int as n from jobs where kind = $1 and state <> 'done'`,
          [kind],
        );
        expect(left[0]?.n).toBe(0);
      } finally {
        await second.close();
      }
    },
  );
});
