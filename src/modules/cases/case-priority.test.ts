import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateCaseBody } from './cases.schemas.ts';
import { createCasesService } from './cases.service.ts';
import { priorityMatrixStore } from './priority-matrix.store.ts';

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
const req = (
  method: 'POST' | 'GET' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: Json,
) => h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const staff = cliPrincipal('priority-test');

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

describe('computed priority at create (the sla matrix on real accounts)', () => {
  // Real SIMs are too slow to make by the ten thousand: this fake answers every ICCID as a known SIM, so the
  // row count (and bucket) is what the case stores; everything else runs against the database.
  let nextSimId = 1_000_000_000;
  const cases = () =>
    createCasesService(h.ctx, {
      accounts: h.services.accounts,
      users: h.services.users,
      priorityMatrix: priorityMatrixStore(h.ctx.database.db),
      sims: {
        ...h.services.sims,
        resolveIccids: async (_reach, raw) => ({
          found: [...new Set(raw)].map((iccid) => ({ id: nextSimId++, iccid })),
          unknown: [],
        }),
      },
    });

  it.each([
    ['platinum', 'incident', 'critical', 10_000, 'P1'],
    ['platinum', 'incident', 'high', 10_000, 'P1'],
    ['gold', 'incident', 'critical', 1, 'P2'],
    ['standard', 'incident', 'high', 20, 'P3'],
    ['standard', 'incident', 'critical', 250, 'P1'],
    ['gold', 'order', 'low', 1, 'P4'],
    ['standard', 'information_request', 'medium', 1, 'P4'],
    ['standard', 'information_request', 'low', 0, 'P4'],
  ] as const)('%s + %s + %s + %i SIMs → %s', async (vipTier, type, severity, sims, expected) => {
    const account = await h.services.accounts.create(staff, {
      number: `PRIO-${uniq()}`,
      name: 'Priority',
      parentId: t.root.id,
      vipTier,
      language: 'en',
      timeZone: 'Europe/Stockholm',
      country: 'SE',
    });
    const input = CreateCaseBody.parse({
      accountId: account.id,
      type,
      severity,
      subject: 'table',
      affectedIccids: Array.from({ length: sims }, (_, i) => `fake-${i}`),
    });
    const c = await cases().create(staff, input);
    expect({ computed: c.computedPriority, effective: c.priority, count: c.affectedSimCount }).toEqual({
      computed: expected,
      effective: expected,
      count: sims,
    });
  });
});

describe('POST /api/v1/cases priority is read-only', () => {
  it('400 names priority and points to the override route, for staff and customers alike', async () => {
    for (const headers of [t.agent, t.customer]) {
      const res = await req('POST', '/api/v1/cases', headers, {
        accountId: t.child.id,
        type: 'incident',
        subject: 'x',
        priority: 'P1',
      });
      expect(res.statusCode).toBe(400);
      const detail = res.json().error.details.find((d: Json) => d.field === 'priority');
      expect(detail).toMatchObject({ value: 'P1' });
      expect(String(detail.reason)).toContain('/api/v1/cases/{number}/priority');
    }
  });

  it('shows computedPriority, the effective priority and no override', async () => {
    const c = await openCase({ severity: 'critical' });
    // standard tier, incident, critical, no SIMs: impact 3 × urgency 2
    expect(c).toMatchObject({ computedPriority: 'P3', priority: 'P3', override: null });
  });
});

describe('PATCH /api/v1/cases/:number recomputes', () => {
  it('recomputes on a severity change and on new affected SIMs; 403 customer, 401, 404, 400', async () => {
    const two = await makeSims(h.services, t.child.id, 2);
    // A standard-tier incident on 2 SIMs: low is impact 4 × urgency 2 → P3; critical is impact 2 → P2.
    const c = await openCase({ severity: 'low', affectedIccids: two.map((s) => s.iccid) });
    expect(c).toMatchObject({ computedPriority: 'P3', priority: 'P3' });
    const url = `/api/v1/cases/${c.number}`;
    const up = await req('PATCH', url, t.agent, { severity: 'critical' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ severity: 'critical', computedPriority: 'P2', priority: 'P2' });
    // An information request is urgency 4: impact 2 → P3; on a single SIM (impact 3) → P4.
    const typed = await req('PATCH', url, t.agent, { type: 'information_request' });
    expect(typed.json()).toMatchObject({ computedPriority: 'P3', priority: 'P3' });
    const fewer = await req('PATCH', url, t.agent, { affectedIccids: [two[0]!.iccid] });
    expect(fewer.json()).toMatchObject({ affectedSimCount: 1, computedPriority: 'P4', priority: 'P4' });
    const events = (await req('GET', `${url}/events`, t.agent)).json().items as Json[];
    expect(events.at(-1)).toMatchObject({
      kind: 'system',
      visibility: 'internal',
      data: expect.objectContaining({ action: 'updated', after: expect.objectContaining({ priority: 'P4' }) }),
    });

    const cust = await req('PATCH', url, t.customer, { severity: 'low' });
    expect(cust.statusCode).toBe(403);
    expect(cust.json().error.code).toBe('cases.update_forbidden');
    expect((await req('PATCH', url, {}, { severity: 'low' })).statusCode).toBe(401);
    expect((await req('PATCH', url, other.rootCustomer, { severity: 'low' })).statusCode).toBe(404);
    const bad = await req('PATCH', url, t.agent, { severity: 'apocalyptic' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'severity', value: 'apocalyptic' }),
    );
  });
});

describe('/api/v1/cases/:number/priority', () => {
  it('overrides with who and why, survives a recompute, and DELETE restores the computed priority', async () => {
    const two = await makeSims(h.services, t.child.id, 2);
    const c = await openCase({ severity: 'low', affectedIccids: two.map((s) => s.iccid) });
    const url = `/api/v1/cases/${c.number}/priority`;
    const me = (await req('GET', '/api/v1/auth/me', t.agent)).json();
    const res = await req('POST', url, t.agent, { priority: 'P1', reason: 'Customer’s whole fleet of alarms' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      computedPriority: 'P3',
      priority: 'P1',
      override: { priority: 'P1', reason: 'Customer’s whole fleet of alarms', by: { userId: me.id } },
    });

    const recomputed = await req('PATCH', `/api/v1/cases/${c.number}`, t.agent, { severity: 'critical' });
    expect(recomputed.json()).toMatchObject({ computedPriority: 'P2', priority: 'P1' });

    const del = await req('DELETE', url, t.agent);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ computedPriority: 'P2', priority: 'P2', override: null });
    const again = await req('DELETE', url, t.agent);
    expect(again.json()).toMatchObject({ priority: 'P2', override: null });

    const staffView = (await req('GET', `/api/v1/cases/${c.number}/events`, t.agent)).json().items as Json[];
    const prio = staffView.filter((e) => String((e.data as Json | null)?.action).startsWith('priority_'));
    expect(prio.map((e) => e.data)).toEqual([
      expect.objectContaining({ action: 'priority_overridden', before: { priority: 'P3', override: null } }),
      expect.objectContaining({ action: 'priority_override_removed', after: { priority: 'P2', override: null } }),
    ]);
    expect(prio.every((e) => e.visibility === 'internal' && e.authorUserId === me.id)).toBe(true);
    const custView = (await req('GET', `/api/v1/cases/${c.number}/events`, t.customer)).json().items as Json[];
    expect(custView.some((e) => String((e.data as Json | null)?.action).startsWith('priority_'))).toBe(false);
  });

  it('orders the agent queue by effective priority', async () => {
    const tt = await makeTenant(h.services);
    const mk = async () =>
      (await req('POST', '/api/v1/cases', tt.agent, { accountId: tt.child.id, type: 'order', subject: 'q' })).json();
    const a = await mk();
    const b = await mk();
    await req('POST', `/api/v1/cases/${b.number}/priority`, tt.agent, { priority: 'P1', reason: 'board asks' });
    const page = await req('GET', `/api/v1/cases?accountId=${tt.child.id}`, tt.agent);
    expect(page.json().items.map((x: Json) => x.number)).toEqual([b.number, a.number]);
  });

  it('400 names the field, 401 without auth, 403 for a customer, 404 across tenants and for a missing case', async () => {
    const c = await openCase();
    const url = `/api/v1/cases/${c.number}/priority`;
    const noReason = await req('POST', url, t.agent, { priority: 'P1' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details).toContainEqual(expect.objectContaining({ field: 'reason' }));
    const long = await req('POST', url, t.agent, { priority: 'P1', reason: 'x'.repeat(501) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details).toContainEqual(expect.objectContaining({ field: 'reason' }));
    const p5 = await req('POST', url, t.agent, { priority: 'P5', reason: 'y' });
    expect(p5.json().error.details).toContainEqual(expect.objectContaining({ field: 'priority', value: 'P5' }));

    expect((await req('POST', url, {}, { priority: 'P1', reason: 'y' })).statusCode).toBe(401);
    expect((await req('DELETE', url, {})).statusCode).toBe(401);
    const cust = await req('POST', url, t.customer, { priority: 'P1', reason: 'please' });
    expect(cust.statusCode).toBe(403);
    expect(cust.json().error.code).toBe('cases.priority_forbidden');
    expect((await req('DELETE', url, t.customer)).statusCode).toBe(403);
    const cross = await req('POST', url, other.rootCustomer, { priority: 'P1', reason: 'y' });
    expect(cross.statusCode).toBe(404);
    expect(cross.json().error.code).toBe('cases.not_found');
    expect((await req('DELETE', url, other.rootCustomer)).statusCode).toBe(404);
    const missing = await req('POST', '/api/v1/cases/C-1999-999999/priority', t.agent, { priority: 'P1', reason: 'y' });
    expect(missing.statusCode).toBe(404);
    expect((await req('GET', `/api/v1/cases/${c.number}`, t.agent)).json().override).toBeNull();
  });
});
