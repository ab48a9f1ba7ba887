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
 * Outbound webhooks (issue 14; docs/WEBHOOKS.md). A subscription belongs to a customer's account (it receives the
 * events of that account and the accounts below it, nothing of another tenant) or, with tenant_id null, to the
 * provider (staff: every account). `secrets` are Standard Webhooks secrets (`whsec_…`), newest first: the previous
 * one keeps signing until `previous_secret_expires_at` after a rotation. They are kept as given, because signing
 * needs them (docs/SECURITY.md says so).
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    accountId: bigint('account_id', { mode: 'number' }),
    /** The account's path when created ('/12/40/'): events of accounts under it are this subscription's. */
    accountPath: text('account_path'),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event types (`case.state_changed`), or ['*'] for every type the owner may receive. */
    eventTypes: text('event_types').array().notNull(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamptz('previous_secret_expires_at'),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    /** Deliveries given up on in a row since the last success: past the limit the subscription is disabled. */
    failingSince: timestamptz('failing_since'),
    deadInARow: integer('dead_in_a_row').notNull().default(0),
    createdByUserId: bigint('created_by_user_id', { mode: 'number' }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_subscriptions_tenant_idx').on(t.tenantId)],
);

/**
 * One message to one subscription: the body as signed (so a retry and a manual redelivery send the same bytes under
 * the same `webhook-id`), its state and the schedule of its attempts.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    subscriptionId: bigint('subscription_id', { mode: 'number' }).notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    /** `msg_…`: the webhook-id header, the same for every attempt of this message. */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    /** The domain event it came from (null for a test message). */
    eventId: bigint('event_id', { mode: 'number' }),
    body: jsonb('body').notNull(),
    /** pending (an attempt is due) | succeeded | failed (given up after the schedule; redeliverable). */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    deliveredAt: timestamptz('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_uq').on(t.subscriptionId, t.eventId).where(sql`${t.eventId} is not null`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    // The worker's sweep for first attempts a crash cut short (webhooks.delivery.ts sweepUnattempted): only the
    // messages in flight are in it.
    index('webhook_deliveries_unattempted_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending' and ${t.attempts} = 0`),
  ],
);

/** Every attempt: when, the answer's status (or the network error), how long it took. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    deliveryId: bigint('delivery_id', { mode: 'number' }).notNull(),
    at: timestamptz('at').notNull().defaultNow(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    /** The first bytes of the receiver's answer, for the owner's debugging. */
    responseSnippet: text('response_snippet'),
    manual: boolean('manual').notNull().default(false),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)],
);
