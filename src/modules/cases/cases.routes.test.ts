import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims, randomIccid } from '../../../test/support/sims-factory.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { CaseSummaryView } from './cases.schemas.ts';
import { cases } from './cases.tables.ts';

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
const post = (url: string, headers: Record<string, string>, payload: Json) =>
  h.app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });

async function openCase(headers: Record<string, string>, extra: Json = {}): Promise<Json> {
  const res = await post('/api/v1/cases', headers, {
    accountId: t.child.id,
    type: 'incident',
    subject: 'No data on meters',
    ...extra,
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('POST /api/v1/cases', () => {
  it('opens a case with a C-<year>-<6 digits> number, affected SIMs counted, and a created event', async () => {
    const sims = await makeSims(h.services, t.child.id, 2);
    const c = await openCase(t.agent, {
      channel: 'phone',
      severity: 'high',
      tags: ['meters'],
      affectedIccids: [sims[0]!.iccid20, sims[1]!.iccid, sims[0]!.iccid],
    });
    expect(c).toMatchObject({
      accountId: t.child.id,
      tenantId: t.root.id,
      state: 'new',
      channel: 'phone',
      priority: 'P3',
      severity: 'high',
      affectedSimCount: 2,
      tags: ['meters'],
    });
    expect(c.number).toMatch(new RegExp(`^C-${new Date().getUTCFullYear()}-\\d{6}$`));
    const ev = await get(`/api/v1/cases/${c.number}/events`, t.agent);
    expect(ev.json().items).toEqual([
      expect.objectContaining({ kind: 'system', visibility: 'public', authorLabel: expect.stringContaining('agent-') }),
    ]);
  });

  it('forces the portal channel for customers', async () => {
    const c = await openCase(t.customer, { channel: 'phone' });
    expect(c.channel).toBe('portal');
  });

  it('400 names the field and value that is wrong', async () => {
    const res = await post('/api/v1/cases', t.agent, { accountId: t.child.id, type: 'complaint', subject: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toContainEqual(expect.objectContaining({ field: 'type', value: 'complaint' }));
  });

  it("400 names unknown and other tenants' ICCIDs", async () => {
    const [mine] = await makeSims(h.services, t.child.id, 1);
    const [theirs] = await makeSims(h.services, other.child.id, 1);
    const missing = randomIccid();
    const res = await post('/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      subject: 'x',
      affectedIccids: [mine!.iccid, theirs!.iccid20, missing, '123'],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('cases.sims_unknown');
    const values = res.json().error.details.map((d: Json) => d.value);
    expect(values.sort()).toEqual([theirs!.iccid20, missing, '123'].sort());
    expect(res.json().error.details).toContainEqual(expect.objectContaining({ field: 'affectedIccids.2' }));
  });

  it('403 when a customer sets a staff-only field', async () => {
    const res = await post('/api/v1/cases', t.customer, {
      accountId: t.child.id,
      type: 'incident',
      subject: 'x',
      queue: 'noc',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.details).toContainEqual(expect.objectContaining({ field: 'queue', value: 'noc' }));
  });

  it('401 without credentials', async () => {
    expect((await post('/api/v1/cases', {}, {})).statusCode).toBe(401);
  });

  it("404 when a customer opens a case on another tenant's account", async () => {
    const res = await post('/api/v1/cases', t.customer, { accountId: other.child.id, type: 'order', subject: 'x' });
    expect(res.statusCode).toBe(404);
  });

  it('hands out 20 distinct numbers to 20 parallel creates, leaving no gap', async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post('/api/v1/cases', t.agent, { accountId: t.root.id, type: 'order', subject: `parallel ${i}` }),
      ),
    );
    expect(all.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const seqs = all.map((r) => Number(String(r.json().number).slice(7))).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(20);
    // Other test files create cases in the same PostgreSQL database meanwhile, so the 20 need not be
    // consecutive; but every number between the first and the last must exist.
    const first = String(all[0]!.json().number).slice(0, 7);
    const [row] = await queryRows<{ n: number }>(
      h.ctx.database.db,
      sql`select count(*)::int as n from ${cases} where ${cases.number} between ${first + String(seqs[0]).padStart(6, '0')} and ${first + String(seqs[19]).padStart(6, '0')}`,
    );
    expect(row!.n).toBe(seqs[19]! - seqs[0]! + 1);
  });
});

describe('GET /api/v1/cases/:number', () => {
  it('answers the case (happy path), 401 without auth, 404 across tenants, 400 on a malformed number', async () => {
    const c = await openCase(t.agent);
    expect((await get(`/api/v1/cases/${c.number}`, t.customer)).json().number).toBe(c.number);
    expect((await get(`/api/v1/cases/${c.number}`)).statusCode).toBe(401);
    const cross = await get(`/api/v1/cases/${c.number}`, other.rootCustomer);
    expect(cross.statusCode).toBe(404);
    expect(cross.json().error.code).toBe('cases.not_found');
    const bad = await get('/api/v1/cases/X-1', t.agent);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(expect.objectContaining({ field: 'params.number', value: 'X-1' }));
  });

  it("hides a case on the customer's parent account from a sub-account customer", async () => {
    const c = await openCase(t.agent, { accountId: t.root.id });
    expect((await get(`/api/v1/cases/${c.number}`, t.customer)).statusCode).toBe(404);
    expect((await get(`/api/v1/cases/${c.number}`, t.rootCustomer)).statusCode).toBe(200);
  });
});

describe('GET /api/v1/cases', () => {
  it('orders by priority then age, filters, pages with a cursor and scopes customers', async () => {
    const tt = await makeTenant(h.services);
    // standard tier, no SIMs: a critical incident computes P3, a low information request or order P4.
    const mk = async (severity: string, extra: Json = {}) =>
      (
        await post('/api/v1/cases', tt.agent, {
          accountId: tt.child.id,
          type: 'incident',
          subject: severity,
          severity,
          ...extra,
        })
      ).json();
    const me = (await get('/api/v1/auth/me', tt.agent)).json();
    const a = await mk('low', { type: 'information_request' });
    const b = await mk('critical', { queue: 'noc', assigneeUserId: me.id });
    const c = await mk('low', { type: 'order', tags: ['roaming', 'apn:internet'] });
    const rootCase = (
      await post('/api/v1/cases', tt.agent, { accountId: tt.root.id, type: 'order', subject: 'r' })
    ).json();

    const first = await get(`/api/v1/cases?accountId=${tt.child.id}&limit=2`, tt.agent);
    expect(first.json().items.map((x: Json) => x.number)).toEqual([b.number, a.number]);
    const next = await get(
      `/api/v1/cases?accountId=${tt.child.id}&limit=2&cursor=${first.json().nextCursor}`,
      tt.agent,
    );
    expect(next.json()).toEqual({ items: [expect.objectContaining({ number: c.number })], nextCursor: null });
    // Queue rows are CaseSummary (built by the database): the full case's fields with the same values and formats,
    // minus the long or detailed ones. With tags, an SLA due time (the worker's), and nulls.
    await h.runJobs();
    const full = (await get(`/api/v1/cases/${c.number}`, tt.agent)).json();
    expect(full.slaDueAt).toEqual(expect.any(String));
    const row = (await get(`/api/v1/cases?type=order&accountId=${tt.child.id}`, tt.agent)).json().items[0];
    expect(row).toEqual(Object.fromEntries(Object.keys(CaseSummaryView.shape).map((k) => [k, full[k]])));
    expect(Object.keys(row)).not.toContain('description');
    expect(CaseSummaryView.strict().parse(row)).toEqual(row);

    const mine = await get('/api/v1/cases?assignee=me&queue=noc', tt.agent);
    expect(mine.json().items.map((x: Json) => x.number)).toEqual([b.number]);
    const orders = await get(`/api/v1/cases?type=order&accountId=${tt.child.id}`, tt.agent);
    expect(orders.json().items.map((x: Json) => x.number)).toEqual([c.number]);

    const cust = await get('/api/v1/cases', tt.customer);
    expect(cust.json().items.map((x: Json) => x.number)).not.toContain(rootCase.number);
    expect(cust.json().items).toHaveLength(3);
    expect((await get('/api/v1/cases', tt.rootCustomer)).json().items).toHaveLength(4);
    expect((await get('/api/v1/cases', other.rootCustomer)).json().items.map((x: Json) => x.number)).not.toContain(
      a.number,
    );
  });

  it('400 on a bad filter or cursor, 401 without auth', async () => {
    const bad = await get('/api/v1/cases?state=sleeping', t.agent);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'querystring.state', value: 'sleeping' }),
    );
    const cur = await get('/api/v1/cases?cursor=nope', t.agent);
    expect(cur.statusCode).toBe(400);
    expect(cur.json().error.code).toBe('cases.cursor_invalid');
    expect((await get('/api/v1/cases')).statusCode).toBe(401);
  });
});

describe('POST /api/v1/cases/:number/transitions', () => {
  it('walks new → open → pending_customer → open → resolved → closed, each change in the timeline', async () => {
    const c = await openCase(t.agent);
    const url = `/api/v1/cases/${c.number}/transitions`;
    for (const to of ['open', 'pending_customer', 'open', 'resolved', 'closed']) {
      const res = await post(url, t.agent, { to, ...(to === 'resolved' ? { note: 'APN fixed' } : {}) });
      expect(res.statusCode).toBe(200);
      expect(res.json().state).toBe(to);
    }
    const final = (await get(`/api/v1/cases/${c.number}`, t.agent)).json();
    expect(final.resolvedAt).not.toBeNull();
    expect(final.closedAt).not.toBeNull();
    const items = (await get(`/api/v1/cases/${c.number}/events`, t.agent)).json().items as Json[];
    const changes = items.filter((e) => (e.data as Json | null)?.action === 'state_changed');
    expect(changes.map((e) => (e.data as { after: Json }).after.state)).toEqual([
      'open',
      'pending_customer',
      'open',
      'resolved',
      'closed',
    ]);
    expect(items).toContainEqual(expect.objectContaining({ kind: 'note', visibility: 'internal', body: 'APN fixed' }));
  });

  it('409 names from, to and what is allowed', async () => {
    const c = await openCase(t.agent);
    const res = await post(`/api/v1/cases/${c.number}/transitions`, t.agent, { to: 'closed' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('cases.transition_not_allowed');
    expect(res.json().error.message).toContain('from new to closed');
    expect(res.json().error.details).toEqual([
      { field: 'to', value: 'closed', reason: 'from new only open, cancelled is allowed' },
    ]);
  });

  it('lets a customer cancel but not resolve; 400, 401 and cross-tenant 404', async () => {
    const c = await openCase(t.customer);
    const url = `/api/v1/cases/${c.number}/transitions`;
    expect((await post(url, t.agent, { to: 'open' })).statusCode).toBe(200);
    const res = await post(url, t.customer, { to: 'resolved' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('cases.transition_forbidden');
    const bad = await post(url, t.agent, { to: 'done' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(expect.objectContaining({ field: 'to', value: 'done' }));
    expect((await post(url, {}, { to: 'open' })).statusCode).toBe(401);
    expect((await post(url, other.rootCustomer, { to: 'cancelled' })).statusCode).toBe(404);
    expect((await post(url, t.customer, { to: 'cancelled' })).json().state).toBe('cancelled');
  });
});

describe('/api/v1/cases/:number/events', () => {
  it('records a phone call with its duration and a public portal message from the customer', async () => {
    const c = await openCase(t.agent);
    const url = `/api/v1/cases/${c.number}/events`;
    const call = await post(url, t.agent, { kind: 'phone_call', body: 'Called back', durationSeconds: 320 });
    expect(call.statusCode).toBe(201);
    expect(call.json()).toMatchObject({ kind: 'phone_call', visibility: 'public', data: { durationSeconds: 320 } });
    const msg = await post(url, t.customer, { kind: 'portal_message', body: 'Still down' });
    expect(msg.statusCode).toBe(201);
    expect(msg.json().visibility).toBe('public');
  });

  it('403 when a customer posts an internal note; customers never see internal entries', async () => {
    const c = await openCase(t.agent);
    const url = `/api/v1/cases/${c.number}/events`;
    const res = await post(url, t.customer, { kind: 'note', body: 'psst' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('cases.event_forbidden');
    const hidden = await post(url, t.customer, { kind: 'portal_message', visibility: 'internal', body: 'x' });
    expect(hidden.statusCode).toBe(403);
    expect((await post(url, t.agent, { kind: 'note', body: 'customer is VIP' })).statusCode).toBe(201);
    const staff = (await get(url, t.agent)).json().items as Json[];
    const cust = (await get(url, t.customer)).json().items as Json[];
    expect(staff.some((e) => e.visibility === 'internal')).toBe(true);
    expect(cust.length).toBe(staff.length - 1);
    expect(cust.every((e) => e.visibility === 'public')).toBe(true);
  });

  it('400 names the field, 401 without auth, 404 across tenants', async () => {
    const c = await openCase(t.agent);
    const url = `/api/v1/cases/${c.number}/events`;
    const bad = await post(url, t.agent, { kind: 'note', body: 'x', durationSeconds: 5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(expect.objectContaining({ field: 'durationSeconds' }));
    expect((await post(url, {}, { kind: 'note', body: 'x' })).statusCode).toBe(401);
    expect((await get(url)).statusCode).toBe(401);
    expect((await get(url, other.rootCustomer)).statusCode).toBe(404);
    expect((await post(url, other.rootCustomer, { kind: 'portal_message', body: 'x' })).statusCode).toBe(404);
  });
});
