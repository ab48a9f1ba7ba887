/**
 * The ingest write queue: callers (an HTTP request, an MQTT message) hand in their parsed records and wait; the
 * queue writes everything waiting in one transaction (up to INGEST_BATCH_MAX records, after at most
 * INGEST_LINGER_MS), then resolves every caller of that batch. A caller is acknowledged only after its batch
 * committed — the contract's "acknowledged only after a durable write" — and many small messages cost one
 * transaction instead of one each.
 *
 * One batch is written at a time per process: batches never contend for the same SIM rows inside a process, and
 * while one commits the next fills up (so the batch size grows with the load). If a batch fails, each caller's
 * records are retried alone, so one poisoned message cannot fail its neighbours; a caller whose own write fails
 * gets the error (HTTP 503, MQTT no PUBACK: the producer re-sends).
 *
 * Memory is bounded: `saturated()` is true while more than INGEST_QUEUE_MAX records wait, and transports stop
 * reading until `drained()`.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { NetworkEvent, Rejection, Telemetry } from './contract.ts';
import { writeNetworkEvents } from './ingest.writer.ts';
import type { PartitionManager } from './partitions.ts';
import { writeTelemetry } from './telemetry.writer.ts';

export type IngestSource = { transport: 'mqtt' | 'http'; credentialId: number | null; topic?: string };
export type RejectedLine = { line: number; rejection: Rejection; raw?: string };
/** Per record of the caller: stored, or a duplicate of one stored before. */
export type WriteOutcome = { stored: boolean[] };

type Submission = {
  kind: 'network' | 'telemetry';
  records: NetworkEvent[] | Telemetry[];
  rejected: RejectedLine[];
  source: IngestSource;
  receivedAt: number;
  resolve: (o: WriteOutcome) => void;
  reject: (e: unknown) => void;
};

export function createWriteQueue(
  database: Database,
  partitions: PartitionManager,
  metrics: Metrics,
  opts: { batchMax: number; lingerMs: number; queueMax: number },
) {
  const waiting: Submission[] = [];
  let queued = 0;
  let writing = false;
  let timer: NodeJS.Timeout | null = null;
  let drainWaiters: (() => void)[] = [];
  let closed = false;

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
    const batch: Submission[] = [];
    let n = 0;
    while (waiting.length > 0 && (batch.length === 0 || n + size(waiting[0]!) <= opts.batchMax)) {
      const s = waiting.shift()!;
      batch.push(s);
      n += size(s);
    }
    try {
      await writeBatch(batch);
    } catch {
      // Isolate: each caller alone, so only a caller whose own records fail gets the error.
      for (const s of batch) {
        try {
          await writeBatch([s]);
        } catch (e) {
          s.reject(e);
        }
      }
    } finally {
      queued -= n;
      metrics.ingestQueued.set(queued);
      writing = false;
      if (queued <= opts.queueMax) {
        const w = drainWaiters;
        drainWaiters = [];
        for (const f of w) f();
      }
      schedule();
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
      const n = events.length ? await writeNetworkEvents(tx, events) : { stored: [], orphans: 0 };
      const t = values.length ? await writeTelemetry(tx, values) : { stored: [], orphans: 0 };
      await writeRejections(tx, batch);
      return { n, t };
    });
    const committedAt = Date.now();
    metrics.ingestBatchSize.observe(events.length + values.length);
    metrics.ingestOrphans.inc({ kind: 'network' }, outcome.n.orphans);
    metrics.ingestOrphans.inc({ kind: 'telemetry' }, outcome.t.orphans);
    // Hand each caller its slice of the stored flags.
    let ni = 0;
    let ti = 0;
    for (const s of batch) {
      const from = s.kind === 'network' ? outcome.n.stored : outcome.t.stored;
      const at = s.kind === 'network' ? ni : ti;
      const stored = from.slice(at, at + s.records.length);
      if (s.kind === 'network') ni += s.records.length;
      else ti += s.records.length;
      account(s, stored, committedAt);
      s.resolve({ stored });
    }
  }

  function account(s: Submission, stored: boolean[], committedAt: number) {
    const accepted = stored.filter(Boolean).length;
    const labels = { kind: s.kind, transport: s.source.transport };
    metrics.ingestRecords.inc({ ...labels, outcome: 'accepted' }, accepted);
    metrics.ingestRecords.inc({ ...labels, outcome: 'duplicate' }, stored.length - accepted);
    metrics.ingestRecords.inc({ ...labels, outcome: 'rejected' }, s.rejected.length);
    for (const r of s.rejected) metrics.ingestRejected.inc({ kind: s.kind, reason: r.rejection.reason });
    metrics.ingestWriteSeconds.observe((committedAt - s.receivedAt) / 1000);
    for (const r of s.records) metrics.ingestLag.observe(Math.max(0, committedAt - r.ts.getTime()) / 1000);
  }

  return {
    /** Resolves after the records (and the rejections, as ingest errors) are committed. */
    submit(
      kind: Submission['kind'],
      records: NetworkEvent[] | Telemetry[],
      rejected: RejectedLine[],
      source: IngestSource,
    ): Promise<WriteOutcome> {
      if (closed) return Promise.reject(new Error('ingest is shutting down'));
      return new Promise((resolve, reject) => {
        const s: Submission = { kind, records, rejected, source, receivedAt: Date.now(), resolve, reject };
        waiting.push(s);
        queued += size(s);
        metrics.ingestQueued.set(queued);
        schedule();
      });
    },
    saturated: () => queued > opts.queueMax,
    drained(): Promise<void> {
      if (queued <= opts.queueMax) return Promise.resolve();
      return new Promise((r) => drainWaiters.push(r));
    },
    /** Stop taking records and write what is waiting. */
    async close(): Promise<void> {
      closed = true;
      while (waiting.length > 0 || writing) {
        if (!writing) await flush();
        else await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

export type WriteQueue = ReturnType<typeof createWriteQueue>;

const RAW_MAX = 2048;

async function writeRejections(tx: RawTx, batch: Submission[]) {
  const rows = batch.flatMap((s) => s.rejected.map((r) => ({ s, r })));
  if (rows.length === 0) return;
  const clean = (v: string | undefined | null) =>
    v === undefined || v === null ? null : v.replaceAll('\u0000', '\uFFFD').slice(0, RAW_MAX);
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
      rows.map(({ r }) => r.rejection.field ?? null),
      rows.map(({ r }) => valueText(r.rejection.value)),
      rows.map(({ r }) => clean(r.rejection.message)),
      rows.map(({ r }) => r.line),
      rows.map(({ s }) => s.source.topic ?? null),
      rows.map(({ r }) => clean(r.raw)),
    ],
  );
}
