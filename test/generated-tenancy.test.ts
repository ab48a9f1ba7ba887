import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from './support/harness.ts';
import { type Doc, fill, operations, sample } from './support/openapi-walk.ts';
import { call, idFor, makeWorld, type World } from './support/openapi-world.ts';

/**
 * Generated from docs/openapi.json (issue 13): EVERY operation, called as a customer of tenant B with the real ids
 * of tenant A's things (in the path, in the query's accountId, in the body's references), answers 403 or 404 where it
 * names one of A's things, and no answer of any operation carries a field of A's (their account's name, a case's
 * subject, a contact's address, a SIM's IMSI or MSISDN — values B never sent). A new route is covered by being in
 * the document.
 */
let h: Harness;
let a: Tenant;
let b: Tenant;
let doc: Doc;
let world: World;

/** Operations on data that is not any tenant's: reference data and one's own session. */
const NOT_TENANT_DATA = new Set([
  'GET /api/v1/plmns/{plmn}',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
]);

beforeAll(async () => {
  h = await harness();
  a = await makeTenant(h.services);
  b = await makeTenant(h.services);
  doc = (await h.app.inject('/openapi.json')).json() as Doc;
  world = await makeWorld(h, a);
}, 240_000);
afterAll(() => h.close());

describe('every operation as another tenant’s customer (generated from the OpenAPI document)', () => {
  it("names of A's things answer 403/404; no answer carries A's fields", async () => {
    const ops = operations(doc).filter((o) => o.path.startsWith('/api/v1/'));
    expect(ops.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const { method, path, op, jsonBody } of ops) {
      const key = `${method} ${path}`;
      if (NOT_TENANT_DATA.has(key)) continue;
      const url = fill(path, (n) => idFor(world, path, n));
      const hasAccountQuery = op.parameters?.some((p) => p.in === 'query' && p.name === 'accountId');
      const body = jsonBody ? sample(doc, jsonBody, world.hints) : undefined;
      const bodyNamesA =
        body !== undefined && Object.keys(world.hints).some((k) => JSON.stringify(body).includes(`"${k}"`));
      for (const customer of [b.rootCustomer, b.customer]) {
        const urls = [url, ...(hasAccountQuery ? [`${url}?accountId=${a.child.id}`] : [])];
        for (const u of urls) {
          const r = await call(h, method, u, customer, body);
          const text = r.body;
          const leaked = world.markers.filter((m) => text.includes(m));
          if (leaked.length) problems.push(`${method} ${u}: ${r.statusCode} carries ${leaked.join(', ')}`);
          if (r.statusCode >= 500) problems.push(`${method} ${u}: ${r.statusCode} ${text.slice(0, 200)}`);
          const namesA = path.includes('{') || u.includes('accountId=') || bodyNamesA;
          // A body that fails validation (400 request.invalid) says nothing about A's thing; anything else that
          // names one of A's things must be refused as forbidden or as not found.
          if (namesA && r.statusCode < 400) problems.push(`${method} ${u}: ${r.statusCode} for A's thing`);
          if (namesA && r.statusCode >= 400 && ![400, 403, 404, 409, 413, 415].includes(r.statusCode)) {
            problems.push(`${method} ${u}: ${r.statusCode} ${text.slice(0, 200)}`);
          }
          if (r.statusCode >= 400 && r.statusCode !== 404 && r.headers['content-type']?.includes('json')) {
            expect(r.json().error, `${method} ${u}`).toMatchObject({ code: expect.any(String) });
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);
});
