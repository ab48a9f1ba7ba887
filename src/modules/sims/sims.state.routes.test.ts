import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims, randomIccid } from '../../../test/support/sims-factory.ts';
import type { SimState } from './lifecycle.ts';
import { simsRepo } from './sims.repo.ts';
import { simImports } from './sims.tables.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const setState = (iccid: string, headers: Record<string, string> | undefined, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: `/api/v1/sims/${iccid}/state`, headers, payload });
const oneSim = async (state: SimState, accountId = t.child.id) =>
  (await makeSims(h.services, accountId, 1, { state }))[0]!;

describe('GET /api/v1/sims/lifecycle', () => {
  it('publishes states and transitions with who may make them', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/sims/lifecycle', headers: t.customer });
    expect(res.statusCode).toBe(200);
    expect(res.json().states).toHaveLength(8);
    expect(res.json().transitions).toContainEqual({
      from: 'ACTIVATED',
      to: 'DEACTIVATED',
      by: ['operator', 'customer'],
      why: 'suspend service',
    });
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/sims/lifecycle' })).statusCode).toBe(401);
  });
});

describe('POST /api/v1/sims/:iccid/state', () => {
  it('moves a SIM along an allowed transition and records who, when, before/after and why', async () => {
    const s = await oneSim('ACTIVATED');
    const res = await setState(s.iccid20, t.customer, { state: 'DEACTIVATED', reason: 'device stolen' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ iccid: s.iccid20, state: 'DEACTIVATED' });
    const hist = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}/history`, headers: t.agent });
    expect(hist.json().items[0]).toMatchObject({
      action: 'state_changed',
      before: { state: 'ACTIVATED' },
      after: { state: 'DEACTIVATED' },
      reason: 'device stolen',
      actor: { label: expect.stringMatching(/^cust-/) },
    });
  });

  it('409 sims.transition_not_allowed with from, to and the allowed targets', async () => {
    const s = await oneSim('ACTIVATED');
    const res = await setState(s.iccid, t.agent, { state: 'INVENTORY' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('sims.transition_not_allowed');
    expect(res.json().error.details).toEqual([
      { field: 'state', value: 'INVENTORY', reason: 'no transition from ACTIVATED to INVENTORY' },
      { field: 'from', value: 'ACTIVATED', reason: 'current state' },
      { field: 'allowed', value: ['DEACTIVATED', 'REPLACED'], reason: 'states staff may set from ACTIVATED' },
    ]);
  });

  it('403 sims.transition_forbidden when only the provider may make it; staff can', async () => {
    const s = await oneSim('INVENTORY');
    const res = await setState(s.iccid, t.customer, { state: 'ACTIVATED' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('sims.transition_forbidden');
    expect(res.json().error.details[0]).toMatchObject({ field: 'state', value: 'ACTIVATED' });
    expect(res.json().error.details[2]).toMatchObject({ field: 'allowed', value: [] });
    expect((await setState(s.iccid, t.agent, { state: 'ACTIVATED' })).json().state).toBe('ACTIVATED');
  });

  it('400 on an unknown state or an invalid ICCID', async () => {
    const s = await oneSim('ACTIVATED');
    const bad = await setState(s.iccid, t.agent, { state: 'SUSPENDED' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'state', value: 'SUSPENDED' });
    const iccid = await setState('89x', t.agent, { state: 'DEACTIVATED' });
    expect(iccid.json().error).toMatchObject({ code: 'sims.iccid_invalid' });
  });

  it("404 for another tenant's SIM; 401 without credentials", async () => {
    const s = await oneSim('ACTIVATED', other.child.id);
    const res = await setState(s.iccid, t.rootCustomer, { state: 'DEACTIVATED' });
    expect(res.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}`, headers: t.agent })).json().state).toBe(
      'ACTIVATED',
    );
    expect((await setState(s.iccid, undefined, { state: 'DEACTIVATED' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/sims/:iccid/history', () => {
  it('lists every change newest first, cursor-paged, starting from creation', async () => {
    const s = await oneSim('ACTIVATED');
    await setState(s.iccid, t.agent, { state: 'DEACTIVATED' });
    await setState(s.iccid, t.agent, { state: 'ACTIVATED' });
    await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/sims/${s.iccid}`,
      headers: t.customer,
      payload: { labels: ['x'] },
    });
    const actions: string[] = [];
    let cursor: string | null = null;
    do {
      const url = `/api/v1/sims/${s.iccid20}/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await h.app.inject({ method: 'GET', url, headers: t.customer });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { action: string }[]; nextCursor: string | null };
      actions.push(...page.items.map((i) => i.action));
      cursor = page.nextCursor;
    } while (cursor);
    expect(actions).toEqual(['updated', 'state_changed', 'state_changed', 'created']);
  });

  it('starts an imported SIM with an entry derived from its import job', async () => {
    const s = await oneSim('INVENTORY');
    const db = h.ctx.database.db;
    const [job] = await db
      .insert(simImports)
      .values({ status: 'succeeded', mode: 'atomic', source: 'cli', filename: 'batch-7.csv' })
      .returning();
    const row = await simsRepo(db).byIccid({}, s.iccid);
    await simsRepo(db).update(row!.id, { importId: job!.id });
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}/history`, headers: t.agent });
    const items = res.json().items;
    expect(items[items.length - 1]).toMatchObject({
      id: null,
      action: 'imported',
      actor: { label: `import #${job!.id}` },
      after: { importId: job!.id, source: 'cli', filename: 'batch-7.csv' },
      reason: `imported by import #${job!.id}`,
    });
  });

  it('400 on a forged cursor; 404 across tenants; 401 without credentials', async () => {
    const s = await oneSim('ACTIVATED');
    const forged = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${s.iccid}/history?cursor=bm9wZQ`,
      headers: t.agent,
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details[0]).toMatchObject({ field: 'cursor', value: 'bm9wZQ' });
    const cross = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${s.iccid}/history`,
      headers: other.customer,
    });
    expect(cross.statusCode).toBe(404);
    const missing = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${randomIccid()}/history`,
      headers: t.agent,
    });
    expect(missing.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}/history` })).statusCode).toBe(401);
  });
});
