/** Devices and their models, SQL only. Reads take the reach the service resolved (tenant, optional accounts). */
import { and, asc, eq, gt, gte, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../platform/db/client.ts';
import { idsAny } from '../../platform/db/rows.ts';
import { deviceMetricLatest, deviceModels, devices } from './devices.tables.ts';

export type ModelRow = typeof deviceModels.$inferSelect;
export type DeviceRow = typeof devices.$inferSelect;
/** A device with its SIM's ICCID as shown (20 digits), from the SIMs service. */
export type DeviceWithSim = DeviceRow & { iccid: string | null };
export type Reach = { tenantId?: number | undefined; accountIds?: number[] | undefined };

const reachWhere = (r: Reach): SQL | undefined =>
  and(
    r.tenantId !== undefined ? eq(devices.tenantId, r.tenantId) : undefined,
    r.accountIds !== undefined ? inArray(devices.accountId, r.accountIds) : undefined,
  );

export function devicesRepo(db: Db) {
  return {
    async insertModel(values: typeof deviceModels.$inferInsert): Promise<ModelRow> {
      const [row] = await db.insert(deviceModels).values(values).returning();
      return row!;
    },
    async updateModel(id: number, values: Partial<typeof deviceModels.$inferInsert>): Promise<ModelRow> {
      const [row] = await db.update(deviceModels).set(values).where(eq(deviceModels.id, id)).returning();
      return row!;
    },
    async model(id: number): Promise<ModelRow | undefined> {
      const [row] = await db.select().from(deviceModels).where(eq(deviceModels.id, id));
      return row;
    },
    /** The model of the device each SIM is in. */
    async modelsOfSims(simIds: readonly number[]): Promise<Map<number, number>> {
      if (simIds.length === 0) return new Map();
      const rows = await db
        .select({ simId: devices.simId, modelId: devices.modelId })
        .from(devices)
        .where(sql`${devices.simId} = any(${idsAny(simIds)})`);
      return new Map(rows.map((r) => [r.simId!, r.modelId]));
    },
    modelsByIds: (ids: number[]) =>
      ids.length === 0 ? Promise.resolve([]) : db.select().from(deviceModels).where(inArray(deviceModels.id, ids)),
    /** Shared models, and those owned by one of `owners` (all of them when undefined: staff). */
    listModels: (owners: number[] | undefined) =>
      db
        .select()
        .from(deviceModels)
        .where(
          owners === undefined
            ? undefined
            : or(
                isNull(deviceModels.ownerAccountId),
                inArray(deviceModels.ownerAccountId, owners.length ? owners : [-1]),
              ),
        )
        .orderBy(asc(deviceModels.name), asc(deviceModels.id)),

    /** `adoptsHistory: false`: the device adopts orphan telemetry received from now (the database's clock) on. */
    async insert({
      adoptsHistory,
      ...values
    }: Omit<typeof devices.$inferInsert, 'historyFrom'> & { adoptsHistory: boolean }): Promise<DeviceRow> {
      const historyFrom = adoptsHistory ? null : sql`now()`;
      const [row] = await db
        .insert(devices)
        .values({ ...values, historyFrom })
        .returning();
      return row!;
    },
    async update(id: number, values: Partial<typeof devices.$inferInsert>): Promise<DeviceRow> {
      const [row] = await db.update(devices).set(values).where(eq(devices.id, id)).returning();
      return row!;
    },
    async byId(reach: Reach, id: number): Promise<DeviceRow | undefined> {
      const [row] = await db
        .select()
        .from(devices)
        .where(and(eq(devices.id, id), reachWhere(reach)));
      return row;
    },
    list: (reach: Reach, afterId: number | undefined, limit: number): Promise<DeviceRow[]> =>
      db
        .select()
        .from(devices)
        .where(and(reachWhere(reach), afterId !== undefined ? gt(devices.id, afterId) : undefined))
        .orderBy(asc(devices.id))
        .limit(limit),
    /** Devices whose `metric` was measured since `since`, in id order after `afterId`, with their model. */
    linkDevices: (q: { metric: string; since: Date; afterId: number; limit: number }) =>
      db
        .select({
          id: devices.id,
          tenantId: devices.tenantId,
          accountId: devices.accountId,
          externalId: devices.externalId,
          name: devices.name,
          simId: devices.simId,
          linkKbps: devices.linkKbps,
          modelId: deviceModels.id,
          modelName: deviceModels.name,
          maxLinkKbps: deviceModels.maxLinkKbps,
        })
        .from(devices)
        .innerJoin(deviceModels, eq(deviceModels.id, devices.modelId))
        .innerJoin(
          deviceMetricLatest,
          and(eq(deviceMetricLatest.deviceId, devices.id), eq(deviceMetricLatest.metric, q.metric)),
        )
        .where(and(gt(devices.id, q.afterId), gte(deviceMetricLatest.ts, q.since)))
        .orderBy(asc(devices.id))
        .limit(q.limit),
    latest: (deviceId: number) =>
      db
        .select()
        .from(deviceMetricLatest)
        .where(eq(deviceMetricLatest.deviceId, deviceId))
        .orderBy(asc(deviceMetricLatest.metric)),
  };
}

/** A device's series, newest first, keyset on (ts, ctid): telemetry rows have no id, and ctid is unique. */
export function telemetrySeries(
  database: Database,
  q: {
    deviceId: number;
    metric?: string | undefined;
    from: Date;
    to: Date;
    after: { key: string; tiebreak: string } | undefined;
    limit: number;
  },
) {
  const params: unknown[] = [q.deviceId, q.from, q.to];
  const where = ['device_id = $1', 'ts >= $2', 'ts <= $3'];
  if (q.metric !== undefined) {
    params.push(q.metric);
    where.push(`metric = $${params.length}`);
  }
  if (q.after) {
    params.push(q.after.key, q.after.tiebreak);
    where.push(`(ts, ctid) < ($${params.length - 1}::timestamptz, $${params.length}::tid)`);
  }
  params.push(q.limit);
  return database.query<{ k: string; c: string; ts: Date; metric: string; value: number }>(
    `select ts::text as k, ctid::text as c, ts, metric, value from device_telemetry where ${where.join(' and ')}
      order by ts desc, ctid desc limit $${params.length}`,
    params,
  );
}

/**
 * The p95 of each hour of one metric, per device, each device from its own instant (`windows`) up to `to`: one
 * statement for a page of devices (the series index serves each). Hours are UTC hour starts whatever the session's
 * time zone (date_bin on a UTC origin; date_trunc would follow the zone's offset).
 */
export function hourlyP95(
  database: Database,
  q: { windows: readonly { deviceId: number; from: Date }[]; metric: string; to: Date },
) {
  if (q.windows.length === 0) return Promise.resolve([]);
  return database.query<{ device_id: string | number; hour: Date; p95: number; samples: number }>(
    `select t.device_id, date_bin('1 hour', t.ts, timestamptz '2000-01-01 00:00:00+00') as hour,
            percentile_cont(0.95) within group (order by t.value) as p95, count(*)::int as samples
       from unnest($1::bigint[], $2::timestamptz[]) as w(device_id, from_ts)
       join device_telemetry t on t.device_id = w.device_id and t.metric = $3 and t.ts >= w.from_ts and t.ts < $4
      group by 1, 2`,
    [q.windows.map((w) => w.deviceId), q.windows.map((w) => w.from.toISOString()), q.metric, q.to.toISOString()],
  );
}
