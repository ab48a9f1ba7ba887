/**
 * Webhooks end to end (issue 14): subscriptions over the API, events fanned out by the real worker, messages POSTed
 * to a real HTTP server in this test and their Standard Webhooks signatures verified, retries on the schedule,
 * rotation, tenant isolation, and the URL policy. Loopback is allowed for the receiver by configuration, as an
 * operator would for an in-house receiver (WEBHOOK_ALLOW_CIDRS).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { verify } from './signing.ts';
import { MAX_SUBSCRIPTIONS_PER_CUSTOMER } from './webhooks.service.ts';
import { DISABLE_AFTER_FAILED_MESSAGES, RETRY_SCHEDULE_MS } from './webhooks.types.ts';

type Json = Record<string, unknown>;
type Received = { path: string; headers: IncomingHttpHeaders; body: string };
let h: Harness;
let t: Tenant;
let other: Tenant;
let receiver: Server;
let base: string;
const received: Received[] = [];
/** Per path: how many requests to answer 500 before answering 204. */
const failFirst = new Map<string, number>();

beforeAll(async () => {
  h = await harness({ webhookAllowHttp: true, webhookAllowCidrs: '127.0.0.1/32', webhookTimeoutMs: 5000 });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const left = failFirst.get(path) ?? 0;
      if (left > 0) {
        failFirst.set(path, left - 1);
        res.writeHead(500).end('not now');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await h.close();
});

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: Json,
) => h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
async function subscribe(headers: Record<string, string>, path: string, extra: Json = {}) {
  const r = await call('POST', '/api/v1/webhooks/subscriptions', headers, {
    url: `${base}${path}`,
    eventTypes: ['*'],
    ...extra,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number; secret: string };
}
async function openCase(headers: Record<string, string>, accountId: number, subject: string) {
  const r = await call('POST', '/api/v1/cases', headers, { accountId, type: 'incident', subject });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().number as string;
}
const to = (path: string) => received.filter((m) => m.path === path);

describe('webhooks', () => {
  it("deliver a customer's case events signed, in the customer's view; another tenant gets nothing", async () => {
    const mine = await subscribe(t.customer, '/mine');
    const theirs = await subscribe(other.customer, '/theirs');
    const number = await openCase(t.agent, t.child.id, 'Meters silent');
    await call('POST', `/api/v1/cases/${number}/events`, t.agent, { kind: 'note', body: 'INTERNAL-ONLY note' });
    await call('POST', `/api/v1/cases/${number}/events`, t.agent, {
      kind: 'note',
      visibility: 'public',
      body: 'We are looking into it',
    });
    await call('POST', `/api/v1/cases/${number}/transitions`, t.agent, { to: 'open' });
    await h.runJobs();

    const messages = to('/mine');
    expect(messages.map((m) => (JSON.parse(m.body) as { type: string }).type)).toEqual([
      'case.opened',
      'case.public_update',
      'case.state_changed',
    ]);
    for (const m of messages) {
      expect(() => verify(m.headers, m.body, mine.secret)).not.toThrow();
      expect(m.body).not.toContain('INTERNAL-ONLY');
      expect(m.body).not.toMatch(/agent-[0-9a-f]+@/);
    }
    const update = JSON.parse(messages[1]!.body) as { data: { case: Json; entry: Json } };
    expect(update.data.case.number).toBe(number);
    expect(update.data.entry).toMatchObject({ body: 'We are looking into it', authorLabel: 'Service desk' });
    expect(JSON.parse(messages[2]!.body)).toMatchObject({ data: { from: 'new', to: 'open' } });
    expect(to('/theirs')).toEqual([]);
    expect(() => verify(messages[0]!.headers, messages[0]!.body, theirs.secret)).toThrow();

    // The delivery log says what happened, to its owner only.
    const log = await call('GET', `/api/v1/webhooks/subscriptions/${mine.id}/deliveries`, t.customer);
    expect(log.json().items.map((d: Json) => [d.eventType, d.status, d.lastStatusCode])).toEqual([
      ['case.state_changed', 'succeeded', 204],
      ['case.public_update', 'succeeded', 204],
      ['case.opened', 'succeeded', 204],
    ]);
    expect((await call('GET', `/api/v1/webhooks/subscriptions/${mine.id}/deliveries`, other.customer)).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/api/v1/webhooks/subscriptions/${mine.id}`, other.customer)).statusCode).toBe(404);
    // A cursor too big for an id is refused (a 23-digit one answered 500: out of bigint range).
    const huge = await call(
      'GET',
      `/api/v1/webhooks/subscriptions/${mine.id}/deliveries?cursor=99999999999999999999999`,
      t.customer,
    );
    expect(huge.statusCode).toBe(400);
  });

  it("deliver a SIM's state changes, one or in bulk, to its customer only, without the desk's reason", async () => {
    await subscribe(t.customer, '/sims', { eventTypes: ['sim.state_changed'] });
    const [a, b, c] = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' });
    const [foreign] = await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' });
    const state = (iccid: string, headers: Record<string, string>) =>
      call('POST', `/api/v1/sims/${iccid}/state`, headers, { state: 'DEACTIVATED', reason: 'STAFF-REASON' });
    expect((await state(a!.iccid, t.agent)).statusCode).toBe(200);
    expect((await state(foreign!.iccid, t.agent)).statusCode).toBe(200);
    const bulk = await call('POST', '/api/v1/sims/bulk', t.agent, {
      selection: { iccids: [b!.iccid, c!.iccid] },
      change: { state: 'DEACTIVATED', reason: 'STAFF-BULK' },
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    await h.runJobs();
    const got = to('/sims').map((m) => JSON.parse(m.body) as { type: string; data: Json });
    expect(got.map((m) => (m.data.sim as Json).iccid).sort()).toEqual([a!.iccid20, b!.iccid20, c!.iccid20].sort());
    for (const m of got)
      expect(m).toMatchObject({ type: 'sim.state_changed', data: { from: 'ACTIVATED', to: 'DEACTIVATED' } });
    expect(JSON.stringify(got)).not.toMatch(/STAFF-|agent-/);
  });

  it("tell a customer their many-SIM diagnosis ended, with its root causes; another tenant's job never", async () => {
    await subscribe(t.customer, '/diag', { eventTypes: ['diagnosis.completed'] });
    await subscribe(other.customer, '/diag-other', { eventTypes: ['diagnosis.completed'] });
    const sims = await makeSims(h.services, t.child.id, 2, { state: 'ACTIVATED' });
    const created = await call('POST', '/api/v1/diagnoses', t.customer, {
      selection: { iccids: sims.map((x) => x.iccid) },
    });
    expect(created.statusCode, created.body).toBe(202);
    const theirs = await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' });
    expect(
      (await call('POST', '/api/v1/diagnoses', other.agent, { selection: { iccids: [theirs[0]!.iccid] } })).statusCode,
    ).toBe(202);
    await h.runJobs();
    const [m, more] = to('/diag').map((x) => JSON.parse(x.body) as { type: string; data: { job: Json } });
    expect(more).toBeUndefined();
    expect(m).toMatchObject({
      type: 'diagnosis.completed',
      data: { job: { id: created.json().id, status: 'done', total: 2 } },
    });
    const causes = m!.data.job.rootCauses as { sims: number }[];
    expect(causes.reduce((n, c) => n + c.sims, 0)).toBe(2);
    // The other tenant's staff-made job is the provider's: no customer subscription receives it.
    expect(to('/diag-other')).toEqual([]);
  });

  it('never deliver what happened before the subscription existed, even when the fan-out runs after it', async () => {
    const before = await openCase(t.agent, t.child.id, 'Opened before subscribing');
    await subscribe(t.customer, '/late', { eventTypes: ['case.opened'] });
    const after = await openCase(t.agent, t.child.id, 'Opened after subscribing');
    await h.runJobs();
    const numbers = to('/late').map((m) => (JSON.parse(m.body) as { data: { case: Json } }).data.case.number);
    expect(numbers).toEqual([after]);
    expect(numbers).not.toContain(before);
  });

  it('retry a failing receiver on the schedule, with the same webhook-id, until it answers', async () => {
    const s = await subscribe(t.customer, '/flaky');
    failFirst.set('/flaky', 2);
    await call('POST', `/api/v1/webhooks/subscriptions/${s.id}/test`, t.customer);
    // The worker's clock from just after the message was queued (its job is due at the database's now).
    const t0 = Date.now() + 1000;
    await h.runJobs(new Date(t0));
    expect(to('/flaky')).toHaveLength(1);
    await h.runJobs(new Date(t0 + RETRY_SCHEDULE_MS[0]! + 1000));
    expect(to('/flaky')).toHaveLength(2);
    await h.runJobs(new Date(t0 + RETRY_SCHEDULE_MS[0]! + RETRY_SCHEDULE_MS[1]! + 2000));
    const attempts = to('/flaky');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    const [d] = (await call('GET', `/api/v1/webhooks/subscriptions/${s.id}/deliveries`, t.customer)).json().items;
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 204 });
    const one = (await call('GET', `/api/v1/webhooks/subscriptions/${s.id}/deliveries/${d.id}`, t.customer)).json();
    expect(one.attemptLog.map((a: Json) => a.statusCode)).toEqual([500, 500, 204]);

    // A manual redelivery sends the same message again at once.
    const again = await call('POST', `/api/v1/webhooks/subscriptions/${s.id}/deliveries/${d.id}/redeliver`, t.customer);
    expect(again.statusCode, again.body).toBe(202);
    await h.runJobs();
    expect(to('/flaky')).toHaveLength(4);
    expect(to('/flaky')[3]!.headers['webhook-id']).toBe(attempts[0]!.headers['webhook-id']);
  });

  it('sign with the new and the previous secret after a rotation', async () => {
    const s = await subscribe(t.customer, '/rotated');
    const rotated = await call('POST', `/api/v1/webhooks/subscriptions/${s.id}/rotate-secret`, t.customer);
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().secret as string;
    expect(fresh).not.toBe(s.secret);
    await call('POST', `/api/v1/webhooks/subscriptions/${s.id}/test`, t.customer);
    await h.runJobs();
    const [m] = to('/rotated');
    expect(String(m!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => verify(m!.headers, m!.body, fresh)).not.toThrow();
    expect(() => verify(m!.headers, m!.body, s.secret)).not.toThrow();
  });

  it('disable a subscription whose messages keep failing', async () => {
    const s = await subscribe(t.customer, '/down');
    failFirst.set('/down', 1_000);
    let clock = Date.now();
    for (let i = 0; i < DISABLE_AFTER_FAILED_MESSAGES; i++) {
      await call('POST', `/api/v1/webhooks/subscriptions/${s.id}/test`, t.customer);
      for (let k = 0; k <= RETRY_SCHEDULE_MS.length; k++) {
        await h.runJobs(new Date(clock));
        clock += (RETRY_SCHEDULE_MS[k] ?? 0) + 1000;
      }
    }
    const now = (await call('GET', `/api/v1/webhooks/subscriptions/${s.id}`, t.customer)).json();
    expect(now).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/failed in a row/) });
    expect(to('/down')).toHaveLength(DISABLE_AFTER_FAILED_MESSAGES * (RETRY_SCHEDULE_MS.length + 1));
    // A customer's subscription is the desk's to follow up: the staff get a notification, once.
    const told = (await call('GET', '/api/v1/notifications', t.agent)).json().items as Json[];
    const mine = told.filter((n) => n.kind === 'webhook_disabled' && (n.data as Json)?.subscriptionId === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.title).toContain('/down');
    const back = await call('PATCH', `/api/v1/webhooks/subscriptions/${s.id}`, t.customer, { enabled: true });
    expect(back.json()).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('refuse URLs that reach private, loopback or metadata addresses, and staff-only types for customers', async () => {
    const strict = await harness();
    try {
      const st = await makeTenant(strict.services);
      for (const url of [
        'https://169.254.169.254/latest/meta-data',
        'https://127.0.0.1/hook',
        'https://localhost/hook',
        'https://10.1.2.3/hook',
        'http://example.com/hook',
        'https://user:pw@example.com/hook',
      ]) {
        const r = await strict.app.inject({
          method: 'POST',
          url: '/api/v1/webhooks/subscriptions',
          headers: st.customer,
          payload: { url, eventTypes: ['*'] },
        });
        expect(r.statusCode, url).toBe(400);
        expect(r.json().error.code).toBe('webhooks.url_refused');
      }
    } finally {
      await strict.close();
    }
    const staffOnly = await call('POST', '/api/v1/webhooks/subscriptions', t.customer, {
      url: `${base}/x`,
      eventTypes: ['sims.imported'],
    });
    expect(staffOnly.statusCode).toBe(403);
    expect(staffOnly.json().error.code).toBe('webhooks.event_type_staff_only');
  });

  it('a customer has at most 25 endpoints, and an account posts to one URL once', async () => {
    const own = await makeTenant(h.services);
    const create = (url: string) =>
      call('POST', '/api/v1/webhooks/subscriptions', own.customer, { url, eventTypes: ['case.opened'] });
    const first = await create(`${base}/limit/0`);
    expect(first.statusCode).toBe(201);
    const twice = await create(`${base}/limit/0`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toMatchObject({ code: 'webhooks.url_taken', details: [{ field: 'url' }] });
    for (let i = 1; i < MAX_SUBSCRIPTIONS_PER_CUSTOMER; i++)
      expect((await create(`${base}/limit/${i}`)).statusCode).toBe(201);
    const over = await create(`${base}/limit/over`);
    expect(over.statusCode).toBe(409);
    expect(over.json().error.code).toBe('webhooks.limit_reached');
    // Another customer is not affected.
    expect(
      (
        await call('POST', '/api/v1/webhooks/subscriptions', t.customer, {
          url: `${base}/limit/other`,
          eventTypes: ['case.opened'],
        })
      ).statusCode,
    ).toBe(201);
  });

  it('a first attempt a crash cut short is swept up once its time has passed: one job, then delivered', async () => {
    const sub = await subscribe(t.customer, '/swept', { eventTypes: ['case.opened'] });
    await openCase(t.agent, t.child.id, 'Swept');
    // What a process killed mid-attempt leaves: the delivery pending, no attempt made, no job for it.
    const [left] = await h.ctx.database.query<{ id: number }>(
      `insert into webhook_deliveries (subscription_id, tenant_id, message_id, event_type, body, next_attempt_at)
       select id, tenant_id, 'msg_swept', 'case.opened', '{"type":"case.opened","data":{}}'::jsonb,
              now() + interval '1 minute'
         from webhook_subscriptions where id = $1 returning id::int as id`,
      [sub.id],
    );
    const sweep = h.services.webhookDelivery.sweepUnattempted;
    expect(await sweep(new Date())).toBe(0); // its attempt may still be under way
    const later = new Date(Date.now() + 120_000);
    expect(await sweep(later)).toBe(1);
    expect(await sweep(later)).toBe(0); // a second sweeper adds no second job
    await h.runJobs(later);
    // Whoever ran the job (this call, or a worker of the harness a moment earlier), it went out once.
    const got = to('/swept').filter((m) => m.headers['webhook-id'] === 'msg_swept');
    expect(got).toHaveLength(1);
    const d = await call('GET', `/api/v1/webhooks/subscriptions/${sub.id}/deliveries/${left!.id}`, t.customer);
    expect(d.json()).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await sweep(later)).toBe(0);
  });
});
