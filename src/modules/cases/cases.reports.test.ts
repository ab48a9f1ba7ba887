import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const post = (url: string, headers: Headers, payload: Json) => h.app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers: Headers = {}) => h.app.inject({ method: 'GET', url, headers });
const exec = (q: ReturnType<typeof sql>) => h.ctx.database.db.execute(q);

async function openCase(headers: Headers, body: Json): Promise<string> {
  const res = await post('/api/v1/cases', headers, { subject: 'Report fixture', ...body });
  expect(res.statusCode).toBe(201);
  return res.json().number as string;
}
async function entry(number: string, headers: Headers, body: Json, at: string): Promise<void> {
  const res = await post(`/api/v1/cases/${number}/events`, headers, { body: 'x', ...body });
  expect(res.statusCode).toBe(201);
  await exec(sql`update case_events set at = ${at}::timestamptz where id = ${res.json().id as number}`);
}
/** Pins a case to fixed instants and a state (the service would stamp "now"). */
async function pin(number: string, v: { state: string; created: string; resolved?: string; closed?: string }) {
  await exec(sql`update cases set state = ${v.state}, created_at = ${v.created}::timestamptz,
                   resolved_at = ${v.resolved ?? null}::timestamptz, closed_at = ${v.closed ?? null}::timestamptz
                 where number = ${number}`);
}

/**
 * Tenant t's cases, all in March 2026 (UTC), on a contract policy whose calendar is Mon–Fri 09–17 UTC, so
 * a working day is 8 h and every figure below is checkable by hand:
 *  A incident/phone (child)  created Mon 03-02 10:00, resolved Wed 03-04 10:00, closed Mon 03-09 10:00
 *  B incident/email          created Tue 03-03 08:00, resolved Tue 03-03 14:00 (still resolved)
 *  C order/api               created Tue 03-10 12:00, open
 *  D info request/email      created Fri 02-27 12:00, cancelled Thu 03-05 12:00 (in no figure)
 *  E incident/email          created Fri 03-06 16:00, resolved Mon 03-09 10:00, closed Thu 03-12 09:00
 */
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const cal = await post('/api/v1/sla/calendars', t.admin, {
    name: `Report cal ${uniq()}`,
    timeZone: 'UTC',
    weeklyHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
  });
  expect(cal.statusCode).toBe(201);
  const policy = await post('/api/v1/sla/policies', t.admin, {
    name: `Report contract ${uniq()}`,
    calendarId: cal.json().id,
    match: { accountIds: [t.root.id] },
    targets: { firstResponseMinutes: 60, periodicUpdateMinutes: 480, resolutionMinutes: 2400 },
  });
  expect(policy.statusCode).toBe(201);

  const root = t.root.id;
  const a = await openCase(t.agent, { accountId: t.child.id, type: 'incident', channel: 'phone' });
  const b = await openCase(t.agent, { accountId: root, type: 'incident', channel: 'email' });
  const c = await openCase(t.agent, { accountId: root, type: 'order', channel: 'api' });
  const d = await openCase(t.agent, { accountId: root, type: 'information_request', channel: 'email' });
  const e = await openCase(t.agent, { accountId: root, type: 'incident', channel: 'email' });
  // Contacts on A, posted while it is new (a reply to a closed case would open a follow-up).
  await entry(a, t.customer, { kind: 'portal_message' }, '2026-03-02T11:00:00Z');
  await entry(a, t.agent, { kind: 'phone_call', durationSeconds: 60 }, '2026-03-02T12:00:00Z');
  await entry(a, t.agent, { kind: 'portal_message' }, '2026-03-02T13:00:00Z'); // staff side: not a contact
  await entry(a, t.agent, { kind: 'note' }, '2026-03-03T09:00:00Z');
  // Inbound mail is written by mail ingest, not the API.
  await exec(sql`insert into case_events (case_id, tenant_id, at, kind, visibility, author_label, author_side, body)
                 select id, tenant_id, '2026-03-15T09:00:00Z', 'email_in', 'public', 'ops@customer.test', 'customer', 'hi'
                   from cases where number = ${a}`);
  await pin(a, {
    state: 'closed',
    created: '2026-03-02T10:00:00Z',
    resolved: '2026-03-04T10:00:00Z',
    closed: '2026-03-09T10:00:00Z',
  });
  // B, in the billing queue: a reply the desk mailed counts; a bounce recorded staff-only is no customer contact.
  await exec(sql`update cases set queue = 'billing' where number = ${b}`);
  await entry(b, t.agent, { kind: 'email_out' }, '2026-03-16T10:00:00Z');
  await exec(sql`insert into case_events (case_id, tenant_id, at, kind, visibility, author_label, author_side, body)
                 select id, tenant_id, '2026-03-16T11:00:00Z', 'email_in', 'internal', 'mailer-daemon@x.test', 'customer', 'bounce'
                   from cases where number = ${b}`);
  await pin(b, { state: 'resolved', created: '2026-03-03T08:00:00Z', resolved: '2026-03-03T14:00:00Z' });
  await pin(c, { state: 'open', created: '2026-03-10T12:00:00Z' });
  await pin(d, { state: 'cancelled', created: '2026-02-27T12:00:00Z', closed: '2026-03-05T12:00:00Z' });
  await pin(e, {
    state: 'closed',
    created: '2026-03-06T16:00:00Z',
    resolved: '2026-03-09T10:00:00Z',
    closed: '2026-03-12T09:00:00Z',
  });
  // Another tenant's case in the same month must never show up under t's account.
  const x = await openCase(other.agent, { accountId: other.root.id, type: 'incident', channel: 'email' });
  await pin(x, { state: 'open', created: '2026-03-03T10:00:00Z' });
});
afterAll(() => h.close());

const march = (path: string, q: string, headers: Headers = t.agent) =>
  get(`/api/v1/reports/${path}?from=2026-03-01&to=2026-04-01&${q}`, headers);

describe('GET /api/v1/reports/cases/volume', () => {
  it('counts created and closed (not cancelled) per UTC month, type and channel over the subtree', async () => {
    const res = await march('cases/volume', `groupBy=month&accountId=${t.root.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: '2026-03-01',
      to: '2026-04-01',
      groupBy: 'month',
      accountId: t.root.id,
      items: [
        { period: '2026-03-01', type: 'incident', channel: 'email', created: 2, closed: 1 },
        { period: '2026-03-01', type: 'incident', channel: 'phone', created: 1, closed: 1 },
        { period: '2026-03-01', type: 'order', channel: 'api', created: 1, closed: 0 },
      ],
    });
  });

  it('groups by ISO week (Monday) and narrows to a sub-account', async () => {
    const week = await march('cases/volume', `groupBy=week&accountId=${t.root.id}`);
    expect(week.json().items).toEqual([
      { period: '2026-03-02', type: 'incident', channel: 'email', created: 2, closed: 0 },
      { period: '2026-03-02', type: 'incident', channel: 'phone', created: 1, closed: 0 },
      { period: '2026-03-09', type: 'incident', channel: 'email', created: 0, closed: 1 },
      { period: '2026-03-09', type: 'incident', channel: 'phone', created: 0, closed: 1 },
      { period: '2026-03-09', type: 'order', channel: 'api', created: 1, closed: 0 },
    ]);
    const child = await march('cases/volume', `groupBy=day&accountId=${t.child.id}`);
    expect(child.json().items).toEqual([
      { period: '2026-03-02', type: 'incident', channel: 'phone', created: 1, closed: 0 },
      { period: '2026-03-09', type: 'incident', channel: 'phone', created: 0, closed: 1 },
    ]);
  });

  it('answers CSV with a header row', async () => {
    const res = await march('cases/volume', `groupBy=month&accountId=${t.root.id}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body.split('\r\n')).toEqual([
      'period,type,channel,created,closed',
      '2026-03-01,incident,email,2,1',
      '2026-03-01,incident,phone,1,1',
      '2026-03-01,order,api,1,0',
      '',
    ]);
  });

  it('400 names the bad field or the 400-day limit, 401 without auth, 403 for customers, 404 unknown account', async () => {
    const long = await get('/api/v1/reports/cases/volume?from=2025-01-01&to=2026-02-06', t.agent);
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'cases.report_range_invalid' });
    expect(long.json().error.message).toContain('400 days');
    expect(long.json().error.details[0]).toMatchObject({ field: 'to', value: '2026-02-06' });
    const backwards = await get('/api/v1/reports/cases/volume?from=2026-03-01&to=2026-03-01', t.agent);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details[0]).toMatchObject({ field: 'to', reason: 'must be after from' });
    const bad = await get('/api/v1/reports/cases/volume?from=2026-13-01&to=2026-03-01', t.agent);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'querystring.from', value: '2026-13-01' }),
    );
    const group = await march('cases/volume', 'groupBy=year');
    expect(group.statusCode).toBe(400);
    expect(group.json().error.details).toContainEqual(expect.objectContaining({ field: 'querystring.groupBy' }));
    expect((await march('cases/volume', 'groupBy=day', {})).statusCode).toBe(401);
    const customer = await march('cases/volume', 'groupBy=day', t.rootCustomer);
    expect(customer.statusCode).toBe(403);
    expect(customer.json().error.code).toBe('cases.reports_forbidden');
    expect((await march('cases/volume', 'accountId=999999999')).statusCode).toBe(404);
  });
});

describe('GET /api/v1/reports/cases/handling-time', () => {
  it('gives count, mean and median in calendar days and in working days on the matched calendar', async () => {
    const res = await march('cases/handling-time', `accountId=${t.root.id}`);
    expect(res.statusCode).toBe(200);
    // Calendar days: A 2, B 0.25, E 2.75. Working days (8 h a day): A 7/8 + 1 + 1/8 = 2, B 5/8, E 1/8 + 1/8.
    expect(res.json().items).toEqual([
      {
        type: 'incident',
        count: 3,
        meanCalendarDays: 1.67,
        medianCalendarDays: 2,
        meanWorkingDays: 0.96,
        medianWorkingDays: 0.63,
        withoutCalendar: 0,
      },
    ]);
    // From 03-05 only E ended its handling in the window (A was resolved on 03-04, though closed on 03-09).
    const later = await get(
      `/api/v1/reports/cases/handling-time?from=2026-03-05&to=2026-04-01&accountId=${t.root.id}&format=csv`,
      t.readOnlyAgent,
    );
    expect(later.statusCode).toBe(200);
    expect(later.body.split('\r\n')).toEqual([
      'type,count,meanCalendarDays,medianCalendarDays,meanWorkingDays,medianWorkingDays,withoutCalendar',
      'incident,1,2.75,2.75,0.25,0.25,0',
      '',
    ]);
    expect((await march('cases/handling-time', '', t.customer)).statusCode).toBe(403);
    expect((await march('cases/handling-time', '', {})).statusCode).toBe(401);
  });
});

describe('GET /api/v1/reports/contacts', () => {
  it('counts mail in and out, calls and customers’ portal messages per day and per month', async () => {
    const day = await march('contacts', `groupBy=day&accountId=${t.root.id}`);
    expect(day.statusCode).toBe(200);
    expect(day.json().items).toEqual([
      { period: '2026-03-02', kind: 'phone_call', contacts: 1 },
      { period: '2026-03-02', kind: 'portal_message', contacts: 1 },
      { period: '2026-03-15', kind: 'email_in', contacts: 1 },
      { period: '2026-03-16', kind: 'email_out', contacts: 1 },
    ]);
    const month = await march('contacts', `groupBy=month&accountId=${t.root.id}&format=csv`);
    expect(month.body.split('\r\n')).toEqual([
      'period,kind,contacts',
      '2026-03-01,email_in,1',
      '2026-03-01,email_out,1',
      '2026-03-01,phone_call,1',
      '2026-03-01,portal_message,1',
      '',
    ]);
    // Per account and queue: A is the sub-account's (no queue), B the enterprise's in billing.
    const split = await march('contacts', `groupBy=month&accountId=${t.root.id}&by=account,queue`);
    expect(split.json().items).toEqual([
      { period: '2026-03-01', kind: 'email_in', accountId: t.child.id, queue: null, contacts: 1 },
      { period: '2026-03-01', kind: 'email_out', accountId: t.root.id, queue: 'billing', contacts: 1 },
      { period: '2026-03-01', kind: 'phone_call', accountId: t.child.id, queue: null, contacts: 1 },
      { period: '2026-03-01', kind: 'portal_message', accountId: t.child.id, queue: null, contacts: 1 },
    ]);
    const queues = await march('contacts', `groupBy=month&accountId=${t.root.id}&by=queue&format=csv`);
    expect(queues.body.split('\r\n')[0]).toBe('period,kind,queue,contacts');
    expect((await march('contacts', 'by=tenant')).statusCode).toBe(400);
    expect((await march('contacts', '', t.customer)).statusCode).toBe(403);
    expect((await march('contacts', '', {})).statusCode).toBe(401);
    const long = await get('/api/v1/reports/contacts?from=2025-01-01&to=2026-02-06', t.agent);
    expect(long.statusCode).toBe(400);
  });
});

describe('GET /api/v1/reports/cases/sla', () => {
  /** Lands the case's newest system entry (creation or state change) at `at`. */
  const pinLastSystem = (number: string, at: string) =>
    exec(sql`update case_events set at = ${at}::timestamptz where id = (
               select max(e.id) from case_events e join cases c on c.id = e.case_id
                where c.number = ${number} and e.kind = 'system')`);
  async function handled(s: Tenant, resolvedAt: string, firstResponseAt?: string): Promise<string> {
    const n = await openCase(s.agent, { accountId: s.root.id, type: 'incident', channel: 'email' });
    await pinLastSystem(n, '2026-05-04T10:00:00Z');
    expect((await post(`/api/v1/cases/${n}/transitions`, s.agent, { to: 'open' })).statusCode).toBe(200);
    await pinLastSystem(n, '2026-05-04T10:05:00Z');
    if (firstResponseAt) await entry(n, s.agent, { kind: 'phone_call', durationSeconds: 60 }, firstResponseAt);
    expect((await post(`/api/v1/cases/${n}/transitions`, s.agent, { to: 'resolved' })).statusCode).toBe(200);
    await pinLastSystem(n, resolvedAt);
    await pin(n, { state: 'resolved', created: '2026-05-04T10:00:00Z', resolved: resolvedAt });
    return n;
  }

  it('gives met % per policy and metric from each case’s timeline (24x7: respond in 1 h, restore in 4 h)', async () => {
    const s = await makeTenant(h.services);
    const cals = await get('/api/v1/sla/calendars', s.agent);
    const always = (cals.json().items as Json[]).find((c) => c.key === '24x7')!;
    const name = `Report SLA ${uniq()}`;
    const policy = await post('/api/v1/sla/policies', s.admin, {
      name,
      calendarId: always.id,
      match: { accountIds: [s.root.id] },
      targets: { firstResponseMinutes: 60, periodicUpdateMinutes: 480, resolutionMinutes: 240 },
    });
    expect(policy.statusCode).toBe(201);
    // P: called back at 10:30, restored at 13:00 (both met). Q: no response at all, restored at 15:00 (5 h).
    await handled(s, '2026-05-04T13:00:00Z', '2026-05-04T10:30:00Z');
    await handled(s, '2026-05-04T15:00:00Z');
    const res = await get(`/api/v1/reports/cases/sla?from=2026-05-01&to=2026-06-01&accountId=${s.root.id}`, s.agent);
    expect(res.statusCode).toBe(200);
    const id = policy.json().id as number;
    expect(res.json().items).toEqual([
      { policyId: id, policy: name, metric: 'first_response', met: 1, breached: 1, metPercent: 50 },
      { policyId: id, policy: name, metric: 'periodic_update', met: 2, breached: 0, metPercent: 100 },
      { policyId: id, policy: name, metric: 'resolution', met: 1, breached: 1, metPercent: 50 },
    ]);
    const csv = await get(
      `/api/v1/reports/cases/sla?from=2026-05-01&to=2026-06-01&accountId=${s.root.id}&format=csv`,
      s.agent,
    );
    expect(csv.body.split('\r\n')[0]).toBe('policyId,policy,metric,met,breached,metPercent');
    expect(csv.body.split('\r\n')[3]).toBe(`${id},${name},resolution,1,1,50`);
    expect((await get('/api/v1/reports/cases/sla?from=2026-05-01&to=2026-06-01', s.customer)).statusCode).toBe(403);
    expect((await get('/api/v1/reports/cases/sla?from=2026-05-01&to=2026-06-01')).statusCode).toBe(401);
    const long = await get('/api/v1/reports/cases/sla?from=2025-01-01&to=2026-02-06', s.agent);
    expect(long.statusCode).toBe(400);
  });
});

describe('report windows (issue 13, point 11)', () => {
  it('takes RFC 3339 instants like every other endpoint, and says which UTC days it used', async () => {
    const r = await get(
      `/api/v1/reports/cases/volume?from=${encodeURIComponent('2026-03-01T10:00:00+01:00')}&to=${encodeURIComponent('2026-03-31T12:00:00Z')}&groupBy=month`,
      t.agent,
    );
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ from: '2026-03-01', to: '2026-04-01' });
    const midnight = await get(
      '/api/v1/reports/cases/volume?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z',
      t.agent,
    );
    expect(midnight.json()).toMatchObject({ from: '2026-03-01', to: '2026-04-01' });
  });

  it('without from/to answers for a default window through today instead of 400', async () => {
    const r = await get('/api/v1/reports/cases/volume', t.agent);
    expect(r.statusCode).toBe(200);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(r.json().to).toBe(tomorrow);
    expect((+new Date(r.json().to) - +new Date(r.json().from)) / 86_400_000).toBe(30);
    const months = await get('/api/v1/reports/cases/sla?groupBy=month', t.agent);
    expect(months.statusCode).toBe(200);
  });
});
