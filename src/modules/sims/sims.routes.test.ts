import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makePlans, makeSims, randomIccid, randomImsi, randomMsisdn } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { displayIccid } from './identifiers.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let plans: Awaited<ReturnType<typeof makePlans>>;
let otherPlans: Awaited<ReturnType<typeof makePlans>>;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  plans = await makePlans(h.services, t.root.id);
  otherPlans = await makePlans(h.services, other.root.id);
});
afterAll(() => h.close());

const newSim = (over: Record<string, unknown> = {}) => ({
  iccid: randomIccid(),
  imsis: [randomImsi(), randomImsi()],
  msisdn: `+${randomMsisdn()}`,
  imei: '490154203237518',
  accountId: t.child.id,
  communicationPlanId: plans.communicationPlanId,
  ratePlanId: plans.ratePlanId,
  labels: ['meters', 'north'],
  customFields: { site: 'Kiruna' },
  ...over,
});
const post = (headers: Record<string, string> | undefined, payload: unknown) =>
  h.app.inject({ method: 'POST', url: '/api/v1/sims', headers, payload: payload as Record<string, unknown> });

describe('POST /api/v1/sims', () => {
  it('creates a SIM and presents it with the 20-digit ICCID, current IMSI first, account and plans', async () => {
    const body = newSim();
    const res = await post(t.agent, body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      iccid: displayIccid(body.iccid),
      imsis: [
        { imsi: body.imsis[0], current: true },
        { imsi: body.imsis[1], current: false },
      ],
      msisdn: body.msisdn.slice(1),
      imei: '490154203237518',
      eid: null,
      account: { id: t.child.id, number: t.child.number },
      communicationPlan: { id: plans.communicationPlanId, name: plans.communicationPlanName },
      ratePlan: { id: plans.ratePlanId, name: plans.ratePlanName },
      state: 'INVENTORY',
      networkState: null,
      labels: ['meters', 'north'],
      customFields: { site: 'Kiruna' },
      importId: null,
    });
    expect(res.json().iccid).toHaveLength(20);
  });

  it('accepts a 20-digit ICCID with a valid check digit and stores its body', async () => {
    const body = randomIccid();
    const res = await post(t.admin, newSim({ iccid: displayIccid(body), imsis: [] }));
    expect(res.statusCode).toBe(201);
    expect(res.json().iccid).toBe(displayIccid(body));
  });

  it('creates an IMEI-locked SIM; a lock without an IMEI is refused naming imeiLock', async () => {
    const locked = await post(t.agent, newSim({ imeiLock: true }));
    expect(locked.statusCode, locked.body).toBe(201);
    expect(locked.json()).toMatchObject({ imei: '490154203237518', imeiLock: true });
    const { imei: _, ...noImei } = newSim({ imeiLock: true });
    const refused = await post(t.agent, noImei);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'sims.imei_lock_without_imei' });
    expect(refused.json().error.details[0]).toMatchObject({ field: 'imeiLock', value: true });
  });

  it('400 names every invalid identifier with field, value and reason', async () => {
    const body = randomIccid();
    const iccid = body + String((Number(displayIccid(body)[19]) + 1) % 10); // wrong check digit
    const res = await post(
      t.agent,
      newSim({ iccid, imsis: ['100071234567890'], msisdn: '07012', imei: '490154203237519' }),
    );
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe('sims.iccid_invalid');
    expect(err.details).toContainEqual({
      field: 'iccid',
      value: iccid,
      reason: expect.stringContaining('check digit'),
    });
    expect(err.details).toContainEqual({ field: 'imsis[0]', value: '100071234567890', reason: 'unknown MCC 100' });
    expect(err.details).toContainEqual(expect.objectContaining({ field: 'msisdn', value: '07012' }));
    expect(err.details).toContainEqual(expect.objectContaining({ field: 'imei', value: '490154203237519' }));
  });

  it('400 on a non-digit ICCID and on a shape error (zod)', async () => {
    const res = await post(t.agent, newSim({ iccid: '89ABC' }));
    expect(res.json().error).toMatchObject({ code: 'sims.iccid_invalid' });
    expect(res.json().error.details[0]).toEqual({ field: 'iccid', value: '89ABC', reason: 'must be digits only' });
    const shape = await post(t.agent, newSim({ state: 'SLEEPING' }));
    expect(shape.statusCode).toBe(400);
    expect(shape.json().error.details[0]).toMatchObject({ field: 'state', value: 'SLEEPING' });
  });

  it('400 on an unknown account or a plan not available to it', async () => {
    const unknown = await post(t.agent, newSim({ accountId: 999_999_999 }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'sims.account_unknown' });
    expect(unknown.json().error.details[0]).toMatchObject({ field: 'accountId', value: 999_999_999 });

    const plan = await post(t.agent, newSim({ communicationPlanId: otherPlans.communicationPlanId }));
    expect(plan.statusCode).toBe(400);
    expect(plan.json().error.code).toBe('sims.plan_unavailable');
    expect(plan.json().error.details[0]).toMatchObject({
      field: 'communicationPlanId',
      value: otherPlans.communicationPlanId,
    });
  });

  it('409 on a duplicate ICCID (either form), IMSI or MSISDN, naming field and value', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    const dupIccid = await post(t.agent, newSim({ iccid: s!.iccid20 }));
    expect(dupIccid.statusCode).toBe(409);
    expect(dupIccid.json().error).toMatchObject({ code: 'sims.iccid_taken' });
    expect(dupIccid.json().error.details[0]).toMatchObject({ field: 'iccid', value: s!.iccid20 });

    const dupImsi = await post(t.agent, newSim({ imsis: [randomImsi(), s!.imsis[0]] }));
    expect(dupImsi.statusCode).toBe(409);
    expect(dupImsi.json().error.code).toBe('sims.imsi_taken');
    expect(dupImsi.json().error.details[0]).toMatchObject({ field: 'imsis[1]', value: s!.imsis[0] });

    const dupMsisdn = await post(t.agent, newSim({ msisdn: s!.msisdn }));
    expect(dupMsisdn.statusCode).toBe(409);
    expect(dupMsisdn.json().error.details[0]).toMatchObject({ field: 'msisdn', value: s!.msisdn });
  });

  it('401 without credentials; 403 for customers and read-only tokens', async () => {
    expect((await post(undefined, newSim())).statusCode).toBe(401);
    const cust = await post(t.rootCustomer, newSim());
    expect(cust.statusCode).toBe(403);
    expect(cust.json().error.code).toBe('sims.staff_only');
    expect((await post(t.readOnlyAgent, newSim())).json().error.code).toBe('auth.scope_missing');
  });
});

describe('GET /api/v1/sims/:iccid', () => {
  it('finds a SIM by its 19- or 20-digit ICCID, for staff and the owning customer', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1);
    for (const [headers, id] of [
      [t.agent, s!.iccid],
      [t.customer, s!.iccid20],
      [t.rootCustomer, s!.iccid],
    ] as const) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${id}`, headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ iccid: s!.iccid20, account: { id: t.child.id } });
    }
  });

  it('400 on an invalid ICCID, naming it', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/sims/8912', headers: t.agent });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'sims.iccid_invalid' });
    expect(res.json().error.details[0]).toMatchObject({ field: 'iccid', value: '8912' });
  });

  it("404 for another tenant's SIM and for a sibling branch, exactly like a missing one", async () => {
    const [mine] = await makeSims(h.services, t.root.id, 1);
    const [theirs] = await makeSims(h.services, other.child.id, 1);
    const cross = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${theirs!.iccid20}`,
      headers: t.rootCustomer,
    });
    const parent = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${mine!.iccid20}`, headers: t.customer });
    const missing = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${randomIccid()}`, headers: t.agent });
    for (const res of [cross, parent, missing]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('sims.not_found');
    }
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/sims/${randomIccid()}` })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/sims', () => {
  async function freshAccount(parentId: number) {
    return h.services.accounts.create(cliPrincipal(), {
      number: `L-${uniq()}`,
      name: 'List test',
      parentId,
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: 'SE',
    });
  }
  const list = async (headers: Record<string, string>, qs: string) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/sims?${qs}`, headers });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { iccid: string; state: string }[]; nextCursor: string | null };
  };

  it('pages through an account by ICCID and by createdAt desc without gaps or repeats', async () => {
    const a = await freshAccount(t.root.id);
    const made = await makeSims(h.services, a.id, 5);
    for (const [sort, order, expected] of [
      ['iccid', 'asc', made.map((m) => m.iccid20).sort()],
      [
        'iccid',
        'desc',
        made
          .map((m) => m.iccid20)
          .sort()
          .reverse(),
      ],
      ['createdAt', 'desc', made.map((m) => m.iccid20).reverse()],
      ['updatedAt', 'asc', made.map((m) => m.iccid20)],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof list>> = await list(
          t.agent,
          `accountId=${a.id}&sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.items.map((i) => i.iccid));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
    }
  });

  it('filters by subtree, state(s), plans, prefixes and label', async () => {
    const a = await freshAccount(t.root.id);
    const b = await freshAccount(a.id);
    const [inA] = await makeSims(h.services, a.id, 1, { state: 'ACTIVATED', labels: ['fleet-x'] });
    const [inB] = await makeSims(h.services, b.id, 1, { state: 'TEST_READY', ...plans });
    const iccids = async (qs: string) => (await list(t.agent, qs)).items.map((i) => i.iccid).sort();
    const both = [inA!.iccid20, inB!.iccid20].sort();
    expect(await iccids(`accountId=${a.id}`)).toEqual(both);
    expect(await iccids(`accountId=${a.id}&subtree=false`)).toEqual([inA!.iccid20]);
    expect(await iccids(`accountId=${a.id}&state=ACTIVATED,TEST_READY`)).toEqual(both);
    expect(await iccids(`accountId=${a.id}&state=TEST_READY&state=RETIRED`)).toEqual([inB!.iccid20]);
    expect(await iccids(`accountId=${a.id}&communicationPlanId=${plans.communicationPlanId}`)).toEqual([inB!.iccid20]);
    expect(await iccids(`accountId=${a.id}&ratePlanId=${plans.ratePlanId}`)).toEqual([inB!.iccid20]);
    expect(await iccids(`accountId=${a.id}&label=fleet-x`)).toEqual([inA!.iccid20]);
    expect(await iccids(`iccid=${inA!.iccid.slice(0, 17)}&accountId=${a.id}`)).toEqual([inA!.iccid20]);
    expect(await iccids(`imsi=${inB!.imsis[0]!.slice(0, 12)}`)).toEqual([inB!.iccid20]);
    expect(await iccids(`msisdn=%2B${inA!.msisdn}`)).toEqual([inA!.iccid20]);
  });

  it("customers list only their own subtree, never another tenant's SIMs", async () => {
    const [onChild] = await makeSims(h.services, t.child.id, 1);
    const [onRoot] = await makeSims(h.services, t.root.id, 1);
    const [foreign] = await makeSims(h.services, other.root.id, 1);
    const child = (await list(t.customer, 'limit=1000')).items.map((i) => i.iccid);
    expect(child).toContain(onChild!.iccid20);
    expect(child).not.toContain(onRoot!.iccid20);
    const root = (await list(t.rootCustomer, 'limit=1000')).items.map((i) => i.iccid);
    expect(root).toEqual(expect.arrayContaining([onChild!.iccid20, onRoot!.iccid20]));
    expect(root).not.toContain(foreign!.iccid20);
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims?accountId=${other.root.id}`,
      headers: t.rootCustomer,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'accountId', value: other.root.id });
  });

  it('400 on a bad state, prefix, limit or cursor, naming the field', async () => {
    const cases: [string, string][] = [
      ['state=SLEEPING', 'querystring.state'],
      ['imsi=24a', 'imsi'],
      ['limit=1001', 'querystring.limit'],
      ['cursor=bm9wZQ', 'cursor'],
    ];
    for (const [qs, field] of cases) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/sims?${qs}`, headers: t.agent });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error.details[0].field, qs).toContain(field);
    }
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/sims' })).statusCode).toBe(401);
  });
});
