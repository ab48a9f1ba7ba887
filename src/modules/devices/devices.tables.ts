import { sql } from 'drizzle-orm';
import {
  bigint,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/**
 * A device model names what wears and what runs out, so telemetry `wear_pct.<part>` and `stock_level_pct.<item>`
 * mean something (maintenance planning reads these). Shared models have no owner; an account's own models are
 * visible to its subtree.
 */
export const deviceModels = pgTable(
  'device_models',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    ownerAccountId: bigint('owner_account_id', { mode: 'number' }),
    name: text('name').notNull(),
    /** meter | tracker | router | machine | vending | other — the simulator's device class too. */
    kind: text('kind').notNull(),
    wearParts: text('wear_parts').array().notNull().default(sql`'{}'::text[]`),
    consumables: text('consumables').array().notNull().default(sql`'{}'::text[]`),
    /** The fastest link the model's hardware carries (capacity: the most an upgrade reaches without new hardware). */
    maxLinkKbps: integer('max_link_kbps'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('device_models_name_uq').on(sql`coalesce(${t.ownerAccountId}, 0)`, sql`lower(${t.name})`)],
);

/** A customer's asset; `external_id` is the contract's `deviceId` (topic iotops/v1/devices/{deviceId}/…). */
export const devices = pgTable(
  'devices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    modelId: bigint('model_id', { mode: 'number' }).notNull(),
    /** The SIM the device carries, if any. */
    simId: bigint('sim_id', { mode: 'number' }),
    /** The link speed the customer has contracted now (capacity: what utilisation is a share of). */
    linkKbps: integer('link_kbps'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    /**
     * Orphan telemetry (stored before the device existed) received before this moment is not adopted. Null when
     * staff registered the device: all of its earlier telemetry is adopted. A customer's registration sets it to
     * the registration's time: the id is the customer's word, and what arrived under it before may be anyone's.
     */
    historyFrom: timestamptz('history_from'),
  },
  (t) => [
    uniqueIndex('devices_external_uq').on(t.externalId),
    index('devices_account_idx').on(t.tenantId, t.accountId, t.id),
    index('devices_sim_idx').on(t.simId),
  ],
);

/**
 * Telemetry series, one row per metric value. Records for unknown devices are kept with device_id null
 * (orphans, reconciled when the device is registered). `event_id` is the producer's idempotency id.
 */
export const deviceTelemetry = pgTable(
  'device_telemetry',
  {
    externalId: text('external_id').notNull(),
    deviceId: bigint('device_id', { mode: 'number' }),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    ts: timestamptz('ts').notNull(),
    metric: text('metric').notNull(),
    value: doublePrecision('value').notNull(),
    eventId: text('event_id'),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
  },
  (t) => [
    index('device_telemetry_series_idx').on(t.deviceId, t.metric, t.ts),
    index('device_telemetry_orphan_idx').on(t.externalId, t.ts).where(sql`${t.deviceId} is null`),
    uniqueIndex('device_telemetry_dedupe_uq')
      .on(t.externalId, t.eventId, t.metric)
      .where(sql`${t.eventId} is not null`),
  ],
);

/** The newest value of each metric of each device (by `ts`; late records never roll it back). */
export const deviceMetricLatest = pgTable(
  'device_metric_latest',
  {
    deviceId: bigint('device_id', { mode: 'number' }).notNull(),
    metric: text('metric').notNull(),
    ts: timestamptz('ts').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.metric] })],
);
