/**
 * ingest.batch_committed on the test database (PGlite or PostgreSQL): one event per committed batch that changed a
 * SIM's network status or stored refusals, with the SIMs and the refusals grouped; none for a batch that changed
 * neither, none for a batch rolled back; and delivered through the dispatcher to its subscriber.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims, randomIccid } from '../../../test/support/sims-factory.ts';
import type { Database } from '../../platform/db/client.ts';
import { createMetrics } from '../../platform/metrics.ts';
import { writeTelemetry } from '../devices/telemetry.writer.ts';
import { batchCommittedPayload } from './batch-event.ts';
import type { Line } from './contract.ts';
import { BATCH_EVENT_MAX_SIMS, type BatchCommitted } from './ingest.events.ts';
import { networkEvent } from './ingest.test-support.ts';
import { createPartitionManager } from './partitions.ts';
import { createWriteQueue } from './write-queue.ts';

let h: Harness;
let t: Tenant;
const source = { transport: 'http' as const, credentialId: null };

beforeAll(async () => {
  // One lane: one accepted body is one batch on PostgreSQL too (with two lanes it would be split by SIM).
  h = await harness({ ingestWriters: 1 });
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
const lines = (records: Record<string, unknown>[]): Line[] => records.map((value, i) => ({ line: i + 1, value }));
const net = { network: { mcc: '240', mnc: '07' } };

/** The ingest.batch_committed events after `afterId`, oldest first. */
async function eventsAfter(afterId: number): Promise<{ id: number; payload: BatchCommitted }[]> {
  const rows = await h.ctx.database.query<{ id: string; payload: BatchCommitted | string }>(
    `select id::text as id, payload from domain_events where name = 'ingest.batch_committed' and id > $1 order by id`,
    [afterId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
  }));
}
const lastEventId = async () =>
  Number(
    (await h.ctx.database.query<{ id: string }>('select coalesce(max(id), 0)::text as id from domain_events'))[0]!.id,
  );
async function simIds(iccids: string[]): Promise<number[]> {
  const rows = await h.ctx.database.query<{ id: string; iccid: string }>(
    'select id::text as id, iccid from sims where iccid = any($1::text[])',
    [iccids],
  );
  return iccids.map((c) => Number(rows.find((r) => r.iccid === c)!.id));
}

describe('ingest.batch_committed', () => {
  it('one event per committed batch: the SIMs whose status moved, refusals grouped by type, PLMN, APN and cause', async () => {
    const [a, b, c, d, e] = await makeSims(h.services, t.child.id, 5, { state: 'ACTIVATED' });
    const [idA, idB, idC, idD, idE] = await simIds([a!.iccid, b!.iccid, c!.iccid, d!.iccid, e!.iccid]);
    // D is ONLINE before the batch: its session_update below moves nothing.
    await h.services.ingest.acceptNetwork(
      lines([
        { ts: ago(60), iccid: d!.iccid20, type: 'attach', ...net },
        { ts: ago(50), iccid: d!.iccid20, type: 'session_start', ...net, apn: 'iot.example', session_id: 's1' },
      ]),
      source,
    );
    const mark = await lastEventId();
    const orphan = randomIccid();
    const res = await h.services.ingest.acceptNetwork(
      lines([
        { id: `x-${uniq()}`, ts: ago(30), iccid: a!.iccid20, type: 'attach', ...net },
        { ts: ago(30), iccid: b!.iccid20, type: 'attach_rejected', ...net, cause: 15 },
        { ts: ago(29), iccid: c!.iccid20, type: 'attach_rejected', ...net, cause: 15 },
        { ts: ago(28), iccid: orphan, type: 'attach_rejected', ...net, cause: 15 },
        // Two refusals of one SIM (the read path), the APN in another case: one group, one SIM.
        {
          ts: ago(27),
          iccid: e!.iccid20,
          type: 'session_rejected',
          ...net,
          apn: 'IoT.Example',
          session_id: 'q',
          cause: 27,
        },
        {
          ts: ago(26),
          iccid: e!.iccid20,
          type: 'session_rejected',
          ...net,
          apn: 'iot.example',
          session_id: 'q',
          cause: 27,
        },
        {
          ts: ago(25),
          iccid: d!.iccid20,
          type: 'session_update',
          ...net,
          apn: 'iot.example',
          session_id: 's1',
          bytes_up: 10,
          bytes_down: 20,
        },
      ]),
      source,
    );
    expect(res).toMatchObject({ accepted: 7, rejected: [] });
    const events = await eventsAfter(mark);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      network: 7,
      telemetry: 0,
      orphans: 1,
      simsChanged: 4,
      simIds: [idA, idB, idC, idE].sort((x, y) => x! - y!),
      simIdsTruncated: false,
      refusedEvents: 5,
      refusals: [
        { type: 'attach_rejected', plmn: '24007', apn: null, cause: 15, events: 3, sims: 3 },
        { type: 'session_rejected', plmn: '24007', apn: 'iot.example', cause: 27, events: 2, sims: 1 },
      ],
      refusalsTruncated: false,
      // The refused ICCIDs as stored (19 digits), each once, the orphan's included.
      refusedIccids: [b!.iccid20, c!.iccid20, orphan, e!.iccid20].map((i) => i.slice(0, 19)),
      telemetryDeviceIds: [],
    });
    expect(events[0]!.payload.simIds).not.toContain(idD);
  });

  it('no event for a batch that moved no status and stored no refusal (or stored nothing new)', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const first = { id: `y-${uniq()}`, ts: ago(40), iccid: s!.iccid20, type: 'attach', ...net };
    await h.services.ingest.acceptNetwork(lines([first]), source);
    const mark = await lastEventId();
    const res = await h.services.ingest.acceptNetwork(
      lines([
        first, // a duplicate: stores nothing
        { ts: ago(20), iccid: s!.iccid20, type: 'sms_mo' }, // ATTACHED stays ATTACHED
        { ts: ago(50), iccid: s!.iccid20, type: 'detach' }, // late: stored, the state does not move
      ]),
      source,
    );
    expect(res).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(await eventsAfter(mark)).toEqual([]);
  });

  it('none for a batch that rolls back', async () => {
    // The batch's statements all run, then its commit fails (a lost connection): nothing of it, event included.
    const failing: Database = {
      ...h.ctx.database,
      rawTransaction: (fn) =>
        h.ctx.database.rawTransaction(async (tx) => {
          await fn(tx);
          throw Object.assign(new Error('connection lost'), { code: '08006' });
        }),
    };
    const q = createWriteQueue(failing, createPartitionManager(h.ctx.database), createMetrics(), {
      batchMax: 100,
      lingerMs: 0,
      queueMax: 1000,
      lanes: 1,
      writeTelemetry,
      emitEvents: true,
    });
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const mark = await lastEventId();
    await expect(
      q.submit(
        'network',
        [networkEvent({ iccid: s!.iccid, type: 'attach_rejected', plmn: '24007', cause: 15 })],
        [1],
        [],
        source,
      ),
    ).rejects.toThrow(/connection lost/);
    expect(await eventsAfter(mark)).toEqual([]);
    const [state] = await h.ctx.database.query(
      'select 1 from sim_network_state where sim_id = $1',
      await simIds([s!.iccid]),
    );
    expect(state).toBeUndefined();
  });

  it('reaches its subscriber through the dispatcher: the fleet snapshot hears of refusals on a PLMN it saw none on', async () => {
    await h.runJobs();
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const fleet = h.services.fleetHealth;
    await fleet.snapshot();
    const heard = vi.spyOn(fleet, 'refusalsStored');
    const mark = await lastEventId();
    await h.services.ingest.acceptNetwork(
      lines([
        { ts: ago(5), iccid: s!.iccid20, type: 'attach_rejected', network: { mcc: '262', mnc: '01' }, cause: 11 },
      ]),
      source,
    );
    const [event] = await eventsAfter(mark);
    expect(event).toBeDefined();
    expect(await h.runJobs()).toBeGreaterThan(0);
    expect(heard).toHaveBeenCalledTimes(1);
    expect(heard.mock.calls[0]![0]).toEqual([
      { type: 'attach_rejected', plmn: '26201', apn: null, cause: 11, events: 1, sims: 1 },
    ]);
    expect(heard.mock.results[0]!.value).toBe(true);
    const jobs = await h.ctx.database.query<{ state: string }>(
      `select state from jobs where kind = 'event:diagnosis.fleet_refusals' and dedupe_key = $1`,
      [`event:diagnosis.fleet_refusals:${event!.id}`],
    );
    expect(jobs).toEqual([{ state: 'done' }]);
    heard.mockRestore();
  });
});

describe('batchCommittedPayload (bounds)', () => {
  it('keeps the first 10,000 SIM ids, ascending, and says it cut', () => {
    const ids = Array.from({ length: BATCH_EVENT_MAX_SIMS + 5 }, (_, i) => BATCH_EVENT_MAX_SIMS + 5 - i);
    const p = batchCommittedPayload({
      network: ids.length,
      telemetry: 0,
      orphans: 0,
      statusChanged: ids,
      refusals: [],
    });
    expect(p).toMatchObject({ simsChanged: BATCH_EVENT_MAX_SIMS + 5, simIdsTruncated: true, refusals: [] });
    expect(p!.simIds).toHaveLength(BATCH_EVENT_MAX_SIMS);
    expect(p!.simIds.slice(0, 3)).toEqual([1, 2, 3]);
    expect(batchCommittedPayload({ network: 3, telemetry: 2, orphans: 0, statusChanged: [], refusals: [] })).toBeNull();
    // Telemetry of registered devices is announced (alarm rules on telemetry judge those devices).
    const t = batchCommittedPayload({
      network: 0,
      telemetry: 2,
      orphans: 0,
      statusChanged: [],
      refusals: [],
      telemetryDevices: [9, 4],
    });
    expect(t).toMatchObject({ telemetry: 2, simsChanged: 0, refusedEvents: 0, telemetryDeviceIds: [4, 9] });
  });
});
