import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

type Headers = Record<string, string>;
const post = async (url: string, payload: Record<string, unknown>) => {
  const res = await h.app.inject({ method: 'POST', url, headers: t.admin, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; name: string };
};
const del = (url: string, headers: Headers = t.admin) => h.app.inject({ method: 'DELETE', url, headers });
const get = (url: string, headers: Headers = t.admin) => h.app.inject({ method: 'GET', url, headers });

const calendar = () =>
  post('/api/v1/sla/calendars', {
    name: `Cal ${uniq()}`,
    timeZone: 'Europe/Stockholm',
    weeklyHours: { mon: [['08:00', '17:00']] },
  });
const policy = (calendarId: number) =>
  post('/api/v1/sla/policies', {
    name: `Pol ${uniq()}`,
    match: { caseTypes: ['order'], accountIds: [t.root.id] },
    calendarId,
    targets: { firstResponseMinutes: 60, periodicUpdateMinutes: 240, resolutionMinutes: 2400 },
  });

describe('DELETE /api/v1/sla/calendars/:id', () => {
  it('deletes an unused calendar (happy path)', async () => {
    const c = await calendar();
    expect((await del(`/api/v1/sla/calendars/${c.id}`)).statusCode).toBe(204);
    expect((await get(`/api/v1/sla/calendars/${c.id}`)).statusCode).toBe(404);
  });

  it('409 naming the policies that use it; deletable once they are gone', async () => {
    const c = await calendar();
    const p = await policy(c.id);
    const res = await del(`/api/v1/sla/calendars/${c.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'sla.calendar_in_use',
      details: [{ field: 'id', value: c.id, reason: `used by policies ${p.id}: "${p.name}"` }],
    });
    expect(res.json().error.message).toContain(p.name);
    expect((await del(`/api/v1/sla/policies/${p.id}`)).statusCode).toBe(204);
    expect((await del(`/api/v1/sla/calendars/${c.id}`)).statusCode).toBe(204);
  });

  it('409 for a built-in calendar; 404 unknown; 400 names the id', async () => {
    const cals = (await get('/api/v1/sla/calendars')).json().items as { id: number; key: string | null }[];
    const builtIn = cals.find((c) => c.key === 'business')!;
    const res = await del(`/api/v1/sla/calendars/${builtIn.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'sla.built_in_kept',
      details: [{ field: 'id', value: builtIn.id }],
    });
    expect((await del('/api/v1/sla/calendars/99999999')).statusCode).toBe(404);
    const bad = await del('/api/v1/sla/calendars/x');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'params.id', value: 'x' });
  });

  it('403 to agents and customers, 401 without auth', async () => {
    const c = await calendar();
    expect((await del(`/api/v1/sla/calendars/${c.id}`, t.agent)).statusCode).toBe(403);
    expect((await del(`/api/v1/sla/calendars/${c.id}`, t.customer)).statusCode).toBe(403);
    expect((await del(`/api/v1/sla/calendars/${c.id}`, {})).statusCode).toBe(401);
    expect((await get(`/api/v1/sla/calendars/${c.id}`)).statusCode).toBe(200);
  });
});

describe('DELETE /api/v1/sla/policies/:id', () => {
  it('deletes a policy; 409 for a built-in one; 404 unknown', async () => {
    const cals = (await get('/api/v1/sla/calendars')).json().items as { id: number }[];
    const p = await policy(cals[0]!.id);
    expect((await del(`/api/v1/sla/policies/${p.id}`)).statusCode).toBe(204);
    expect((await get(`/api/v1/sla/policies/${p.id}`)).statusCode).toBe(404);
    const pols = (await get('/api/v1/sla/policies')).json().items as { id: number; builtIn: boolean }[];
    const builtIn = pols.find((x) => x.builtIn)!;
    const res = await del(`/api/v1/sla/policies/${builtIn.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('sla.built_in_kept');
    expect((await del('/api/v1/sla/policies/99999999')).statusCode).toBe(404);
  });

  it('403 to agents and customers, 401 without auth', async () => {
    const cals = (await get('/api/v1/sla/calendars')).json().items as { id: number }[];
    const p = await policy(cals[0]!.id);
    expect((await del(`/api/v1/sla/policies/${p.id}`, t.agent)).statusCode).toBe(403);
    expect((await del(`/api/v1/sla/policies/${p.id}`, t.customer)).statusCode).toBe(403);
    expect((await del(`/api/v1/sla/policies/${p.id}`, {})).statusCode).toBe(401);
  });
});

describe('GET /api/v1/sla/priority-matrix/default', () => {
  it('answers the built-in matrix, also after a change; staff only', async () => {
    const before = await get('/api/v1/sla/priority-matrix/default', t.agent);
    expect(before.statusCode).toBe(200);
    const def = before.json();
    expect(Object.keys(def).sort()).toEqual(['impact', 'priority', 'urgency']);
    const changed = structuredClone(def);
    changed.priority['1']['1'] = changed.priority['1']['1'] === 'P1' ? 'P2' : 'P1';
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/sla/priority-matrix',
      headers: t.admin,
      payload: changed,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await get('/api/v1/sla/priority-matrix/default', t.admin)).json()).toEqual(def);
    expect((await get('/api/v1/sla/priority-matrix', t.admin)).json().matrix).toEqual(changed);
    expect((await get('/api/v1/sla/priority-matrix/default', t.customer)).statusCode).toBe(403);
    expect((await get('/api/v1/sla/priority-matrix/default', {})).statusCode).toBe(401);
  });
});
