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

async function newUser(role: 'agent' | 'customer', accountId?: number) {
  const email = `u-${uniq()}@example.test`;
  await h.services.users.create({
    email,
    name: 'U',
    password: 'correct-horse-battery',
    role,
    accountId,
    language: 'de',
  });
  return email;
}

describe('login and session cookie', () => {
  it('logs in, reads /me with the cookie, logs out (happy path)', async () => {
    const email = await newUser('customer', t.child.id);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: email.toUpperCase(), password: 'correct-horse-battery' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'iotops_session');
    expect(cookie?.httpOnly).toBe(true);
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { iotops_session: cookie!.value },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      email,
      role: 'customer',
      accountId: t.child.id,
      tenantId: t.root.id,
      via: 'session',
    });
    expect(me.json().scopes.sort()).toEqual(['read', 'write']);

    const out = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { iotops_session: cookie!.value },
    });
    expect(out.statusCode).toBe(204);
    const after = await h.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { iotops_session: cookie!.value },
    });
    expect(after.statusCode).toBe(401);
  });

  it('401 with the same message for an unknown email and a wrong password', async () => {
    const email = await newUser('agent');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'nope-nope-nope' },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: `nobody-${uniq()}@example.test`, password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('400 names the invalid field', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'not-an-email', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'email', value: 'not-an-email' });
  });

  it('400 on malformed JSON', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('request.malformed_json');
  });
});

describe('API tokens', () => {
  it('creates a scoped token, lists it, uses it, revokes it', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.agent,
      payload: { name: 'monitoring', scopes: ['read'] },
    });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^iot_/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).json().scopes).toEqual([
      'read',
    ]);
    // A read token cannot write.
    const write = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: auth,
      payload: { number: `T-${uniq()}`, name: 'x', country: 'SE' },
    });
    expect(write.statusCode).toBe(403);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: t.agent });
    expect(list.json().items.map((x: { id: number }) => x.id)).toContain(id);
    expect(JSON.stringify(list.json())).not.toContain(token);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: t.agent })).statusCode).toBe(
      204,
    );
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).statusCode).toBe(401);
  });

  it('403 when a customer asks for a scope its role cannot hold; 400 on an unknown scope', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.customer,
      payload: { name: 'x', scopes: ['admin'] },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('tokens.scope_not_allowed');
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.customer,
      payload: { name: 'x', scopes: ['root'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'scopes[0]', value: 'root' });
  });

  it('a token never makes a wider one, and a read-only token makes and revokes none (probe round 5)', async () => {
    const readOnly = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.readOnlyAgent,
      payload: { name: 'x', scopes: ['read'] },
    });
    expect(readOnly.statusCode).toBe(403);
    const writer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.agent,
      payload: { name: 'w', scopes: ['read', 'write'] },
    });
    const auth = { authorization: `Bearer ${writer.json().token}` };
    const wider = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth,
      payload: { name: 'y', scopes: ['read', 'write', 'ingest'] },
    });
    expect(wider.statusCode).toBe(403);
    expect(wider.json().error).toMatchObject({ code: 'tokens.scope_not_held', details: [{ value: ['ingest'] }] });
    const same = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth,
      payload: { name: 'z', scopes: ['read'] },
    });
    expect(same.statusCode).toBe(201);
    const revoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${same.json().id}`,
      headers: t.readOnlyAgent,
    });
    expect(revoke.statusCode).toBe(403);
  });

  it("404 when revoking someone else's token; 401 without auth", async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: other.customer,
      payload: { name: 'x', scopes: ['read'] },
    });
    const res = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.json().id}`,
      headers: t.customer,
    });
    expect(res.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/tokens' })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { authorization: 'Bearer nope' } }))
        .statusCode,
    ).toBe(401);
  });
});

describe('users (admin)', () => {
  it('an admin creates a customer user bound to an account', async () => {
    const email = `c-${uniq()}@example.test`;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { email, name: 'Cust', password: 'long-enough-pw', role: 'customer', accountId: t.child.id },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ email, role: 'customer', tenantId: t.root.id, accountId: t.child.id });
    expect(JSON.stringify(res.json())).not.toContain('scrypt');
  });

  it('400 for a customer without account, for a short password; 409 on a taken email', async () => {
    const noAccount = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { email: `c-${uniq()}@example.test`, name: 'C', password: 'long-enough-pw', role: 'customer' },
    });
    expect(noAccount.statusCode).toBe(400);
    expect(noAccount.json().error.details[0].field).toBe('accountId');
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { email: `c-${uniq()}@example.test`, name: 'C', password: 'short', role: 'agent' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details[0]).toMatchObject({ field: 'password' });
    const email = await newUser('agent');
    const dup = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: t.admin,
      payload: { email, name: 'C', password: 'long-enough-pw', role: 'agent' },
    });
    expect(dup.statusCode).toBe(409);
  });

  it('403 for agents and customers; 401 without auth', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.agent })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.customer })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
  });
});

/** A web session (the cookie) of a user with the tests' password. */
async function sessionOf(email: string) {
  const login = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: 'correct-horse-battery' },
  });
  expect(login.statusCode).toBe(200);
  return { iotops_session: login.cookies.find((c) => c.name === 'iotops_session')!.value };
}

describe('POST /api/v1/auth/password', () => {
  it('changes the password, ends web sessions, and the new password logs in', async () => {
    const email = await newUser('agent');
    const session = await sessionOf(email);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      cookies: session,
      payload: { currentPassword: 'correct-horse-battery', newPassword: 'a-brand-new-secret' },
    });
    expect(res.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: session })).statusCode).toBe(401);
    const old = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'correct-horse-battery' },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'a-brand-new-secret' },
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('a read-only token cannot change the password (403 naming the scope); the password stays', async () => {
    const email = await newUser('agent');
    const session = await sessionOf(email);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: session,
      payload: { name: 'dashboard', scopes: ['read'] },
    });
    expect(created.statusCode).toBe(201);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { authorization: `Bearer ${created.json().token}` },
      payload: { currentPassword: 'correct-horse-battery', newPassword: 'taken-over-by-a-token' },
    });
    expect(res.statusCode).toBe(403);
    expect(JSON.stringify(res.json().error)).toMatch(/write/);
    const still = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'correct-horse-battery' },
    });
    expect(still.statusCode).toBe(200);
  });

  it('403 with a wrong current password; 400 for a short new one; 401 without auth', async () => {
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: t.customer,
      payload: { currentPassword: 'not-my-password', newPassword: 'a-brand-new-secret' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('auth.password_wrong');
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: t.customer,
      payload: { currentPassword: 'correct-horse-battery', newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details[0]).toMatchObject({ field: 'newPassword', value: 'short' });
    const anon = await h.app.inject({ method: 'POST', url: '/api/v1/auth/password', payload: {} });
    expect(anon.statusCode).toBe(401);
  });
});
