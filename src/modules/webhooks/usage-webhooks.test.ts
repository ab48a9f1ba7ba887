/**
 * Usage webhooks (issue 14: customers subscribe to their usage events): the daily roll-up announces each account's
 * day, and the SIMs whose data use this month crossed 80 % or 100 % of a per-SIM allowance that day, once each.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';

type Message = { type: string; data: Record<string, unknown> };
let h: Harness;
let t: Tenant;
let other: Tenant;
let receiver: Server;
let base: string;
const received = new Map<string, Message[]>();
const MB = 1024 * 1024;

beforeAll(async () => {
  h = await harness({ webhookAllowHttp: true, webhookAllowCidrs: '127.0.0.1/32' });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const list = received.get(req.url ?? '/') ?? [];
      list.push(JSON.parse(body) as Message);
      received.set(req.url ?? '/', list);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await h.close();
});

async function subscribe(headers: Record<string, string>, path: string) {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/subscriptions',
    headers,
    payload: { url: `${base}${path}`, eventTypes: ['usage.daily', 'sim.usage_threshold'] },
  });
  expect(r.statusCode, r.body).toBe(201);
}

/** Data use of a SIM in one hour of a day, as the ingest writer records it. */
async function used(sim: MadeSim, accountId: number, tenantId: number, hour: string, bytes: number) {
  const [row] = await h.ctx.database.query<{ id: number }>(
    'select id::int as id from sims where iccid = any($1::text[])',
    [[sim.iccid, sim.iccid20]],
  );
  await h.ctx.database.query(
    `insert into sim_usage_hourly (sim_id, hour, tenant_id, account_id, bytes_up, bytes_down)
     values ($1, $2::timestamptz, $3, $4, $5, $6)`,
    [row!.id, hour, tenantId, accountId, Math.floor(bytes / 4), bytes - Math.floor(bytes / 4)],
  );
}

describe('usage webhooks', () => {
  it("announce an account's day and each 80 %/100 % crossing once, to that customer only", async () => {
    const plan = await h.app.inject({
      method: 'POST',
      url: '/api/v1/rate-plans',
      headers: t.admin,
      payload: { name: `Meter 100 MB ${uniq()}`, currency: 'EUR', monthlyFee: '1', included: { dataMb: 100 } },
    });
    expect(plan.statusCode, plan.body).toBe(201);
    const ratePlanId = plan.json().id as number;
    const [steady, heavy, calm] = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED', ratePlanId });
    const [foreign] = await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' });
    await subscribe(t.customer, '/mine');
    await subscribe(other.customer, '/theirs');

    // A fixed month far from today, so the roll-up of these days is this test's alone.
    const tenant = t.root.id;
    await used(steady!, t.child.id, tenant, '2031-03-14T10:00:00Z', 50 * MB); // 50 %
    await used(steady!, t.child.id, tenant, '2031-03-15T08:00:00Z', 20 * MB);
    await used(steady!, t.child.id, tenant, '2031-03-15T09:00:00Z', 20 * MB); // 90 % on the 15th: 80 % crossed
    await used(heavy!, t.child.id, tenant, '2031-03-15T11:00:00Z', 130 * MB); // both on the 15th
    await used(calm!, t.child.id, tenant, '2031-03-15T12:00:00Z', 10 * MB); // 10 %: nothing
    await used(foreign!, other.child.id, other.root.id, '2031-03-15T12:00:00Z', 1 * MB);
    await h.services.ingest.rollupDay('2031-03-14');
    await h.services.ingest.rollupDay('2031-03-15');
    await h.runJobs();

    const mine = received.get('/mine') ?? [];
    const days = mine.filter((m) => m.type === 'usage.daily').map((m) => m.data);
    expect(days).toEqual([
      expect.objectContaining({
        day: '2031-03-14',
        accountId: t.child.id,
        sims: 1,
        bytesUp: Math.floor((50 * MB) / 4),
      }),
      expect.objectContaining({ day: '2031-03-15', accountId: t.child.id, sims: 3 }),
    ]);
    expect((days[1]!.bytesUp! as number) + (days[1]!.bytesDown as number)).toBe(180 * MB);
    expect(days[0]).not.toHaveProperty('tenantId');
    const crossed = mine
      .filter((m) => m.type === 'sim.usage_threshold')
      .map((m) => [(m.data.sim as { iccid: string }).iccid, m.data.threshold, m.data.usedBytes])
      .sort();
    expect(crossed).toEqual(
      [
        [steady!.iccid20, 80, 90 * MB],
        [heavy!.iccid20, 100, 130 * MB],
        [heavy!.iccid20, 80, 130 * MB],
      ].sort(),
    );
    const theirs = received.get('/theirs') ?? [];
    expect(theirs.map((m) => m.type)).toEqual(['usage.daily']);
    expect(theirs[0]!.data).toMatchObject({ accountId: other.child.id, sims: 1 });

    // A roll-up run again (a retried job) announces nothing twice.
    const before = mine.length;
    await h.services.ingest.rollupDay('2031-03-15');
    await h.runJobs();
    expect((received.get('/mine') ?? []).length).toBe(before);
  });
});
