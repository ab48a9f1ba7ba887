import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

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
const req = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Headers, payload?: Json) =>
  h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const staff = (role: 'agent' | 'admin', name: string) =>
  h.services.users.create({
    email: `${role}-${uniq()}@example.test`,
    name,
    password: 'correct-horse-battery',
    role,
    language: 'en',
  });

async function openCase(extra: Json = {}): Promise<Json> {
  const res = await req('POST', '/api/v1/cases', t.agent, {
    accountId: t.child.id,
    type: 'incident',
    subject: 'No data',
    ...extra,
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}
const timeline = async (number: unknown, headers: Headers = t.agent) =>
  (await req('GET', `/api/v1/cases/${number}/events`, headers)).json().items as Json[];

describe('PATCH /api/v1/cases/:number assigns and moves between queues', () => {
  it('assigns, reassigns and unassigns, and changes the queue, each change an internal entry from → to', async () => {
    const ada = await staff('agent', 'Ada Agent');
    const bob = await staff('admin', 'Bob Admin');
    const c = await openCase({ queue: 'first-line' });
    const url = `/api/v1/cases/${c.number}`;

    const assigned = await req('PATCH', url, t.agent, { assigneeUserId: ada.id });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ assigneeUserId: ada.id, queue: 'first-line', priority: c.priority });
    const both = await req('PATCH', url, t.agent, { assigneeUserId: bob.id, queue: 'noc' });
    expect(both.json()).toMatchObject({ assigneeUserId: bob.id, queue: 'noc' });
    const cleared = await req('PATCH', url, t.admin, { assigneeUserId: null, queue: null });
    expect(cleared.json()).toMatchObject({ assigneeUserId: null, queue: null });

    const entries = (await timeline(c.number)).filter((e) => e.kind === 'system' && e.visibility === 'internal');
    expect(entries.map((e) => e.body)).toEqual([
      'Assignee: unassigned → Ada Agent',
      'Assignee: Ada Agent → Bob Admin',
      'Queue: first-line → noc',
      'Assignee: Bob Admin → unassigned',
      'Queue: noc → none',
    ]);
    expect(entries[1]).toMatchObject({
      authorLabel: expect.stringContaining('agent-'),
      data: { action: 'assignee_changed', before: { assigneeUserId: ada.id }, after: { assigneeUserId: bob.id } },
    });
    expect(entries[2]!.data).toEqual({
      action: 'queue_changed',
      before: { queue: 'first-line' },
      after: { queue: 'noc' },
    });
    // Internal: the customer sees none of it.
    expect((await timeline(c.number, t.customer)).map((e) => e.body)).not.toContain('Queue: first-line → noc');
    // The SLA module hears of every change (the outbox job insertEvent leaves) and the queue filters follow.
    expect(await h.runJobs()).toBeGreaterThan(0);
    await req('PATCH', url, t.agent, { assigneeUserId: ada.id, queue: 'noc' });
    const noc = await req('GET', `/api/v1/cases?queue=noc&accountId=${t.child.id}`, t.agent);
    expect(noc.json().items.map((x: Json) => x.number)).toContain(c.number);
  });

  it('writes nothing when the assignee or queue is what it was already', async () => {
    const ada = await staff('agent', 'Ada Again');
    const c = await openCase({ queue: 'noc', assigneeUserId: ada.id });
    const before = (await timeline(c.number)).length;
    const same = await req('PATCH', `/api/v1/cases/${c.number}`, t.agent, { assigneeUserId: ada.id, queue: 'noc' });
    expect(same.statusCode).toBe(200);
    expect(same.json().updatedAt).toBe(c.updatedAt);
    expect(await timeline(c.number)).toHaveLength(before);
  });

  it('keeps the type/severity update with an assignment in one call', async () => {
    const ada = await staff('agent', 'Ada Both');
    const c = await openCase({ severity: 'low' });
    const res = await req('PATCH', `/api/v1/cases/${c.number}`, t.agent, {
      severity: 'critical',
      assigneeUserId: ada.id,
    });
    expect(res.json()).toMatchObject({ severity: 'critical', assigneeUserId: ada.id });
    const bodies = (await timeline(c.number)).map((e) => e.body);
    expect(bodies).toContain('Assignee: unassigned → Ada Both');
    expect(bodies.some((b) => String(b).startsWith('Updated severity low → critical'))).toBe(true);
  });

  it('400 naming assigneeUserId for an unknown user, a customer user or a malformed value; nothing changes', async () => {
    const c = await openCase();
    const url = `/api/v1/cases/${c.number}`;
    const customer = (await req('GET', '/api/v1/auth/me', t.customer)).json();
    for (const id of [999_999_999, customer.id]) {
      const res = await req('PATCH', url, t.agent, { assigneeUserId: id, queue: 'noc' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('cases.assignee_invalid');
      expect(res.json().error.details).toEqual([
        expect.objectContaining({ field: 'assigneeUserId', value: id, reason: expect.stringContaining('staff') }),
      ]);
    }
    const bad = await req('PATCH', url, t.agent, { assigneeUserId: 'bob' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(expect.objectContaining({ field: 'assigneeUserId', value: 'bob' }));
    expect((await req('GET', url, t.agent)).json()).toMatchObject({ assigneeUserId: null, queue: null });
    // The same rule when a case is opened with an assignee.
    const create = await req('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'order',
      subject: 'x',
      assigneeUserId: customer.id,
    });
    expect(create.statusCode).toBe(400);
    expect(create.json().error.details[0]).toMatchObject({ field: 'assigneeUserId', value: customer.id });
  });

  it('403 naming the field when a customer sends assigneeUserId or queue; 401; 404 across tenants', async () => {
    const c = await openCase();
    const url = `/api/v1/cases/${c.number}`;
    const me = (await req('GET', '/api/v1/auth/me', t.agent)).json();
    for (const [field, value] of [
      ['assigneeUserId', me.id],
      ['queue', 'vip'],
      ['queue', null],
    ] as const) {
      const res = await req('PATCH', url, t.customer, { [field]: value });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('cases.field_forbidden');
      expect(res.json().error.details).toEqual([{ field, value, reason: 'staff only' }]);
    }
    expect((await req('PATCH', url, {}, { queue: 'noc' })).statusCode).toBe(401);
    expect((await req('PATCH', url, other.rootCustomer, { queue: 'noc' })).statusCode).toBe(404);
    expect((await req('PATCH', url, other.agent, { queue: 'noc' })).statusCode).toBe(200);
  });
});

describe('Case: accountName, accountNumber and allowedTransitions', () => {
  it("carries the customer's name and the caller's allowed transitions on every Case answer", async () => {
    const c = await openCase();
    expect(c).toMatchObject({
      accountName: expect.stringContaining('Sub '),
      accountNumber: t.child.number,
      allowedTransitions: ['open', 'cancelled'],
    });
    const url = `/api/v1/cases/${c.number}`;
    expect((await req('GET', url, t.agent)).json().allowedTransitions).toEqual(['open', 'cancelled']);
    expect((await req('GET', url, t.customer)).json()).toMatchObject({
      accountNumber: t.child.number,
      allowedTransitions: ['cancelled'],
    });
    const opened = await req('POST', `${url}/transitions`, t.agent, { to: 'open' });
    expect(opened.json().allowedTransitions).toEqual(['pending_customer', 'pending_provider', 'resolved', 'cancelled']);
    const patched = await req('PATCH', url, t.agent, { queue: 'noc' });
    expect(patched.json()).toMatchObject({ accountNumber: t.child.number, allowedTransitions: expect.any(Array) });
    const cancelled = await req('POST', `${url}/transitions`, t.customer, { to: 'cancelled' });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', allowedTransitions: [] });
    expect((await req('GET', url, t.agent)).json().allowedTransitions).toEqual([]);
  });
});

describe('Case: what a customer may do with their own case (allowedTransitions = what the API accepts)', () => {
  it('offers withdraw while worked, reopen and withdraw once resolved, nothing when final; refuses the rest', async () => {
    const c = await openCase();
    const url = `/api/v1/cases/${c.number}`;
    const mine = async () => (await req('GET', url, t.customer)).json().allowedTransitions;
    expect(await mine()).toEqual(['cancelled']);
    for (const to of ['open', 'resolved']) {
      expect((await req('POST', `${url}/transitions`, t.agent, { to })).statusCode).toBe(200);
    }
    expect(await mine()).toEqual(['open', 'cancelled']);
    // closed is allowed from resolved by the state machine, but it is the provider's move: not offered, refused.
    const close = await req('POST', `${url}/transitions`, t.customer, { to: 'closed' });
    expect(close.statusCode).toBe(403);
    expect(close.json().error).toMatchObject({
      code: 'cases.transition_forbidden',
      details: [{ field: 'to', value: 'closed', reason: 'staff only' }],
    });
    // Every state offered is accepted: the customer reopens (and the answer says what they may do next).
    const reopened = await req('POST', `${url}/transitions`, t.customer, { to: 'open' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ state: 'open', allowedTransitions: ['cancelled'] });
    expect((await req('POST', `${url}/transitions`, t.customer, { to: 'pending_provider' })).statusCode).toBe(403);
    // Another customer neither sees nor moves it.
    expect((await req('GET', url, other.customer)).statusCode).toBe(404);
    expect((await req('POST', `${url}/transitions`, other.customer, { to: 'cancelled' })).statusCode).toBe(404);
    const withdrawn = await req('POST', `${url}/transitions`, t.customer, { to: 'cancelled' });
    expect(withdrawn.json()).toMatchObject({ state: 'cancelled', allowedTransitions: [] });
    expect(await mine()).toEqual([]);
  });
});
