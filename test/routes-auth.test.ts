import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './support/harness.ts';

/**
 * Guardrail over the whole API: every /api/v1 route in the OpenAPI document refuses an anonymous caller and a
 * forged token with 401 — except the few declared public. A new route that forgets its auth fails here (and
 * at startup, where a route without config.auth is refused).
 */
const PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/logout']);

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

function sample(path: string): string {
  return path
    .replace('{id}', '1')
    .replace('{iccid}', '8946070000000000000')
    .replace('{plmn}', '24001')
    .replace(/\{[^}]+\}/g, 'x');
}

describe('every API route requires authentication', () => {
  it('answers 401 without credentials and with a forged token', async () => {
    const doc = (await h.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })),
    );
    const api = routes.filter((r) => r.path.startsWith('/api/v1/') && !PUBLIC.has(`${r.method} ${r.path}`));
    expect(api.length).toBeGreaterThan(30);
    for (const r of api) {
      for (const headers of [{}, { authorization: 'Bearer iot_forged' }]) {
        const res = await h.app.inject({
          method: r.method as 'GET',
          url: sample(r.path),
          headers: {
            ...headers,
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
          },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: '{}' }),
        });
        expect(res.statusCode, `${r.method} ${r.path}`).toBe(401);
        expect(res.json().error.code).toBe('auth.unauthenticated');
      }
    }
  });
});

describe('no route answers 500 to junk', () => {
  it('every route answers 4xx (never 5xx) to malformed params, queries and bodies from an admin', async () => {
    const { makeTenant } = await import('./support/harness.ts');
    const t = await makeTenant(h.services);
    const doc = (await h.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const junkBodies = [
      '{}',
      '[]',
      '"text"',
      'null',
      JSON.stringify({
        name: 'Sweden',
        number: '!!',
        country: 'Sweden',
        timeZone: 'Mars/Olympus',
        accountId: 'x',
        parentId: -1,
        state: 'NOPE',
        iccid: 'abc',
        imsis: ['1'],
        apns: ['..'],
        currency: 'euro',
        monthlyFee: '-1',
        scopes: ['root'],
        selection: { iccids: ['1'] },
        change: {},
      }),
    ];
    const junkPaths = (p: string) => [
      p.replace(/\{[^}]+\}/g, 'abc'),
      p.replace(/\{[^}]+\}/g, '-1'),
      p.replace(/\{[^}]+\}/g, '9'.repeat(30)),
    ];
    const junkQuery = '?limit=abc&cursor=%25%25&accountId=-1&state=NOPE&sort=nope&mcc=x&format=xml&under=0';
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || path === '/api/v1/auth/logout') continue;
      for (const m of Object.keys(ops)) {
        const method = m.toUpperCase() as 'GET';
        for (const url of junkPaths(path)) {
          if (method === 'GET' || method === 'DELETE') {
            const res = await h.app.inject({ method, url: url + junkQuery, headers: t.admin });
            expect(res.statusCode, `${method} ${url}${junkQuery}: ${res.body}`).toBeLessThan(500);
            continue;
          }
          for (const payload of junkBodies) {
            const res = await h.app.inject({
              method,
              url,
              headers: { ...t.admin, 'content-type': 'application/json' },
              payload,
            });
            expect(res.statusCode, `${method} ${url} ${payload}: ${res.body}`).toBeLessThan(500);
          }
        }
      }
    }
  });
});
