import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, testDbKind } from '../../../test/support/harness.ts';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrixConfig } from './priority.ts';
import { priorityMatrixStore } from './priority-matrix.store.ts';

let h: Harness;
let t: Tenant;

// The matrix is provider-wide: on PostgreSQL this file gets a database of its own, so its changes never reach
// other files' cases.
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());
// Every test starts from the default matrix.
beforeEach(async () => {
  expect((await req('DELETE', URL, t.admin)).statusCode).toBe(200);
});

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const URL = '/api/v1/sla/priority-matrix';
const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
  h.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Json } : {}) });

/** The default with impact 3 × urgency 2 raised from P3 to P2. */
const raised = (): PriorityMatrixConfig => {
  const m = structuredClone(DEFAULT_PRIORITY_MATRIX);
  m.priority['3']['2'] = 'P2';
  return m;
};

/** An incident on the standard-tier child, high severity, one SIM: impact 3 × urgency 2 = P3 by default. */
async function openCase(): Promise<Json> {
  const res = await req('POST', '/api/v1/cases', t.agent, {
    accountId: t.child.id,
    type: 'incident',
    severity: 'high',
    subject: 'Intermittent data',
  });
  expect(res.statusCode).toBe(201);
  expect(res.json()).toMatchObject({ computedPriority: 'P3', priority: 'P3' });
  return res.json();
}
const getCase = async (c: Json) => (await req('GET', `/api/v1/cases/${c.number}`, t.agent)).json();
const recomputeEntries = async (c: Json) =>
  ((await req('GET', `/api/v1/cases/${c.number}/events`, t.agent)).json().items as Json[]).filter(
    (e) => (e.data as Json | null)?.action === 'priority_recomputed',
  );

describe('/api/v1/sla/priority-matrix', () => {
  it('staff read the default; an admin replaces it and the change is recorded with who and when', async () => {
    const first = await req('GET', URL, t.readOnlyAgent);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ matrix: DEFAULT_PRIORITY_MATRIX, isDefault: true });

    const put = await req('PUT', URL, t.admin, raised());
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ isDefault: false, updatedBy: { label: expect.stringMatching(/^admin-/) } });
    expect(put.json().matrix.priority['3']['2']).toBe('P2');
    const now = await req('GET', URL, t.agent);
    expect(now.json()).toMatchObject({ version: put.json().version, matrix: { priority: { 3: { 2: 'P2' } } } });

    const reset = await req('DELETE', URL, t.admin);
    expect(reset.json()).toMatchObject({ isDefault: true, matrix: DEFAULT_PRIORITY_MATRIX });
    const history = (await req('GET', `${URL}/history?limit=2`, t.agent)).json().items as Json[];
    expect(history.map((v) => v.version)).toEqual([reset.json().version, put.json().version]);
    expect(history[0]).toMatchObject({ matrix: null });
    expect((history[1]!.matrix as PriorityMatrixConfig).priority['3']['2']).toBe('P2');
  });

  it('400 names each bad or missing cell, and changes nothing', async () => {
    const bad = structuredClone(raised()) as unknown as { priority: Record<string, Record<string, string>> } & Json;
    bad.priority['2']!['3'] = 'P9';
    delete (bad.urgency as Record<string, Record<string, string>>).gold!.order;
    const res = await req('PUT', URL, t.admin, bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('sla.priority_matrix_invalid');
    const fields = (res.json().error.details as Json[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['priority.2.3', 'urgency.gold.order']));
    expect((await req('GET', URL, t.agent)).json().isDefault).toBe(true);
  });

  it('400 names an unknown key at the top level as below it, and changes nothing', async () => {
    const top = await req('PUT', URL, t.admin, { ...raised(), zzUnknown: 1 });
    expect(top.statusCode).toBe(400);
    expect(top.json().error).toMatchObject({
      code: 'request.invalid',
      details: [{ field: 'zzUnknown', reason: 'unknown field' }],
    });
    const deep = raised() as unknown as Json & { urgency: Json };
    deep.urgency = { ...deep.urgency, zzUnknown: 1 };
    const below = await req('PUT', URL, t.admin, deep);
    expect(below.statusCode).toBe(400);
    expect(below.json().error).toMatchObject({ code: 'sla.priority_matrix_invalid' });
    expect(below.json().error.message).toMatch(/Unrecognized key.*zzUnknown/);
    const missing = structuredClone(raised()) as unknown as Json;
    delete missing.impact;
    const none = await req('PUT', URL, t.admin, missing);
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details).toEqual([expect.objectContaining({ field: 'impact' })]);
    expect((await req('GET', URL, t.agent)).json().isDefault).toBe(true);
  });

  it('401 without credentials; 403 for an agent changing it and for a customer reading it', async () => {
    expect((await req('GET', URL, {})).statusCode).toBe(401);
    expect((await req('PUT', URL, {}, raised())).statusCode).toBe(401);
    const agentPut = await req('PUT', URL, t.agent, raised());
    expect(agentPut.statusCode).toBe(403);
    expect(agentPut.json().error.code).toBe('auth.scope_missing');
    expect((await req('DELETE', URL, t.agent)).statusCode).toBe(403);
    const cust = await req('GET', URL, t.customer);
    expect(cust.statusCode).toBe(403);
    expect(cust.json().error.code).toBe('sla.staff_only');
    expect((await req('GET', `${URL}/history`, t.rootCustomer)).statusCode).toBe(403);
  });
});

describe('a matrix change recomputes open cases', () => {
  it('moves an open case and notes why on its timeline; closed cases keep their priority', async () => {
    const open = await openCase();
    const closed = await openCase();
    for (const to of ['open', 'resolved', 'closed']) {
      expect((await req('POST', `/api/v1/cases/${closed.number}/transitions`, t.agent, { to })).statusCode).toBe(200);
    }
    const put = await req('PUT', URL, t.admin, raised());
    expect(put.json().recomputed.changed).toBeGreaterThanOrEqual(1);

    expect(await getCase(open)).toMatchObject({ computedPriority: 'P2', priority: 'P2' });
    const [entry, ...more] = await recomputeEntries(open);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ kind: 'system', visibility: 'internal' });
    expect(entry!.body).toMatch(/^Priority recomputed P3 → P2: priority matrix changed by admin-/);
    // Internal: the customer does not see it.
    const custEvents = (await req('GET', `/api/v1/cases/${open.number}/events`, t.customer)).json().items as Json[];
    expect(custEvents.some((e) => (e.data as Json | null)?.action === 'priority_recomputed')).toBe(false);

    expect(await getCase(closed)).toMatchObject({ computedPriority: 'P3', priority: 'P3' });
    expect(await recomputeEntries(closed)).toEqual([]);
    // New cases get the new matrix too.
    const fresh = await req('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      severity: 'high',
      subject: 'After the change',
    });
    expect(fresh.json()).toMatchObject({ computedPriority: 'P2', priority: 'P2' });
  });

  it('keeps an override in force: only the computed priority moves', async () => {
    const c = await openCase();
    const o = await req('POST', `/api/v1/cases/${c.number}/priority`, t.agent, { priority: 'P4', reason: 'test' });
    expect(o.statusCode).toBe(200);
    await req('PUT', URL, t.admin, raised());
    expect(await getCase(c)).toMatchObject({ computedPriority: 'P2', priority: 'P4', override: { priority: 'P4' } });
    const [entry] = await recomputeEntries(c);
    expect(entry!.body).toMatch(/^Computed priority recomputed P3 → P2 \(override P4 stays in force\)/);
    // Resetting the matrix moves it back, still under the override.
    await req('DELETE', URL, t.admin);
    expect(await getCase(c)).toMatchObject({ computedPriority: 'P3', priority: 'P4' });
  });
});

describe('a case write racing a matrix change', () => {
  // Only PostgreSQL has concurrent transactions (PGlite runs one at a time).
  it.runIf(testDbKind === 'postgres')('waits for the change to commit and gets the new matrix', async () => {
    const store = priorityMatrixStore(h.ctx.database.db);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let appended = () => {};
    const inFlight = new Promise<void>((r) => {
      appended = r;
    });
    const change = h.ctx.database.db.transaction(async (tx) => {
      await store.append(tx, { matrix: raised(), by: { userId: null, label: 'race test' } });
      appended();
      await gate;
    });
    await inFlight;
    const create = req('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      severity: 'high',
      subject: 'Created mid-change',
    });
    let done = false;
    void create.then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    release();
    await change;
    expect((await create).json()).toMatchObject({ computedPriority: 'P2', priority: 'P2' });
  });
});

describe('a case write racing a VIP tier change', () => {
  it.runIf(testDbKind === 'postgres')('reads the tier after the change commits', async () => {
    const store = priorityMatrixStore(h.ctx.database.db);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const inFlight = new Promise<void>((r) => {
      locked = r;
    });
    // What the accounts update does for a tier change: the lock, then the new tier, committed later.
    const change = h.ctx.database.db.transaction(async (tx) => {
      await store.lockForChange(tx);
      await tx.execute(sql`update accounts set vip_tier = 'platinum' where id = ${t.child.id}`);
      locked();
      await gate;
    });
    await inFlight;
    const create = req('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      severity: 'high',
      subject: 'Created mid-tier-change',
    });
    await new Promise((r) => setTimeout(r, 300));
    release();
    await change;
    // platinum incident: urgency 1; high on one SIM: impact 3 → P2 (standard would give P3).
    expect((await create).json()).toMatchObject({ computedPriority: 'P2', priority: 'P2' });
    await req('PATCH', `/api/v1/accounts/${t.child.id}`, t.admin, { vipTier: 'standard' });
  });
});

describe('a VIP tier change recomputes that account’s open cases', () => {
  it('standard → platinum raises the incident from P3 to P2 with a timeline entry naming the change', async () => {
    const c = await openCase();
    const onRoot = await req('POST', '/api/v1/cases', t.agent, {
      accountId: t.root.id,
      type: 'incident',
      severity: 'high',
      subject: 'On the gold root',
    });
    const up = await req('PATCH', `/api/v1/accounts/${t.child.id}`, t.admin, { vipTier: 'platinum' });
    expect(up.statusCode).toBe(200);
    expect(await getCase(c)).toMatchObject({ computedPriority: 'P2', priority: 'P2' });
    const [entry] = await recomputeEntries(c);
    expect(entry!.body).toMatch(/^Priority recomputed P3 → P2: VIP tier standard → platinum \(changed by admin-/);
    expect(entry!.data).toMatchObject({
      cause: { kind: 'vip_tier_changed', accountId: t.child.id, before: 'standard', after: 'platinum' },
    });
    // Another account's cases are untouched; the same tier again changes nothing.
    expect(await recomputeEntries(onRoot.json())).toEqual([]);
    const again = await req('PATCH', `/api/v1/accounts/${t.child.id}`, t.admin, { vipTier: 'platinum' });
    expect(again.statusCode).toBe(200);
    expect(await recomputeEntries(c)).toHaveLength(1);
    await req('PATCH', `/api/v1/accounts/${t.child.id}`, t.admin, { vipTier: 'standard' });
    expect(await getCase(c)).toMatchObject({ computedPriority: 'P3', priority: 'P3' });
  });
});
