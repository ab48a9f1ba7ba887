/**
 * Outbound webhook subscriptions (docs/WEBHOOKS.md): what the API and the CLI do. A customer manages the
 * subscriptions of their account and the accounts below it, and may only receive the types meant for customers;
 * staff also make provider-wide ones. Deliveries and their retries are webhooks.delivery.ts; which message goes to
 * which subscription is webhooks.fanout.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { newSecret } from './signing.ts';
import { checkTargetUrl, parseCidrList, type UrlPolicy } from './url-policy.ts';
import { WebhooksErrors as E } from './webhooks.errors.ts';
import { type DeliveryRow, type SubscriptionReach, type SubscriptionRow, webhooksRepo } from './webhooks.repo.ts';
import type { CreateSubscriptionInput, UpdateSubscriptionInput } from './webhooks.schemas.ts';
import { CUSTOMER_EVENT_TYPES, type WebhookEventType } from './webhooks.types.ts';

export const DELIVER_JOB = 'webhooks.deliver';
/** A rotated-out secret keeps signing this long, so receivers can switch without losing a message. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export type WebhooksService = ReturnType<typeof createWebhooksService>;
export type WebhooksDeps = { accounts: Pick<AccountsService, 'getInScope'> };

const reachOf = (p: Principal): SubscriptionReach => {
  const s = scopeOf(p);
  return s.kind === 'operator' ? s : { kind: 'customer', tenantId: s.tenantId, accountPath: s.accountPath };
};

/** The URL policy from the configuration (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_CIDRS). */
export const urlPolicyOf = (config: Ctx['config']): UrlPolicy => ({
  allowHttp: config.webhookAllowHttp,
  allowPrivate: false,
  allowCidrs: parseCidrList(config.webhookAllowCidrs),
});

/** Jobs for these deliveries, in the caller's transaction (one per delivery and attempt). */
export async function enqueueDeliveries(
  db: Db,
  rows: readonly Pick<DeliveryRow, 'id' | 'attempts'>[],
  runAt?: Date,
  manual = false,
) {
  if (rows.length === 0) return;
  // One statement for the lot; no dedupe key: a repeated attempt job finds its attempt made and does nothing.
  await db.execute(sql`insert into jobs (kind, payload, run_at, max_attempts)
    select ${DELIVER_JOB},
           jsonb_build_object('deliveryId', v.id, 'attempt', v.a + 1) || ${manual ? '{"manual":true}' : '{}'}::jsonb,
           ${(runAt ?? new Date()).toISOString()}::timestamptz, 3
      from unnest(string_to_array(${rows.map((r) => r.id).join(',')}, ',')::bigint[],
                  string_to_array(${rows.map((r) => r.attempts).join(',')}, ',')::int[]) as v(id, a)`);
}

/** Endpoints per customer (tenant), staff-made ones on its accounts included; the provider's own are not counted. */
export const MAX_SUBSCRIPTIONS_PER_CUSTOMER = 25;

export function createWebhooksService(ctx: Pick<Ctx, 'database' | 'config'>, deps: WebhooksDeps) {
  const db: Db = ctx.database.db;
  const repo = webhooksRepo(db);
  const policy = urlPolicyOf(ctx.config);

  function checkUrl(url: string): string {
    const r = checkTargetUrl(url, policy);
    if (!r.ok)
      throw invalid(E.urlRefused, `Webhook URL refused: ${r.reason}`, [{ field: 'url', value: url, reason: r.reason }]);
    return r.url.toString();
  }

  function checkTypes(p: Principal, types: readonly string[]): string[] {
    if (isStaff(p)) return [...new Set(types)];
    const allowed = new Set<string>(['*', ...CUSTOMER_EVENT_TYPES]);
    const refused = types.filter((t) => !allowed.has(t));
    if (refused.length > 0)
      throw forbidden(
        E.eventTypeStaffOnly,
        `These event types are the provider's: ${refused.join(', ')}`,
        refused.map((t) => ({ field: 'eventTypes', value: t, reason: 'staff only' })),
      );
    return [...new Set(types)];
  }

  async function withinLimits(owner: { tenantId: number; accountId: number }, url: string): Promise<void> {
    const usage = await repo.tenantUsage(owner.tenantId, owner.accountId, url);
    if (usage.sameUrl !== null)
      throw conflict(E.urlTaken, `Subscription ${usage.sameUrl} of this account already posts to this URL`, [
        {
          field: 'url',
          value: url,
          reason: `already subscribed (subscription ${usage.sameUrl}): edit its event types`,
        },
      ]);
    if (usage.count >= MAX_SUBSCRIPTIONS_PER_CUSTOMER)
      throw conflict(E.limitReached, `A customer has at most ${MAX_SUBSCRIPTIONS_PER_CUSTOMER} webhook endpoints`, [
        {
          reason: `${usage.count} endpoints exist: delete one first, or subscribe one endpoint to several event types`,
        },
      ]);
  }

  async function load(p: Principal, id: number): Promise<SubscriptionRow> {
    const row = await repo.subscription(reachOf(p), id);
    // Another tenant's subscription answers exactly like a missing one.
    if (!row)
      throw notFound(E.notFound, `Webhook subscription ${id} not found`, [
        { field: 'id', value: id, reason: 'not found' },
      ]);
    return row;
  }

  async function delivery(p: Principal, id: number, deliveryId: number) {
    await load(p, id);
    const d = await repo.delivery(deliveryId);
    if (!d || d.subscriptionId !== id)
      throw notFound(E.deliveryNotFound, `Delivery ${deliveryId} not found`, [
        { field: 'deliveryId', value: deliveryId, reason: 'not found' },
      ]);
    return { delivery: d, attempts: await repo.attempts(deliveryId) };
  }

  return {
    /**
     * A customer has at most MAX_SUBSCRIPTIONS_PER_CUSTOMER endpoints (every one is a fan-out of every event), and
     * an account posts to one URL once (a second subscription would deliver each event twice).
     */
    async create(p: Principal, input: CreateSubscriptionInput): Promise<SubscriptionRow> {
      const url = checkUrl(input.url);
      const eventTypes = checkTypes(p, input.eventTypes);
      const accountId = input.accountId ?? (isStaff(p) ? undefined : (p.accountId ?? undefined));
      let owner: { tenantId: number; accountId: number; accountPath: string } | null = null;
      if (accountId !== undefined) {
        const a = await deps.accounts.getInScope(scopeOf(p), accountId).catch(() => undefined);
        if (!a)
          throw notFound(E.accountNotFound, `Account ${accountId} not found`, [
            { field: 'accountId', value: accountId, reason: 'not found' },
          ]);
        owner = { tenantId: a.tenantId, accountId: a.id, accountPath: a.path };
      } else if (!isStaff(p)) {
        throw forbidden(E.accountRequired, 'A customer user without an account cannot subscribe');
      }
      if (owner) await withinLimits(owner, url);
      return repo.insertSubscription({
        tenantId: owner?.tenantId ?? null,
        accountId: owner?.accountId ?? null,
        accountPath: owner?.accountPath ?? null,
        url,
        description: input.description,
        eventTypes,
        secret: newSecret(),
        createdByUserId: p.userId > 0 ? p.userId : null,
      });
    },
    list: (p: Principal) => repo.subscriptions(reachOf(p)),
    get: load,
    async update(p: Principal, id: number, input: UpdateSubscriptionInput): Promise<SubscriptionRow> {
      await load(p, id);
      const values: Partial<SubscriptionRow> = {};
      if (input.url !== undefined) values.url = checkUrl(input.url);
      if (input.eventTypes !== undefined) values.eventTypes = checkTypes(p, input.eventTypes);
      if (input.description !== undefined) values.description = input.description;
      if (input.enabled !== undefined) {
        values.enabled = input.enabled;
        if (input.enabled) Object.assign(values, { disabledReason: null, deadInARow: 0, failingSince: null });
        else values.disabledReason = `disabled by ${p.email}`;
      }
      return (await repo.updateSubscription(id, values))!;
    },
    async remove(p: Principal, id: number): Promise<void> {
      await load(p, id);
      await repo.deleteSubscription(id);
    },
    /** A new secret; the previous one keeps signing for ROTATION_OVERLAP_MS. */
    async rotateSecret(p: Principal, id: number, now = new Date()): Promise<SubscriptionRow> {
      const s = await load(p, id);
      return (await repo.updateSubscription(id, {
        secret: newSecret(),
        previousSecret: s.secret,
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS),
      }))!;
    },
    async deliveries(p: Principal, id: number, page: { limit: number; cursor?: string | undefined }) {
      await load(p, id);
      const rows = await repo.deliveries(id, {
        beforeId: page.cursor === undefined ? undefined : Number(page.cursor),
        limit: page.limit + 1,
      });
      const more = rows.length > page.limit;
      const items = more ? rows.slice(0, page.limit) : rows;
      return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null };
    },
    delivery,
    /** Sends a message again now, whatever its state (same body, same webhook-id: receivers deduplicate). */
    async redeliver(p: Principal, id: number, deliveryId: number): Promise<DeliveryRow> {
      const { delivery: d } = await delivery(p, id, deliveryId);
      return db.transaction(async (tx) => {
        const row = (await webhooksRepo(tx).updateDelivery(d.id, { status: 'pending', nextAttemptAt: new Date() }))!;
        await enqueueDeliveries(tx, [row], undefined, true);
        return row;
      });
    },
    /** A `webhook.test` message to this subscription, whatever event types it chose. */
    async test(p: Principal, id: number): Promise<DeliveryRow> {
      const s = await load(p, id);
      return db.transaction(async (tx) => {
        const [row] = await webhooksRepo(tx).insertDeliveries([
          testMessage(s, { subscriptionId: s.id, sentBy: isStaff(p) ? 'staff' : p.email }),
        ]);
        await enqueueDeliveries(tx, [row!]);
        return row!;
      });
    },
  };
}

/** The message envelope of the spec: type, timestamp, data. */
export function messageBody(type: WebhookEventType, data: Record<string, unknown>, at = new Date()) {
  return { type, timestamp: at.toISOString(), data };
}
export const newMessageId = () => `msg_${randomUUID().replaceAll('-', '')}`;

function testMessage(s: SubscriptionRow, data: Record<string, unknown>) {
  return {
    subscriptionId: s.id,
    tenantId: s.tenantId,
    messageId: newMessageId(),
    eventType: 'webhook.test',
    eventId: null,
    body: messageBody('webhook.test', data),
  };
}
