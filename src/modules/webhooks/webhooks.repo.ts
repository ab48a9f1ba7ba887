import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { webhookAttempts, webhookDeliveries, webhookSubscriptions } from './webhooks.tables.ts';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

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
    /** A successful attempt: logged, and its message marked delivered, in one statement. */
    async recordSuccess(a: typeof webhookAttempts.$inferInsert, attempt: number): Promise<void> {
      const at = (a.at ?? new Date()).toISOString();
      await db.execute(sql`with logged as (
          insert into webhook_attempts (delivery_id, at, status_code, error, duration_ms, response_snippet, manual)
          values (${a.deliveryId}, ${at}::timestamptz, ${a.statusCode ?? null}, null, ${a.durationMs},
                  ${a.responseSnippet ?? null}, ${a.manual ?? false}))
        update webhook_deliveries set status = 'succeeded', attempts = ${attempt}, last_status_code = ${a.statusCode ?? null},
               last_error = null, next_attempt_at = null, delivered_at = ${at}::timestamptz
         where id = ${a.deliveryId}`);
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
