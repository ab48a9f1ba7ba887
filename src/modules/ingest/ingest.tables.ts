import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/*
 * The write side of network ingest. `network_events` itself (append-only, partitioned by day) is not a Drizzle
 * table: drizzle-kit cannot declare partitioning, so it is created by the hand-written migration
 * 0013_network_events.sql and written/read with SQL in ingest.writer.ts / network.repo.ts.
 *
 * Everything below is derived from the events by the batch writer, in the same transaction as the events, so
 * an acknowledged record and its effects commit together. SIM-keyed rows carry tenant_id/account_id copied
 * from the SIM at write time so customer reads are one index probe (a SIM moved to another account carries its
 * new account on its next event).
 */

/** The SIM's network state now: the newest event by `ts` wins, late records never roll it back. */
export const simNetworkState = pgTable(
  'sim_network_state',
  {
    simId: bigint('sim_id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    /** ATTACHED | ONLINE | OFFLINE | BLOCKED */
    status: text('status').notNull(),
    /** `ts` of the newest event applied; older records are stored but do not move the state. */
    lastEventAt: timestamptz('last_event_at').notNull(),
    lastEventType: text('last_event_type').notNull(),
    plmn: text('plmn'),
    rat: text('rat'),
    apn: text('apn'),
    ip: text('ip'),
    /** The open data session, if any. */
    sessionId: text('session_id'),
    sessionStartedAt: timestamptz('session_started_at'),
    lastRejectType: text('last_reject_type'),
    lastRejectCause: smallint('last_reject_cause'),
    lastRejectAt: timestamptz('last_reject_at'),
    imsi: text('imsi'),
    imei: text('imei'),
    imeiChangedAt: timestamptz('imei_changed_at'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  // No index on a column that changes with events: updates stay HOT (fillfactor 70, set in 0014).
  (t) => [index('sim_network_state_account_idx').on(t.tenantId, t.accountId)],
);

/** Every IMEI a SIM was seen in (an IMEI change is a security signal and a diagnosis fact). */
export const simImeiHistory = pgTable(
  'sim_imei_history',
  {
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    imei: text('imei').notNull(),
    firstSeenAt: timestamptz('first_seen_at').notNull(),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.simId, t.imei] })],
);

/** Data sessions (PDP context / PDN connection): bytes are the newest cumulative counters reported. */
export const dataSessions = pgTable(
  'data_sessions',
  {
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    sessionId: text('session_id').notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    plmn: text('plmn'),
    apn: text('apn'),
    rat: text('rat'),
    ip: text('ip'),
    startedAt: timestamptz('started_at'),
    endedAt: timestamptz('ended_at'),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    bytesUp: bigint('bytes_up', { mode: 'number' }).notNull().default(0),
    bytesDown: bigint('bytes_down', { mode: 'number' }).notNull().default(0),
  },
  // The key also serves "a SIM's sessions" (a prefix scan); no index on the columns every update changes.
  (t) => [primaryKey({ columns: [t.simId, t.sessionId] })],
);

const usageColumns = () => ({
  simId: bigint('sim_id', { mode: 'number' }).notNull(),
  tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
  accountId: bigint('account_id', { mode: 'number' }).notNull(),
  bytesUp: bigint('bytes_up', { mode: 'number' }).notNull().default(0),
  bytesDown: bigint('bytes_down', { mode: 'number' }).notNull().default(0),
  smsMo: integer('sms_mo').notNull().default(0),
  smsMt: integer('sms_mt').notNull().default(0),
  voiceSeconds: integer('voice_seconds').notNull().default(0),
});

/** Usage per SIM per UTC hour: byte deltas between a session's cumulative reports, SMS and call counts. */
export const simUsageHourly = pgTable(
  'sim_usage_hourly',
  { ...usageColumns(), hour: timestamptz('hour').notNull() },
  (t) => [primaryKey({ columns: [t.simId, t.hour] }), index('sim_usage_hourly_tenant_idx').on(t.tenantId, t.hour)],
);

/** Usage per SIM per UTC day (the same deltas, kept apart so month views never sum 720 hours a SIM). */
export const simUsageDaily = pgTable(
  'sim_usage_daily',
  { ...usageColumns(), day: timestamptz('day').notNull() },
  (t) => [
    primaryKey({ columns: [t.simId, t.day] }),
    index('sim_usage_daily_tenant_idx').on(t.tenantId, t.day),
    // An account's month so far (the usage thresholds, read once a day per account with usage).
    index('sim_usage_daily_account_idx').on(t.accountId, t.day),
  ],
);

/**
 * Fleet roll-up: events per 5 minutes by tenant, type, PLMN, APN (lower-cased) and cause. Fleet views and the
 * "is it us or you?" correlation read this instead of scanning events (distinct SIMs come from
 * sim_network_state, which holds each SIM once). tenant_id 0 = orphan records.
 */
export const networkEventCounts = pgTable(
  'network_event_counts',
  {
    bucket: timestamptz('bucket').notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    plmn: text('plmn').notNull().default(''),
    apn: text('apn').notNull().default(''),
    cause: smallint('cause').notNull().default(-1),
    events: integer('events').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bucket, t.tenantId, t.type, t.plmn, t.apn, t.cause] }),
    index('network_event_counts_tenant_idx').on(t.tenantId, t.bucket),
  ],
);

/** Refused records, by reason: GET /api/v1/ingest/errors. The raw text is kept (cut) for the producer's fix. */
export const ingestErrors = pgTable(
  'ingest_errors',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    transport: text('transport').notNull(), // mqtt | http
    kind: text('kind').notNull(), // network | telemetry
    credentialId: bigint('credential_id', { mode: 'number' }),
    reason: text('reason').notNull(),
    field: text('field'),
    value: text('value'),
    message: text('message').notNull(),
    /** NDJSON line / array position (HTTP) or position in the MQTT payload's array. */
    line: integer('line'),
    topic: text('topic'),
    raw: text('raw'),
  },
  (t) => [index('ingest_errors_received_idx').on(t.receivedAt), index('ingest_errors_reason_idx').on(t.reason, t.id)],
);

/**
 * Producers' credentials (scope `ingest` only): MQTT username + password, or the secret as an HTTP Bearer token.
 * Only the SHA-256 of the secret is stored.
 */
export const ingestCredentials = pgTable(
  'ingest_credentials',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    lastUsedAt: timestamptz('last_used_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [
    uniqueIndex('ingest_credentials_name_uq').on(sql`lower(${t.name})`),
    uniqueIndex('ingest_credentials_secret_uq').on(t.secretHash),
  ],
);
