import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let labelled: MadeSim[];
let plain: MadeSim[];

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  labelled = await makeSims(h.services, t.child.id, 3, { labels: ['site-7'] });
  plain = await makeSims(h.services, t.child.id, 2);
});
afterAll(async () => h.close());

type Headers = Record<string, string>;
type Page = { selection: string; affectedSimCount: number; items: { iccid: string }[]; nextCursor: string | null };
const create = (payload: Record<string, unknown>, headers: Headers = t.agent) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers,
    payload: { accountId: t.child.id, type: 'incident', subject: 'No data at site 7', ...payload },
  });
const simsOf = async (number: string, headers: Headers = t.agent, q = '') => {
  const res = await h.app.inject({ url: `/api/v1/cases/${number}/sims${q}`, headers });
  return { status: res.statusCode, body: res.json() as Page & { error: { code: string } } };
};
const sorted = (xs: MadeSim[]) => xs.map((s) => s.iccid20).sort();

describe('affected SIMs as a saved filter', () => {
  it('stores the filter pinned to the case account, counts its SIMs, and lists what it selects', async () => {
    const res = await create({ affectedFilter: { label: 'site-7' } });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ affectedSimCount: 3, affectedFilter: { label: 'site-7', accountId: t.child.id } });
    const page = await simsOf(c.number);
    expect(page.body.selection).toBe('filter');
    expect(page.body.items.map((s) => s.iccid).sort()).toEqual(sorted(labelled));
    // The customer of that account reads the same list; another tenant does not find the case.
    expect((await simsOf(c.number, t.customer)).body.items).toHaveLength(3);
    expect((await simsOf(c.number, other.customer)).status).toBe(404);
  });

  it('pages by ICCID with a cursor', async () => {
    const c = (await create({ affectedFilter: { accountId: t.child.id } })).json();
    expect(c.affectedSimCount).toBe(5);
    const first = (await simsOf(c.number, t.agent, '?limit=2')).body;
    const second = (await simsOf(c.number, t.agent, `?limit=2&cursor=${first.nextCursor}`)).body;
    const third = (await simsOf(c.number, t.agent, `?limit=2&cursor=${second.nextCursor}`)).body;
    const all = [...first.items, ...second.items, ...third.items].map((s) => s.iccid);
    expect(all).toEqual(sorted([...labelled, ...plain]));
    expect(third.nextCursor).toBeNull();
  });

  it('refuses a list and a filter together, a filter outside the case account, and unknown filter fields', async () => {
    const both = await create({ affectedIccids: [plain[0]!.iccid20], affectedFilter: { label: 'site-7' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toMatchObject({ code: 'cases.affected_filter_invalid' });
    const outside = await create({ affectedFilter: { accountId: other.child.id } });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details[0]).toMatchObject({
      field: 'affectedFilter.accountId',
      value: other.child.id,
    });
    // The enterprise above the case account is outside its subtree too.
    const up = await create({ affectedFilter: { accountId: t.root.id } });
    expect(up.statusCode).toBe(400);
    const junk = await create({ affectedFilter: { colour: 'red' } });
    expect(junk.statusCode).toBe(400);
    expect(JSON.stringify(junk.json().error.details)).toContain('affectedFilter');
    const badState = await create({ affectedFilter: { state: 'ONLINE' } });
    expect(badState.statusCode).toBe(400);
    expect(badState.json().error.details[0]).toMatchObject({ field: 'affectedFilter.state', value: 'ONLINE' });
  });
});

describe('affected SIMs as a list', () => {
  it('lists the listed SIMs; an update switches list and filter and recounts', async () => {
    const c = (await create({ affectedIccids: [plain[0]!.iccid20, labelled[0]!.iccid20] })).json();
    const page = (await simsOf(c.number)).body;
    expect(page).toMatchObject({ selection: 'list', affectedSimCount: 2 });
    expect(page.items.map((s) => s.iccid).sort()).toEqual(sorted([plain[0]!, labelled[0]!]));
    const patch = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'PATCH', url: `/api/v1/cases/${c.number}`, headers: t.agent, payload });
    const toFilter = await patch({ affectedFilter: { label: 'site-7' } });
    expect(toFilter.json()).toMatchObject({ affectedSimCount: 3, affectedFilter: { label: 'site-7' } });
    expect((await simsOf(c.number)).body.selection).toBe('filter');
    const toList = await patch({ affectedIccids: [plain[1]!.iccid20] });
    expect(toList.json()).toMatchObject({ affectedSimCount: 1, affectedFilter: null });
    expect((await simsOf(c.number)).body.items.map((s) => s.iccid)).toEqual([plain[1]!.iccid20]);
    const none = await patch({ affectedFilter: null });
    expect(none.json()).toMatchObject({ affectedSimCount: 0, affectedFilter: null });
    expect((await simsOf(c.number)).body).toMatchObject({ selection: 'none', items: [] });
  });

  it('401 without auth, 404 for an unknown case, 400 on a bad limit', async () => {
    expect((await h.app.inject({ url: '/api/v1/cases/C-2026-000001/sims' })).statusCode).toBe(401);
    expect((await simsOf('C-1999-999999')).status).toBe(404);
    const c = (await create({})).json();
    expect((await simsOf(c.number, t.agent, '?limit=0')).status).toBe(400);
  });
});
