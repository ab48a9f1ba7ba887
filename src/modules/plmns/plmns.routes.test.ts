import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

type PlmnJson = { plmn: string; mcc: string; countryCodes: string[]; operator: string | null; brand: string | null };
const get = (url: string, headers: Record<string, string> = t.customer) =>
  h.app.inject({ method: 'GET', url, headers });

// Reference data is the same for every tenant, so there is no cross-tenant case: any customer may read it.
describe('GET /api/v1/plmns', () => {
  it('filters by MCC and by country', async () => {
    const se = await get('/api/v1/plmns?mcc=240&limit=500');
    expect(se.statusCode).toBe(200);
    const items = se.json().items as PlmnJson[];
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((p) => p.mcc === '240')).toBe(true);
    expect(items.map((p) => p.plmn)).toContain('24001');

    const au = await get('/api/v1/plmns?country=au&limit=500');
    expect((au.json().items as PlmnJson[]).every((p) => p.countryCodes.includes('AU'))).toBe(true);
    expect(au.json().items.length).toBeGreaterThan(0);
  });

  it('q matches operator or brand case-insensitively', async () => {
    const res = await get('/api/v1/plmns?q=TELIA&country=SE');
    const items = res.json().items as PlmnJson[];
    expect(items.map((p) => p.plmn)).toContain('24001');
    for (const p of items) expect(`${p.operator} ${p.brand}`.toLowerCase()).toContain('telia');
  });

  it('pages through every match exactly once', async () => {
    const all = (await get('/api/v1/plmns?mcc=234&limit=500')).json().items as PlmnJson[];
    const seen: PlmnJson[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/plmns?mcc=234&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(res.json().items as PlmnJson[]));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it.each([
    ['mcc=24', 'querystring.mcc', '24'],
    ['country=SWE', 'querystring.country', 'SWE'],
    ['limit=501', 'querystring.limit', '501'],
  ])('400 on %s names the field and value', async (query, field, value) => {
    const res = await get(`/api/v1/plmns?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field, value });
  });

  it('400 on a forged cursor', async () => {
    const res = await get('/api/v1/plmns?cursor=eHl6');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'plmns.cursor_invalid', details: [{ field: 'cursor' }] });
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/plmns' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/plmns/:plmn', () => {
  it('returns operator and country (happy path)', async () => {
    const res = await get('/api/v1/plmns/24001');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      plmn: '24001',
      mcc: '240',
      mnc: '01',
      countryCode: 'SE',
      countryName: 'Sweden',
      type: 'National',
      otherEntries: [],
    });
  });

  it('lists the other entries of a code shared by several territories', async () => {
    const res = await get('/api/v1/plmns/27077');
    const countries = [
      res.json().countryCode,
      ...res.json().otherEntries.map((e: PlmnJson & { countryCode: string }) => e.countryCode),
    ];
    expect(countries.sort()).toEqual(['BE', 'LU']);
  });

  it('404 plmns.not_found for an unknown code', async () => {
    const res = await get('/api/v1/plmns/24099');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'plmns.not_found', details: [{ field: 'plmn', value: '24099' }] });
  });

  it.each(['2400', '2400123', '24a01'])('400 for %s (not 5–6 digits)', async (plmn) => {
    const res = await get(`/api/v1/plmns/${plmn}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'params.plmn', value: plmn });
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/plmns/24001' })).statusCode).toBe(401);
  });
});
