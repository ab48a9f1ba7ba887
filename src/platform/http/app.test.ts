import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant } from '../../../test/support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ bodyLimit: 2048 });
});
afterAll(() => h.close());

describe('platform routes', () => {
  it('/healthz and /readyz answer without auth', async () => {
    expect((await h.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });

  it('refuses unknown query parameters on the probes, ids with leading zeros, and a query that is not UTF-8', async () => {
    const probe = await h.app.inject('/healthz?verbose=1');
    expect(probe.statusCode).toBe(400);
    expect(probe.json().error.details[0]).toMatchObject({ field: 'querystring.verbose', reason: 'unknown parameter' });
    const t = await makeTenant(h.services);
    const zeros = await h.app.inject({ url: `/api/v1/accounts/0${t.root.id}`, headers: t.admin });
    expect(zeros.statusCode).toBe(400);
    expect(zeros.json().error.details[0]).toMatchObject({ field: 'params.id', reason: /no leading zeros/ });
    for (const q of ['%ED%A0%80', '%ff', 'a%C3']) {
      const bad = await h.app.inject(`/healthz?q=${q}`);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().error.code).toBe('request.not_utf8');
    }
    // UTF-8 escapes pass this check (and reach the route's own: the probe takes no parameter).
    expect((await h.app.inject('/healthz?q=%C3%A9')).json().error.code).toBe('request.invalid');
  });

  it('/metrics exposes Prometheus text with request counters', async () => {
    await h.app.inject('/healthz');
    const res = await h.app.inject('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/iotops_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  });

  it('/metrics answers remote peers only with METRICS_TOKEN, and local ones only when no proxy is trusted', async () => {
    const remote = await h.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().error.code).toBe('metrics.forbidden');
    const token = 'scrape-token-0123456789';
    const t = await harness({ metricsToken: token });
    const proxied = await harness({ trustProxy: ['127.0.0.1'] });
    try {
      const bearer = { authorization: `Bearer ${token}` };
      expect((await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer })).statusCode).toBe(
        200,
      );
      const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('metrics.token_required');
      expect((await proxied.app.inject({ url: '/metrics' })).statusCode).toBe(403);
    } finally {
      await t.close();
      await proxied.close();
    }
  });

  it('every request carries a request id, echoed from the caller when given', async () => {
    const res = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('/openapi.json is OpenAPI 3.1 and lists every API route with its response schemas', async () => {
    const doc = (await h.app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        expect(op.responses, `${method} ${path} has responses`).toBeDefined();
        if ((method === 'post' || method === 'patch') && path !== '/api/v1/auth/logout') {
          expect((op as { requestBody?: object }).requestBody, `${method} ${path} documents its body`).toBeDefined();
        }
      }
    }
    const routes = h.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      // Beside the console's catch-all `/*` the tree prints the API's segments without their leading slash.
      .filter((l) => l.includes('api/v1/'));
    expect(routes.length).toBeGreaterThan(0);
    for (const r of ['POST /api/v1/auth/login', 'GET /api/v1/accounts', 'GET /api/v1/accounts/{id}']) {
      expect(documented).toContain(r);
    }
  });

  it('/docs serves the API docs page', async () => {
    const res = await h.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.body.toLowerCase()).toContain('swagger');
    // A policy of its own (the probe found none): own files only, never framed, no forced https on a plain-http desk.
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests|https:/);
  });

  it('refuses an oversized body with 413 and a code', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'a@b.test', password: 'x'.repeat(4000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('request.too_large');
  });

  it('unknown routes answer 404 with the error model', async () => {
    const res = await h.app.inject('/api/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('route.not_found');
  });
});
