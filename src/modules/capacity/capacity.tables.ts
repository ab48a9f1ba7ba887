import { sql } from 'drizzle-orm';
import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/**
 * Each link's hourly p95 utilisation, rolled up from the devices module's telemetry as hours complete: a forecast
 * reads weeks of these (~1,300 rows a link) instead of weeks of raw values (12 an hour from a router).
 */
export const capacityLinkHours = pgTable(
  'capacity_link_hours',
  {
    deviceId: bigint('device_id', { mode: 'number' }).notNull(),
    hour: timestamptz('hour').notNull(),
    p95: doublePrecision('p95').notNull(),
    samples: integer('samples').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.hour] })],
);

/** The latest forecast of each link (one row per device), refreshed by the capacity run; what the list pages over. */
export const capacityForecasts = pgTable(
  'capacity_forecasts',
  {
    deviceId: bigint('device_id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    modelName: text('model_name').notNull(),
    computedAt: timestamptz('computed_at').notNull(),
    /** ok | insufficient_history */
    status: text('status').notNull(),
    reason: text('reason'),
    historyDays: integer('history_days').notNull(),
    currentP95: doublePrecision('current_p95'),
    trendPerWeek: doublePrecision('trend_per_week'),
    daysToSaturation: doublePrecision('days_to_saturation'),
    saturationDay: text('saturation_day'),
    peakDemandPct: doublePrecision('peak_demand_pct'),
    /** The level it was judged against (CAPACITY_SATURATION_PCT then). */
    saturationPct: doublePrecision('saturation_pct').notNull(),
    linkKbps: integer('link_kbps'),
    maxLinkKbps: integer('max_link_kbps'),
    /** The staged plan (upgrade-plan.ts StagedPlan) when the link saturates within the horizon. */
    plan: jsonb('plan').$type<Record<string, unknown>>(),
  },
  (t) => [index('capacity_forecasts_days_idx').on(sql`coalesce(${t.daysToSaturation}, 1e9)`, t.deviceId)],
);

/**
 * Upgrade proposals: the order case opened for a link. One current proposal per device (`state` opening → open →
 * done), its partial unique index making one worker the opener; `done` rows remember when a proposal ended, so a
 * declined one is not proposed again at the next run.
 */
export const capacityProposals = pgTable(
  'capacity_proposals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    deviceId: bigint('device_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    /** opening | open | done */
    state: text('state').notNull(),
    caseId: bigint('case_id', { mode: 'number' }),
    caseNumber: text('case_number'),
    /** The contracted speed when proposed: a changed speed (an upgrade done, still short) may be proposed again. */
    linkKbps: integer('link_kbps'),
    createdAt: timestamptz('created_at').notNull(),
    endedAt: timestamptz('ended_at'),
  },
  (t) => [
    uniqueIndex('capacity_proposals_current_uq').on(t.deviceId).where(sql`${t.state} <> 'done'`),
    index('capacity_proposals_device_idx').on(t.deviceId, t.endedAt),
  ],
);
