import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const post = (url: string, headers: Headers, payload: Json) => h.app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers: Headers = {}) => h.app.inject({ method: 'GET', url, headers });

async function parentIn(...states: string[]): Promise<Json> {
  const res = await post('/api/v1/cases', t.agent, {
    accountId: t.root.id,
    type: 'incident',
    severity: 'critical',
    subject: 'Roaming outage in DE',
  });
  expect(res.statusCode).toBe(201);
  for (const to of states) {
    expect((await post(`/api/v1/cases/${res.json().number}/transitions`, t.agent, { to })).statusCode).toBe(200);
  }
  return res.json();
}
async function withChildren(): Promise<{ parent: Json; mine: Json; theirs: Json }> {
  const parent = await parentIn('open');
  const res = await post(`/api/v1/cases/${parent.number}/children`, t.agent, {
    accountIds: [t.child.id, other.child.id, t.child.id],
  });
  expect(res.statusCode).toBe(201);
  const items = res.json().items as Json[];
  const mine = items.find((c) => c.accountId === t.child.id);
  const theirs = items.find((c) => c.accountId === other.child.id);
  expect(items).toHaveLength(2);
  return { parent, mine: mine!, theirs: theirs! };
}
const timeline = async (number: unknown, headers: Headers) =>
  (await get(`/api/v1/cases/${number}/events`, headers)).json().items as Json[];
const stateOf = async (number: unknown) => (await get(`/api/v1/cases/${number}`, t.agent)).json().state;

describe('POST /api/v1/cases/:number/children', () => {
  it('opens one child per account, same type, severity and subject, linked to the parent', async () => {
    const { parent, mine, theirs } = await withChildren();
    for (const [c, tenant] of [
      [mine, t],
      [theirs, other],
    ] as const) {
      expect(c).toMatchObject({
        parentCaseId: parent.id,
        tenantId: tenant.root.id,
        type: 'incident',
        severity: 'critical',
        subject: 'Roaming outage in DE',
        state: 'open',
        isMajor: false,
      });
    }
    expect((await get(`/api/v1/cases/${parent.number}`, t.agent)).json().isMajor).toBe(true);
    const listed = await get(`/api/v1/cases/${parent.number}/children`, t.agent);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((c: Json) => c.number)).toEqual([mine.number, theirs.number]);
  });

  it('copies public parent updates to open children and applies state changes and the resolution note', async () => {
    const { parent, mine, theirs } = await withChildren();
    const url = `/api/v1/cases/${parent.number}`;
    await post(`${url}/events`, t.agent, { kind: 'note', visibility: 'public', body: 'Partner is investigating' });
    await post(`${url}/events`, t.agent, { kind: 'note', body: 'Internal: partner ticket 4711' });
    const seen = await timeline(mine.number, t.customer);
    expect(seen).toContainEqual(expect.objectContaining({ body: 'Partner is investigating', visibility: 'public' }));
    expect((await timeline(mine.number, t.agent)).some((e) => String(e.body).startsWith('Internal'))).toBe(false);

    const pending = await post(`${url}/transitions`, t.agent, {
      to: 'pending_provider',
      note: 'Waiting for the roaming partner',
      noteVisibility: 'public',
    });
    expect(pending.statusCode).toBe(200);
    expect(await stateOf(mine.number)).toBe('pending_provider');
    expect(await stateOf(theirs.number)).toBe('pending_provider');
    expect(await timeline(theirs.number, other.customer)).toContainEqual(
      expect.objectContaining({ kind: 'note', body: 'Waiting for the roaming partner' }),
    );

    await post(`${url}/transitions`, t.agent, {
      to: 'resolved',
      note: 'Partner fixed its HLR',
      noteVisibility: 'public',
    });
    for (const [c, customer] of [
      [mine, t.customer],
      [theirs, other.customer],
    ] as const) {
      const child = (await get(`/api/v1/cases/${c.number}`, customer)).json();
      expect(child.state).toBe('resolved');
      expect(child.resolvedAt).not.toBeNull();
      expect(await timeline(c.number, customer)).toContainEqual(
        expect.objectContaining({ body: 'Partner fixed its HLR', visibility: 'public' }),
      );
    }
  });

  it('leaves children that are no longer open alone', async () => {
    const { parent, mine, theirs } = await withChildren();
    expect((await post(`/api/v1/cases/${mine.number}/transitions`, t.agent, { to: 'resolved' })).statusCode).toBe(200);
    await post(`/api/v1/cases/${parent.number}/events`, t.agent, { kind: 'portal_message', body: 'Update 2' });
    expect((await timeline(mine.number, t.agent)).some((e) => e.body === 'Update 2')).toBe(false);
    expect((await timeline(theirs.number, t.agent)).some((e) => e.body === 'Update 2')).toBe(true);
  });

  it('customers see only their own child: never the parent nor other customers’ children', async () => {
    const { parent, mine, theirs } = await withChildren();
    expect((await get(`/api/v1/cases/${mine.number}`, t.customer)).statusCode).toBe(200);
    for (const headers of [t.customer, t.rootCustomer, other.customer]) {
      expect((await get(`/api/v1/cases/${parent.number}`, headers)).statusCode).toBe(404);
      expect((await get(`/api/v1/cases/${parent.number}/children`, headers)).statusCode).toBe(404);
    }
    expect((await get(`/api/v1/cases/${theirs.number}`, t.rootCustomer)).statusCode).toBe(404);
    expect((await get(`/api/v1/cases/${mine.number}`, other.rootCustomer)).statusCode).toBe(404);
    const listed = (await get('/api/v1/cases?limit=500', t.rootCustomer)).json().items as Json[];
    expect(listed.map((c) => c.number)).toContain(mine.number);
    expect(listed.map((c) => c.number)).not.toContain(parent.number);
  });

  it('400 names the unknown accounts', async () => {
    const parent = await parentIn('open');
    const res = await post(`/api/v1/cases/${parent.number}/children`, t.agent, {
      accountIds: [t.child.id, 987654321, 987654322],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('cases.accounts_unknown');
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ field: 'accountIds.1', value: 987654321 }),
      expect.objectContaining({ field: 'accountIds.2', value: 987654322 }),
    ]);
    const empty = await post(`/api/v1/cases/${parent.number}/children`, t.agent, { accountIds: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toContainEqual(expect.objectContaining({ field: 'accountIds' }));
  });

  it('409 when the parent is closed', async () => {
    const parent = await parentIn('open', 'resolved', 'closed');
    const res = await post(`/api/v1/cases/${parent.number}/children`, t.agent, { accountIds: [t.child.id] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('cases.parent_closed');
  });

  it('401 without auth, 403 for a customer on a case it can see, 404 across tenants', async () => {
    const parent = await parentIn('open');
    const url = `/api/v1/cases/${parent.number}/children`;
    expect((await post(url, {}, { accountIds: [t.child.id] })).statusCode).toBe(401);
    expect((await get(url)).statusCode).toBe(401);
    const forbidden = await post(url, t.rootCustomer, { accountIds: [t.child.id] });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('cases.major_forbidden');
    expect((await post(url, other.rootCustomer, { accountIds: [other.child.id] })).statusCode).toBe(404);
  });
});
