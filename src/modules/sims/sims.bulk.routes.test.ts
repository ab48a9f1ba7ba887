import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makePlans, makeSims, randomIccid } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { displayIccid } from './identifiers.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const bulk = (headers: Record<string, string> | undefined, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: '/api/v1/sims/bulk', headers, payload });
const stateOf = async (s: MadeSim) =>
  (await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}`, headers: t.agent })).json().state as string;
const freshAccount = (parentId: number) =>
  h.services.accounts.create(cliPrincipal(), {
    number: `B-${uniq()}`,
    name: 'Bulk test',
    parentId,
    vipTier: 'standard',
    language: 'en',
    timeZone: 'UTC',
    country: 'SE',
  });

/** 3 ACTIVATED, 1 already DEACTIVATED, 1 INVENTORY (no INVENTORY → DEACTIVATED transition exists). */
async function mixedSims(accountId: number) {
  const active = await makeSims(h.services, accountId, 3, { state: 'ACTIVATED' });
  const [done] = await makeSims(h.services, accountId, 1, { state: 'DEACTIVATED' });
  const [stock] = await makeSims(h.services, accountId, 1, { state: 'INVENTORY' });
  return { active, done: done!, stock: stock!, all: [...active, done!, stock!] };
}

describe('POST /api/v1/sims/bulk — state', () => {
  it('a dry run reports what would change and changes nothing', async () => {
    const m = await mixedSims(t.child.id);
    const res = await bulk(t.agent, {
      selection: { iccids: m.all.map((s) => s.iccid20) },
      change: { state: 'DEACTIVATED' },
      dryRun: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: true,
      matched: 5,
      wouldChange: 3,
      changed: 0,
      unchanged: 1,
      rejectedCount: 1,
      rejected: [{ iccid: m.stock.iccid20, reason: 'transition not allowed from INVENTORY to DEACTIVATED' }],
      rejectedByReason: [
        { reason: 'transition not allowed from INVENTORY to DEACTIVATED', count: 1, examples: [m.stock.iccid20] },
      ],
    });
    expect(await stateOf(m.active[0]!)).toBe('ACTIVATED');
  });

  it('is all-or-nothing: one rejected SIM → 409 listing it, nothing changed', async () => {
    const m = await mixedSims(t.child.id);
    const res = await bulk(t.agent, {
      selection: { iccids: m.all.map((s) => s.iccid) },
      change: { state: 'DEACTIVATED' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('sims.bulk_rejected');
    expect(res.json().error.details).toEqual([
      { field: 'iccid', value: m.stock.iccid20, reason: 'transition not allowed from INVENTORY to DEACTIVATED' },
    ]);
    for (const s of m.active) expect(await stateOf(s)).toBe('ACTIVATED');
  });

  it('skipRejected applies the change to the others, with one audit row each', async () => {
    const m = await mixedSims(t.child.id);
    const res = await bulk(t.agent, {
      selection: { iccids: m.all.map((s) => s.iccid) },
      change: { state: 'DEACTIVATED', reason: 'customer asked' },
      skipRejected: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: false, matched: 5, wouldChange: 3, changed: 3, rejectedCount: 1 });
    for (const s of m.active) expect(await stateOf(s)).toBe('DEACTIVATED');
    expect(await stateOf(m.stock)).toBe('INVENTORY');
    const hist = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${m.active[0]!.iccid}/history`,
      headers: t.agent,
    });
    expect(hist.json().items[0]).toMatchObject({
      action: 'state_changed',
      before: { state: 'ACTIVATED' },
      after: { state: 'DEACTIVATED' },
      reason: 'customer asked',
    });
    const doneHist = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${m.done.iccid}/history`,
      headers: t.agent,
    });
    expect(doneHist.json().items.map((i: { action: string }) => i.action)).toEqual(['created']);
  });

  it('selects by filter; customers are refused provider-only transitions per SIM', async () => {
    const a = await freshAccount(t.child.id);
    await makeSims(h.services, a.id, 2, { state: 'INVENTORY' });
    const [ready] = await makeSims(h.services, a.id, 1, { state: 'TEST_READY' });
    const res = await bulk(t.customer, {
      selection: { filter: { accountId: a.id, state: ['INVENTORY', 'TEST_READY'] } },
      change: { state: 'ACTIVATED' },
      dryRun: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ matched: 3, wouldChange: 1, rejectedCount: 2 });
    expect(res.json().rejected[0].reason).toBe('only the provider may move a SIM from INVENTORY to ACTIVATED');
    const apply = await bulk(t.customer, {
      selection: { filter: { accountId: a.id, state: 'TEST_READY' } },
      change: { state: 'ACTIVATED' },
    });
    expect(apply.json()).toMatchObject({ matched: 1, changed: 1 });
    expect(await stateOf(ready!)).toBe('ACTIVATED');
  });
});

describe('POST /api/v1/sims/bulk — plans', () => {
  it('changes plans set-based, rejecting SIMs whose account may not use the plan', async () => {
    const rootPlans = await makePlans(h.services, t.root.id);
    const childPlans = await makePlans(h.services, t.child.id);
    const a = await freshAccount(t.child.id);
    const onSub = await makeSims(h.services, a.id, 2, rootPlans);
    const [onRoot] = await makeSims(h.services, t.root.id, 1, { labels: [`bulk-${a.id}`] });
    await h.services.sims.update(cliPrincipal(), onSub[0]!.iccid, { labels: [`bulk-${a.id}`] });
    await h.services.sims.update(cliPrincipal(), onSub[1]!.iccid, { labels: [`bulk-${a.id}`] });
    const payload = {
      selection: { filter: { accountId: t.root.id, label: `bulk-${a.id}` } },
      change: { communicationPlanId: childPlans.communicationPlanId },
    };
    const refused = await bulk(t.agent, payload);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details[0]).toMatchObject({
      value: onRoot!.iccid20,
      reason: `communication plan ${childPlans.communicationPlanId} is not available to account ${t.root.number}`,
    });
    const res = await bulk(t.agent, { ...payload, skipRejected: true });
    expect(res.json()).toMatchObject({ matched: 3, changed: 2, rejectedCount: 1, unchanged: 0 });
    const sim = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${onSub[0]!.iccid}`, headers: t.customer });
    expect(sim.json()).toMatchObject({
      communicationPlan: { id: childPlans.communicationPlanId },
      ratePlan: { id: rootPlans.ratePlanId },
    });
    const hist = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${onSub[0]!.iccid}/history`,
      headers: t.agent,
    });
    expect(hist.json().items[0]).toMatchObject({
      action: 'updated',
      before: { communicationPlanId: rootPlans.communicationPlanId },
      after: { communicationPlanId: childPlans.communicationPlanId },
    });
    const again = await bulk(t.agent, { ...payload, skipRejected: true, dryRun: true });
    expect(again.json()).toMatchObject({ wouldChange: 0, unchanged: 2, rejectedCount: 1 });
    // The refusal grouped by its rule (the plan not offered to the root account), counted, with the SIM as example.
    expect(again.json().rejectedByReason).toEqual([
      {
        reason: `communication plan ${childPlans.communicationPlanId} is not available to account ${t.root.number}`,
        count: 1,
        examples: [onRoot!.iccid20],
      },
    ]);
  });
});

describe('POST /api/v1/sims/bulk — bad input and tenancy', () => {
  it('400 naming unknown ICCIDs; nothing changes', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const ghost = randomIccid();
    const res = await bulk(t.agent, { selection: { iccids: [s!.iccid, ghost] }, change: { state: 'DEACTIVATED' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('sims.bulk_unknown_iccids');
    expect(res.json().error.details).toEqual([
      { field: 'selection.iccids', value: displayIccid(ghost), reason: 'unknown ICCID' },
    ]);
    expect(await stateOf(s!)).toBe('ACTIVATED');
  });

  it('400 on an invalid ICCID in the list and on a malformed change', async () => {
    const res = await bulk(t.agent, { selection: { iccids: [randomIccid(), '8912'] }, change: { state: 'ACTIVATED' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('sims.iccid_invalid');
    expect(res.json().error.details[0]).toMatchObject({ field: 'selection.iccids[1]', value: '8912' });
    const shape = await bulk(t.agent, { selection: { iccids: [randomIccid()] }, change: {} });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().error.code).toBe('request.invalid');
  });

  it("a customer cannot reach another tenant's SIMs: they count as unknown and stay untouched", async () => {
    const [foreign] = await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' });
    const res = await bulk(t.rootCustomer, {
      selection: { iccids: [foreign!.iccid] },
      change: { state: 'DEACTIVATED' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ value: foreign!.iccid20, reason: 'unknown ICCID' });
    const byFilter = await bulk(t.rootCustomer, {
      selection: { filter: { accountId: other.root.id } },
      change: { state: 'DEACTIVATED' },
    });
    expect(byFilter.statusCode).toBe(400);
    expect(byFilter.json().error.code).toBe('sims.account_unknown');
    expect(await stateOf(foreign!)).toBe('ACTIVATED');
  });

  it('401 without credentials; 403 for a read-only token', async () => {
    const payload = { selection: { iccids: [randomIccid()] }, change: { state: 'ACTIVATED' } };
    expect((await bulk(undefined, payload)).statusCode).toBe(401);
    expect((await bulk(t.readOnlyAgent, payload)).statusCode).toBe(403);
  });
});
