import { expect } from 'vitest';
import type { Harness, Tenant } from './harness.ts';
import { uniq } from './harness.ts';
import { makeSims } from './sims-factory.ts';

/**
 * One tenant's things, made through the API, for the suites generated from the OpenAPI document: a path's
 * `{param}` is filled with the real id of a thing of that kind, and a body's references (accountId, iccids…)
 * point at real things through `hints`. A probe with an id that names nothing would pass for the wrong reason
 * (404 before the body or the tenancy check is ever reached).
 */
export type World = {
  /** Real ids by path parameter name, and for `{id}` by the path segment before it ("accounts", "users"…). */
  ids: Record<string, string>;
  /** Values by body property name (see openapi-walk.ts `sample`). */
  hints: Record<string, unknown>;
  /** Values only this tenant's answers may carry (names, subject, addresses, IMSI, MSISDN). */
  markers: string[];
};

export async function call(
  h: Harness,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
}

async function created(h: Harness, method: string, url: string, headers: Record<string, string>, payload: unknown) {
  const r = await call(h, method, url, headers, payload);
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
  return r.json();
}

export async function makeWorld(h: Harness, t: Tenant): Promise<World> {
  const u = uniq();
  const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
  const contact = await created(h, 'POST', `/api/v1/accounts/${t.child.id}/contacts`, t.agent, {
    name: `Contact ${u}`,
    email: `contact-${u}@tenant.example`,
  });
  const kase = await created(h, 'POST', '/api/v1/cases', t.customer, {
    accountId: t.child.id,
    type: 'incident',
    subject: `Secret subject ${u}`,
    affectedIccids: [sim!.iccid],
  });
  const event = await created(h, 'POST', `/api/v1/cases/${kase.number}/events`, t.agent, {
    kind: 'note',
    visibility: 'public',
    body: `Reply ${u}`,
  });
  const attachment = await h.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${kase.number}/events/${event.id}/attachments?filename=log-${u}.txt`,
    headers: { ...t.agent, 'content-type': 'text/plain' },
    payload: `attachment ${u}`,
  });
  expect(attachment.statusCode, attachment.body).toBe(201);
  const ref = await created(h, 'POST', `/api/v1/cases/${kase.number}/provider-refs`, t.agent, {
    provider: 'Host operator',
    ticket: `T-${u}`,
  });
  const action = await created(h, 'POST', `/api/v1/sims/${sim!.iccid}/actions`, t.agent, {
    kind: 'connectivity_reset',
  });
  const diagnosis = await created(h, 'POST', '/api/v1/diagnoses', t.agent, { selection: { iccids: [sim!.iccid] } });
  const model = await created(h, 'POST', '/api/v1/device-models', t.customer, { name: `Model ${u}`, kind: 'router' });
  const me = (await call(h, 'GET', '/api/v1/auth/me', t.customer)).json();
  const tokens = (await call(h, 'GET', '/api/v1/tokens', t.customer)).json();
  expect(me.id).toEqual(expect.any(Number));
  expect(tokens.items[0].id).toEqual(expect.any(Number));
  const ids: Record<string, string> = {
    iccid: sim!.iccid,
    number: kase.number,
    eventId: String(event.id),
    contactId: String(contact.id),
    tokenId: String(tokens.items[0].id),
    accounts: String(t.child.id),
    users: String(me.id),
    tokens: String(tokens.items[0].id),
    attachments: String(attachment.json().id),
    'provider-refs': String(ref.id),
    actions: String(action.id),
    diagnoses: String(diagnosis.id),
    'device-models': String(model.id),
  };
  const markers = [`Enterprise ${t.root.number.slice(4)}`, `Sub ${t.child.number.slice(4)}`, `Secret subject ${u}`];
  markers.push(
    `Model ${u}`,
    `contact-${u}@tenant.example`,
    `Reply ${u}`,
    `T-${u}`,
    `log-${u}.txt`,
    sim!.imsis[0]!,
    sim!.msisdn,
  );
  const hints = {
    accountId: t.child.id,
    parentId: t.child.id,
    iccid: sim!.iccid,
    iccids: [sim!.iccid],
    affectedIccids: [sim!.iccid],
    caseNumber: kase.number,
    contactIds: [contact.id],
    selection: { iccids: [sim!.iccid] },
  };
  return { ids, hints, markers };
}

/** The real id for a path parameter; `{id}` is whatever the path's resource is, decided by the segment before it. */
export function idFor(world: World, path: string, name: string): string {
  if (name !== 'id') return world.ids[name] ?? '1';
  const before = path.split('/{id}')[0]!.split('/').pop()!;
  return world.ids[before] ?? '1';
}
