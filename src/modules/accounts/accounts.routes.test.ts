import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

describe('POST /api/v1/accounts', () => {
  it('creates a sub-account under a visible parent (happy path)', async () => {
    const number = `N-${uniq()}`;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: t.agent,
      payload: {
        number,
        name: 'Meters North',
        parentId: t.child.id,
        country: 'SE',
        language: 'sv',
        timeZone: 'Europe/Stockholm',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      number,
      parentId: t.child.id,
      tenantId: t.root.id,
      depth: 2,
      kind: 'sub_account',
      language: 'sv',
    });
  });

  it("a customer's sub-account takes its parent's VIP tier; naming another is staff-only (403)", async () => {
    const post = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: '/api/v1/accounts', headers: t.customer, payload });
    const base = { name: 'Branch', parentId: t.child.id, country: 'SE' };
    const escalate = await post({ ...base, number: `V-${uniq()}`, vipTier: 'platinum' });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error).toMatchObject({
      code: 'accounts.vip_tier_forbidden',
      details: [{ field: 'vipTier', value: 'platinum' }],
    });
    const parent = (await h.app.inject({ url: `/api/v1/accounts/${t.child.id}`, headers: t.customer })).json();
    const inherits = await post({ ...base, number: `V-${uniq()}` });
    expect(inherits.statusCode).toBe(201);
    expect(inherits.json().vipTier).toBe(parent.vipTier);
    const same = await post({ ...base, number: `V-${uniq()}`, vipTier: parent.vipTier });
    expect(same.statusCode).toBe(201);
  });

  it('400 names the field and value that is wrong', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: t.agent,
      payload: { number: `X-${uniq()}`, name: 'Bad', country: 'SE', timeZone: 'Mars/Olympus' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('request.invalid');
    expect(res.json().error.details).toContainEqual({
      field: 'timeZone',
      value: 'Mars/Olympus',
      reason: 'unknown IANA time zone',
    });
  });

  it('401 without credentials', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {} });
    expect(res.statusCode).toBe(401);
  });

  it('403 for a read-only token', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: t.readOnlyAgent,
      payload: { number: `R-${uniq()}`, name: 'R', country: 'SE' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('auth.scope_missing');
  });

  it("404 when a customer creates under another tenant's account", async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: t.customer,
      payload: { number: `C-${uniq()}`, name: 'Intruder', parentId: other.child.id, country: 'SE' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('accounts.parent_not_found');
  });

  it('409 on a duplicate account number', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: t.admin,
      payload: { number: t.child.number, name: 'Dup', country: 'SE' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details[0]).toMatchObject({ field: 'number', value: t.child.number });
  });
});

describe('GET /api/v1/accounts/:id', () => {
  it('a customer sees its own subtree', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${t.child.id}`, headers: t.customer });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(t.child.id);
  });

  it('a customer of a sub-account does not see its parent', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${t.root.id}`, headers: t.customer });
    expect(res.statusCode).toBe(404);
  });

  it("404 for another tenant's account, same as a missing one", async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${other.root.id}`,
      headers: t.rootCustomer,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('accounts.not_found');
  });

  it('400 on a non-numeric id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/accounts/abc', headers: t.agent });
    expect(res.statusCode).toBe(400);
  });

  it('401 without credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${t.root.id}` });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /api/v1/accounts', () => {
  it("a customer lists only its tenant's subtree; staff page through everything", async () => {
    const mine = await h.app.inject({ method: 'GET', url: '/api/v1/accounts?limit=500', headers: t.rootCustomer });
    expect(mine.statusCode).toBe(200);
    const ids = mine.json().items.map((a: { id: number }) => a.id);
    expect(ids).toContain(t.root.id);
    expect(ids).toContain(t.child.id);
    expect(ids).not.toContain(other.root.id);

    const page1 = await h.app.inject({ method: 'GET', url: '/api/v1/accounts?limit=1', headers: t.agent });
    expect(page1.json().items).toHaveLength(1);
    const cursor = page1.json().nextCursor as string;
    expect(cursor).toBeTruthy();
    const page2 = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts?limit=1&cursor=${cursor}`,
      headers: t.agent,
    });
    expect(page2.json().items[0].id).not.toBe(page1.json().items[0].id);
  });

  it('400 on a forged cursor', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/accounts?cursor=bm9wZQ', headers: t.agent });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('cursor');
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/accounts' })).statusCode).toBe(401);
  });
});

describe('contacts', () => {
  it('adds and lists contacts in the account language by default', async () => {
    const add = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${t.root.id}/contacts`,
      headers: t.agent,
      payload: { name: 'Anna Svensson', email: 'Anna@Example.test', roles: ['technical', 'escalation'] },
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ email: 'anna@example.test', language: 'sv' });
    const list = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${t.root.id}/contacts`,
      headers: t.rootCustomer,
    });
    expect(list.json().items.map((c: { name: string }) => c.name)).toContain('Anna Svensson');
  });

  it('400 without email and phone, and on a bad phone', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${t.root.id}/contacts`,
      headers: t.agent,
      payload: { name: 'Nobody', phone: '0701234567' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'phone', value: '0701234567' });
  });

  it("404 on another tenant's contacts; 401 without auth", async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${other.root.id}/contacts`,
      headers: t.customer,
    });
    expect(res.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/accounts/${t.root.id}/contacts` })).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/accounts/:id', () => {
  it('staff update name, tier and language (happy path)', async () => {
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.agent,
      payload: { name: 'Renamed', vipTier: 'platinum', language: 'de' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: t.child.id, name: 'Renamed', vipTier: 'platinum', language: 'de' });
  });

  it('a customer may rename its own account but not raise its VIP tier', async () => {
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.customer,
      payload: { name: 'Ours' },
    });
    expect(ok.statusCode).toBe(200);
    const tier = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.customer,
      payload: { vipTier: 'platinum' },
    });
    expect(tier.statusCode).toBe(403);
    expect(tier.json().error.details[0]).toMatchObject({ field: 'vipTier', value: 'platinum' });
  });

  it('400 names the bad field; 401 without auth; 404 across tenants', async () => {
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.agent,
      payload: { country: 'Sweden' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'country', value: 'Sweden' });
    expect(
      (await h.app.inject({ method: 'PATCH', url: `/api/v1/accounts/${t.child.id}`, payload: {} })).statusCode,
    ).toBe(401);
    const across = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${other.child.id}`,
      headers: t.rootCustomer,
      payload: { name: 'Hijack' },
    });
    expect(across.statusCode).toBe(404);
  });
});
