/**
 * The ingest write queue: callers (an HTTP request, an MQTT message) hand in their parsed records and wait; the
 * queue writes everything waiting in one transaction (up to INGEST_BATCH_MAX records, after at most
 * INGEST_LINGER_MS), then resolves every caller of that batch. A caller is acknowledged only after its batch
 * committed — the contract's "acknowledged only after a durable write" — and many small messages cost one
 * transaction instead of one each.
 *
 * One batch is written at a time per process: batches never contend for the same SIM rows inside a process, and
 * while one commits the next fills up (so the batch size grows with the load). If a batch fails, each caller's
 * records are retried alone, so one poisoned message cannot fail its neighbours; if the database refuses a
 * caller's own records, they are halved until the refused records are found, which are answered `unstorable`
 * while the rest of the caller's batch is stored. A caller whose write fails otherwise gets the error (HTTP 503,
 * MQTT no PUBACK: the producer re-sends).
 *
 * Memory is bounded: `saturated()` is true while more than INGEST_QUEUE_MAX records wait, and transports stop
 * reading until `drained()`.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { isDataError } from '../../platform/db/pg-errors.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { fnv1a32 } from '../../platform/random.ts';
import type { TelemetryStore } from '../devices/telemetry.writer.ts';
import { batchCommittedPayload } from './batch-event.ts';
import type { NetworkEvent, Rejection, Telemetry } from './contract.ts';
import { IngestEvents } from './ingest.events.ts';
import { type NetworkWriteResult, writeNetworkEvents } from './ingest.writer.ts';
import type { PartitionManager } from './partitions.ts';

export type IngestSource = { transport: 'mqtt' | 'http'; credentialId: number | null; topic?: string };
export type RejectedLine = { line: number; rejection: Rejection; raw?: string };
/** Per record of the caller: stored, or a duplicate of one stored before. */
/**
 * Per record of the caller: stored, or not (a duplicate of one stored before, or — with `refused` set — refused by
 * the database itself: the message).
 */
export type WriteOutcome = { stored: boolean[]; refused?: (string | null)[] };

type Submission = {
  kind: 'network' | 'telemetry';
  records: NetworkEvent[] | Telemetry[];
  /** The records' line numbers in the caller's body (for refusals the database makes). */
  lines: number[];
  rejected: RejectedLine[];
  source: IngestSource;
  receivedAt: number;
  resolve: (o: WriteOutcome) => void;
  reject: (e: unknown) => void;
};

type WriteQueueOptions = {
  batchMax: number;
  lingerMs: number;
  queueMax: number;
  /** The devices module's telemetry writer, run in the batch's transaction (src/services.ts gives it). */
  writeTelemetry: TelemetryStore['write'];
  /** Announce each committed batch that changed a SIM's status or stored refusals (INGEST_EVENTS). */
  emitEvents: boolean;
};

const NO_NETWORK: NetworkWriteResult = { stored: [], orphans: 0, statusChanged: [], refusals: [] };
const countTrue = (xs: readonly boolean[]) => {
  let n = 0;
  for (const x of xs) if (x) n++;
  return n;
};

type Shared = { queued: number; drainWaiters: (() => void)[]; closed: boolean };

function createLane(
  database: Database,
  partitions: PartitionManager,
  metrics: Metrics,
  opts: WriteQueueOptions,
  shared: Shared,
) {
  const waiting: Submission[] = [];
  let queued = 0;
  let writing = false;
  let timer: NodeJS.Timeout | null = null;

  const size = (s: Submission) => s.records.length + s.rejected.length;

  function schedule() {
    if (writing || timer || waiting.length === 0) return;
    if (queued >= opts.batchMax || opts.lingerMs === 0) void flush();
    else timer = setTimeout(() => void flush(), opts.lingerMs);
  }

  async function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (writing || waiting.length === 0) return;
    writing = true;
    // One splice, not a shift per caller: with one caller per MQTT message thousands wait, and shift() is O(n).
    let n = size(waiting[0]!);
    let k = 1;
    while (k < waiting.length && n + size(waiting[k]!) <= opts.batchMax) n += size(waiting[k++]!);
    const batch = waiting.splice(0, k);
    try {
      await writeBatch(batch);
    } catch (e) {
      // Isolate: each caller alone, so only a caller whose own records fail gets the error. A lone caller's refused
      // records need not be tried again whole; anything else (a deadlock PostgreSQL broke) is retried once.
      if (batch.length === 1 && isDataError(e)) await writeAlone(batch[0]!, e);
      else for (const s of batch) await writeAlone(s);
    } finally {
      queued -= n;
      shared.queued -= n;
      metrics.ingestQueued.set(shared.queued);
      writing = false;
      if (shared.queued <= opts.queueMax) {
        const w = shared.drainWaiters;
        shared.drainWaiters = [];
        for (const f of w) f();
      }
      schedule();
    }
  }

  /**
   * One caller's submission on its own (`failed`: the error it already met alone). When the database refuses its
   * records themselves (a value the contract checks let through), the records are halved until the refused ones
   * are found (at most ISOLATE_MAX_WRITES transactions; past that, the rest of a refused part is refused whole):
   * those are refused like any bad record, acknowledged, which keeps one message from being re-delivered forever,
   * and the others are stored — one bad record never takes its batch with it (issue 13, F7). The halves commit one
   * by one: a caller that then meets another error (a lost connection) gets it and re-sends, and the records
   * already stored count as duplicates when they carry an id (the contract's idempotency).
   */
  async function writeAlone(s: Submission, failed?: unknown) {
    if (failed === undefined) {
      try {
        await writeBatch([s]);
        return;
      } catch (e) {
        failed = e;
      }
    }
    if (!isDataError(failed)) {
      s.reject(failed);
      return;
    }
    const stored = s.records.map(() => false);
    const refused: (string | null)[] = s.records.map(() => null);
    let writes = ISOLATE_MAX_WRITES;
    // A part of the caller's records, answered into `stored`; its rejections are written once, at the end.
    const part = (idx: number[]): Submission => ({
      ...s,
      records: idx.map((i) => s.records[i]!) as NetworkEvent[] | Telemetry[],
      lines: idx.map((i) => s.lines[i]!),
      rejected: [],
      resolve: (o) => {
        o.stored.forEach((x, k) => {
          stored[idx[k]!] = x;
        });
      },
      reject: () => {},
    });
    const halve = async (idx: number[], e: unknown): Promise<void> => {
      if (idx.length === 0) return;
      if (idx.length === 1 || writes <= 0) {
        for (const i of idx) refused[i] = `not storable: ${(e as Error).message}`;
        return;
      }
      const half = Math.ceil(idx.length / 2);
      for (const p of [idx.slice(0, half), idx.slice(half)]) {
        writes--;
        try {
          await writeBatch([part(p)]);
        } catch (e2) {
          if (!isDataError(e2)) throw e2;
          await halve(p, e2);
        }
      }
    };
    try {
      await halve(
        s.records.map((_, i) => i),
        failed,
      );
      await writeBatch([unstorable(s, refused, stored)]);
    } catch (e) {
      s.reject(e);
    }
  }

  async function writeBatch(batch: Submission[]) {
    const network = batch.filter((s) => s.kind === 'network');
    const telemetry = batch.filter((s) => s.kind === 'telemetry');
    const events = network.flatMap((s) => s.records as NetworkEvent[]);
    const values = telemetry.flatMap((s) => s.records as Telemetry[]);
    const newest = Math.max(0, ...events.map((e) => e.ts.getTime()));
    if (events.length > 0) await partitions.ensure(newest);
    const outcome = await database.rawTransaction(async (tx) => {
      const n = events.length ? await writeNetworkEvents(tx, events, { changes: opts.emitEvents }) : NO_NETWORK;
      const t = values.length ? await opts.writeTelemetry(tx, values) : { stored: [], orphans: 0, deviceIds: [] };
      await writeRejections(tx, batch);
      // One event for the whole batch, in its transaction: it exists if and only if the batch commits.
      const payload = opts.emitEvents
        ? batchCommittedPayload({
            network: countTrue(n.stored),
            telemetry: countTrue(t.stored),
            orphans: n.orphans,
            statusChanged: n.statusChanged,
            refusals: n.refusals,
            telemetryDevices: t.deviceIds,
          })
        : null;
      if (payload) await emitRaw(tx, IngestEvents.batchCommitted, payload);
      return { n, t };
    });
    const committedAt = Date.now();
    metrics.ingestBatchSize.observe(events.length + values.length);
    metrics.ingestOrphans.inc({ kind: 'network' }, outcome.n.orphans);
    metrics.ingestOrphans.inc({ kind: 'telemetry' }, outcome.t.orphans);
    // Hand each caller its slice of the stored flags; count per batch, not per caller (one MQTT message is one
    // caller: labelled counter increments per message were a measurable share of the process's CPU).
    const counts = new Map<string, { kind: Submission['kind']; transport: string; n: number[] }>();
    let ni = 0;
    let ti = 0;
    for (const s of batch) {
      const from = s.kind === 'network' ? outcome.n.stored : outcome.t.stored;
      const at = s.kind === 'network' ? ni : ti;
      const stored = from.slice(at, at + s.records.length);
      if (s.kind === 'network') ni += s.records.length;
      else ti += s.records.length;
      const key = `${s.kind}/${s.source.transport}`;
      const c = counts.get(key) ?? { kind: s.kind, transport: s.source.transport, n: [0, 0, 0] };
      counts.set(key, c);
      let accepted = 0;
      for (const x of stored) if (x) accepted++;
      c.n[0]! += accepted;
      c.n[1]! += stored.length - accepted;
      c.n[2]! += s.rejected.length;
      for (const r of s.rejected) metrics.ingestRejected.inc({ kind: s.kind, reason: r.rejection.reason });
      metrics.ingestWriteSeconds.observe((committedAt - s.receivedAt) / 1000);
      for (const r of s.records) metrics.ingestLag.observe(Math.max(0, committedAt - r.ts.getTime()) / 1000);
      s.resolve({ stored });
    }
    for (const { kind, transport, n } of counts.values())
      ['accepted', 'duplicate', 'rejected'].forEach((outcome, i) => {
        if (n[i]! > 0) metrics.ingestRecords.inc({ kind, transport, outcome }, n[i]!);
      });
  }

  return {
    submit(
      kind: Submission['kind'],
      records: NetworkEvent[] | Telemetry[],
      lines: number[],
      rejected: RejectedLine[],
      source: IngestSource,
    ): Promise<WriteOutcome> {
      return new Promise((resolve, reject) => {
        const s: Submission = { kind, records, lines, rejected, source, receivedAt: Date.now(), resolve, reject };
        waiting.push(s);
        queued += size(s);
        shared.queued += size(s);
        metrics.ingestQueued.set(shared.queued);
        schedule();
      });
    },
    busy: () => writing || waiting.length > 0,
    flush,
  };
}

/** A cheap, stable spread of ICCIDs / deviceIds over the lanes. */
const laneOf = (key: string, lanes: number) => fnv1a32(key) % lanes;

/**
 * `lanes` independent write queues, each on its own connection, a SIM (or device) always on the same lane: the
 * database works on several batches at once (PostgreSQL runs each on its own core) without two lanes ever
 * touching the same SIM's rows. A caller's records are split by lane and its answer waits for every part.
 */
export function createWriteQueue(
  database: Database,
  partitions: PartitionManager,
  metrics: Metrics,
  opts: WriteQueueOptions & { lanes: number },
) {
  const shared: Shared = { queued: 0, drainWaiters: [], closed: false };
  const lanes = Array.from({ length: Math.max(1, opts.lanes) }, () =>
    createLane(database, partitions, metrics, opts, shared),
  );
  const keyOf = (r: NetworkEvent | Telemetry) => ('iccid' in r ? r.iccid : r.deviceId);

  return {
    /** Resolves after the records (and the rejections, as ingest errors) are committed. */
    async submit(
      kind: Submission['kind'],
      records: NetworkEvent[] | Telemetry[],
      lines: number[],
      rejected: RejectedLine[],
      source: IngestSource,
    ): Promise<WriteOutcome> {
      if (shared.closed) throw new Error('ingest is shutting down');
      if (lanes.length === 1) return lanes[0]!.submit(kind, records, lines, rejected, source);
      // The common MQTT case, one record a message: straight to its lane (its rejections, if any, with it).
      if (records.length === 1)
        return lanes[laneOf(keyOf(records[0]!), lanes.length)]!.submit(kind, records, lines, rejected, source);
      const parts: number[][] = lanes.map(() => []);
      records.forEach((r, i) => {
        parts[laneOf(keyOf(r), lanes.length)]!.push(i);
      });
      const done = await Promise.all(
        parts.map(async (idx, l) => {
          if (idx.length === 0 && (l !== 0 || rejected.length === 0)) return { idx, o: { stored: [] } as WriteOutcome };
          const mine = idx.map((i) => records[i]!) as NetworkEvent[] | Telemetry[];
          const o = await lanes[l]!.submit(
            kind,
            mine,
            idx.map((i) => lines[i]!),
            l === 0 ? rejected : [],
            source,
          );
          return { idx, o };
        }),
      );
      const stored = records.map(() => false);
      const refused: (string | null)[] = records.map(() => null);
      for (const { idx, o } of done)
        for (let k = 0; k < idx.length; k++) {
          stored[idx[k]!] = o.stored[k]!;
          refused[idx[k]!] = o.refused?.[k] ?? null;
        }
      return { stored, refused };
    },
    saturated: () => shared.queued > opts.queueMax,
    drained(): Promise<void> {
      if (shared.queued <= opts.queueMax) return Promise.resolve();
      return new Promise((r) => shared.drainWaiters.push(r));
    },
    /** Stop taking records and write what is waiting. */
    async close(): Promise<void> {
      shared.closed = true;
      while (lanes.some((l) => l.busy())) {
        for (const l of lanes) await l.flush();
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

const RAW_MAX = 2048;
/** Transactions one caller's refused batch may take to find the records the database refuses (see writeAlone). */
const ISOLATE_MAX_WRITES = 64;

async function writeRejections(tx: RawTx, batch: Submission[]) {
  const rows = batch.flatMap((s) => s.rejected.map((r) => ({ s, r })));
  if (rows.length === 0) return;
  // Text PostgreSQL can hold: no NUL, no lone surrogate (a refused key's path is the field, and may carry both).
  const clean = (v: string | undefined | null) =>
    v === undefined || v === null ? null : v.replaceAll('\u0000', '\uFFFD').slice(0, RAW_MAX).toWellFormed();
  const valueText = (v: unknown) => (v === undefined ? null : clean(typeof v === 'string' ? v : JSON.stringify(v)));
  await tx.query(
    `insert into ingest_errors (transport, kind, credential_id, reason, field, value, message, line, topic, raw)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::int[], $9::text[], $10::text[])`,
    [
      rows.map(({ s }) => s.source.transport),
      rows.map(({ s }) => s.kind),
      rows.map(({ s }) => s.source.credentialId),
      rows.map(({ r }) => r.rejection.reason),
      rows.map(({ r }) => clean(r.rejection.field)),
      rows.map(({ r }) => valueText(r.rejection.value)),
      rows.map(({ r }) => clean(r.rejection.message)),
      rows.map(({ r }) => r.line),
      rows.map(({ s }) => clean(s.source.topic)),
      rows.map(({ r }) => clean(r.raw)),
    ],
  );
}

/**
 * The caller's parse rejections and its records the database refused (`refused[i]`: the database's message) as
 * refusals to write (reason `unstorable`); resolves the caller with what was stored of the rest.
 */
function unstorable(s: Submission, refused: (string | null)[], stored: boolean[]): Submission {
  const refusals: RejectedLine[] = [];
  s.records.forEach((r, i) => {
    const message = refused[i];
    if (message !== null && message !== undefined)
      refusals.push({
        line: s.lines[i] ?? i + 1,
        rejection: { ok: false, reason: 'unstorable', message },
        raw: JSON.stringify(r),
      });
  });
  return {
    ...s,
    records: [],
    lines: [],
    rejected: [...s.rejected, ...refusals],
    resolve: () => s.resolve({ stored, refused }),
  };
}
