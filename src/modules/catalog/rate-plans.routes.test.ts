import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
const url = '/api/v1/rate-plans';

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const body = (over: Record<string, unknown> = {}) => ({
  name: `RP ${uniq()}`,
  currency: 'EUR',
  monthlyFee: '1.20',
  ...over,
});

async function createPlan(headers: Record<string, string>, over: Record<string, unknown> = {}) {
  const res = await h.app.inject({ method: 'POST', url, headers, payload: body(over) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; name: string };
}

describe('POST /api/v1/rate-plans', () => {
  it('staff create a pooled plan with allowances, overage and test-ready limits (happy path)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: body({
        accountId: t.child.id,
        currency: 'SEK',
        monthlyFee: '4.5',
        pooling: 'pooled',
        included: { dataMb: 1024, sms: 10 },
        overage: { dataPerMb: '0.0125' },
        testReady: { dataMb: 5, days: 30 },
      }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      owner: 'account',
      accountId: t.child.id,
      tenantId: t.root.id,
      currency: 'SEK',
      monthlyFee: '4.50',
      pooling: 'pooled',
      included: { dataMb: 1024, sms: 10, voiceMin: 0 },
      overage: { dataPerMb: '0.0125', smsEach: '0.00', voicePerMin: '0.00' },
      testReady: { dataMb: 5, sms: 0, voiceMin: 0, days: 30 },
    });
  });

  it('defaults to per-SIM with zero allowances, shared when no account is given', async () => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.agent, payload: body() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ owner: 'shared', pooling: 'per_sim', included: { dataMb: 0 } });
  });

  it.each([
    [{ currency: 'eur' }, 'currency', 'eur', 'ISO 4217'],
    [{ currency: 'XYZ' }, 'currency', 'XYZ', 'unknown ISO 4217 currency'],
    [{ monthlyFee: '-1' }, 'monthlyFee', '-1', 'decimal string'],
    [{ monthlyFee: '1.23456' }, 'monthlyFee', '1.23456', 'at most 4 decimals'],
    [{ monthlyFee: 4.5 }, 'monthlyFee', 4.5, 'string'],
    [{ pooling: 'shared' }, 'pooling', 'shared', 'Invalid option'],
    [{ testReady: { sms: -1 } }, 'testReady.sms', -1, ''],
    [{ overage: { smsEach: 'free' } }, 'overage.smsEach', 'free', 'decimal string'],
  ])('400 names the field and value: %j', async (over, field, value, reason) => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body(over) });
    expect(res.statusCode).toBe(400);
    const detail = res.json().error.details[0];
    expect(detail).toMatchObject({ field, value });
    expect(detail.reason).toContain(reason);
  });

  it('400 on an unknown owner account', async () => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body({ accountId: 987654321 }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'catalog.account_not_found', details: [{ field: 'accountId' }] });
  });

  it('401 without credentials; 403 for a customer', async () => {
    expect((await h.app.inject({ method: 'POST', url, payload: body() })).statusCode).toBe(401);
    const res = await h.app.inject({ method: 'POST', url, headers: t.customer, payload: body() });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('catalog.staff_only');
  });

  it('409 on a duplicate name for the same owner', async () => {
    const p = await createPlan(t.admin, { accountId: t.root.id });
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: body({ name: p.name, accountId: t.root.id }),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'catalog.plan_name_taken', details: [{ field: 'name' }] });
  });
});

describe('GET /api/v1/rate-plans/:id', () => {
  it("a customer reads its ancestors' plans; 404 for another tenant's", async () => {
    const rootPlan = await createPlan(t.admin, { accountId: t.root.id });
    const ok = await h.app.inject({ method: 'GET', url: `${url}/${rootPlan.id}`, headers: t.customer });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe(rootPlan.name);
    const theirs = await createPlan(t.admin, { accountId: other.child.id });
    const res = await h.app.inject({ method: 'GET', url: `${url}/${theirs.id}`, headers: t.customer });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('catalog.rate_plan_not_found');
  });

  it('400 on a bad id; 401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: `${url}/0`, headers: t.agent })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: `${url}/1` })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/rate-plans', () => {
  it("lists shared and own plans for a customer, not another tenant's", async () => {
    const tag = uniq();
    const shared = await createPlan(t.admin, { name: `${tag} s` });
    const mine = await createPlan(t.admin, { name: `${tag} m`, accountId: t.child.id });
    await createPlan(t.admin, { name: `${tag} o`, accountId: other.root.id });
    const res = await h.app.inject({ method: 'GET', url: `${url}?q=${tag}`, headers: t.customer });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((p: { id: number }) => p.id)).toEqual([mine.id, shared.id]);
  });

  it("404 when a customer asks for another tenant's account; 400 on a bad limit; 401", async () => {
    const cross = await h.app.inject({ method: 'GET', url: `${url}?accountId=${other.child.id}`, headers: t.customer });
    expect(cross.statusCode).toBe(404);
    const bad = await h.app.inject({ method: 'GET', url: `${url}?limit=0`, headers: t.agent });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'querystring.limit' });
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});

describe('the overage action (what happens at the data allowance)', () => {
  it('charges by default; blocks; throttles to a rate; a PATCH to another action drops the rate', async () => {
    const charged = await createPlan(t.admin);
    const read = async (id: number) =>
      (await h.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.agent })).json().overage;
    expect(await read(charged.id)).toMatchObject({ action: 'charge', throttleKbps: null });
    const blocked = await createPlan(t.admin, { included: { dataMb: 50 }, overage: { action: 'block' } });
    expect(await read(blocked.id)).toMatchObject({ action: 'block', throttleKbps: null });
    const throttled = await createPlan(t.admin, { overage: { action: 'throttle', throttleKbps: 64 } });
    expect(await read(throttled.id)).toMatchObject({ action: 'throttle', throttleKbps: 64 });
    const rate = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${throttled.id}`,
      headers: t.admin,
      payload: { overage: { throttleKbps: 128 } },
    });
    expect(rate.statusCode, rate.body).toBe(200);
    expect(rate.json().overage).toMatchObject({ action: 'throttle', throttleKbps: 128 });
    const block = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${throttled.id}`,
      headers: t.admin,
      payload: { overage: { action: 'block' } },
    });
    expect(block.json().overage).toMatchObject({ action: 'block', throttleKbps: null });
  });

  it.each([
    [{ overage: { action: 'throttle' } }, 'overage.throttleKbps', null, 'required with action throttle'],
    [{ overage: { action: 'block', throttleKbps: 64 } }, 'overage.throttleKbps', 64, 'only with action throttle'],
    [{ overage: { throttleKbps: 64 } }, 'overage.throttleKbps', 64, 'not charge'],
    [{ overage: { action: 'slow' } }, 'overage.action', 'slow', 'Invalid option'],
    [{ overage: { action: 'throttle', throttleKbps: 0 } }, 'overage.throttleKbps', 0, ''],
  ])('400 names the field, value and reason: %j', async (over, field, value, reason) => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body(over) });
    expect(res.statusCode, res.body).toBe(400);
    const detail = res.json().error.details[0];
    expect(detail).toMatchObject({ field, value });
    expect(detail.reason).toContain(reason);
  });
});

describe('PATCH /api/v1/rate-plans/:id', () => {
  it('staff change fee and part of the allowances; the rest stays (happy path)', async () => {
    const p = await createPlan(t.admin, { included: { dataMb: 10, sms: 5 } });
    const res = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${p.id}`,
      headers: t.agent,
      payload: { monthlyFee: '2', included: { sms: 50 } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ monthlyFee: '2.00', included: { dataMb: 10, sms: 50 }, currency: 'EUR' });
  });

  it("400 on a bad currency; 403 for a customer; 404 on another tenant's; 409 on a taken name; 401", async () => {
    const a = await createPlan(t.admin, { accountId: t.root.id });
    const b = await createPlan(t.admin, { accountId: t.root.id });
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${a.id}`,
      headers: t.admin,
      payload: { currency: 'EURO' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'currency', value: 'EURO' });
    const cust = await h.app.inject({ method: 'PATCH', url: `${url}/${a.id}`, headers: t.rootCustomer, payload: {} });
    expect(cust.statusCode).toBe(403);
    const cross = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${a.id}`,
      headers: other.rootCustomer,
      payload: {},
    });
    expect(cross.statusCode).toBe(404);
    const taken = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${b.id}`,
      headers: t.admin,
      payload: { name: a.name },
    });
    expect(taken.statusCode).toBe(409);
    expect((await h.app.inject({ method: 'PATCH', url: `${url}/${a.id}`, payload: {} })).statusCode).toBe(401);
  });
});
