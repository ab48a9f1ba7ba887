/**
 * Telemetry's durable write, owned by the devices module (its tables): ingest's write queue calls it inside its
 * batch transaction through the `TelemetryStore` src/services.ts gives it, so a batch of events and telemetry
 * still commits as one, set-based (see ingest.writer.ts for the approach). One row per metric value; the newest
 * value per (device, metric) kept apart for current views.
 */
import { sql } from 'drizzle-orm';
import type { Database, RawTx } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';

/** A telemetry record as ingest's contract parses it (contract.ts `Telemetry`). */
export type TelemetryRecord = { id: string | null; ts: Date; deviceId: string; metrics: Record<string, number> };
/** `deviceIds`: the known devices with a value stored by the write (alarm rules on telemetry judge them). */
export type TelemetryWriteResult = { stored: boolean[]; orphans: number; deviceIds: number[] };
/** Stored telemetry of a deviceId no device has, grouped. */
export type TelemetryOrphans = { device_id: string; records: number; first_ts: Date; last_ts: Date };
type Latest = { deviceId: number; metric: string; ts: Date; value: number };

/** Telemetry: one row per metric value, the newest value per (device, metric) kept apart for current views. */
export async function writeTelemetry(tx: RawTx, records: readonly TelemetryRecord[]): Promise<TelemetryWriteResult> {
  const ids = [...new Set(records.map((r) => r.deviceId))];
  const devices = new Map(
    (
      await tx.query<{ id: string | number; external_id: string; tenant_id: string | number }>(
        'select id, external_id, tenant_id from devices where external_id = any($1::text[])',
        [ids],
      )
    ).map((d) => [d.external_id, { id: Number(d.id), tenantId: Number(d.tenant_id) }]),
  );
  const flat: { r: TelemetryRecord; i: number; metric: string; value: number }[] = [];
  records.forEach((r, i) => {
    for (const [metric, value] of Object.entries(r.metrics)) flat.push({ r, i, metric, value });
  });
  const stored = records.map((r) => r.id === null || Object.keys(r.metrics).length === 0);
  const col = <T>(f: (x: (typeof flat)[number]) => T) => flat.map(f);
  const inserted = await tx.query<{ external_id: string; event_id: string | null }>(
    `insert into device_telemetry (external_id, device_id, tenant_id, ts, metric, value, event_id)
     select * from unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::float8[], $7::text[])
     on conflict do nothing
     returning external_id, event_id`,
    [
      col((x) => x.r.deviceId),
      col((x) => devices.get(x.r.deviceId)?.id ?? null),
      col((x) => devices.get(x.r.deviceId)?.tenantId ?? null),
      col((x) => x.r.ts.toISOString()),
      col((x) => x.metric),
      col((x) => x.value),
      col((x) => x.r.id),
    ],
  );
  // A record with an id is stored when any of its values was new; a second copy in the same batch is not.
  const firstOf = new Map<string, number>();
  records.forEach((r, i) => {
    if (r.id !== null && !firstOf.has(`${r.deviceId}|${r.id}`)) firstOf.set(`${r.deviceId}|${r.id}`, i);
  });
  for (const row of inserted) {
    if (row.event_id === null) continue;
    const i = firstOf.get(`${row.external_id}|${row.event_id}`);
    if (i !== undefined) stored[i] = true;
  }
  const latest = new Map<string, Latest>();
  for (const x of flat) {
    const d = devices.get(x.r.deviceId);
    if (!d || !stored[x.i]) continue;
    const k = `${d.id}|${x.metric}`;
    const cur = latest.get(k);
    if (!cur || x.r.ts >= cur.ts) latest.set(k, { deviceId: d.id, metric: x.metric, ts: x.r.ts, value: x.value });
  }
  await upsertLatest(tx, [...latest.values()]);
  const orphans = records.filter((r, i) => stored[i] && !devices.has(r.deviceId)).length;
  return { stored, orphans, deviceIds: [...new Set([...latest.values()].map((l) => l.deviceId))] };
}

async function upsertLatest(tx: RawTx, rows: Latest[]) {
  if (rows.length === 0) return;
  rows.sort((a, b) => a.deviceId - b.deviceId || (a.metric < b.metric ? -1 : 1));
  await tx.query(
    `insert into device_metric_latest (device_id, metric, ts, value)
     select * from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::float8[])
     on conflict (device_id, metric) do update set ts = excluded.ts, value = excluded.value
      where excluded.ts >= device_metric_latest.ts`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.metric),
      rows.map((r) => r.ts.toISOString()),
      rows.map((r) => r.value),
    ],
  );
}

/**
 * Orphan telemetry whose device exists now gets it (a device adopts only what was received from its
 * `history_from` on when it has one: a device a customer registered), and the device's newest values move on.
 * Answers how many values were adopted. Ingest runs it in each of its orphan-adoption transactions.
 */
export async function adoptOrphanTelemetry(tx: RawTx): Promise<number> {
  const values = await tx.query<{ device_id: string | number; metric: string; ts: Date; value: number }>(
    `update device_telemetry t set device_id = d.id, tenant_id = d.tenant_id
       from devices d where t.device_id is null and t.external_id = d.external_id
        and (d.history_from is null or t.received_at >= d.history_from)
     returning t.device_id, t.metric, t.ts, t.value`,
  );
  const latest = new Map<string, Latest>();
  for (const v of values) {
    const k = `${v.device_id}|${v.metric}`;
    const ts = new Date(v.ts);
    const cur = latest.get(k);
    if (!cur || ts >= cur.ts) latest.set(k, { deviceId: Number(v.device_id), metric: v.metric, ts, value: v.value });
  }
  await upsertLatest(tx, [...latest.values()]);
  return values.length;
}

/** What ingest needs of the devices module's telemetry tables: given to it by src/services.ts. */
export type TelemetryStore = {
  write: (tx: RawTx, records: readonly TelemetryRecord[]) => Promise<TelemetryWriteResult>;
  adoptOrphans: (tx: RawTx) => Promise<number>;
  /** Orphan telemetry grouped by deviceId, newest first (partial index on the orphans). */
  orphans: (limit: number) => Promise<TelemetryOrphans[]>;
  /** Retention: telemetry older than `at` goes. */
  deleteBefore: (at: Date) => Promise<void>;
};

export function telemetryStore(database: Database): TelemetryStore {
  return {
    write: writeTelemetry,
    adoptOrphans: adoptOrphanTelemetry,
    orphans: (limit) =>
      queryRows<TelemetryOrphans>(
        database.db,
        sql`select external_id as device_id, count(*)::int as records, min(ts) as first_ts, max(ts) as last_ts
              from device_telemetry where device_id is null group by external_id order by max(ts) desc limit ${limit}`,
      ),
    async deleteBefore(at) {
      await database.query('delete from device_telemetry where ts < $1', [at.toISOString()]);
    },
  };
}
