/**
 * Domain events on the test database (PGlite or PostgreSQL): emitted with the change's transaction, fanned out to
 * every subscriber as its own job, retried on its own, kept in order per key for ordered subscribers. Each test
 * declares its own events (unique names), so tests sharing one PostgreSQL never handle each other's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testDatabase, uniq } from '../../../test/support/harness.ts';
import { loadConfig } from '../../config.ts';
import type { Database } from '../db/client.ts';
import { createJobQueue, type JobQueue } from '../jobs/queue.ts';
import { createLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { defineEvent, defineMultiSubscriber, defineSubscriber, type EventDef, type Subscriber } from './define.ts';
import { createDispatcher } from './dispatcher.ts';
import { emit, emitEach, emitMany } from './emit.ts';
import { createEventRegistry } from './registry.ts';

const log = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));
let database: Database;
let queue: JobQueue;

beforeAll(async () => {
  database = await testDatabase();
  queue = createJobQueue({ database, log, metrics: createMetrics() });
});
afterAll(() => database.close());

const Thing = z.object({ thingId: z.number().int().positive() });
const anEvent = () => {
  const producer = `t${uniq()}`;
  return defineEvent({ name: `${producer}.changed`, version: 1, producer, description: 'test', payload: Thing });
};

/** A subscriber recording what it handled; `fail(id)` says how many times to throw first for that thing. */
function recorder(event: EventDef<typeof Thing>, opts: { ordered?: boolean; fail?: (id: number) => number } = {}) {
  const seen: number[] = [];
  const attempts = new Map<number, number>();
  const subscriber = defineSubscriber({
    name: `${event.producer}.sub_${uniq()}`,
    module: event.producer,
    description: 'test',
    on: event,
    ...(opts.ordered === undefined ? {} : { ordered: opts.ordered }),
    handle: async (p) => {
      const n = (attempts.get(p.thingId) ?? 0) + 1;
      attempts.set(p.thingId, n);
      if (n <= (opts.fail?.(p.thingId) ?? 0)) throw new Error(`boom ${p.thingId}`);
      seen.push(p.thingId);
    },
  });
  return { seen, subscriber };
}

function worker(events: EventDef[], subscribers: Subscriber[], clock: () => Date = () => new Date()) {
  const registry = createEventRegistry(events, subscribers);
  const dispatcher = createDispatcher({ database, registry, log });
  return queue.createWorker({
    handlers: registry.jobHandlers(),
    beforeClaim: dispatcher.dispatch,
    now: clock,
    backoffMs: () => 1000,
  });
}

const pending = async (name: string) =>
  (
    await database.query<{ n: number }>(
      'select count(*)::int as n from domain_events where name = $1 and dispatched_at is null',
      [name],
    )
  )[0]!.n;

describe('domain events', () => {
  it('fan out to every subscriber; one failing does not hold the other, and is retried on its own', async () => {
    const e = anEvent();
    const good = recorder(e);
    const flaky = recorder(e, { fail: () => 1 });
    // The jobs are created by the dispatcher inside the tick, stamped with the database's clock.
    let now = new Date(Date.now() + 1000);
    const w = worker([e], [good.subscriber, flaky.subscriber], () => now);
    await emit(database.db, e, { thingId: 1 });
    await w.tick();
    expect(good.seen).toEqual([1]);
    expect(flaky.seen).toEqual([]);
    now = new Date(now.getTime() + 2000);
    await w.tick();
    expect(flaky.seen).toEqual([1]);
    expect(good.seen).toEqual([1]);
    expect(await pending(e.name)).toBe(0);
  });

  it('exist only if the change commits, once per key and transaction', async () => {
    const e = anEvent();
    const rec = recorder(e);
    await database.db
      .transaction(async (tx) => {
        await emit(tx, e, { thingId: 7 });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await emit(tx, e, { thingId: 8 }, { dedupeKey: `${e.name}:8`, perTransaction: true });
      await emitEach(tx, e, 'thingId', [9, 9, 10], 'thing');
    });
    await emit(database.db, e, { thingId: 8 }, { dedupeKey: `${e.name}:8`, perTransaction: true });
    const w = worker([e], [rec.subscriber]);
    while ((await w.tick()) > 0);
    expect(rec.seen.sort()).toEqual([10, 8, 8, 9]);
  });

  it('emitted many at once are each their own event, in the order given, once per dedupe key', async () => {
    const e = anEvent();
    const rec = recorder(e);
    await database.db.transaction(async (tx) => {
      await emitMany(tx, e, [
        { payload: { thingId: 21 }, orderingKey: 'thing:21', dedupeKey: `${e.name}:21` },
        { payload: { thingId: 22 } },
        { payload: { thingId: 21 }, dedupeKey: `${e.name}:21` },
      ]);
    });
    const rows = await database.query<{ payload: { thingId: number }; orderingKey: string | null }>(
      'select payload, ordering_key as "orderingKey" from domain_events where name = $1 order by id',
      [e.name],
    );
    expect(rows).toEqual([
      { payload: { thingId: 21 }, orderingKey: 'thing:21' },
      { payload: { thingId: 22 }, orderingKey: null },
    ]);
    const w = worker([e], [rec.subscriber]);
    while ((await w.tick()) > 0);
    expect(rec.seen.sort()).toEqual([21, 22]);
    await expect(emitMany(database.db, e, [{ payload: { thingId: -1 } as never }])).rejects.toThrow(/payload/);
  });

  it('emitted many with per-transaction keys: once per key in a transaction (also after an emit of it), again in the next', async () => {
    const e = anEvent();
    const rec = recorder(e);
    const each = (ids: number[]) => ids.map((id) => ({ payload: { thingId: id }, dedupeKey: `${e.name}:${id}` }));
    for (let round = 0; round < 2; round++)
      await database.db.transaction(async (tx) => {
        await emit(tx, e, { thingId: 31 }, { dedupeKey: `${e.name}:31`, perTransaction: true });
        await emitMany(tx, e, each([31, 32, 32, 33]), { perTransaction: true });
        await emitMany(tx, e, each([33, 34]), { perTransaction: true });
      });
    const w = worker([e], [rec.subscriber]);
    while ((await w.tick()) > 0);
    expect(rec.seen.sort()).toEqual([31, 31, 32, 32, 33, 33, 34, 34]);
  });

  it('keep one key in order for an ordered subscriber: a failing event holds the later ones of its key only', async () => {
    const e = anEvent();
    // Thing 1's first event (payload 101) fails twice; thing 2 is unaffected.
    const rec = recorder(e, { ordered: true, fail: (id) => (id === 101 ? 2 : 0) });
    let now = new Date();
    const w = worker([e], [rec.subscriber], () => now);
    await emit(database.db, e, { thingId: 101 }, { orderingKey: 'thing:1' });
    await emit(database.db, e, { thingId: 201 }, { orderingKey: 'thing:2' });
    await emit(database.db, e, { thingId: 102 }, { orderingKey: 'thing:1' });
    await emit(database.db, e, { thingId: 202 }, { orderingKey: 'thing:2' });
    await emit(database.db, e, { thingId: 103 }, { orderingKey: 'thing:1' });
    for (let i = 0; i < 6; i++) {
      await w.tick();
      now = new Date(now.getTime() + 2000);
    }
    expect(rec.seen.filter((n) => n < 200)).toEqual([101, 102, 103]);
    expect(rec.seen.filter((n) => n > 200)).toEqual([201, 202]);
    // Thing 2 did not wait for thing 1's retries.
    expect(rec.seen.indexOf(202)).toBeLessThan(rec.seen.indexOf(101));
  });

  it('to a coalescing subscriber: one run covers the queued events of its key, not one emitted during it', async () => {
    const e = anEvent();
    const runs: number[] = [];
    let during: (() => Promise<void>) | undefined;
    const subscriber = defineSubscriber({
      name: `${e.producer}.sub_${uniq()}`,
      module: e.producer,
      description: 'test',
      on: e,
      ordered: true,
      coalesce: true,
      handle: async (p) => {
        runs.push(p.thingId);
        const f = during;
        during = undefined;
        await f?.();
      },
    });
    for (const id of [301, 302, 303]) await emit(database.db, e, { thingId: id }, { orderingKey: 'thing:3' });
    await emit(database.db, e, { thingId: 401 }, { orderingKey: 'thing:4' });
    // A change committed and queued while the first run works: that run may not have seen it, so it runs on its own.
    during = async () => {
      await emit(database.db, e, { thingId: 304 }, { orderingKey: 'thing:3' });
      await createDispatcher({ database, registry: createEventRegistry([e], [subscriber]), log }).dispatch();
    };
    const w = worker([e], [subscriber]);
    while ((await w.tick()) > 0);
    expect(runs.sort()).toEqual([301, 304, 401]);
    const states = await database.query<{ state: string; n: number }>(
      'select state, count(*)::int as n from jobs where kind = $1 group by state',
      [`event:${subscriber.name}`],
    );
    expect(states).toEqual([{ state: 'done', n: 5 }]);
    expect(() => createEventRegistry([e], [{ ...subscriber, ordered: false }])).toThrow(/coalesces but is not ordered/);
  });

  it('are dispatched once: a second dispatcher creates no second job', async () => {
    const e = anEvent();
    const rec = recorder(e);
    const registry = createEventRegistry([e], [rec.subscriber]);
    await emit(database.db, e, { thingId: 5 });
    // Both dispatchers run; the second finds the event dispatched (or, racing, the job's dedupe key taken).
    const [a, b] = await Promise.all([
      createDispatcher({ database, registry, log }).dispatch(),
      createDispatcher({ database, registry, log }).dispatch(),
    ]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    const jobs = await database.query<{ n: number }>('select count(*)::int as n from jobs where kind = $1', [
      `event:${rec.subscriber.name}`,
    ]);
    expect(jobs[0]!.n).toBe(1);
  });

  it('of a name this version does not declare stay pending, never dropped', async () => {
    const known = anEvent();
    const unknown = anEvent();
    const rec = recorder(known);
    await emit(database.db, unknown, { thingId: 1 });
    await emit(database.db, known, { thingId: 2 });
    const w = worker([known], [rec.subscriber]);
    while ((await w.tick()) > 0);
    expect(rec.seen).toEqual([2]);
    expect(await pending(unknown.name)).toBe(1);
  });

  it('refuse a payload that is not the declared one, at the producer', async () => {
    const e = anEvent();
    await expect(emit(database.db, e, { thingId: -1 })).rejects.toThrow(/does not match its declaration/);
    expect(await pending(e.name)).toBe(0);
  });
});

describe('subscribers that take events in batches', () => {
  it('get every claimed event at once; when the batch fails, each runs alone and only the bad one fails', async () => {
    const e = anEvent();
    const batches: number[][] = [];
    const alone: number[] = [];
    const subscriber = defineMultiSubscriber({
      name: `${e.producer}.batch_${uniq()}`,
      module: e.producer,
      description: 'test',
      on: [e],
      handle: async (ev) => {
        const id = (ev.payload as { thingId: number }).thingId;
        if (id === 13) throw new Error('thirteen');
        alone.push(id);
      },
      handleMany: async (evs) => {
        const ids = evs.map((ev) => (ev.payload as { thingId: number }).thingId);
        batches.push(ids);
        if (ids.includes(13)) throw new Error('a bad one in the batch');
      },
    });
    const w = worker([e], [subscriber], () => new Date(Date.now() + 1000));
    for (const thingId of [1, 2, 3]) await emit(database.db, e, { thingId });
    await w.tick();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(alone).toEqual([]);
    for (const thingId of [11, 12, 13]) await emit(database.db, e, { thingId });
    await w.tick();
    expect(batches[1]).toEqual([11, 12, 13]);
    expect(alone.sort()).toEqual([11, 12]);
    const left = await database.query<{ state: string; n: number }>(
      'select state, count(*)::int as n from jobs where kind = $1 group by state order by state',
      [`event:${subscriber.name}`],
    );
    expect(left).toEqual([
      { state: 'done', n: 5 },
      { state: 'failed', n: 1 },
    ]);
  });
});

describe('the event registry', () => {
  it('refuses a subscriber of an undeclared event, a name taken twice and a foreign producer', () => {
    const e = anEvent();
    const other = anEvent();
    const sub = recorder(e).subscriber;
    expect(() => createEventRegistry([e], [recorder(other).subscriber])).toThrow(/which no module declares/);
    expect(() => createEventRegistry([e], [sub, sub])).toThrow(/subscriber .* is declared twice/);
    expect(() => createEventRegistry([e, e], [])).toThrow(/declared twice/);
    expect(() => createEventRegistry([{ ...e, producer: 'cases' }], [])).toThrow(/does not start with its producer/);
    expect(createEventRegistry([e], [sub]).routes()).toEqual([
      { event: e.name, kind: `event:${sub.name}`, maxAttempts: 5, ordered: false },
    ]);
  });
});
