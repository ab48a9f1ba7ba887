/** Devices and their models, SQL only. Reads take the reach the service resolved (tenant, optional accounts). */
import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../platform/db/client.ts';
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
        .where(inArray(devices.simId, [...simIds]));
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
