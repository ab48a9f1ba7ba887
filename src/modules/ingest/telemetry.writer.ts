/** Telemetry's durable write (see ingest.writer.ts for the approach): one row per metric value. */
import type { RawTx } from '../../platform/db/client.ts';
import type { Telemetry } from './contract.ts';

export type TelemetryWriteResult = { stored: boolean[]; orphans: number };

/** Telemetry: one row per metric value, the newest value per (device, metric) kept apart for current views. */
export async function writeTelemetry(tx: RawTx, records: readonly Telemetry[]): Promise<TelemetryWriteResult> {
  const ids = [...new Set(records.map((r) => r.deviceId))];
  const devices = new Map(
    (
      await tx.query<{ id: string | number; external_id: string; tenant_id: string | number }>(
        'select id, external_id, tenant_id from devices where external_id = any($1::text[])',
        [ids],
      )
    ).map((d) => [d.external_id, { id: Number(d.id), tenantId: Number(d.tenant_id) }]),
  );
  const flat: { r: Telemetry; i: number; metric: string; value: number }[] = [];
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
  const latest = new Map<string, { deviceId: number; metric: string; ts: Date; value: number }>();
  for (const x of flat) {
    const d = devices.get(x.r.deviceId);
    if (!d || !stored[x.i]) continue;
    const k = `${d.id}|${x.metric}`;
    const cur = latest.get(k);
    if (!cur || x.r.ts >= cur.ts) latest.set(k, { deviceId: d.id, metric: x.metric, ts: x.r.ts, value: x.value });
  }
  await upsertLatest(tx, [...latest.values()]);
  const orphans = records.filter((r, i) => stored[i] && !devices.has(r.deviceId)).length;
  return { stored, orphans };
}

export async function upsertLatest(tx: RawTx, rows: { deviceId: number; metric: string; ts: Date; value: number }[]) {
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
