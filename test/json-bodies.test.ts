import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from './support/harness.ts';

// Issue 13, points 1–3, 6, 10: what the outside probe sent, through the real app (inject), with the error shape.
let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

describe('JSON bodies refused cleanly where they enter', () => {
  it('deep nesting to the login (no auth needed) is a 400 in the documented shape, not a 500', async () => {
    for (const body of [
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
    ]) {
      const r = await post('/api/v1/auth/login', body);
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatchObject({
        code: 'request.invalid_json',
        details: [{ reason: 'nested deeper than 64 levels' }],
      });
    }
  });

  it('NUL and a lone surrogate in a case subject are 400 naming the field', async () => {
    const nul = await post(
      '/api/v1/cases',
      JSON.stringify({ accountId: t.child.id, type: 'incident', subject: 'a\u0000b' }),
      t.agent,
    );
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.details[0]).toMatchObject({ field: 'subject', reason: expect.stringMatching(/NUL/) });
    const lone = await post(
      '/api/v1/cases',
      `{"accountId":${t.child.id},"type":"incident","subject":"x\\ud800y"}`,
      t.agent,
    );
    expect(lone.statusCode).toBe(400);
    expect(lone.json().error.details[0]).toMatchObject({
      field: 'subject',
      reason: expect.stringMatching(/surrogate/),
    });
  });

  it('a __proto__ key is refused saying so, not as "not valid JSON"', async () => {
    const r = await post('/api/v1/auth/login', '{"email":"a@b.c","password":"x","__proto__":{"role":"admin"}}');
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/__proto__/);
    expect(r.json().error.message).not.toMatch(/not valid JSON/);
  });

  it('an echoed value is cut: a 1 MB bad value gives a small error', async () => {
    const r = await post('/api/v1/auth/login', JSON.stringify({ email: 'x'.repeat(1_000_000), password: 'y' }));
    expect(r.statusCode).toBe(400);
    expect(r.body.length).toBeLessThan(5_000);
  });

  it('empty and broken bodies still say what is wrong', async () => {
    expect((await post('/api/v1/auth/login', '')).json().error.code).toBe('request.malformed_json');
    const broken = await post('/api/v1/auth/login', '{"email":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/not valid JSON/);
  });
});

describe('what an error lists', () => {
  it('a missing field is "required", not "expected string, received undefined"', async () => {
    const r = await post('/api/v1/cases', JSON.stringify({ accountId: t.child.id, type: 'incident' }), t.agent);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([{ field: 'subject', reason: 'required' }]);
  });

  it('at most 100 problems, then how many more (1,000 repeated problems answered 83 KB)', async () => {
    const body = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`unknown${i}`, i]));
    const r = await post(
      '/api/v1/cases',
      JSON.stringify({ ...body, accountId: t.child.id, type: 'incident', subject: 's' }),
      t.agent,
    );
    expect(r.statusCode).toBe(400);
    const details = r.json().error.details as { reason: string }[];
    expect(details).toHaveLength(101);
    expect(details[100]).toEqual({ reason: '… and 150 more problems' });
  });
});

describe('query parameters', () => {
  it('an unknown one is refused naming it (it was silently ignored: ?account=X exported every SIM)', async () => {
    const r = await h.app.inject({ url: '/api/v1/sims/export?account=X', headers: t.agent });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([{ field: 'querystring.account', value: 'X', reason: 'unknown parameter' }]);
    const ok = await h.app.inject({ url: `/api/v1/sims?accountId=${t.child.id}&limit=5`, headers: t.agent });
    expect(ok.statusCode).toBe(200);
  });

  it('a single-valued one given twice says so (it answered "expected number, received NaN")', async () => {
    const r = await h.app.inject({ url: '/api/v1/sims?limit=5&limit=6', headers: t.agent });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([
      { field: 'querystring.limit', value: ['5', '6'], reason: 'given 2 times; give it once' },
    ]);
  });

  it('a number parameter is a decimal number as written ("abc" answered "received NaN"; /accounts/0x10 was 16)', async () => {
    for (const [url, field, value] of [
      ['/api/v1/sims?limit=abc', 'querystring.limit', 'abc'],
      ['/api/v1/sims?limit=1e3', 'querystring.limit', '1e3'],
      ['/api/v1/sims?limit=', 'querystring.limit', ''],
      ['/api/v1/accounts/0x10', 'params.id', '0x10'],
      ['/api/v1/accounts/%205', 'params.id', ' 5'],
    ] as const) {
      const r = await h.app.inject({ url, headers: t.agent });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.details, url).toEqual([
        { field, value, reason: 'not a whole number (digits only, no leading zeros, e.g. 42)' },
      ]);
    }
    const ok = await h.app.inject({ url: `/api/v1/accounts/${t.child.id}`, headers: t.agent });
    expect(ok.statusCode).toBe(200);
  });

  it('a NUL in a query or path value is refused naming it (?q=%00 answered 500; an import filename 503)', async () => {
    for (const url of [
      '/api/v1/cases?q=%00',
      '/api/v1/sims?label=a%00b',
      `/api/v1/devices/x%00y`,
      '/api/v1/sims/imports?filename=%00x&wait=true',
    ]) {
      const method = url.includes('imports') ? 'POST' : 'GET';
      const r = await h.app.inject({
        method,
        url,
        headers: { ...t.agent, ...(method === 'POST' ? { 'content-type': 'text/csv' } : {}) },
        ...(method === 'POST' ? { payload: 'iccid,account\n' } : {}),
      });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
      const [detail] = r.json().error.details;
      expect(detail.reason, url).toMatch(/NUL/);
    }
  });

  it('an operation that takes none refuses any (GET /accounts/{id}?zz=1 and POST /cases?zz=1 answered 2xx)', async () => {
    const get = await h.app.inject({ url: `/api/v1/accounts/${t.child.id}?zz=1`, headers: t.agent });
    expect(get.statusCode).toBe(400);
    expect(get.json().error.details).toEqual([{ field: 'querystring.zz', value: '1', reason: 'unknown parameter' }]);
    const created = await post(
      '/api/v1/cases?zz=1',
      JSON.stringify({ accountId: t.child.id, type: 'incident', subject: 'q' }),
      t.agent,
    );
    expect(created.statusCode).toBe(400);
    expect((await h.app.inject({ url: `/api/v1/accounts/${t.child.id}`, headers: t.agent })).statusCode).toBe(200);
  });
});

describe('bodies where the operation takes none', () => {
  it('an empty JSON body is nothing; anything else is refused; text/plain is 415', async () => {
    const bare = await h.services.users.create({
      email: `unlock-${Date.now()}@example.test`,
      name: 'U',
      password: 'correct-horse-battery',
      role: 'agent',
    });
    // The unlock's body is optional: an empty body with the JSON content type was 400 "Body is empty".
    const unlock = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${bare.id}/unlock`,
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: '',
    });
    expect(unlock.statusCode).toBe(200);
    // DELETE of a missing token takes no body: empty → the 404 it is; a body → 400 naming it (it was ignored).
    const del = (payload: string, type = 'application/json') =>
      h.app.inject({
        method: 'DELETE',
        url: '/api/v1/tokens/99999999',
        headers: { ...t.admin, 'content-type': type },
        payload,
      });
    expect((await del('')).statusCode).toBe(404);
    const junk = await del('[]');
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error).toMatchObject({ code: 'request.unexpected_body', details: [{ field: 'body' }] });
    const text = await post('/api/v1/cases', '{"subject":"x"}', { ...t.agent, 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
  });
});

describe('encoding', () => {
  it('a JSON body declared in another charset is refused with 415 (the charset was ignored)', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...t.agent, 'content-type': 'application/json; charset=iso-8859-1' },
      payload: JSON.stringify({ accountId: t.child.id, type: 'incident', subject: 's' }),
    });
    expect(r.statusCode).toBe(415);
    expect(r.json().error.code).toBe('request.charset_unsupported');
  });

  it('a JSON body that is not UTF-8 is refused naming the byte (a Latin-1 é was stored as U+FFFD)', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: body,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({
      code: 'request.not_utf8',
      message: 'Body is not UTF-8: byte 0xe9 at offset 12',
      details: [{ field: 'body', value: '0xe9' }],
    });
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: Buffer.from('{"name":"Café"}'),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('Café');
  });
});

describe('body fields', () => {
  it('an unknown one is refused naming it (PATCH /cases with a misspelt field answered 200 having changed nothing)', async () => {
    const opened = await h.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: t.agent,
      payload: { accountId: t.child.id, type: 'incident', subject: 'Strict bodies' },
    });
    expect(opened.statusCode).toBe(201);
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/cases/${opened.json().number}`,
      headers: t.agent,
      payload: { severity: 'high', tag: ['x'] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([{ field: 'tag', value: ['x'], reason: 'unknown field' }]);
    expect(r.json().error.message).toMatch(/tag: unknown field/);
  });

  it('an unknown key inside a nested object is refused by its path (zod dropped it silently)', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/diagnoses',
      headers: t.agent,
      payload: { selection: { iccids: ['8946070000000000001'], acountId: 5 } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([{ field: 'selection.acountId', value: 5, reason: 'unknown field' }]);
  });
});
