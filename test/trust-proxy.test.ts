import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { type Harness, harness, uniq } from './support/harness.ts';

// Issue 13: behind a reverse proxy every login comes from the proxy's address, so without TRUST_PROXY the
// per-address throttle would hold back every user after 20 failures of anyone; with it, X-Forwarded-For names the
// client — but only when the peer is a proxy the operator named (else any client could choose its own address).
const PROXY = '127.0.0.1'; // inject's default peer address
const login = (h: Harness, email: string, peer: string, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: peer,
    headers,
    payload: { email, password: 'wrong-password' },
  });
const counted = async (h: Harness, subject: string) =>
  (
    await h.ctx.database.query<{ failures: number }>('select failures from login_throttle where subject = $1', [
      subject,
    ])
  )[0]?.failures ?? 0;

describe('TRUST_PROXY setting', () => {
  it('takes addresses, CIDRs or the named ranges; refuses "true", a hop count and junk, naming the entry', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,2001:db8::/32' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback',
      '2001:db8::/32',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY="true": name the proxies' addresses/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '127.0.0.1,proxy.local' })).toThrow(/"proxy\.local" is not an IP address/);
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY="1": name the proxies' addresses/);
  });
});

describe('behind a trusted proxy', { timeout: 180_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ trustProxy: [PROXY] });
  });
  afterAll(() => h.close());

  it('counts failures against the client named in X-Forwarded-For, not the proxy; the audit shows the client', async () => {
    const email = `xff-${uniq()}@example.test`;
    expect((await login(h, email, PROXY, { 'x-forwarded-for': '203.0.113.50' })).statusCode).toBe(401);
    expect(await counted(h, 'address:203.0.113.50')).toBe(1);
    expect(await counted(h, `address:${PROXY}`)).toBe(0);
    const [row] = await h.ctx.database.query<{ address: string }>('select address from login_events where email = $1', [
      email,
    ]);
    expect(row?.address).toBe('203.0.113.50');
  });

  it('one client at its limit does not hold back another client of the same proxy', async () => {
    const a = { 'x-forwarded-for': '203.0.113.61' };
    for (let i = 0; i < 20; i++)
      expect((await login(h, `a-${i}-${uniq()}@example.test`, PROXY, a)).statusCode).toBe(401);
    expect((await login(h, `a-${uniq()}@example.test`, PROXY, a)).statusCode).toBe(429);
    const b = { 'x-forwarded-for': '203.0.113.62' };
    expect((await login(h, `b-${uniq()}@example.test`, PROXY, b)).statusCode).toBe(401);
  });

  it('a peer that is not a named proxy is counted by its own address whatever X-Forwarded-For says', async () => {
    const peer = '198.51.100.77';
    await login(h, `direct-${uniq()}@example.test`, peer, { 'x-forwarded-for': '203.0.113.70' });
    expect(await counted(h, `address:${peer}`)).toBe(1);
    expect(await counted(h, 'address:203.0.113.70')).toBe(0);
  });

  it("the console's own origin is the one the proxy forwards (X-Forwarded-Host) for cookie writes", async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: {
        host: 'iotops:8080',
        'x-forwarded-host': 'desk.example.test',
        'x-forwarded-for': '203.0.113.80',
        origin: 'https://desk.example.test',
      },
      payload: { email: `fwd-${uniq()}@example.test`, password: 'wrong-password' },
    });
    expect(r.statusCode).toBe(401); // past the cross-site guard: the password was checked
  });
});

describe('without TRUST_PROXY (the default)', { timeout: 180_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('X-Forwarded-For is ignored: a client cannot escape its count by naming another address', async () => {
    const peer = '198.51.100.88';
    for (let i = 0; i < 3; i++)
      await login(h, `spoof-${i}-${uniq()}@example.test`, peer, { 'x-forwarded-for': `203.0.113.${90 + i}` });
    expect(await counted(h, `address:${peer}`)).toBe(3);
    expect(await counted(h, 'address:203.0.113.90')).toBe(0);
  });

  it('X-Forwarded-Host does not make another origin this server', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: 'iotops:8080', 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' },
      payload: { email: `fwd-${uniq()}@example.test`, password: 'wrong-password' },
    });
    expect(r.statusCode).toBe(403);
  });
});
