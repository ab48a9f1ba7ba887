import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, uniq } from '../../../test/support/harness.ts';
import type { Database } from '../../platform/db/client.ts';
import { createMetrics } from '../../platform/metrics.ts';
import { writeTelemetry } from '../devices/telemetry.writer.ts';
import type { NetworkEvent } from './contract.ts';
import { networkEvent } from './ingest.test-support.ts';
import { createPartitionManager } from './partitions.ts';
import { createWriteQueue } from './write-queue.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const ev = (iccid: string, id: string): NetworkEvent => networkEvent({ iccid, id });

/**
 * Fault injection around the real database: a transaction that holds the poisoned ICCID fails like PostgreSQL
 * refusing a value (SQLSTATE 22003), or like a lost connection (08006).
 */
function poisoned(database: Database, iccid: string, code: string): Database {
  return {
    ...database,
    rawTransaction: (fn) =>
      database.rawTransaction((tx) =>
        fn({
          ...tx,
          query: async (text, params) => {
            if (text.includes('insert into network_events') && JSON.stringify(params).includes(iccid))
              throw Object.assign(new Error('numeric field overflow'), { code });
            return tx.query(text, params);
          },
        }),
      ),
  };
}

const count = async (prefix: string) =>
  (
    await h.ctx.database.query<{ n: number }>('select count(*)::int as n from network_events where event_id like $1', [
      `${prefix}%`,
    ])
  )[0]!.n;

describe('write queue isolation', () => {
  it('a record the database refuses is refused (unstorable, listed), its neighbours in the batch are stored', async () => {
    const bad = `89460${Date.now().toString().slice(-14)}`;
    const run = uniq();
    const q = createWriteQueue(
      poisoned(h.ctx.database, bad, '22003'),
      createPartitionManager(h.ctx.database),
      createMetrics(),
      { batchMax: 100, lingerMs: 20, queueMax: 1000, lanes: 1, writeTelemetry, emitEvents: true },
    );
    const src = { transport: 'mqtt' as const, credentialId: null };
    const [good, poison] = await Promise.all([
      q.submit('network', [ev('8946000000000000001', `${run}-a`)], [1], [], src),
      q.submit('network', [ev(bad, `${run}-b`)], [7], [], src),
    ]);
    expect(good).toMatchObject({ stored: [true] });
    expect(poison.stored).toEqual([false]);
    expect(poison.refused?.[0]).toMatch(/not storable: numeric field overflow/);
    expect(await count(run)).toBe(1);
    const [err] = await h.ctx.database.query<{ reason: string; line: number }>(
      `select reason, line from ingest_errors where raw like $1`,
      [`%${run}-b%`],
    );
    expect(err).toEqual({ reason: 'unstorable', line: 7 });
  });

  it("a record the database refuses never takes the rest of its caller's batch with it (all were unstorable)", async () => {
    const bad = `89462${Date.now().toString().slice(-14)}`;
    const run = uniq();
    const q = createWriteQueue(
      poisoned(h.ctx.database, bad, '22P02'),
      createPartitionManager(h.ctx.database),
      createMetrics(),
      { batchMax: 100, lingerMs: 0, queueMax: 1000, lanes: 1, writeTelemetry, emitEvents: true },
    );
    const iccids = ['8946000000000000011', '8946000000000000012', bad, '8946000000000000013', '8946000000000000014'];
    const parseRejection = { line: 9, rejection: { ok: false as const, reason: 'invalid_ts' as const, message: 'x' } };
    const o = await q.submit(
      'network',
      iccids.map((c, i) => ev(c, `${run}-${i}`)),
      [1, 2, 3, 4, 5],
      [parseRejection],
      { transport: 'http', credentialId: null },
    );
    expect(o.stored).toEqual([true, true, false, true, true]);
    expect(o.refused).toEqual([null, null, expect.stringMatching(/not storable: numeric field overflow/), null, null]);
    expect(await count(run)).toBe(4);
    const errors = await h.ctx.database.query<{ reason: string; line: number }>(
      `select reason, line from ingest_errors where raw like $1 or (line = 9 and reason = 'invalid_ts' and message = 'x')
        order by line`,
      [`%${run}-2%`],
    );
    // The refused record and the caller's own parse rejection, each written once.
    expect(errors).toEqual([
      { reason: 'unstorable', line: 3 },
      { reason: 'invalid_ts', line: 9 },
    ]);
  });

  it('a lost connection is not a refusal: the caller gets the error (not acknowledged, the producer re-sends)', async () => {
    const bad = `89461${Date.now().toString().slice(-14)}`;
    const q = createWriteQueue(
      poisoned(h.ctx.database, bad, '08006'),
      createPartitionManager(h.ctx.database),
      createMetrics(),
      { batchMax: 100, lingerMs: 0, queueMax: 1000, lanes: 1, writeTelemetry, emitEvents: true },
    );
    await expect(
      q.submit('network', [ev(bad, `${uniq()}-c`)], [1], [], { transport: 'http', credentialId: null }),
    ).rejects.toThrow(/numeric field overflow/);
  });
});
