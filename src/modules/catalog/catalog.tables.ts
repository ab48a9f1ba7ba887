import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';
import { accounts } from '../accounts/accounts.tables.ts';

/**
 * Plans are either shared (tenant_id and account_id null: offered to every customer) or specific to one
 * account (and then available to that account's whole subtree). Names are unique per owner.
 */
export const communicationPlans = pgTable(
  'communication_plans',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    accountId: bigint('account_id', { mode: 'number' }).references(() => accounts.id),
    name: text('name').notNull(),
    description: text('description'),
    apns: text('apns').array().notNull(),
    dataEnabled: boolean('data_enabled').notNull().default(true),
    smsEnabled: boolean('sms_enabled').notNull().default(false),
    voiceEnabled: boolean('voice_enabled').notNull().default(false),
    csdEnabled: boolean('csd_enabled').notNull().default(false),
    allowedRats: text('allowed_rats').array().notNull(),
    /** PLMN ids (MCC+MNC) the SIM may roam on, in addition to the zones. */
    roamingPlmns: text('roaming_plmns').array().notNull().default(sql`'{}'::text[]`),
    /** Zone codes (see catalog.zones.ts): named sets of countries. */
    roamingZones: text('roaming_zones').array().notNull().default(sql`'{}'::text[]`),
    /** IMEI lock: the network refuses a SIM of this plan in any device but the one its record names (sims.imei). */
    imeiLock: boolean('imei_lock').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('communication_plans_owner_name_uq').on(sql`coalesce(${t.accountId}, 0)`, t.name),
    index('communication_plans_tenant_idx').on(t.tenantId),
  ],
);

export const ratePlans = pgTable(
  'rate_plans',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    accountId: bigint('account_id', { mode: 'number' }).references(() => accounts.id),
    name: text('name').notNull(),
    description: text('description'),
    currency: text('currency').notNull(),
    monthlyFee: numeric('monthly_fee', { precision: 14, scale: 4 }).notNull(),
    includedDataMb: bigint('included_data_mb', { mode: 'number' }).notNull().default(0),
    includedSms: integer('included_sms').notNull().default(0),
    includedVoiceMin: integer('included_voice_min').notNull().default(0),
    /** per_sim: each SIM has its allowance; pooled: allowances add up across the account's SIMs. */
    pooling: text('pooling').notNull().default('per_sim'),
    overageDataPerMb: numeric('overage_data_per_mb', { precision: 14, scale: 4 }).notNull().default('0'),
    overageSmsEach: numeric('overage_sms_each', { precision: 14, scale: 4 }).notNull().default('0'),
    overageVoicePerMin: numeric('overage_voice_per_min', { precision: 14, scale: 4 }).notNull().default('0'),
    /** What the network does once a SIM's data allowance is used up: charge (keep going), block, or throttle. */
    overageAction: text('overage_action').notNull().default('charge'),
    /** The rate a throttled SIM keeps (overage_action throttle only). */
    overageThrottleKbps: integer('overage_throttle_kbps'),
    /** What a SIM in TEST_READY may use before it moves on (Control Center's test-ready limits). */
    testDataMb: integer('test_data_mb').notNull().default(0),
    testSms: integer('test_sms').notNull().default(0),
    testVoiceMin: integer('test_voice_min').notNull().default(0),
    testDays: integer('test_days').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rate_plans_owner_name_uq').on(sql`coalesce(${t.accountId}, 0)`, t.name),
    index('rate_plans_tenant_idx').on(t.tenantId),
  ],
);
