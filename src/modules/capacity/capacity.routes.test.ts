import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { startCapacityRuns } from './capacity.jobs.ts';

/**
 * Capacity end to end (issue 17.5): eight weeks of hourly link utilisation fed through ingest, the hourly run as the
 * worker runs it, and the order case it opens — once — with the forecast and the staged plan.
 */
let h: Harness;
let t: Tenant;
let modelId: number;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date(Math.floor(Date.now() / HOUR) * HOUR + 20 * 60_000);
const START = Math.floor(NOW.getTime() / DAY) * DAY - 56 * DAY;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, body?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

/** Office hours busy, nights quiet. */
const diurnal = (at: number) => {
  const hr = new Date(at).getUTCHours();
  return hr >= 8 && hr < 18 ? 1 : 0.3;
};

/** One record per hour from `from` to the hour before NOW, through the ingest service (the contract's path). */
async function feed(externalId: string, value: (at: number) => number, from = START) {
  const lines: { line: number; value: unknown }[] = [];
  for (let at = from; at + HOUR <= NOW.getTime(); at += HOUR)
    lines.push({
      line: lines.length + 1,
      value: {
        id: `${externalId}-${at}`,
        ts: new Date(at + 17 * 60_000).toISOString(),
        deviceId: externalId,
        metrics: { link_utilization_pct: Math.min(100, Math.round(value(at) * 100) / 100) },
      },
    });
  const r = await h.services.ingest.acceptTelemetry(lines, { transport: 'http', credentialId: null });
  expect(r).toMatchObject({ accepted: lines.length, rejected: [] });
}

async function device(name: string, linkKbps?: number) {
  const externalId = `rtr-${uniq()}`;
  const r = await call('POST', '/api/v1/devices', t.admin, {
    externalId,
    name,
    accountId: t.child.id,
    modelId,
    ...(linkKbps ? { linkKbps } : {}),
  });
  expect(r.statusCode, r.body).toBe(201);
  return { id: r.json().id as number, externalId };
}

const orderCases = async () =>
  (await call('GET', `/api/v1/cases?accountId=${t.child.id}&type=order&state=all`, t.agent)).json().items as {
    number: string;
    subject: string;
    state: string;
  }[];

let rising: { id: number; externalId: string };
let flat: { id: number; externalId: string };
let fresh: { id: number; externalId: string };

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  const m = await call('POST', '/api/v1/device-models', t.admin, {
    name: `Store router ${uniq()}`,
    kind: 'router',
    maxLinkKbps: 15_000,
  });
  expect(m.statusCode, m.body).toBe(201);
  modelId = m.json().id;
  rising = await device('Store 12', 10_000);
  flat = await device('Store 7', 10_000);
  fresh = await device('Store 30');
  // The busy hours climb a point a day and reach 89 % today: 90 % tomorrow, inside the 3.5-day lead time.
  await feed(rising.externalId, (at) => (33 + (at - START) / DAY) * diurnal(at));
  await feed(flat.externalId, (at) => 60 * diurnal(at));
  await feed(fresh.externalId, (at) => 50 * diurnal(at), NOW.getTime() - 5 * DAY);
  await startCapacityRuns(h.services.jobs, h.services.capacity, NOW);
  await h.runJobs(NOW);
}, 120_000);
afterAll(() => h.close());

describe('capacity', () => {
  it('forecasts each link and lists them soonest-to-saturate first', async () => {
    const r = await call('GET', `/api/v1/capacity/links?accountId=${t.child.id}`, t.agent);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().items as Record<string, unknown>[];
    expect(items.map((i) => i.deviceId)).toEqual([rising.id, flat.id, fresh.id]);
    expect(items[0]).toMatchObject({
      status: 'ok',
      withinLeadTime: true,
      linkKbps: 10_000,
      maxLinkKbps: 15_000,
      accountNumber: t.child.number,
      plan: { nowKbps: 15_000, hardwareChange: true },
    });
    expect(items[0]!.daysToSaturation).toBeLessThan(1.1);
    expect(items[0]!.trendPctPerWeek).toBeCloseTo(7, 0);
    expect(items[1]).toMatchObject({ status: 'ok', daysToSaturation: null, withinLeadTime: false, plan: null });
    expect(items[1]!.currentP95Pct).toBeCloseTo(60, 0);
    expect(items[2]).toMatchObject({ status: 'insufficient_history', daysToSaturation: null, proposal: null });
    expect(items[2]!.reason).toMatch(/day\(s\).*14 needed/);
    expect(r.json().leadTimeDays).toBe(3.5);

    // Paged with a cursor, then by the busiest first.
    const first = (await call('GET', `/api/v1/capacity/links?accountId=${t.child.id}&limit=1`, t.agent)).json();
    const second = await call(
      'GET',
      `/api/v1/capacity/links?accountId=${t.child.id}&limit=1&cursor=${first.nextCursor}`,
      t.agent,
    );
    expect(second.json().items.map((i: { deviceId: number }) => i.deviceId)).toEqual([flat.id]);
    const busiest = await call('GET', `/api/v1/capacity/links?accountId=${t.child.id}&sort=currentP95`, t.agent);
    expect(busiest.json().items[0].deviceId).toBe(rising.id);
    const bad = await call('GET', '/api/v1/capacity/links?cursor=nonsense', t.agent);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'cursor', value: 'nonsense' });
  });

  it('opens exactly one order case with the forecast and the staged plan, and none again while it is open', async () => {
    const cases = await orderCases();
    expect(cases).toHaveLength(1);
    expect(cases[0]!.subject).toBe(`Capacity: upgrade proposal for link Store 12 (${rising.externalId})`);
    const c = (await call('GET', `/api/v1/cases/${cases[0]!.number}`, t.agent)).json();
    expect(c).toMatchObject({ type: 'order', channel: 'monitoring', state: 'new' });
    expect(c.description).toMatch(/p95 over the last 7 days: \d+\.\d %/);
    expect(c.description).toMatch(/trend: \+7\.\d points per week/);
    // Tomorrow 00:00 from now: 0 just before midnight, 1 just after it, a fraction in between.
    expect(c.description).toMatch(
      /reaches 90 % on \d{4}-\d\d-\d\d, in [01](\.\d)? day\(s\) — within the 3\.5-day lead time/,
    );
    expect(c.description).toContain('1. Now: raise to 15 Mbit/s, the most the current equipment (Store router');
    expect(c.description).toMatch(/2\. After the hardware change: \d+ Mbit\/s\./);
    const link = (await call('GET', `/api/v1/capacity/links/${rising.id}`, t.agent)).json();
    expect(link.proposal).toEqual({ caseNumber: cases[0]!.number, state: 'open' });
    expect(c.description).toContain(`After the hardware change: ${link.plan.orderedKbps / 1000} Mbit/s.`);

    // The next hour's run (queued by this one): still one case.
    await h.runJobs(new Date(NOW.getTime() + HOUR));
    expect(await orderCases()).toHaveLength(1);
  });

  it('a declined proposal is not made again at the same speed; after an upgrade that falls short, it is', async () => {
    const [c] = await orderCases();
    await h.services.cases.transition(cliPrincipal('desk'), c!.number, { to: 'cancelled', note: 'declined' });
    await h.services.capacity.runPage(0, new Date(NOW.getTime() + 2 * HOUR));
    expect(await orderCases()).toHaveLength(1);
    const ended = (await call('GET', `/api/v1/capacity/links/${rising.id}`, t.agent)).json();
    expect(ended.proposal).toEqual({ caseNumber: c!.number, state: 'ended' });

    // Raised to the model's maximum: the forecast still saturates, now with a one-step plan (new hardware). Two
    // workers' pages at the same instant (on PostgreSQL really at once) open one case between them.
    expect((await call('PATCH', `/api/v1/devices/${rising.id}`, t.admin, { linkKbps: 15_000 })).statusCode).toBe(200);
    const at = new Date(NOW.getTime() + 3 * HOUR);
    await Promise.all([h.services.capacity.runPage(0, at), h.services.capacity.runPage(0, at)]);
    const after = await orderCases();
    expect(after).toHaveLength(2);
    const newest = (
      await call('GET', `/api/v1/cases/${after.find((x) => x.number !== c!.number)!.number}`, t.agent)
    ).json();
    expect(newest.description).toContain('1. Now: no raise possible, the link already runs at the most');
  });

  it("a link's detail: daily p95 history and forecast points", async () => {
    const r = await call('GET', `/api/v1/capacity/links/${flat.id}?days=14`, t.agent);
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.history.length).toBeGreaterThanOrEqual(55);
    expect(d.forecast).toHaveLength(14);
    expect(d.forecast[0].p95Pct).toBeCloseTo(60, 0);
    expect(d.history.at(-1).day < d.forecast[0].day).toBe(true);
    const missing = await call('GET', '/api/v1/capacity/links/999999999', t.agent);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.details[0]).toMatchObject({ field: 'deviceId', value: 999999999 });
  });

  it('is staff-only: customers get 403, nobody unauthenticated', async () => {
    for (const url of ['/api/v1/capacity/links', `/api/v1/capacity/links/${rising.id}`]) {
      const r = await call('GET', url, t.customer);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('capacity.staff_only');
      expect((await call('GET', url, {})).statusCode).toBe(401);
    }
  });

  it('capacity numbers: the model maximum and the contracted speed, the latter set by staff only', async () => {
    const asCustomer = await call('PATCH', `/api/v1/devices/${flat.id}`, t.customer, { linkKbps: 50_000 });
    expect(asCustomer.statusCode).toBe(403);
    expect(asCustomer.json().error.details[0]).toMatchObject({ field: 'linkKbps', value: 50_000 });
    const bad = await call('PATCH', `/api/v1/devices/${flat.id}`, t.admin, { linkKbps: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'linkKbps' });
    // A shared model is staff's to change; the customer reads it.
    const shared = await call('PATCH', `/api/v1/device-models/${modelId}`, t.customer, { maxLinkKbps: 1 });
    expect(shared.statusCode).toBe(403);
    const changed = await call('PATCH', `/api/v1/device-models/${modelId}`, t.admin, { maxLinkKbps: 100_000 });
    expect(changed.json()).toMatchObject({ id: modelId, maxLinkKbps: 100_000 });
    const read = await call('GET', `/api/v1/devices/${flat.id}`, t.customer);
    expect(read.json()).toMatchObject({ linkKbps: 10_000, model: { maxLinkKbps: 100_000 } });
  });
});
