import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
const url = '/api/v1/communication-plans';

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const body = (over: Record<string, unknown> = {}) => ({
  name: `CP ${uniq()}`,
  apns: ['iot.example.com'],
  allowedRats: ['4G', 'LTE-M'],
  ...over,
});

async function createPlan(headers: Record<string, string>, over: Record<string, unknown> = {}) {
  const res = await h.app.inject({ method: 'POST', url, headers, payload: body(over) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; name: string };
}

describe('POST /api/v1/communication-plans', () => {
  it('staff create an account-specific plan; APNs are stored lower-case (happy path)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: body({
        accountId: t.root.id,
        apns: ['IoT.Example.COM', 'm2m.example'],
        services: { sms: true },
        roamingPlmns: ['24001'],
        roamingZones: ['NORDICS'],
      }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      owner: 'account',
      accountId: t.root.id,
      tenantId: t.root.id,
      apns: ['iot.example.com', 'm2m.example'],
      services: { data: true, sms: true, voice: false, csd: false },
      allowedRats: ['4G', 'LTE-M'],
      roamingPlmns: ['24001'],
      roamingZones: ['NORDICS'],
    });
  });

  it('an IMEI lock on the plan: off by default, set at create, changed by PATCH, a non-boolean refused', async () => {
    const plain = await createPlan(t.admin);
    const read = async (id: number) =>
      (await h.app.inject({ method: 'GET', url: `${url}/${id}`, headers: t.agent })).json().imeiLock;
    expect(await read(plain.id)).toBe(false);
    const locked = await createPlan(t.admin, { imeiLock: true });
    expect(await read(locked.id)).toBe(true);
    const off = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${locked.id}`,
      headers: t.admin,
      payload: { imeiLock: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().imeiLock).toBe(false);
    const bad = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body({ imeiLock: 'yes' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'imeiLock', value: 'yes' });
  });

  it('an agent creates a shared plan (no accountId)', async () => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.agent, payload: body() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ owner: 'shared', accountId: null, tenantId: null });
  });

  it.each([
    [{ apns: ['ok.example', 'bad_apn'] }, 'apns[1]', 'bad_apn', 'invalid APN'],
    [{ apns: ['iot', 'IOT'] }, 'apns[1]', 'IOT', "duplicate 'iot'"],
    [{ roamingPlmns: ['24001', '24099'] }, 'roamingPlmns[1]', '24099', 'unknown PLMN'],
    [{ roamingPlmns: ['2400'] }, 'roamingPlmns[0]', '2400', 'must be 5 or 6 digits'],
    [{ roamingZones: ['MARS'] }, 'roamingZones[0]', 'MARS', 'Invalid option'],
    [{ allowedRats: ['6G'] }, 'allowedRats[0]', '6G', 'Invalid option'],
    [{ allowedRats: [] }, 'allowedRats', [], ''],
  ])('400 names the field and value: %j', async (over, field, value, reason) => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body(over) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('request.invalid');
    const detail = res.json().error.details[0];
    expect(detail).toMatchObject({ field, value });
    expect(detail.reason).toContain(reason);
  });

  it('400 when data is on without an APN', async () => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body({ apns: [] }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'catalog.apn_required',
      details: [{ field: 'apns', value: [] }],
    });
    // An SMS-only plan needs no APN.
    const sms = await h.app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: body({ apns: [], services: { data: false, sms: true } }),
    });
    expect(sms.statusCode).toBe(201);
  });

  it('400 on an unknown owner account', async () => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body({ accountId: 987654321 }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'catalog.account_not_found',
      details: [{ field: 'accountId', value: 987654321 }],
    });
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'POST', url, payload: body() })).statusCode).toBe(401);
  });

  it('403 for a customer (even for its own account) and for a read-only token', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: t.rootCustomer,
      payload: body({ accountId: t.root.id }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('catalog.staff_only');
    const ro = await h.app.inject({ method: 'POST', url, headers: t.readOnlyAgent, payload: body() });
    expect(ro.statusCode).toBe(403);
    expect(ro.json().error.code).toBe('auth.scope_missing');
  });

  it('409 on a duplicate name for the same owner; the same name is fine for another owner', async () => {
    const name = `Dup ${uniq()}`;
    await createPlan(t.admin, { name, accountId: t.root.id });
    const dup = await h.app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: body({ name, accountId: t.root.id }),
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({
      code: 'catalog.plan_name_taken',
      details: [{ field: 'name', value: name }],
    });
    await createPlan(t.admin, { name, accountId: other.root.id });
    await createPlan(t.admin, { name });
    const sharedDup = await h.app.inject({ method: 'POST', url, headers: t.admin, payload: body({ name }) });
    expect(sharedDup.statusCode).toBe(409);
  });
});

describe('GET /api/v1/communication-plans/:id', () => {
  it("a customer reads shared plans, its own account's, its ancestors' and its sub-accounts' plans", async () => {
    const shared = await createPlan(t.admin);
    const rootPlan = await createPlan(t.admin, { accountId: t.root.id });
    const childPlan = await createPlan(t.admin, { accountId: t.child.id });
    for (const p of [shared, rootPlan, childPlan]) {
      const res = await h.app.inject({ method: 'GET', url: `${url}/${p.id}`, headers: t.customer });
      expect(res.statusCode, p.name).toBe(200);
      expect(res.json().id).toBe(p.id);
    }
    // The root's customer also sees the plans of its sub-accounts (their SIMs are in its view)…
    const down = await h.app.inject({ method: 'GET', url: `${url}/${childPlan.id}`, headers: t.rootCustomer });
    expect(down.statusCode).toBe(200);
    // …but a sub-account's customer does not see a sibling sub-account's own plan.
    const sibling = await h.services.accounts.create(t.adminPrincipal, {
      number: `SIB-${childPlan.id}`,
      name: 'Sibling',
      parentId: t.root.id,
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: 'SE',
    });
    const siblingPlan = await createPlan(t.admin, { accountId: sibling.id });
    const across = await h.app.inject({ method: 'GET', url: `${url}/${siblingPlan.id}`, headers: t.customer });
    expect(across.statusCode).toBe(404);
  });

  it("404 for another tenant's plan, same as a missing one", async () => {
    const theirs = await createPlan(t.admin, { accountId: other.root.id });
    const res = await h.app.inject({ method: 'GET', url: `${url}/${theirs.id}`, headers: t.rootCustomer });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('catalog.communication_plan_not_found');
    const missing = await h.app.inject({ method: 'GET', url: `${url}/987654321`, headers: t.agent });
    expect(missing.json().error.code).toBe('catalog.communication_plan_not_found');
  });

  it('400 on a non-numeric id; 401 without credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${url}/abc`, headers: t.agent });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'params.id', value: 'abc' });
    expect((await h.app.inject({ method: 'GET', url: `${url}/1` })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/communication-plans', () => {
  it("customers list shared and their own plans, never another tenant's; staff filter by account", async () => {
    const tag = uniq();
    const shared = await createPlan(t.admin, { name: `${tag} shared` });
    const mine = await createPlan(t.admin, { name: `${tag} mine`, accountId: t.root.id });
    const theirs = await createPlan(t.admin, { name: `${tag} theirs`, accountId: other.child.id });
    const ids = (res: { json: () => { items: { id: number }[] } }) => res.json().items.map((p) => p.id);

    const asCustomer = await h.app.inject({ method: 'GET', url: `${url}?q=${tag}`, headers: t.customer });
    expect(asCustomer.statusCode).toBe(200);
    expect(ids(asCustomer).sort()).toEqual([shared.id, mine.id].sort());

    const forOther = await h.app.inject({
      method: 'GET',
      url: `${url}?q=${tag}&accountId=${other.child.id}`,
      headers: t.agent,
    });
    expect(ids(forOther).sort()).toEqual([shared.id, theirs.id].sort());

    const accountOnly = await h.app.inject({ method: 'GET', url: `${url}?q=${tag}&owner=account`, headers: t.agent });
    expect(ids(accountOnly).sort()).toEqual([mine.id, theirs.id].sort());
    const sharedOnly = await h.app.inject({ method: 'GET', url: `${url}?q=${tag}&owner=shared`, headers: t.agent });
    expect(ids(sharedOnly)).toEqual([shared.id]);
  });

  it('pages with a cursor in name order', async () => {
    const tag = uniq();
    const a = await createPlan(t.admin, { name: `${tag} a` });
    const b = await createPlan(t.admin, { name: `${tag} b` });
    const p1 = await h.app.inject({ method: 'GET', url: `${url}?q=${tag}&limit=1`, headers: t.agent });
    expect(p1.json().items.map((p: { id: number }) => p.id)).toEqual([a.id]);
    const p2 = await h.app.inject({
      method: 'GET',
      url: `${url}?q=${tag}&limit=1&cursor=${p1.json().nextCursor}`,
      headers: t.agent,
    });
    expect(p2.json().items.map((p: { id: number }) => p.id)).toEqual([b.id]);
    expect(p2.json().nextCursor).toBeNull();
  });

  it("404 when a customer filters by another tenant's account; 400 for staff on an unknown one", async () => {
    const res = await h.app.inject({ method: 'GET', url: `${url}?accountId=${other.root.id}`, headers: t.customer });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('catalog.account_not_found');
    const staff = await h.app.inject({ method: 'GET', url: `${url}?accountId=987654321`, headers: t.agent });
    expect(staff.statusCode).toBe(400);
    expect(staff.json().error.details[0]).toMatchObject({ field: 'accountId', value: 987654321 });
  });

  it('400 on a bad owner filter or a forged cursor; 401 without credentials', async () => {
    const owner = await h.app.inject({ method: 'GET', url: `${url}?owner=mine`, headers: t.agent });
    expect(owner.statusCode).toBe(400);
    expect(owner.json().error.details[0]).toMatchObject({ field: 'querystring.owner', value: 'mine' });
    const cursor = await h.app.inject({ method: 'GET', url: `${url}?cursor=bm9wZQ`, headers: t.agent });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().error).toMatchObject({ code: 'catalog.cursor_invalid', details: [{ field: 'cursor' }] });
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/communication-plans/:id', () => {
  it('staff change a plan; unspecified fields stay (happy path)', async () => {
    const p = await createPlan(t.admin, { accountId: t.root.id, roamingZones: ['EU_EEA'] });
    const res = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${p.id}`,
      headers: t.agent,
      payload: { apns: ['NEW.apn'], services: { voice: true }, description: 'Meters' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: p.name,
      apns: ['new.apn'],
      services: { data: true, voice: true },
      roamingZones: ['EU_EEA'],
      description: 'Meters',
    });
  });

  it('400 on a bad value, and when data is switched on with no APN', async () => {
    const p = await createPlan(t.admin, { apns: [], services: { data: false, sms: true } });
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${p.id}`,
      headers: t.admin,
      payload: { roamingPlmns: ['00000'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'roamingPlmns[0]', value: '00000' });
    const noApn = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${p.id}`,
      headers: t.admin,
      payload: { services: { data: true } },
    });
    expect(noApn.statusCode).toBe(400);
    expect(noApn.json().error.code).toBe('catalog.apn_required');
  });

  it("403 for a customer on a plan it sees; 404 on another tenant's plan", async () => {
    const mine = await createPlan(t.admin, { accountId: t.root.id });
    const res = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${mine.id}`,
      headers: t.rootCustomer,
      payload: { name: 'Mine now' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('catalog.staff_only');
    const theirs = await createPlan(t.admin, { accountId: other.root.id });
    const cross = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${theirs.id}`,
      headers: t.rootCustomer,
      payload: { name: 'Stolen' },
    });
    expect(cross.statusCode).toBe(404);
  });

  it('409 when renamed to a name its owner already uses; 401 without credentials', async () => {
    const a = await createPlan(t.admin, { accountId: t.child.id });
    const b = await createPlan(t.admin, { accountId: t.child.id });
    const res = await h.app.inject({
      method: 'PATCH',
      url: `${url}/${b.id}`,
      headers: t.admin,
      payload: { name: a.name },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'catalog.plan_name_taken', details: [{ value: a.name }] });
    expect((await h.app.inject({ method: 'PATCH', url: `${url}/${a.id}`, payload: {} })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/roaming-zones', () => {
  it('lists the built-in zones with their countries', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/roaming-zones', headers: t.customer });
    expect(res.statusCode).toBe(200);
    const zones = res.json().items as { code: string; countries: string[] }[];
    expect(zones.map((z) => z.code)).toEqual(['EU_EEA', 'NORDICS', 'NORTH_AMERICA', 'WORLD']);
    expect(zones.find((z) => z.code === 'NORDICS')?.countries).toContain('SE');
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/roaming-zones' })).statusCode).toBe(401);
  });
});
