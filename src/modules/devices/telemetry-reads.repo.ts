/**
 * Telemetry as the alarm rules on it read it (issue 17.1, threshold rules): the devices' place (tenant, account,
 * model) and their newest values of some metrics, by the series index (device_id, metric, ts).
 */
import type { Database } from '../../platform/db/client.ts';

export type DevicePlace = { id: number; tenantId: number; accountId: number; modelId: number; name: string | null };
export type MetricValue = { deviceId: number; metric: string; ts: Date; value: number };

export function telemetryReads(database: Database) {
  return {
    async placesOf(ids: readonly number[]): Promise<Map<number, DevicePlace>> {
      if (ids.length === 0) return new Map();
      const rows = await database.query<{
        id: string;
        tenant_id: string;
        account_id: string;
        model_id: string;
        name: string | null;
      }>(
        'select id::text, tenant_id::text, account_id::text, model_id::text, name from devices where id = any($1::bigint[])',
        [ids],
      );
      return new Map(
        rows.map((r) => [
          Number(r.id),
          {
            id: Number(r.id),
            tenantId: Number(r.tenant_id),
            accountId: Number(r.account_id),
            modelId: Number(r.model_id),
            name: r.name,
          },
        ]),
      );
    },
    /** The first `limit` devices (by id) of these accounts and models (a list not given: any). */
    async devicesWhere(
      q: { accountIds?: readonly number[] | undefined; deviceModelIds?: readonly number[] | undefined },
      limit: number,
    ): Promise<number[]> {
      const rows = await database.query<{ id: string }>(
        `select id::text from devices
          where ($1::bigint[] is null or account_id = any($1::bigint[]))
            and ($2::bigint[] is null or model_id = any($2::bigint[]))
          order by id limit $3`,
        [q.accountIds?.length ? q.accountIds : null, q.deviceModelIds?.length ? q.deviceModelIds : null, limit],
      );
      return rows.map((r) => Number(r.id));
    },
    /** Every value of one metric of these devices in [since, until), by the series index. */
    async seriesOf(deviceIds: readonly number[], metric: string, since: Date, until: Date): Promise<MetricValue[]> {
      if (deviceIds.length === 0) return [];
      const rows = await database.query<{ device_id: string; ts: Date; value: number }>(
        `select device_id::text, ts, value from device_telemetry
          where device_id = any($1::bigint[]) and metric = $2 and ts >= $3 and ts < $4`,
        [deviceIds, metric, since, until],
      );
      return rows.map((r) => ({ deviceId: Number(r.device_id), metric, ts: new Date(r.ts), value: Number(r.value) }));
    },
    /** Each (device, metric) series' newest `perSeries` values since `since`, newest first. */
    async newestValues(q: {
      deviceIds: readonly number[];
      metrics: readonly string[];
      since: Date;
      perSeries: number;
    }): Promise<MetricValue[]> {
      if (q.deviceIds.length === 0 || q.metrics.length === 0) return [];
      const rows = await database.query<{ device_id: string; metric: string; ts: Date; value: number }>(
        `select s.device_id::text, s.metric, v.ts, v.value
           from unnest($1::bigint[]) as s0(device_id) cross join unnest($2::text[]) as m(metric),
                lateral (select s0.device_id, m.metric) s,
                lateral (select ts, value from device_telemetry t
                          where t.device_id = s.device_id and t.metric = s.metric and t.ts >= $3
                          order by ts desc limit $4) v`,
        [q.deviceIds, q.metrics, q.since, q.perSeries],
      );
      return rows.map((r) => ({
        deviceId: Number(r.device_id),
        metric: r.metric,
        ts: new Date(r.ts),
        value: Number(r.value),
      }));
    },
  };
}
