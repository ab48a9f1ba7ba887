import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from './support/harness.ts';
import { type Doc, fill, operations, sample } from './support/openapi-walk.ts';
import { makeSims } from './support/sims-factory.ts';

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
const ids: Record<string, string> = {};
let markers: string[] = [];
let hints: Record<string, unknown> = {};

/** Operations on data that is not any tenant's: reference data and one's own session. */
const NOT_TENANT_DATA = new Set([
  'GET /api/v1/plmns/{plmn}',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
]);

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
}

async function created(method: string, url: string, headers: Record<string, string>, payload: unknown) {
  const r = await call(method, url, headers, payload);
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
  return r.json();
}

beforeAll(async () => {
  h = await harness();
  a = await makeTenant(h.services);
  b = await makeTenant(h.services);
  doc = (await h.app.inject('/openapi.json')).json() as Doc;
  const u = uniq();
  const [sim] = await makeSims(h.services, a.child.id, 1, { state: 'ACTIVATED' });
  const contact = await created('POST', `/api/v1/accounts/${a.child.id}/contacts`, a.agent, {
    name: `Contact ${u}`,
    email: `contact-${u}@tenant-a.example`,
  });
  const kase = await created('POST', '/api/v1/cases', a.customer, {
    accountId: a.child.id,
    type: 'incident',
    subject: `Secret subject ${u}`,
    affectedIccids: [sim!.iccid],
  });
  const event = await created('POST', `/api/v1/cases/${kase.number}/events`, a.agent, {
    kind: 'note',
    visibility: 'public',
    body: `Reply ${u}`,
  });
  const attachment = await h.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${kase.number}/events/${event.id}/attachments?filename=log-${u}.txt`,
    headers: { ...a.agent, 'content-type': 'text/plain' },
    payload: `attachment ${u}`,
  });
  const ref = await created('POST', `/api/v1/cases/${kase.number}/provider-refs`, a.agent, {
    provider: 'Host operator',
    ticket: `T-${u}`,
  });
  const action = await created('POST', `/api/v1/sims/${sim!.iccid}/actions`, a.agent, { kind: 'connectivity_reset' });
  const diagnosis = await created('POST', '/api/v1/diagnoses', a.agent, { selection: { iccids: [sim!.iccid] } });
  const me = (await call('GET', '/api/v1/auth/me', a.customer)).json();
  const tokens = (await call('GET', '/api/v1/tokens', a.customer)).json();
  // Real ids of A's things, never a stand-in: a probe with a wrong id would pass for the wrong reason.
  expect(me.id).toEqual(expect.any(Number));
  expect(tokens.items[0].id).toEqual(expect.any(Number));
  Object.assign(ids, {
    iccid: sim!.iccid,
    number: kase.number,
    eventId: String(event.id),
    contactId: String(contact.id),
    tokenId: String(tokens.items[0].id),
  });
  // {id} is whatever the path's resource is: decided by the segment before it.
  ids.accounts = String(a.child.id);
  ids.users = String(me.id);
  ids.tokens = ids.tokenId!;
  expect(attachment.statusCode, attachment.body).toBe(201);
  ids.attachments = String(attachment.json().id);
  ids['provider-refs'] = String(ref.id);
  ids.actions = String(action.id);
  ids.diagnoses = String(diagnosis.id);
  markers = [`Enterprise ${a.root.number.slice(4)}`, `Sub ${a.child.number.slice(4)}`, `Secret subject ${u}`];
  markers.push(`contact-${u}@tenant-a.example`, `Reply ${u}`, `T-${u}`, `log-${u}.txt`, sim!.imsis[0]!, sim!.msisdn);
  hints = {
    accountId: a.child.id,
    parentId: a.child.id,
    iccid: sim!.iccid,
    iccids: [sim!.iccid],
    affectedIccids: [sim!.iccid],
    caseNumber: kase.number,
    contactIds: [contact.id],
    selection: { iccids: [sim!.iccid] },
  };
}, 240_000);
afterAll(() => h.close());

function idFor(path: string, name: string): string {
  if (name !== 'id') return ids[name] ?? '1';
  const before = path.split('/{id}')[0]!.split('/').pop()!;
  return ids[before] ?? '1';
}

describe('every operation as another tenant’s customer (generated from the OpenAPI document)', () => {
  it("names of A's things answer 403/404; no answer carries A's fields", async () => {
    const ops = operations(doc).filter((o) => o.path.startsWith('/api/v1/'));
    expect(ops.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const { method, path, op, jsonBody } of ops) {
      const key = `${method} ${path}`;
      if (NOT_TENANT_DATA.has(key)) continue;
      const url = fill(path, (n) => idFor(path, n));
      const hasAccountQuery = op.parameters?.some((p) => p.in === 'query' && p.name === 'accountId');
      const body = jsonBody ? sample(doc, jsonBody, hints) : undefined;
      const bodyNamesA = body !== undefined && Object.keys(hints).some((k) => JSON.stringify(body).includes(`"${k}"`));
      for (const customer of [b.rootCustomer, b.customer]) {
        const urls = [url, ...(hasAccountQuery ? [`${url}?accountId=${a.child.id}`] : [])];
        for (const u of urls) {
          const r = await call(method, u, customer, body);
          const text = r.body;
          const leaked = markers.filter((m) => text.includes(m));
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
