import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { webhookAttempts, webhookDeliveries, webhookSubscriptions } from './webhooks.tables.ts';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;
export type NewDelivery = {
  subscriptionId: number;
  tenantId: number | null;
  messageId: string;
  eventType: string;
  eventId: number;
  body: Record<string, unknown>;
  nextAttemptAt: Date;
};

/** Whose subscriptions a caller reaches: the provider's staff all of them; a customer their tenant's. */
export type SubscriptionReach = { kind: 'operator' } | { kind: 'customer'; tenantId: number; accountPath: string };

function reachWhere(reach: SubscriptionReach): SQL | undefined {
  if (reach.kind === 'operator') return undefined;
  // A customer reaches the subscriptions of their account and the accounts below it.
  return and(
    eq(webhookSubscriptions.tenantId, reach.tenantId),
    sql`${webhookSubscriptions.accountPath} like ${`${reach.accountPath}%`}`,
  );
}

export function webhooksRepo(db: Db) {
  return {
    async insertSubscription(values: typeof webhookSubscriptions.$inferInsert): Promise<SubscriptionRow> {
      const [row] = await db.insert(webhookSubscriptions).values(values).returning();
      return row!;
    },
    /** A customer's (tenant's) subscriptions in all, and the one of this account already posting to `url`. */
    async tenantUsage(
      tenantId: number,
      accountId: number,
      url: string,
    ): Promise<{ count: number; sameUrl: number | null }> {
      const [row] = await db
        .select({
          count: sql<number>`count(*)::int`,
          sameUrl: sql<
            number | null
          >`min(${webhookSubscriptions.id}) filter (where ${webhookSubscriptions.accountId} = ${accountId} and ${webhookSubscriptions.url} = ${url})`,
        })
        .from(webhookSubscriptions)
        .where(eq(webhookSubscriptions.tenantId, tenantId));
      return {
        count: row?.count ?? 0,
        sameUrl: row?.sameUrl === null || row?.sameUrl === undefined ? null : Number(row.sameUrl),
      };
    },
    async subscriptions(reach: SubscriptionReach): Promise<SubscriptionRow[]> {
      return db.select().from(webhookSubscriptions).where(reachWhere(reach)).orderBy(webhookSubscriptions.id);
    },
    async subscription(reach: SubscriptionReach, id: number): Promise<SubscriptionRow | undefined> {
      const [row] = await db
        .select()
        .from(webhookSubscriptions)
        .where(and(eq(webhookSubscriptions.id, id), reachWhere(reach)));
      return row;
    },
    async updateSubscription(id: number, values: Partial<typeof webhookSubscriptions.$inferInsert>) {
      const [row] = await db
        .update(webhookSubscriptions)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(webhookSubscriptions.id, id))
        .returning();
      return row;
    },
    /**
     * One more message failed in a row; at `limit` the subscription is disabled. True when this call disabled it
     * (so it is said once).
     */
    async countFailedMessage(id: number, at: Date, limit: number, lastError: string): Promise<boolean> {
      const rows = await queryRows<{ disabled_now: boolean }>(
        db,
        sql`update webhook_subscriptions
           set dead_in_a_row = dead_in_a_row + 1,
               failing_since = coalesce(failing_since, ${at.toISOString()}::timestamptz),
               enabled = enabled and dead_in_a_row + 1 < ${limit},
               disabled_reason = case when enabled and dead_in_a_row + 1 >= ${limit}
                 then 'disabled after ' || (dead_in_a_row + 1) || ' messages failed in a row (last: ' || ${lastError} || ')'
                 else disabled_reason end,
               updated_at = now()
         where id = ${id}
         returning (enabled = false and dead_in_a_row = ${limit}) as disabled_now`,
      );
      return rows[0]?.disabled_now === true;
    },
    async deleteSubscription(id: number): Promise<void> {
      await db
        .delete(webhookAttempts)
        .where(sql`${webhookAttempts.deliveryId} in (select id from webhook_deliveries where subscription_id = ${id})`);
      await db.delete(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, id));
      await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
    },

    /** The enabled subscriptions of these tenants and the provider's: the candidates for a batch of messages. */
    async enabledFor(tenantIds: readonly number[]): Promise<SubscriptionRow[]> {
      const tenants =
        tenantIds.length === 0
          ? sql`false`
          : sql`${webhookSubscriptions.tenantId} = any(string_to_array(${tenantIds.join(',')}, ',')::bigint[])`;
      return db
        .select()
        .from(webhookSubscriptions)
        .where(
          and(eq(webhookSubscriptions.enabled, true), sql`(${webhookSubscriptions.tenantId} is null or ${tenants})`),
        );
    },

    /** New deliveries; an event already delivered to a subscription (a re-run of the fan-out) is skipped. */
    async insertDeliveries(rows: (typeof webhookDeliveries.$inferInsert)[]): Promise<DeliveryRow[]> {
      if (rows.length === 0) return [];
      return db.insert(webhookDeliveries).values(rows).onConflictDoNothing().returning();
    },
    /**
     * The fan-out's deliveries in one statement with one parameter (a batch of 100 as a 900-parameter insert cost
     * more than its POSTs): answers the id of each new one by its message id; a re-run's are skipped.
     */
    async insertNewDeliveries(rows: readonly NewDelivery[]): Promise<Map<string, number>> {
      if (rows.length === 0) return new Map();
      const values = rows.map((r) => ({
        subscription_id: r.subscriptionId,
        tenant_id: r.tenantId,
        message_id: r.messageId,
        event_type: r.eventType,
        event_id: r.eventId,
        body: r.body,
        next_attempt_at: r.nextAttemptAt.toISOString(),
      }));
      const inserted = await queryRows<{ id: string; message_id: string }>(
        db,
        sql`insert into webhook_deliveries
              (subscription_id, tenant_id, message_id, event_type, event_id, body, next_attempt_at)
            select subscription_id, tenant_id, message_id, event_type, event_id, body, next_attempt_at
              from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
                as v(subscription_id bigint, tenant_id bigint, message_id text, event_type text, event_id bigint,
                     body jsonb, next_attempt_at timestamptz)
            on conflict (subscription_id, event_id) where event_id is not null do nothing
            returning id::text as id, message_id`,
      );
      return new Map(inserted.map((r) => [r.message_id, Number(r.id)]));
    },
    async delivery(id: number): Promise<DeliveryRow | undefined> {
      const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
      return row;
    },
    async deliveries(subscriptionId: number, page: { beforeId?: number | undefined; limit: number }) {
      return db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.subscriptionId, subscriptionId),
            page.beforeId === undefined ? undefined : lt(webhookDeliveries.id, page.beforeId),
          ),
        )
        .orderBy(desc(webhookDeliveries.id))
        .limit(page.limit);
    },
    async updateDelivery(id: number, values: Partial<typeof webhookDeliveries.$inferInsert>) {
      const [row] = await db.update(webhookDeliveries).set(values).where(eq(webhookDeliveries.id, id)).returning();
      return row;
    },
    /** Plain successes (webhooks.delivery.ts attemptMany): every attempt logged and its message delivered, at once. */
    async recordSuccesses(list: readonly (typeof webhookAttempts.$inferInsert & { attempt: number })[]): Promise<void> {
      if (list.length === 0) return;
      const rows = list.map((a) => ({
        delivery_id: a.deliveryId,
        at: (a.at ?? new Date()).toISOString(),
        status_code: a.statusCode ?? null,
        duration_ms: a.durationMs,
        response_snippet: a.responseSnippet ?? null,
        manual: a.manual ?? false,
        attempt: a.attempt,
      }));
      await db.execute(sql`with v as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as v(delivery_id bigint, at timestamptz, status_code int, duration_ms int, response_snippet text,
                 manual boolean, attempt int)),
        logged as (
          insert into webhook_attempts (delivery_id, at, status_code, error, duration_ms, response_snippet, manual)
          select delivery_id, at, status_code, null, duration_ms, response_snippet, manual from v)
        update webhook_deliveries d set status = 'succeeded', attempts = v.attempt, last_status_code = v.status_code,
               last_error = null, next_attempt_at = null, delivered_at = v.at
          from v where d.id = v.delivery_id`);
    },
    /** Jobs for deliveries still waiting for their first attempt past its time (see sweepUnattempted). */
    async enqueueUnattempted(now: Date, kind: string): Promise<number> {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`insert into jobs (kind, payload, max_attempts, dedupe_key)
            select ${kind}, jsonb_build_object('deliveryId', d.id, 'attempt', 1), 3, ${kind} || ':' || d.id || ':1'
              from webhook_deliveries d
             where d.status = 'pending' and d.attempts = 0 and d.next_attempt_at <= ${now.toISOString()}::timestamptz
            on conflict (dedupe_key) where dedupe_key is not null do nothing
            returning id::text as id`,
      );
      return rows.length;
    },
    async insertAttempt(values: typeof webhookAttempts.$inferInsert): Promise<void> {
      await db.insert(webhookAttempts).values(values);
    },
    async attempts(deliveryId: number): Promise<AttemptRow[]> {
      return db
        .select()
        .from(webhookAttempts)
        .where(eq(webhookAttempts.deliveryId, deliveryId))
        .orderBy(webhookAttempts.id);
    },
  };
}
