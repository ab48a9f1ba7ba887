/**
 * One delivery attempt of a webhook message, and what follows it (docs/WEBHOOKS.md). The body is signed per the
 * Standard Webhooks spec with the subscription's secret (and the previous one during a rotation), POSTed with a
 * timeout to an address the URL policy allows — checked again at connection time, so a name that resolves to a
 * private address later (DNS rebinding) is still refused. A 2xx is success; anything else, a redirect included,
 * is a failed attempt: the next is scheduled (RETRY_SCHEDULE_MS), and after the last the message is failed. A
 * subscription whose messages fail DISABLE_AFTER_FAILED_MESSAGES times in a row is disabled.
 */
import http from 'node:http';
import https from 'node:https';
import type { Ctx } from '../../platform/context.ts';
import type { Logger } from '../../platform/log.ts';
import type { NotifyInput } from '../notifications/notifications.schemas.ts';
import { sign } from './signing.ts';
import { checkTargetUrl, safeLookup, type UrlPolicy } from './url-policy.ts';
import { type DeliveryRow, type SubscriptionRow, webhooksRepo } from './webhooks.repo.ts';
import { enqueueDeliveries } from './webhooks.service.ts';
import { DISABLE_AFTER_FAILED_MESSAGES, RETRY_SCHEDULE_MS } from './webhooks.types.ts';

const SNIPPET_BYTES = 500;

export type PostResult = {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  snippet: string | null;
};

type Agents = { http: http.Agent; https: https.Agent };

/**
 * Keep-alive connections per process (a receiver gets many messages), each opened through the URL policy's lookup:
 * a connection is only ever made to an address that was checked when it was opened.
 */
export function webhookAgents(policy: UrlPolicy): Agents {
  const options = { keepAlive: true, maxSockets: 16, lookup: safeLookup(policy) as never };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/** POSTs `body` to `url` once; never throws (a network error is a result). */
export function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  o: { timeoutMs: number; agents: Agents },
): Promise<PostResult> {
  const started = performance.now();
  const u = new URL(url);
  const client = u.protocol === 'https:' ? https : http;
  const agent = u.protocol === 'https:' ? o.agents.https : o.agents.http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, durationMs: Math.round(performance.now() - started) });
    };
    const req = client.request(
      u,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'iotops-webhooks/1',
        },
        timeout: o.timeoutMs,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < SNIPPET_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          done({
            statusCode: res.statusCode ?? null,
            error: null,
            snippet: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8') || null,
          }),
        );
        res.on('error', (e) => done({ statusCode: res.statusCode ?? null, error: e.message, snippet: null }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e) => done({ statusCode: null, error: e.message, snippet: null }));
    req.end(body);
  });
}

export type DeliveryOptions = {
  timeoutMs: number;
  policy: UrlPolicy;
  /** Tells people a subscription was disabled (the notifications module's notify). */
  notify?: (n: NotifyInput) => Promise<unknown>;
};

export function createWebhookDelivery(ctx: Pick<Ctx, 'database'>, o: DeliveryOptions) {
  const db = ctx.database.db;
  const repo = webhooksRepo(db);
  const agents = webhookAgents(o.policy);

  /** Attempt number `attempt` of a delivery, at `at` (the worker's clock). A repeated job does nothing. */
  async function deliver(deliveryId: number, attempt: number, manual: boolean, at: Date, log: Logger): Promise<void> {
    const d = await repo.delivery(deliveryId);
    if (d?.status !== 'pending' || d.attempts >= attempt) return;
    const s = await repo.subscription({ kind: 'operator' }, d.subscriptionId);
    if (!s) return;
    await attemptNow(d, s, attempt, manual, at, log);
  }

  /** One attempt with the rows in hand (the fan-out's first attempt comes here directly, without a job). */
  async function attemptNow(
    d: DeliveryRow,
    s: SubscriptionRow,
    attempt: number,
    manual: boolean,
    at: Date,
    log: Logger,
  ): Promise<void> {
    if (!s.enabled) {
      await repo.updateDelivery(d.id, {
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'the subscription is disabled',
      });
      return;
    }
    // Checked again at each attempt: an IP-literal host never reaches safeLookup, and the policy may have tightened.
    const target = checkTargetUrl(s.url, o.policy);
    const secrets = [s.secret];
    if (s.previousSecret && (s.previousSecretExpiresAt?.getTime() ?? 0) > at.getTime()) secrets.push(s.previousSecret);
    const body = JSON.stringify(d.body);
    const headers = sign({ msgId: d.messageId, timestamp: Math.floor(at.getTime() / 1000), body }, secrets);
    const r = target.ok
      ? await post(s.url, body, { ...headers }, { timeoutMs: o.timeoutMs, agents })
      : { statusCode: null, error: `URL refused: ${target.reason}`, durationMs: 0, snippet: null };
    const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
    const error = ok ? null : (r.error ?? `answered ${r.statusCode}`);
    const logged = {
      deliveryId: d.id,
      at,
      statusCode: r.statusCode,
      error,
      durationMs: r.durationMs,
      responseSnippet: r.snippet,
      manual,
    };
    if (ok && s.deadInARow === 0 && !s.failingSince) {
      // The common case in one statement: the attempt logged and the message marked delivered, atomically.
      await repo.recordSuccess(logged, attempt);
      return;
    }
    const disabledNow = await db.transaction(async (tx) => {
      const t = webhooksRepo(tx);
      await t.insertAttempt(logged);
      const last = { attempts: attempt, lastStatusCode: r.statusCode, lastError: error };
      if (ok) {
        await t.updateDelivery(d.id, { ...last, status: 'succeeded', nextAttemptAt: null, deliveredAt: at });
        await t.updateSubscription(s.id, { deadInARow: 0, failingSince: null });
        return false;
      }
      const wait = manual ? undefined : RETRY_SCHEDULE_MS[attempt - 1];
      if (wait !== undefined) {
        const next = new Date(at.getTime() + wait);
        const row = (await t.updateDelivery(d.id, { ...last, nextAttemptAt: next }))!;
        await enqueueDeliveries(tx, [row], next);
        return false;
      }
      // Given up (or a manual redelivery that failed): the message is failed, redeliverable by hand.
      await t.updateDelivery(d.id, { ...last, status: 'failed', nextAttemptAt: null });
      if (manual) return false;
      // Counted in SQL: messages of one subscription fail concurrently, each with the row as it was read before.
      return t.countFailedMessage(s.id, at, DISABLE_AFTER_FAILED_MESSAGES, error ?? 'unknown');
    });
    if (disabledNow) {
      log.warn({ subscriptionId: s.id, url: s.url }, 'webhook subscription disabled: its messages keep failing');
      await tellDisabled(s, error, log);
    }
  }

  /**
   * A provider-wide subscription's creator is told in their notifications; a customer's subscription is the desk's
   * to follow up (customers have no notifications inbox; the e-mail channel will tell them, issue 15).
   */
  async function tellDisabled(s: SubscriptionRow, error: string | null, log: Logger): Promise<void> {
    await o
      .notify?.({
        userId: s.tenantId === null ? s.createdByUserId : null,
        queue: null,
        kind: 'webhook_disabled',
        caseId: null,
        caseNumber: null,
        title: `Webhook disabled: ${s.url}`,
        body:
          `Subscription ${s.id}${s.accountId === null ? ' (provider-wide)' : ` of account ${s.accountId}`} was disabled ` +
          `after ${DISABLE_AFTER_FAILED_MESSAGES} messages failed in a row (last: ${error ?? 'unknown'}). ` +
          'Fix the receiver, then re-enable it; failed messages can be redelivered.',
        data: { subscriptionId: s.id, accountId: s.accountId, url: s.url },
        dedupeKey: `webhook_disabled:${s.id}:${Date.now()}`,
      })
      .catch((e: unknown) => log.error({ err: e }, 'telling about a disabled webhook failed'));
  }

  return {
    deliver,
    attemptNow,
    /** Closes the kept-alive connections (shutdown). */
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
