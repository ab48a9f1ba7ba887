import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { createSlaService } from './sla.service.ts';

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
type Headers = Record<string, string>;
const send = (method: 'POST' | 'PATCH', url: string, headers: Headers, payload: Json) =>
  h.app.inject({ method, url, headers, payload });
const get = (url: string, headers: Headers = {}) => h.app.inject({ method: 'GET', url, headers });

const week = (hours: [string, string][]) => ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours });
const calendarBody = (extra: Json = {}) => ({
  name: `Cal ${uniq()}`,
  timeZone: 'Europe/Stockholm',
  weeklyHours: week([['08:00', '17:00']]),
  holidays: { country: 'SE' },
  ...extra,
});

async function calendarId(key: string): Promise<number> {
  const res = await get('/api/v1/sla/calendars', t.agent);
  const cal = (res.json().items as Json[]).find((c) => c.key === key);
  return cal!.id as number;
}

async function makePolicy(extra: Json): Promise<Json> {
  const res = await send('POST', '/api/v1/sla/policies', t.admin, {
    name: `Policy ${uniq()}`,
    calendarId: await calendarId('24x7'),
    targets: { firstResponseMinutes: 15, periodicUpdateMinutes: 120, resolutionMinutes: 240 },
    ...extra,
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('SLA calendars', () => {
  it('seeds the 24x7 and business-hours calendars and lists them to staff', async () => {
    const res = await get('/api/v1/sla/calendars', t.readOnlyAgent);
    expect(res.statusCode).toBe(200);
    const keys = (res.json().items as Json[]).map((c) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['24x7', 'business']));
  });

  it('creates and patches a calendar; PATCH re-validates the merged definition', async () => {
    const res = await send('POST', '/api/v1/sla/calendars', t.admin, calendarBody());
    expect(res.statusCode).toBe(201);
    const cal = res.json();
    expect(cal).toMatchObject({ builtIn: false, timeZone: 'Europe/Stockholm', holidays: { country: 'SE' } });
    const patched = await send('PATCH', `/api/v1/sla/calendars/${cal.id}`, t.admin, {
      timeZone: 'America/New_York',
      holidays: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ timeZone: 'America/New_York', holidays: null, name: cal.name });
    expect((await get(`/api/v1/sla/calendars/${cal.id}`, t.agent)).json().timeZone).toBe('America/New_York');
  });

  it.each([
    [
      'overlapping hours',
      {
        weeklyHours: {
          mon: [
            ['08:00', '12:00'],
            ['11:00', '17:00'],
          ],
        },
      },
      'weeklyHours.mon[1]',
      'overlaps',
    ],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone', 'unknown time zone'],
    ['an unknown holiday country', { holidays: { country: 'XX' } }, 'holidays.country', 'unknown holiday country XX'],
  ])('answers 400 naming the field for %s', async (_what, extra, field, reason) => {
    const res = await send('POST', '/api/v1/sla/calendars', t.admin, calendarBody(extra));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringContaining(reason) })]),
    );
  });

  it('answers 400 when a PATCH makes hours overlap', async () => {
    const cal = (await send('POST', '/api/v1/sla/calendars', t.admin, calendarBody())).json();
    const res = await send('PATCH', `/api/v1/sla/calendars/${cal.id}`, t.admin, {
      weeklyHours: {
        sat: [
          ['10:00', '14:00'],
          ['09:00', '11:00'],
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'weeklyHours.sat[1]' });
  });

  it('answers 409 for a taken name, 404 for a missing calendar', async () => {
    const body = calendarBody();
    expect((await send('POST', '/api/v1/sla/calendars', t.admin, body)).statusCode).toBe(201);
    const dup = await send('POST', '/api/v1/sla/calendars', t.admin, body);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details[0]).toMatchObject({ field: 'name', value: body.name });
    expect((await get('/api/v1/sla/calendars/999999999', t.agent)).statusCode).toBe(404);
  });

  it('answers 401 without auth and 403 to customers (reads too) and to non-admin staff writing', async () => {
    expect((await get('/api/v1/sla/calendars')).statusCode).toBe(401);
    expect((await send('POST', '/api/v1/sla/calendars', {}, calendarBody())).statusCode).toBe(401);
    const read = await get('/api/v1/sla/calendars', t.customer);
    expect(read.statusCode).toBe(403);
    expect(read.json().error.code).toBe('sla.staff_only');
    expect((await send('POST', '/api/v1/sla/calendars', t.customer, calendarBody())).statusCode).toBe(403);
    expect((await send('POST', '/api/v1/sla/calendars', t.agent, calendarBody())).statusCode).toBe(403);
  });
});

describe('SLA policies', () => {
  it('lists the seeded defaults (P1 incidents restored within 4 h on 24x7)', async () => {
    const res = await get('/api/v1/sla/policies', t.agent);
    expect(res.statusCode).toBe(200);
    const p1 = (res.json().items as Json[]).find((p) => p.key === 'p1-incident-24x7');
    expect(p1).toMatchObject({
      builtIn: true,
      calendarId: await calendarId('24x7'),
      targets: { resolutionMinutes: 240 },
      match: { caseTypes: ['incident'], priorities: ['P1'] },
    });
  });

  it('creates and patches a policy (targets merge)', async () => {
    const p = await makePolicy({ match: { accountIds: [t.root.id] } });
    const res = await send('PATCH', `/api/v1/sla/policies/${p.id}`, t.admin, {
      targets: { resolutionMinutes: 300 },
      pauseStates: ['pending_customer', 'pending_provider'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      targets: { firstResponseMinutes: 15, periodicUpdateMinutes: 120, resolutionMinutes: 300 },
      pauseStates: ['pending_customer', 'pending_provider'],
      match: { accountIds: [t.root.id], caseTypes: null },
    });
  });

  it('answers 400 for an unknown calendar, an unknown account, and bad targets', async () => {
    const base = {
      name: `P ${uniq()}`,
      targets: { firstResponseMinutes: 15, periodicUpdateMinutes: 60, resolutionMinutes: 240 },
    };
    const noCal = await send('POST', '/api/v1/sla/policies', t.admin, { ...base, calendarId: 999999999 });
    expect(noCal.statusCode).toBe(400);
    expect(noCal.json().error).toMatchObject({
      code: 'sla.calendar_unknown',
      details: [{ field: 'calendarId', value: 999999999 }],
    });
    const calendarId24 = await calendarId('24x7');
    const noAccount = await send('POST', '/api/v1/sla/policies', t.admin, {
      ...base,
      calendarId: calendarId24,
      match: { accountIds: [t.root.id, 999999999] },
    });
    expect(noAccount.statusCode).toBe(400);
    expect(noAccount.json().error.details[0]).toMatchObject({ field: 'match.accountIds[1]', value: 999999999 });
    // A contract's accounts, not a fleet: past 1,000 the list is refused before any is looked up.
    const many = await send('POST', '/api/v1/sla/policies', t.admin, {
      ...base,
      calendarId: calendarId24,
      match: { accountIds: Array.from({ length: 1001 }, (_, i) => i + 1) },
    });
    expect(many.statusCode).toBe(400);
    expect(many.json().error.details[0]).toMatchObject({ field: 'match.accountIds' });
    const zero = await send('POST', '/api/v1/sla/policies', t.admin, {
      ...base,
      calendarId: calendarId24,
      targets: { ...base.targets, resolutionMinutes: 0 },
    });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.details[0]).toMatchObject({ field: 'targets.resolutionMinutes', value: 0 });
    const inverted = await send('POST', '/api/v1/sla/policies', t.admin, {
      ...base,
      calendarId: calendarId24,
      targets: { ...base.targets, firstResponseMinutes: 500 },
    });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().error.details[0]).toMatchObject({ field: 'targets.firstResponseMinutes', value: 500 });
  });

  it('answers 401 without auth, 403 to customers and agents writing, 404 for a missing policy', async () => {
    expect((await get('/api/v1/sla/policies')).statusCode).toBe(401);
    expect((await get('/api/v1/sla/policies', t.rootCustomer)).statusCode).toBe(403);
    expect((await send('POST', '/api/v1/sla/policies', t.customer, { name: 'x' })).statusCode).toBe(403);
    expect((await send('PATCH', '/api/v1/sla/policies/1', t.agent, { name: 'x' })).statusCode).toBe(403);
    expect((await get('/api/v1/sla/policies/999999999', t.agent)).statusCode).toBe(404);
  });
});

/** Open a case through the API and walk it through `states`; returns its number. */
async function caseThrough(tenant: Tenant, states: string[], extra: Json = {}): Promise<string> {
  const res = await send('POST', '/api/v1/cases', tenant.agent, {
    accountId: tenant.child.id,
    type: 'service_request',
    subject: 'SLA clock',
    ...extra,
  });
  expect(res.statusCode).toBe(201);
  const number = res.json().number as string;
  for (const to of states) {
    const moved = await send('POST', `/api/v1/cases/${number}/transitions`, tenant.agent, { to });
    expect(moved.statusCode).toBe(200);
  }
  return number;
}

/** The timeline happened in milliseconds; move each entry (oldest first) to the minute offsets given. */
async function backdate(tenant: Tenant, number: string, t0: Date, minutes: number[]): Promise<void> {
  const items = (await get(`/api/v1/cases/${number}/events`, tenant.agent)).json().items as Json[];
  expect(items.length).toBe(minutes.length);
  for (const [i, e] of items.entries()) {
    const at = new Date(t0.getTime() + minutes[i]! * 60_000);
    await h.ctx.database.db.execute(
      sql`update case_events set at = ${at.toISOString()}::timestamptz where id = ${e.id}`,
    );
  }
}

describe('GET /api/v1/cases/:number/sla', () => {
  const T0 = new Date('2026-03-02T08:00:00Z');

  it('computes the three clocks on the 24x7 calendar from the state history (pause in pending_customer)', async () => {
    // A fresh tenant with a contract policy of its own, so other tests' policies cannot interfere.
    const mine = await makeTenant(h.services);
    const policy = await makePolicy({ name: `Contract ${uniq()}`, match: { accountIds: [mine.root.id] } });
    const number = await caseThrough(mine, ['open']);
    const call = await send('POST', `/api/v1/cases/${number}/events`, mine.agent, {
      kind: 'phone_call',
      body: 'Called the customer back',
      durationSeconds: 120,
    });
    expect(call.statusCode).toBe(201);
    for (const to of ['pending_customer', 'open', 'resolved']) {
      expect((await send('POST', `/api/v1/cases/${number}/transitions`, mine.agent, { to })).statusCode).toBe(200);
    }
    // created 0, open 0, call +20, pending +30, open +90, resolved +150.
    await backdate(mine, number, T0, [0, 0, 20, 30, 90, 150]);
    const res = await get(`/api/v1/cases/${number}/sla`, mine.agent);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.policy).toMatchObject({ id: policy.id, calendarName: '24x7', calendarTimeZone: 'UTC' });
    const m = Object.fromEntries((body.metrics as Json[]).map((x) => [x.metric, x]));
    // First response at +20 against 15 min: breached by 5.
    expect(m.first_response).toMatchObject({
      targetMinutes: 15,
      elapsedMinutes: 20,
      remainingMinutes: -5,
      status: 'breached',
    });
    expect(m.first_response!.dueAt).toBe('2026-03-02T08:15:00.000Z');
    // Periodic update since the call: +20..+30 running, paused until +90, running to +150 = 70 of 120.
    expect(m.periodic_update).toMatchObject({ targetMinutes: 120, elapsedMinutes: 70, status: 'met' });
    // Resolution: 0..30 + 90..150 = 90 of 240.
    expect(m.resolution).toMatchObject({
      targetMinutes: 240,
      elapsedMinutes: 90,
      remainingMinutes: 150,
      status: 'met',
    });

    // The customer sees its own case's SLA; another tenant gets 404.
    expect((await get(`/api/v1/cases/${number}/sla`, mine.customer)).json().metrics).toEqual(body.metrics);
    expect((await get(`/api/v1/cases/${number}/sla`, other.customer)).statusCode).toBe(404);
    expect((await get(`/api/v1/cases/${number}/sla`, other.rootCustomer)).statusCode).toBe(404);
    expect((await get(`/api/v1/cases/${number}/sla`)).statusCode).toBe(401);
    expect((await get('/api/v1/cases/not-a-number/sla', mine.agent)).json().error.details[0]).toMatchObject({
      field: 'params.number',
      value: 'not-a-number',
    });
  });

  it('evaluates a running clock at an injected now: remaining, due and warning instants', async () => {
    const mine = await makeTenant(h.services);
    await makePolicy({ name: `Contract ${uniq()}`, match: { accountIds: [mine.root.id] } });
    const number = await caseThrough(mine, ['open', 'pending_customer', 'open']);
    const items = (await get(`/api/v1/cases/${number}/events`, mine.agent)).json().items as Json[];
    for (const [i, e] of items.entries()) {
      const at = new Date(T0.getTime() + [0, 0, 30, 60][i]! * 60_000);
      await h.ctx.database.db.execute(
        sql`update case_events set at = ${at.toISOString()}::timestamptz where id = ${e.id}`,
      );
    }
    const now = new Date(T0.getTime() + 120 * 60_000);
    const sla = createSlaService(h.ctx, h.services, { now: () => now });
    const s = await sla.caseSla(mine.adminPrincipal, number);
    const m = Object.fromEntries(s.metrics.map((x) => [x.metric, x]));
    // Ran 0..30 and 60..120 = 90 min; 150 left, due at +60 + 210 = +270.
    expect(m.resolution).toMatchObject({
      elapsedMinutes: 90,
      remainingMinutes: 150,
      status: 'running',
      dueAt: '2026-03-02T12:30:00.000Z',
      warn75At: '2026-03-02T11:30:00.000Z', // 180 min: +60 + 150
      warn90At: '2026-03-02T12:06:00.000Z', // 216 min: +60 + 186
    });
    expect(m.first_response).toMatchObject({ elapsedMinutes: 90, status: 'breached' });
    expect(m.periodic_update).toMatchObject({ elapsedMinutes: 90, status: 'running' });
  });
});

describe('policy matching', () => {
  it('picks the most specific policy: account + type + tier over account only over the seeded defaults', async () => {
    const mine = await makeTenant(h.services);
    const broad = await makePolicy({ name: `Broad ${uniq()}`, match: { accountIds: [mine.root.id] } });
    const narrow = await makePolicy({
      name: `Narrow ${uniq()}`,
      // The case account (child) is 'standard'; the contract is on the enterprise (root).
      match: { accountIds: [mine.root.id], caseTypes: ['incident'], vipTiers: ['standard'] },
      targets: { firstResponseMinutes: 10, periodicUpdateMinutes: 60, resolutionMinutes: 120 },
    });
    const incident = await caseThrough(mine, [], { type: 'incident' });
    const order = await caseThrough(mine, [], { type: 'order' });
    const a = (await get(`/api/v1/cases/${incident}/sla`, mine.agent)).json();
    const b = (await get(`/api/v1/cases/${order}/sla`, mine.agent)).json();
    expect(a.policy.id).toBe(narrow.id);
    expect(a.metrics.find((x: Json) => x.metric === 'resolution').targetMinutes).toBe(120);
    expect(b.policy.id).toBe(broad.id);
    // Outside any contract a seeded default applies.
    const fresh = await makeTenant(h.services);
    const c = await caseThrough(fresh, [], { type: 'service_request' });
    const d = (await get(`/api/v1/cases/${c}/sla`, fresh.agent)).json();
    const seeded = (await get(`/api/v1/sla/policies/${d.policy.id}`, fresh.agent)).json();
    expect(seeded).toMatchObject({ builtIn: true, match: { caseTypes: null, accountIds: null } });
  });
});
