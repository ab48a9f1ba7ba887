import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makePlans, makeSims, randomMsisdn } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let plans: Awaited<ReturnType<typeof makePlans>>;
let childPlans: Awaited<ReturnType<typeof makePlans>>;
let otherPlans: Awaited<ReturnType<typeof makePlans>>;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  plans = await makePlans(h.services, t.root.id);
  childPlans = await makePlans(h.services, t.child.id);
  otherPlans = await makePlans(h.services, other.root.id);
});
afterAll(() => h.close());

const patch = (iccid: string, headers: Record<string, string> | undefined, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'PATCH', url: `/api/v1/sims/${iccid}`, headers, payload });
const history = async (iccid: string) =>
  (await h.app.inject({ method: 'GET', url: `/api/v1/sims/${iccid}/history`, headers: t.agent })).json().items;

describe('PATCH /api/v1/sims/:iccid', () => {
  it('a customer changes labels, custom fields and plans; the audit row holds only the changed fields', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { labels: ['a'], ...plans });
    const res = await patch(s!.iccid20, t.customer, {
      labels: ['a', 'b', 'b'],
      customFields: { site: 'Luleå', gone: null },
      communicationPlanId: childPlans.communicationPlanId,
      ratePlanId: plans.ratePlanId,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      labels: ['a', 'b'],
      customFields: { site: 'Luleå' },
      communicationPlan: { id: childPlans.communicationPlanId, name: childPlans.communicationPlanName },
      ratePlan: { id: plans.ratePlanId },
    });
    const [last] = await history(s!.iccid);
    expect(last).toMatchObject({
      action: 'updated',
      before: { labels: ['a'], customFields: {}, communicationPlanId: plans.communicationPlanId },
      after: {
        labels: ['a', 'b'],
        customFields: { site: 'Luleå' },
        communicationPlanId: childPlans.communicationPlanId,
      },
    });
    expect(Object.keys(last.after).sort()).toEqual(['communicationPlanId', 'customFields', 'labels']);
  });

  it('staff change identifiers; a no-op PATCH writes no audit row', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    const msisdn = randomMsisdn();
    const res = await patch(s!.iccid, t.agent, { imei: '49015420323751', msisdn: `+${msisdn}`, eid: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ imei: '49015420323751', msisdn });
    const before = (await history(s!.iccid)).length;
    expect((await patch(s!.iccid, t.agent, { msisdn })).statusCode).toBe(200);
    expect(await history(s!.iccid)).toHaveLength(before);
  });

  it('staff lock a SIM to its IMEI; the lock needs an IMEI, a customer may not set it', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    const none = await patch(s!.iccid, t.agent, { imei: null, imeiLock: true });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'sims.imei_lock_without_imei' });
    expect(none.json().error.details[0]).toMatchObject({ field: 'imeiLock', value: true });
    const locked = await patch(s!.iccid, t.agent, { imei: '49015420323751', imeiLock: true });
    expect(locked.statusCode, locked.body).toBe(200);
    expect(locked.json()).toMatchObject({ imei: '49015420323751', imeiLock: true });
    // The IMEI of a locked SIM cannot be dropped (the lock would lock to nothing).
    const drop = await patch(s!.iccid, t.agent, { imei: null });
    expect(drop.statusCode).toBe(400);
    expect(drop.json().error.details[0]).toMatchObject({ field: 'imei' });
    const customer = await patch(s!.iccid, t.customer, { imeiLock: false });
    expect(customer.statusCode).toBe(403);
    expect(customer.json().error.details[0]).toMatchObject({ field: 'imeiLock', value: false });
    const [last] = await history(s!.iccid);
    expect(last).toMatchObject({ before: { imeiLock: false }, after: { imeiLock: true } });
  });

  it('403 sims.field_forbidden when a customer touches an identifier', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    const res = await patch(s!.iccid, t.customer, { imei: '490154203237518' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'sims.field_forbidden' });
    expect(res.json().error.details[0]).toMatchObject({ field: 'imei', value: '490154203237518' });
  });

  it('400 sims.plan_unavailable naming field and value for a plan the account may not use', async () => {
    const [s] = await makeSims(h.services, t.root.id, 1);
    // childPlans belong to the sub-account: not available to a SIM on the root account.
    for (const [field, value] of [
      ['communicationPlanId', childPlans.communicationPlanId],
      ['ratePlanId', otherPlans.ratePlanId],
      ['ratePlanId', 999_999_999],
    ] as const) {
      const res = await patch(s!.iccid, t.rootCustomer, { [field]: value });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('sims.plan_unavailable');
      expect(res.json().error.details[0]).toMatchObject({ field, value });
    }
  });

  it('400 on an invalid identifier, an unknown field or a bad custom field name', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    const imei = await patch(s!.iccid, t.agent, { imei: '490154203237519' });
    expect(imei.statusCode).toBe(400);
    expect(imei.json().error).toMatchObject({ code: 'sims.imei_invalid' });
    expect(imei.json().error.details[0]).toMatchObject({ field: 'imei', value: '490154203237519' });
    expect((await patch(s!.iccid, t.agent, { state: 'ACTIVATED' })).statusCode).toBe(400);
    const key = await patch(s!.iccid, t.agent, { customFields: { 'bad key': 'x' } });
    expect(key.statusCode).toBe(400);
    expect(key.json().error.details[0].field).toContain('customFields');
  });

  it('409 when the MSISDN belongs to another SIM', async () => {
    const [a, b] = await makeSims(h.services, t.child.id, 2);
    const res = await patch(a!.iccid, t.admin, { msisdn: b!.msisdn });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'sims.msisdn_taken' });
    expect(res.json().error.details[0]).toMatchObject({ field: 'msisdn', value: b!.msisdn });
  });

  it("404 for another tenant's SIM; 401 without credentials", async () => {
    const [s] = await makeSims(h.services, other.child.id, 1, { labels: ['keep'] });
    const res = await patch(s!.iccid, t.rootCustomer, { labels: ['hijacked'] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('sims.not_found');
    expect((await patch(s!.iccid, undefined, { labels: [] })).statusCode).toBe(401);
    const after = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s!.iccid}`, headers: t.agent });
    expect(after.json().labels).toEqual(['keep']);
  });
});
