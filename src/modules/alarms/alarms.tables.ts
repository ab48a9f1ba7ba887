import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/**
 * Alarms (issue 17), ThingsBoard's model: an originator (a SIM today; accounts, PLMNs and APNs with the fleet rules),
 * a type, a severity, active until cleared (by its condition or by staff) and acknowledged or not. One active alarm per
 * originator and type: a condition that persists raises its `count` and `last_seen_at`, never a second alarm.
 */
export const alarms = pgTable(
  'alarms',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    accountId: bigint('account_id', { mode: 'number' }),
    originatorType: text('originator_type').notNull(), // sim
    originatorId: text('originator_id').notNull(), // the SIM's id
    type: text('type').notNull(), // silence
    severity: text('severity').notNull(), // critical | major | minor | warning
    count: integer('count').notNull().default(1),
    firstSeenAt: timestamptz('first_seen_at').notNull(),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    clearedAt: timestamptz('cleared_at'),
    /** null: the condition cleared it (the SIM talked again); else the user who did. */
    clearedBy: bigint('cleared_by', { mode: 'number' }),
    acknowledgedAt: timestamptz('acknowledged_at'),
    acknowledgedBy: bigint('acknowledged_by', { mode: 'number' }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** The rule that raised it (null: the built-in default). */
    ruleId: bigint('rule_id', { mode: 'number' }),
    /** Its rule opens cases and no case holds it yet (alarm-cases.ts); claimed by a worker at case_claimed_at. */
    casePending: boolean('case_pending').notNull().default(false),
    caseClaimedAt: timestamptz('case_claimed_at'),
    /** The case it opened or joined. */
    caseNumber: text('case_number'),
    /** Unacknowledged: when the desk was last reminded of it (its rule's remindMinutes), and how often. */
    remindedAt: timestamptz('reminded_at'),
    remindCount: integer('remind_count').notNull().default(0),
    /**
     * The fleet alarm (a network or APN refusing many SIMs) this SIM's refusal burst is one of: the desk sees one
     * outage with its SIMs under it, not hundreds of rows (fleet-watch.ts links them; kept after either clears).
     */
    parentId: bigint('parent_id', { mode: 'number' }),
  },
  (t) => [
    index('alarms_case_pending_idx').on(t.id).where(sql`${t.casePending}`),
    index('alarms_parent_idx').on(t.parentId).where(sql`${t.parentId} is not null`),
    uniqueIndex('alarms_active_uq').on(t.originatorType, t.originatorId, t.type).where(sql`${t.clearedAt} is null`),
    index('alarms_recent_idx').on(t.lastSeenAt, t.id),
    index('alarms_tenant_idx').on(t.tenantId, t.lastSeenAt),
  ],
);

/**
 * The silence watch: one row per SIM that has talked, due when its silence would become news. A tick claims the due
 * rows (index on due_at: the work is what falls due, never a scan of the fleet), reads the SIMs' last events, moves
 * a talking SIM's due time on and raises the alarm of a silent one — at the due instant, not at its next message.
 */
export const silenceWatch = pgTable(
  'silence_watch',
  {
    simId: bigint('sim_id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    /** The newest event the watch has seen. */
    lastEventAt: timestamptz('last_event_at').notNull(),
    /** How long a silence from lastEventAt may last before it is news (the SIM's rhythm, when it was last read). */
    thresholdMs: bigint('threshold_ms', { mode: 'number' }).notNull(),
    dueAt: timestamptz('due_at').notNull(),
    /** Set while this silence has an active alarm: the tick then repeats it, or clears it once the SIM talks. */
    alarmId: bigint('alarm_id', { mode: 'number' }),
    /** The rule that set the threshold (null: the built-in default). */
    ruleId: bigint('rule_id', { mode: 'number' }),
  },
  (t) => [index('silence_watch_due_idx').on(t.dueAt)],
);

/**
 * Alarm rules (issue 17): what the provider's desk wants watched, for which SIMs and how. A SIM is governed by the most
 * specific enabled rule of a kind whose scope takes it in (more scope fields set wins; equal: the older rule); a SIM
 * no rule takes in keeps the built-in default (the diagnosis' rhythm rule, severity major).
 */
export const alarmRules = pgTable(
  'alarm_rules',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull(),
    kind: text('kind').notNull(), // silence
    enabled: boolean('enabled').notNull().default(true),
    /** Which SIMs (alarms.rules.ts RuleScope): every field set must match; an empty scope takes every SIM in. */
    scope: jsonb('scope').$type<Record<string, unknown>>().notNull().default({}),
    /** The kind's parameters (silence: factor, graceMinutes, noRhythmMinutes, learnWeeks). */
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    severity: text('severity').notNull(),
    /** Raise the severity while the condition lasts: { afterMinutes, severity }. */
    escalation: jsonb('escalation').$type<Record<string, unknown>>(),
    /** When the rule may raise alarms: { days, from, to, timeZone }; a silence due outside it waits for its start. */
    schedule: jsonb('schedule').$type<Record<string, unknown>>(),
    /** Its alarms open a case (channel monitoring) for their account, or join the one open for the same cause. */
    openCase: boolean('open_case').notNull().default(false),
    /** Remind the desk of an unacknowledged alarm every this many minutes (null: never). */
    remindMinutes: integer('remind_minutes'),
    /** A rule that threw while applied is disabled with the error (and an alarm of its own); enabling clears it. */
    lastError: text('last_error'),
    failedAt: timestamptz('failed_at'),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('alarm_rules_name_uq').on(sql`lower(${t.name})`)],
);

/**
 * The case an account's alarms of one cause go to (deduplication): while it is open, new alarms of that cause join
 * it (their SIMs are added); once it is resolved or closed, the next alarm opens a new one. `opening` while a worker
 * creates the case — the unique index makes that one worker.
 */
export const alarmCases = pgTable(
  'alarm_cases',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    cause: text('cause').notNull(), // the alarm type: silence
    state: text('state').notNull(), // opening | open | done
    caseId: bigint('case_id', { mode: 'number' }),
    caseNumber: text('case_number'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('alarm_cases_current_uq').on(t.accountId, t.cause).where(sql`${t.state} <> 'done'`)],
);
