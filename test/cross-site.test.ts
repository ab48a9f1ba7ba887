import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from './support/harness.ts';

// Issue 13: security headers, and cross-site request protection for cookie sessions (docs/SECURITY.md).
let h: Harness;
let t: Tenant;
let cookie: Record<string, string>;
const HOST = 'desk.example.test';
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  const email = `csrf-${Date.now()}@example.test`;
  await h.services.users.create({ email, name: 'Csrf', password: 'correct-horse-battery', role: 'agent' });
  const login = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { host: HOST, origin: `http://${HOST}` },
    payload: { email, password: 'correct-horse-battery' },
  });
  expect(login.statusCode).toBe(200);
  cookie = { iotops_session: login.cookies.find((c) => c.name === 'iotops_session')!.value };
});
afterAll(() => h.close());

const openCase = (headers: Record<string, string>, withCookie = true) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { host: HOST, ...headers },
    ...(withCookie ? { cookies: cookie } : {}),
    payload: { accountId: t.child.id, type: 'incident', subject: 'Cross-site probe' },
  });

describe('cross-site requests with the session cookie', () => {
  it('refuses a write from another origin (403 naming Origin), accepts the own origin and a script without one', async () => {
    const evil = await openCase({ origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error).toMatchObject({
      code: 'request.cross_site',
      details: [{ field: 'Origin', value: 'https://evil.example' }],
    });
    expect((await openCase({ origin: 'null' })).statusCode).toBe(403);
    expect((await openCase({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await openCase({ origin: `http://${HOST}` })).statusCode).toBe(201);
    expect((await openCase({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await openCase({})).statusCode).toBe(201); // curl with a cookie: no browser, no ambient credential
  });

  it('a Bearer token is not an ambient credential: any Origin may call with it', async () => {
    const r = await openCase({ ...t.agent, origin: 'https://integrations.example' }, false);
    expect(r.statusCode).toBe(201);
  });

  it('reads are not affected; a login from another origin is refused (login CSRF)', async () => {
    const read = await h.app.inject({
      url: '/api/v1/auth/me',
      headers: { host: HOST, origin: 'https://evil.example' },
      cookies: cookie,
    });
    expect(read.statusCode).toBe(200);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: HOST, origin: 'https://evil.example' },
      payload: { email: 'x@example.test', password: 'whatever-it-is' },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('request.cross_site');
  });
});

describe('security headers', () => {
  it('API answers: nosniff, no framing, nothing loads from them, not cached', async () => {
    for (const r of [
      await h.app.inject({ url: '/api/v1/auth/me', cookies: cookie }),
      await h.app.inject({ url: '/api/v1/auth/me' }), // an error answer too
    ]) {
      expect(r.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      });
    }
  });

  it('the console page: its own scripts only, no framing', async () => {
    const r = await h.app.inject({ url: '/cases' }); // web/dist is built by npm install
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
});
