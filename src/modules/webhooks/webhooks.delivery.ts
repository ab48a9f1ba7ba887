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
import { bodyText } from './body-text.ts';
import { sign } from './signing.ts';
import { checkTargetUrl, safeLookup, type UrlPolicy } from './url-policy.ts';
import { type DeliveryRow, type SubscriptionRow, webhooksRepo } from './webhooks.repo.ts';
import { DELIVER_JOB, enqueueDeliveries } from './webhooks.service.ts';
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

/** One attempt to make: the message, its subscription, which attempt, whether a person asked for it. */
export type Attempt = {
  delivery: Pick<DeliveryRow, 'id' | 'messageId' | 'body'>;
  subscription: SubscriptionRow;
  attempt: number;
  manual: boolean;
};

type Logged = {
  deliveryId: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseSnippet: string | null;
  manual: boolean;
};
type Sent = { item: Attempt; ok: boolean; disabled: false; logged: Logged };
/** An attempt made (`logged`), or none because the subscription is disabled. */
type Outcome = Sent | { item: Attempt; ok: false; disabled: true };

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

  /** One attempt with the rows in hand. */
  async function attemptNow(
    d: DeliveryRow,
    s: SubscriptionRow,
    attempt: number,
    manual: boolean,
    at: Date,
    log: Logger,
  ): Promise<void> {
    await attemptMany([{ delivery: d, subscription: s, attempt, manual }], at, log);
  }

  /**
   * Attempts made together (the fan-out's first attempts): the POSTs in parallel, then the common outcome — a 2xx
   * from a subscription with nothing failing — logged for all of them in one statement; anything else one by one.
   */
  async function attemptMany(items: readonly Attempt[], at: Date, log: Logger): Promise<void> {
    // The URL policy is checked once per subscription and batch, not once per message.
    const targets = new Map<number, ReturnType<typeof checkTargetUrl>>();
    const targetOf = (s: SubscriptionRow) => {
      const known = targets.get(s.id);
      if (known) return known;
      const checked = checkTargetUrl(s.url, o.policy);
      targets.set(s.id, checked);
      return checked;
    };
    const outcomes = await Promise.all(items.map((item) => send(item, at, targetOf(item.subscription))));
    const isPlain = (o: Outcome): o is Sent =>
      o.ok && o.item.subscription.deadInARow === 0 && !o.item.subscription.failingSince;
    const plain = outcomes.filter(isPlain);
    if (plain.length > 0) await repo.recordSuccesses(plain.map((o) => ({ ...o.logged, attempt: o.item.attempt })));
    for (const o of outcomes) if (!isPlain(o)) await record(o, at, log);
  }

  /** The POST of one attempt (or why none was made); the attempt as it will be logged. */
  async function send(item: Attempt, at: Date, target: ReturnType<typeof checkTargetUrl>): Promise<Outcome> {
    const { delivery: d, subscription: s, manual } = item;
    if (!s.enabled) return { item, ok: false, disabled: true };
    // The target is checked again at each attempt: an IP-literal host never reaches safeLookup, and the policy may
    // have tightened since the subscription was saved.
    const secrets = [s.secret];
    if (s.previousSecret && (s.previousSecretExpiresAt?.getTime() ?? 0) > at.getTime()) secrets.push(s.previousSecret);
    const body = bodyText(d.body);
    const headers = sign({ msgId: d.messageId, timestamp: Math.floor(at.getTime() / 1000), body }, secrets);
    const r = target.ok
      ? await post(s.url, body, { ...headers }, { timeoutMs: o.timeoutMs, agents })
      : { statusCode: null, error: `URL refused: ${target.reason}`, durationMs: 0, snippet: null };
    const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
    const logged = {
      deliveryId: d.id,
      at,
      statusCode: r.statusCode,
      error: ok ? null : (r.error ?? `answered ${r.statusCode}`),
      durationMs: r.durationMs,
      responseSnippet: r.snippet,
      manual,
    };
    return { item, ok, disabled: false, logged };
  }

  /** What follows an attempt that was not a plain success: retry, give up, disable the subscription. */
  async function record(outcome: Outcome, at: Date, log: Logger): Promise<void> {
    const { delivery: d, subscription: s, attempt, manual } = outcome.item;
    if (outcome.disabled) {
      await repo.updateDelivery(d.id, {
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'the subscription is disabled',
      });
      return;
    }
    const { logged, ok } = outcome;
    const error = logged.error;
    const disabledNow = await db.transaction(async (tx) => {
      const t = webhooksRepo(tx);
      await t.insertAttempt(logged);
      const last = { attempts: attempt, lastStatusCode: logged.statusCode, lastError: error };
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
    attemptMany,
    /**
     * First attempts that never happened: the fan-out makes them at once, without a job, and a process killed
     * mid-attempt leaves the delivery `pending` with no attempt. Each such delivery whose `next_attempt_at` (set
     * past the attempt's timeout) has passed gets a job; its dedupe key makes concurrent sweepers add one.
     * Answers how many jobs were added.
     */
    async sweepUnattempted(now: Date): Promise<number> {
      return repo.enqueueUnattempted(now, DELIVER_JOB);
    },
    /** Closes the kept-alive connections (shutdown). */
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
