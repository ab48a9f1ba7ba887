import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
const url = '/api/v1/plans/import';

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

type Result = {
  dryRun: boolean;
  communicationPlans: { index: number; id: number | null; name: string; outcome: string }[];
  ratePlans: { index: number; id: number | null; name: string; accountId: number | null; outcome: string }[];
};
type Refusal = { code: string; message: string; details: { field?: string; value?: unknown; reason: string }[] };
const refusalOf = (res: { json(): unknown }) => (res.json() as { error: Refusal }).error;

const post = (payload: unknown, query = '', headers = t.admin) =>
  h.app.inject({ method: 'POST', url: `${url}${query}`, headers, payload: payload as object });

/** A customer's onboarding catalog: one communication plan, a blocking and a throttling rate plan. */
function catalogFile(tag: string) {
  return {
    communicationPlans: [
      {
        name: `Meters ${tag}`,
        accountId: t.child.id,
        apns: ['meters.example'],
        allowedRats: ['LTE-M', 'NB-IoT'],
        roamingZones: ['EU_EEA'],
        imeiLock: true,
      },
    ],
    ratePlans: [
      {
        name: `Block ${tag}`,
        accountId: t.child.id,
        currency: 'EUR',
        monthlyFee: '0.90',
        included: { dataMb: 5 },
        overage: { action: 'block' },
      },
      {
        name: `Throttle ${tag}`,
        currency: 'EUR',
        monthlyFee: '2.00',
        pooling: 'pooled',
        included: { dataMb: 500 },
        overage: { action: 'throttle', throttleKbps: 64 },
      },
    ],
  };
}

async function ratePlanNamed(name: string) {
  const res = await h.app.inject({
    method: 'GET',
    url: `/api/v1/rate-plans?q=${encodeURIComponent(name)}`,
    headers: t.admin,
  });
  return (res.json() as { items: Record<string, unknown>[] }).items.filter((p) => p.name === name);
}

describe('POST /api/v1/plans/import', () => {
  it('creates the file’s plans with their overage actions and IMEI lock, and says what it did (happy path)', async () => {
    const tag = uniq();
    const res = await post(catalogFile(tag));
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as Result;
    expect(r.dryRun).toBe(false);
    expect(r.communicationPlans).toEqual([
      expect.objectContaining({ index: 0, name: `Meters ${tag}`, outcome: 'created' }),
    ]);
    expect(r.ratePlans.map((p) => [p.index, p.outcome, p.accountId])).toEqual([
      [0, 'created', t.child.id],
      [1, 'created', null],
    ]);
    const [block] = await ratePlanNamed(`Block ${tag}`);
    expect(block).toMatchObject({ id: r.ratePlans[0]!.id, overage: { action: 'block', throttleKbps: null } });
    const [throttle] = await ratePlanNamed(`Throttle ${tag}`);
    expect(throttle).toMatchObject({ pooling: 'pooled', overage: { action: 'throttle', throttleKbps: 64 } });
    const comm = await h.app.inject({
      method: 'GET',
      url: `/api/v1/communication-plans/${r.communicationPlans[0]!.id}`,
      headers: t.admin,
    });
    expect(comm.json()).toMatchObject({ imeiLock: true, apns: ['meters.example'], accountId: t.child.id });
  });

  it('refuses a name its owner already uses unless mode is upsert, which makes the plan what the file says', async () => {
    const tag = uniq();
    expect((await post(catalogFile(tag))).statusCode).toBe(200);
    const again = await post(catalogFile(tag));
    expect(again.statusCode).toBe(400);
    const refusal = refusalOf(again);
    expect(refusal.code).toBe('catalog.import_invalid');
    expect(refusal.details.map((d) => d.field)).toEqual([
      'communicationPlans[0].name',
      'ratePlans[0].name',
      'ratePlans[1].name',
    ]);
    expect(refusal.details[0]!.reason).toMatch(/upsert/);

    const changed = catalogFile(tag);
    changed.ratePlans[1]!.overage = { action: 'block' } as never;
    changed.ratePlans[0]!.included = {} as never; // left out: back to the default
    const up = await post(changed, '?mode=upsert');
    expect(up.statusCode, up.body).toBe(200);
    expect((up.json() as Result).ratePlans.map((p) => p.outcome)).toEqual(['updated', 'updated']);
    expect(await ratePlanNamed(`Throttle ${tag}`)).toEqual([
      expect.objectContaining({ overage: expect.objectContaining({ action: 'block', throttleKbps: null }) }),
    ]);
    expect(await ratePlanNamed(`Block ${tag}`)).toEqual([
      expect.objectContaining({ included: { dataMb: 0, sms: 0, voiceMin: 0 } }),
    ]);
  });

  it('writes nothing when one plan is bad, and names every bad plan by its place in the file', async () => {
    const tag = uniq();
    const file = catalogFile(tag);
    file.ratePlans[1]!.overage = { action: 'throttle' } as never; // no rate
    file.communicationPlans.push({ name: `No APN ${tag}`, allowedRats: ['4G'], services: { data: true } } as never);
    const res = await post(file);
    expect(res.statusCode).toBe(400);
    const refusal = refusalOf(res);
    expect(refusal.message).toMatch(/2 plans of the file are refused; nothing was imported/);
    expect(refusal.details).toEqual([
      expect.objectContaining({ field: 'communicationPlans[1].apns', value: [] }),
      expect.objectContaining({ field: 'ratePlans[1].overage.throttleKbps', reason: 'required with action throttle' }),
    ]);
    expect(await ratePlanNamed(`Block ${tag}`)).toEqual([]);
  });

  it('refuses a shape error with its path, a name twice in one list, and an unknown owner', async () => {
    const bad = await post({ ratePlans: [{ name: 'x', currency: 'EUR', monthlyFee: 'free' }] });
    expect(bad.statusCode).toBe(400);
    expect(refusalOf(bad).details).toEqual([
      expect.objectContaining({ field: 'ratePlans[0].monthlyFee', value: 'free' }),
    ]);
    const unknown = await post({ surprise: [] });
    expect(unknown.statusCode).toBe(400);
    expect(refusalOf(unknown).details).toEqual([expect.objectContaining({ field: 'surprise' })]);

    const tag = uniq();
    const twice = catalogFile(tag);
    twice.ratePlans.push({ ...twice.ratePlans[0]! });
    twice.ratePlans[2]!.accountId = 999_999_999;
    const dup = await post({ ratePlans: [twice.ratePlans[0], twice.ratePlans[0]] });
    expect(refusalOf(dup).details).toEqual([
      { field: 'ratePlans[1].name', value: `Block ${tag}`, reason: 'the same name and owner as ratePlans[0]' },
    ]);
    const owner = await post({ ratePlans: [twice.ratePlans[2]] });
    expect(owner.statusCode).toBe(400);
    expect(refusalOf(owner).details).toEqual([
      expect.objectContaining({ field: 'ratePlans[0].accountId', value: 999_999_999 }),
    ]);
    expect(await ratePlanNamed(`Block ${tag}`)).toEqual([]);
  });

  it('a dry run answers what would happen and writes nothing', async () => {
    const tag = uniq();
    const res = await post(catalogFile(tag), '?dryRun=true');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as Result;
    expect(r.dryRun).toBe(true);
    expect(r.ratePlans.map((p) => [p.outcome, p.id])).toEqual([
      ['created', null],
      ['created', null],
    ]);
    expect(await ratePlanNamed(`Block ${tag}`)).toEqual([]);
    expect((await post(catalogFile(tag), '?dryRun=yes')).statusCode).toBe(400);
  });

  it('is staff only: a customer is refused 403 and nothing is written', async () => {
    const tag = uniq();
    const res = await post(catalogFile(tag), '', t.customer);
    expect(res.statusCode).toBe(403);
    expect(await ratePlanNamed(`Block ${tag}`)).toEqual([]);
  });
});
