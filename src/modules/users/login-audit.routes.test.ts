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
const login = (email: string, password: string, userAgent: string, remoteAddress = '203.0.113.7') =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    headers: { 'user-agent': userAgent },
    payload: { email, password },
  });
const list = (query: string, headers = t.admin) =>
  h.app.inject({ method: 'GET', url: `/api/v1/login-events${query}`, headers });

describe('GET /api/v1/login-events (the login audit)', () => {
  it('records failures and successes with user, e-mail, address, cut user agent and outcome', async () => {
    const email = `audit-${uniq()}@example.test`;
    const user = await h.services.users.create({ email, name: 'Aud', password: PASSWORD, role: 'agent' });
    expect((await login(email, 'wrong-password', 'x'.repeat(5000))).statusCode).toBe(401);
    expect((await login(email, PASSWORD, 'Mozilla/5.0 test')).statusCode).toBe(200);
    const unknown = `ghost-${uniq()}@example.test`;
    expect((await login(unknown, 'wrong-password', 'curl/8')).statusCode).toBe(401);

    const mine = await list(`?userId=${user.id}`);
    expect(mine.statusCode).toBe(200);
    const [success, failure] = mine.json().items;
    expect(success).toMatchObject({
      userId: user.id,
      email,
      address: '203.0.113.7',
      userAgent: 'Mozilla/5.0 test',
      outcome: 'success',
      reason: null,
    });
    expect(failure).toMatchObject({ outcome: 'failure', reason: 'wrong_password' });
    expect(failure.userAgent).toHaveLength(256);
    expect(Date.parse(failure.at)).toBeLessThanOrEqual(Date.parse(success.at));

    const failures = (await list('?outcome=failure&limit=500')).json().items;
    expect(failures.find((e: { email: string }) => e.email === unknown)).toMatchObject({
      userId: null,
      reason: 'unknown_email',
    });
    expect(failures.every((e: { outcome: string }) => e.outcome === 'failure')).toBe(true);
  });

  it('records the failure that locks an account and the unlock, with the admin', async () => {
    const email = `lock-${uniq()}@example.test`;
    const user = await h.services.users.create({ email, name: 'Lock', password: PASSWORD, role: 'agent' });
    expect((await login(email, 'wrong-password', 'ua', '203.0.113.8')).statusCode).toBe(401);
    await h.ctx.database.query(
      `update login_throttle set failures = 19, last_at = now() - interval '1 hour' where subject = $1`,
      [`account:${email}`],
    );
    expect((await login(email, 'wrong-password', 'ua', '203.0.113.8')).statusCode).toBe(401);
    const unlock = await h.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/unlock`, headers: t.admin });
    expect(unlock.statusCode).toBe(200);
    const items = (await list(`?userId=${user.id}`)).json().items;
    expect(items.map((e: { outcome: string }) => e.outcome)).toEqual(['unlocked', 'locked', 'failure']);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: t.admin });
    expect(items[0]).toMatchObject({ reason: 'admin', byUserId: me.json().id });
  });

  it('pages newest first with nextCursor', async () => {
    const email = `page-${uniq()}@example.test`;
    const user = await h.services.users.create({ email, name: 'Pag', password: PASSWORD, role: 'agent' });
    for (let i = 0; i < 3; i++) await login(email, PASSWORD, `ua-${i}`);
    const first = (await list(`?userId=${user.id}&limit=2`)).json();
    expect(first.items.map((e: { userAgent: string }) => e.userAgent)).toEqual(['ua-2', 'ua-1']);
    const second = (await list(`?userId=${user.id}&limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((e: { userAgent: string }) => e.userAgent)).toEqual(['ua-0']);
    expect(second.nextCursor).toBeNull();
  });

  it('admins only: agents and customers 403, no auth 401; a bad filter is 400 naming it', async () => {
    expect((await list('', t.agent)).statusCode).toBe(403);
    expect((await list('', t.customer)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/login-events' })).statusCode).toBe(401);
    const bad = await list('?outcome=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'querystring.outcome', value: 'maybe' });
  });

  it('prune drops audit rows past 90 days and quiet counters', async () => {
    const email = `old-${uniq()}@example.test`;
    await login(email, 'wrong-password', 'ua', '203.0.113.9');
    await h.ctx.database.query(`update login_events set at = now() - interval '91 days' where email = $1`, [email]);
    await h.ctx.database.query(
      `update login_throttle set last_at = now() - interval '13 hours' where subject in ($1, $2)`,
      [`account:${email}`, 'address:203.0.113.9'],
    );
    const pruned = await h.services.logins.prune();
    expect(pruned.events).toBeGreaterThanOrEqual(1);
    expect(pruned.counters).toBeGreaterThanOrEqual(2);
    const left = await h.ctx.database.query('select 1 from login_events where email = $1', [email]);
    expect(left).toEqual([]);
  });
});
