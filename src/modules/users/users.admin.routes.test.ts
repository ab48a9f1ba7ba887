import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const PASSWORD = 'correct-horse-battery';

/** An agent with a web session and an API token, to watch both stop when the user is disabled. */
async function agentWithLogins() {
  const email = `edit-${uniq()}@example.test`;
  const user = await h.services.users.create({ email, name: 'Ed', password: PASSWORD, role: 'agent', language: 'en' });
  const login = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: PASSWORD },
  });
  const cookie = login.cookies.find((c) => c.name === 'iotops_session')!.value;
  const { secret, token } = await h.services.users.createToken(user.id, { name: 'int', scopes: ['read'] });
  return { user, email, cookie, tokenId: token.id, bearer: { authorization: `Bearer ${secret}` } };
}

const patch = (id: number, payload: unknown, headers = t.admin) =>
  h.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers, payload: payload as object });
const me = (opts: { headers?: Record<string, string>; cookies?: Record<string, string> }) =>
  h.app.inject({ method: 'GET', url: '/api/v1/auth/me', ...opts });

describe('PATCH /api/v1/users/:id', () => {
  it('edits name, language and role (agent to admin)', async () => {
    const a = await agentWithLogins();
    const res = await patch(a.user.id, { name: 'Edith', language: 'fr', role: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: a.user.id, name: 'Edith', language: 'fr', role: 'admin', disabled: false });
    // The session resolves the user anew on each call: the new role is in force at once.
    expect((await me({ cookies: { iotops_session: a.cookie } })).json().role).toBe('admin');
  });

  it('a disabled user cannot log in, their session and token stop; enabling restores the token', async () => {
    const a = await agentWithLogins();
    expect((await me({ headers: a.bearer })).statusCode).toBe(200);
    const res = await patch(a.user.id, { disabled: true });
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);

    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);
    expect((await me({ cookies: { iotops_session: a.cookie } })).statusCode).toBe(401);
    expect((await me({ headers: a.bearer })).statusCode).toBe(401);
    // Not offered for assignment either.
    const agents = await h.app.inject({ method: 'GET', url: '/api/v1/agents', headers: t.agent });
    expect(agents.json().items.map((x: { id: number }) => x.id)).not.toContain(a.user.id);

    expect((await patch(a.user.id, { disabled: false })).statusCode).toBe(200);
    expect((await me({ headers: a.bearer })).statusCode).toBe(200);
    // The ended session stays ended; logging in works again.
    expect((await me({ cookies: { iotops_session: a.cookie } })).statusCode).toBe(401);
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email, password: PASSWORD },
    });
    expect(again.statusCode).toBe(200);
  });

  it('400 names the field: unknown field, empty body, bad language, customer to staff', async () => {
    const a = await agentWithLogins();
    const unknown = await patch(a.user.id, { email: 'x@example.test' });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.details)).toContain('email');

    const empty = await patch(a.user.id, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/at least one/);

    const lang = await patch(a.user.id, { language: 'xx' });
    expect(lang.statusCode).toBe(400);
    expect(lang.json().error.details[0]).toMatchObject({ field: 'language', value: 'xx' });

    const cust = await h.services.users.create({
      email: `c-${uniq()}@example.test`,
      name: 'C',
      password: PASSWORD,
      role: 'customer',
      accountId: t.child.id,
      language: 'en',
    });
    const res = await patch(cust.id, { role: 'agent' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'users.role_change_not_allowed',
      details: [{ field: 'role', value: 'agent' }],
    });
  });

  it('409 when an admin disables or demotes themselves; 404 for an unknown user', async () => {
    const email = `self-${uniq()}@example.test`;
    const admin = await h.services.users.create({
      email,
      name: 'S',
      password: PASSWORD,
      role: 'admin',
      language: 'en',
    });
    const { secret } = await h.services.users.createToken(admin.id, { name: 's', scopes: ['read', 'admin'] });
    const self = { authorization: `Bearer ${secret}` };
    const off = await patch(admin.id, { disabled: true }, self);
    expect(off.statusCode).toBe(409);
    expect(off.json().error).toMatchObject({ code: 'users.self_lockout', details: [{ field: 'disabled' }] });
    const demote = await patch(admin.id, { role: 'agent' }, self);
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.details[0]).toMatchObject({ field: 'role', value: 'agent' });
    expect((await patch(99_999_999, { name: 'X' })).statusCode).toBe(404);
  });

  it('403 for agents and customers; 401 without auth', async () => {
    const a = await agentWithLogins();
    expect((await patch(a.user.id, { name: 'X' }, t.agent)).statusCode).toBe(403);
    expect((await patch(a.user.id, { name: 'X' }, t.customer)).statusCode).toBe(403);
    expect((await patch(a.user.id, { name: 'X' }, {})).statusCode).toBe(401);
  });
});

describe('GET /api/v1/users paged', () => {
  it('walks every user with limit and cursor, no user twice', async () => {
    for (let i = 0; i < 3; i++) await agentWithLogins();
    const total = await h.services.users.count();
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const res: { statusCode: number; json: () => { items: { id: number }[]; nextCursor: string | null } } =
        await h.app.inject({
          method: 'GET',
          url: `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: t.admin,
        });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
  });

  it('400 names limit and cursor; 403 for agents and customers', async () => {
    const big = await h.app.inject({ method: 'GET', url: '/api/v1/users?limit=501', headers: t.admin });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details[0]).toMatchObject({ field: 'querystring.limit' });
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/users?cursor=abc', headers: t.admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'querystring.cursor', value: 'abc' });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.agent })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.customer })).statusCode).toBe(403);
  });
});

describe("an admin and other users' tokens", () => {
  it('lists a user’s tokens without secrets and revokes one; the token stops at once', async () => {
    const a = await agentWithLogins();
    const list = await h.app.inject({ method: 'GET', url: `/api/v1/users/${a.user.id}/tokens`, headers: t.admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: a.tokenId, name: 'int', scopes: ['read'] })]);
    expect(JSON.stringify(list.json())).not.toContain('iot_');
    expect((await me({ headers: a.bearer })).statusCode).toBe(200);

    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${a.user.id}/tokens/${a.tokenId}`,
      headers: t.admin,
    });
    expect(del.statusCode).toBe(204);
    expect((await me({ headers: a.bearer })).statusCode).toBe(401);
    const again = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${a.user.id}/tokens/${a.tokenId}`,
      headers: t.admin,
    });
    expect(again.statusCode).toBe(404);
  });

  it('404 for a token of another user and for an unknown user; 403 for agents and customers', async () => {
    const a = await agentWithLogins();
    const b = await agentWithLogins();
    const cross = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${b.user.id}/tokens/${a.tokenId}`,
      headers: t.admin,
    });
    expect(cross.statusCode).toBe(404);
    expect((await me({ headers: a.bearer })).statusCode).toBe(200);
    const unknown = await h.app.inject({ method: 'GET', url: '/api/v1/users/99999999/tokens', headers: t.admin });
    expect(unknown.statusCode).toBe(404);
    for (const headers of [t.agent, t.customer]) {
      const l = await h.app.inject({ method: 'GET', url: `/api/v1/users/${a.user.id}/tokens`, headers });
      expect(l.statusCode).toBe(403);
      const d = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${a.user.id}/tokens/${a.tokenId}`,
        headers,
      });
      expect(d.statusCode).toBe(403);
    }
  });
});

describe('POST /api/v1/users language', () => {
  it("a customer gets their account's language unless one is given; staff get en", async () => {
    const create = (payload: Record<string, unknown>) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: t.admin,
        payload: { email: `l-${uniq()}@example.test`, name: 'L', password: PASSWORD, ...payload },
      });
    // makeTenant's root account speaks Swedish.
    const cust = await create({ role: 'customer', accountId: t.root.id });
    expect(cust.statusCode, cust.body).toBe(201);
    expect(cust.json().language).toBe('sv');
    const chosen = await create({ role: 'customer', accountId: t.root.id, language: 'it' });
    expect(chosen.json().language).toBe('it');
    const agent = await create({ role: 'agent' });
    expect(agent.json().language).toBe('en');
  });
});
