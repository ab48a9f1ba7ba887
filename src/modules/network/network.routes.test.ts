import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let producer: Record<string, string>;
/** SIM of t.child (the customer's own), of t.root (above the customer), of another tenant, and one never seen. */
let mine: MadeSim;
let parents: MadeSim;
let theirs: MadeSim;
let silent: MadeSim;
const base = Date.now() - 3 * 3600_000;
const at = (min: number) => new Date(base + min * 60_000).toISOString();
const net = { network: { mcc: '240', mnc: '07' }, rat: 'LTE-M' };

const post = (records: unknown[]) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/network-events',
    headers: { ...producer, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify(r)).join('\n'),
  });
const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `trace-${uniq()}` });
  producer = { authorization: `Bearer ${secret}` };
  [mine] = (await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  [parents] = (await makeSims(h.services, t.root.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  [theirs] = (await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  [silent] = (await makeSims(h.services, t.child.id, 1)) as [MadeSim];
  const iccid = mine.iccid20;
  const s = { ...net, apn: 'iot.example', session_id: `s-${uniq()}` };
  const res = await post([
    { id: uniq(), ts: at(0), iccid, type: 'attach', ...net, imei: '351000000000005' },
    { id: uniq(), ts: at(1), iccid, type: 'session_start', ...s, ip: '10.0.0.7' },
    { id: uniq(), ts: at(10), iccid, type: 'session_update', ...s, bytes_up: 1000, bytes_down: 5000 },
    { id: uniq(), ts: at(20), iccid, type: 'session_end', ...s, bytes_up: 1500, bytes_down: 9000 },
    { id: uniq(), ts: at(21), iccid, type: 'sms_mo' },
    { id: uniq(), ts: at(22), iccid, type: 'voice', seconds: 42 },
    { id: uniq(), ts: at(30), iccid, type: 'attach', ...net, imei: '490154203237518' },
    { id: uniq(), ts: at(31), iccid, type: 'session_rejected', ...net, apn: 'iot.exmaple', cause: 27 },
    { ts: at(5), iccid: parents.iccid20, type: 'attach', ...net },
    { ts: at(5), iccid: theirs.iccid20, type: 'attach_rejected', network: { mcc: '262', mnc: '01' }, cause: 11 },
  ]);
  expect(res.json()).toMatchObject({ accepted: 10, rejected: [] });
});
afterAll(() => h.close());

const trace = (sim: MadeSim, what: string, q = '') => `/api/v1/sims/${sim.iccid20}/${what}${q}`;
const window = `?from=${encodeURIComponent(at(-60))}`;

describe('GET /api/v1/sims/{iccid}/events', () => {
  it('answers the trace newest first in the contract wire shape, with receivedAt and the cause meaning', async () => {
    const res = await get(trace(mine, 'events', window), t.customer);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    expect(items.map((e) => e.type)).toEqual([
      'session_rejected',
      'attach',
      'voice',
      'sms_mo',
      'session_end',
      'session_update',
      'session_start',
      'attach',
    ]);
    expect(items[0]).toMatchObject({
      ts: at(31),
      iccid: mine.iccid20,
      network: { mcc: '240', mnc: '07' },
      rat: 'LTE-M',
      apn: 'iot.exmaple',
      cause: 27,
      causeMeaning: expect.stringContaining('APN'),
      receivedAt: expect.any(String),
    });
    expect(items[0]).not.toHaveProperty('bytes_up');
    expect(items.find((e) => e.type === 'session_end')).toMatchObject({ bytes_up: 1500, bytes_down: 9000 });
    expect(res.json().nextCursor).toBeNull();
  });

  it('filters by type and pages with an opaque cursor (same rows as one page, none twice)', async () => {
    const typed = await get(trace(mine, 'events', `${window}&type=attach,voice`), t.customer);
    expect(typed.json().items.map((e: { type: string }) => e.type)).toEqual(['attach', 'voice', 'attach']);
    const all = (await get(trace(mine, 'events', window), t.customer)).json().items;
    const walked: unknown[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(trace(mine, 'events', `${window}&limit=3${cursor ? `&cursor=${cursor}` : ''}`), t.customer);
      expect(r.statusCode).toBe(200);
      walked.push(...r.json().items);
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(walked).toEqual(all);
    const bad = await get(trace(mine, 'events', `${window}&cursor=bm9wZQ`), t.customer);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'cursor', value: 'bm9wZQ' });
    const badType = await get(trace(mine, 'events', '?type=teleport'), t.customer);
    expect(badType.statusCode).toBe(400);
  });

  it('validates the window: from after to names both; longer than the retention names the limit', async () => {
    const swapped = await get(trace(mine, 'events', `?from=${at(10)}&to=${at(0)}`), t.customer);
    expect(swapped.statusCode).toBe(400);
    expect(swapped.json().error.details.map((d: { field: string }) => d.field)).toEqual(['from', 'to']);
    const long = await get(trace(mine, 'events', '?from=2020-01-01T00:00:00Z'), t.customer);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0].reason).toContain('NETWORK_EVENT_RETENTION_DAYS (90 days)');
    const junk = await get(trace(mine, 'events', '?from=yesterday'), t.customer);
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.details[0]).toMatchObject({ field: 'querystring.from', value: 'yesterday' });
    // The default window is the last 24 h: all of these are in it.
    expect((await get(trace(mine, 'events'), t.customer)).json().items).toHaveLength(8);
    expect((await get(trace(mine, 'events', `?to=${at(-1)}`), t.customer)).json().items).toHaveLength(0);
  });
});

describe('customer isolation', () => {
  const routes = ['events', 'sessions', 'usage', 'network-state'];
  it("another tenant's SIM answers 404 on every trace route, exactly like a missing one", async () => {
    for (const r of routes) {
      const res = await get(trace(mine, r), other.customer);
      expect(res.statusCode, r).toBe(404);
      const missing = await get(`/api/v1/sims/8946000000000000001/${r}`, other.customer);
      expect(missing.statusCode, r).toBe(404);
      expect(res.json().error.code).toBe(missing.json().error.code);
      expect((await get(trace(theirs, r), other.customer)).statusCode, r).toBe(200);
    }
  });

  it('a sub-account customer sees its subtree only; the root customer and staff see both', async () => {
    for (const r of routes) {
      expect((await get(trace(parents, r), t.customer)).statusCode, r).toBe(404);
      expect((await get(trace(parents, r), t.rootCustomer)).statusCode, r).toBe(200);
      expect((await get(trace(mine, r), t.rootCustomer)).statusCode, r).toBe(200);
      expect((await get(trace(theirs, r), t.agent)).statusCode, r).toBe(200);
    }
  });

  it('a bad ICCID is a 400 naming it', async () => {
    const res = await get('/api/v1/sims/8912/events', t.customer);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'iccid', value: '8912' });
  });
});

describe('sessions, usage, network state', () => {
  it('lists the data session with bytes, APN, PLMN, RAT and IP; open=true finds none', async () => {
    const res = await get(trace(mine, 'sessions', window), t.customer);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        network: { mcc: '240', mnc: '07' },
        apn: 'iot.example',
        rat: 'LTE-M',
        ip: '10.0.0.7',
        startedAt: at(1),
        endedAt: at(20),
        open: false,
        bytesUp: 1500,
        bytesDown: 9000,
      }),
    ]);
    expect((await get(trace(mine, 'sessions', `${window}&open=true`), t.customer)).json().items).toEqual([]);
  });

  it('pages sessions and usage with their cursors (same rows as one page)', async () => {
    // A tenant of its own: the fleet counts below are exact.
    const third = await makeTenant(h.services);
    const [busy] = (await makeSims(h.services, third.child.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
    const recs = [0, 70, 140].flatMap((m, i) => {
      const s = { ...net, apn: 'iot.example', session_id: `p-${i}` };
      return [
        { ts: at(m), iccid: busy.iccid20, type: 'session_start', ...s },
        { ts: at(m + 5), iccid: busy.iccid20, type: 'session_end', ...s, bytes_up: 10, bytes_down: 100 },
      ];
    });
    expect((await post(recs)).json().accepted).toBe(6);
    for (const what of ['sessions', 'usage']) {
      const all = (await get(trace(busy, what, window), third.customer)).json();
      expect(all.items.length, what).toBeGreaterThanOrEqual(3);
      const walked: unknown[] = [];
      let cursor: string | null = null;
      do {
        const r = await get(trace(busy, what, `${window}&limit=1${cursor ? `&cursor=${cursor}` : ''}`), third.customer);
        walked.push(...r.json().items);
        cursor = r.json().nextCursor;
      } while (cursor);
      expect(walked, what).toEqual(all.items);
      const bad = await get(trace(busy, what, `${window}&cursor=${cursor ?? 'eA'}`), third.customer);
      expect(bad.json().error.details[0], what).toMatchObject({ field: 'cursor' });
    }
    // A usage cursor is for its own granularity.
    const hourly = (await get(trace(busy, 'usage', `${window}&limit=1`), third.customer)).json();
    const daily = await get(
      trace(busy, 'usage', `${window}&granularity=day&cursor=${hourly.nextCursor}`),
      third.customer,
    );
    expect(daily.statusCode).toBe(400);
  });

  it('answers usage rows with the window totals', async () => {
    const res = await get(trace(mine, 'usage', `${window}&granularity=day`), t.customer);
    expect(res.statusCode).toBe(200);
    expect(res.json().totals).toEqual({ bytesUp: 1500, bytesDown: 9000, smsMo: 1, smsMt: 0, voiceSeconds: 42 });
    const hourly = await get(trace(mine, 'usage', `${window}&limit=1`), t.customer);
    expect(hourly.json().items).toHaveLength(1);
    expect(hourly.json().totals.bytesDown).toBe(9000);
  });

  it('reads a day from its hourly rows when there are any, else from the rolled-up daily row', async () => {
    const [sim] = (await makeSims(h.services, t.child.id, 1)) as [MadeSim];
    const [row] = await h.ctx.database.query<{ id: string }>('select id from sims where iccid = $1', [sim.iccid]);
    const day = (n: number) => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - n * 86_400_000);
    const insert = (table: string, col: string, at: Date, down: number) =>
      h.ctx.database.query(
        `insert into ${table} (sim_id, ${col}, tenant_id, account_id, bytes_down) values ($1, $2, $3, $4, $5)`,
        [row!.id, at.toISOString(), t.root.id, t.child.id, down],
      );
    // Two days ago: only the daily row is left. Yesterday: a partial daily row (a late record) and its hours.
    await insert('sim_usage_daily', 'day', day(2), 700);
    await insert('sim_usage_daily', 'day', day(1), 5);
    await insert('sim_usage_hourly', 'hour', new Date(day(1).getTime() + 3600_000), 40);
    await insert('sim_usage_hourly', 'hour', new Date(day(1).getTime() + 7200_000), 60);
    const res = await get(trace(sim, 'usage', `?from=${day(3).toISOString()}&granularity=day`), t.customer);
    expect(res.json().items.map((u: { at: string; bytesDown: number }) => [u.at, u.bytesDown])).toEqual([
      [day(1).toISOString(), 100],
      [day(2).toISOString(), 700],
    ]);
    expect(res.json().totals.bytesDown).toBe(800);
  });

  it('answers the state with the last reject and its meaning, and the IMEI history', async () => {
    const res = await get(trace(mine, 'network-state'), t.customer);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      iccid: mine.iccid20,
      status: 'ATTACHED',
      reason: null,
      network: { mcc: '240', mnc: '07' },
      lastSeenAt: at(31),
      openSession: null,
      lastReject: {
        type: 'session_rejected',
        at: at(31),
        cause: { code: 27, name: 'Missing or unknown APN', meaning: expect.stringContaining('typo') },
      },
      imei: '490154203237518',
      imeiChangedAt: at(30),
    });
    expect(res.json().imeiHistory.map((x: { imei: string }) => x.imei)).toEqual(['490154203237518', '351000000000005']);
  });

  it('a SIM with no events has status null and says why', async () => {
    const res = await get(trace(silent, 'network-state'), t.customer);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: null,
      reason: expect.stringContaining('No network event'),
      imeiHistory: [],
    });
  });
});

describe('fleet views', () => {
  const fleet = (q: string) => `/api/v1/network/fleet?from=${encodeURIComponent(at(-60))}${q}`;
  it('counts a tenant from the roll-up, a sub-account from its own events', async () => {
    const staff = await get(fleet(`&by=type&bucket=1d&tenantId=${t.root.id}`), t.agent);
    expect(staff.statusCode).toBe(200);
    expect(staff.json().source).toBe('rollup');
    const totals = Object.fromEntries(
      staff.json().totals.map((x: { key: string; events: number }) => [x.key, x.events]),
    );
    expect(totals).toMatchObject({ attach: 3, session_rejected: 1, voice: 1 });

    const root = await get(fleet('&by=plmn'), t.rootCustomer);
    // SMS and calls carry no PLMN: they count under null.
    expect(root.json()).toMatchObject({
      source: 'rollup',
      totals: [
        { key: '24007', events: 7 },
        { key: null, events: 2 },
      ],
    });

    const sub = await get(fleet('&by=plmn&type=attach'), t.customer);
    expect(sub.json()).toMatchObject({ source: 'events', totals: [{ key: '24007', events: 2 }] });

    const otherView = await get(fleet('&by=cause'), other.customer);
    expect(otherView.json().totals).toEqual([{ key: '11', events: 1 }]);
    const forbidden = await get(fleet(`&tenantId=${t.root.id}`), other.customer);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.details[0]).toMatchObject({ field: 'tenantId' });
  });

  it('leaves out orphans (ICCIDs that are no SIM of ours): not in the fleet, not failing now', async () => {
    // A generator's traffic for 20 unknown ICCIDs, all refused in a PLMN no SIM of ours uses.
    const plmn = { mcc: '901', mnc: String(10 + Math.floor(Math.random() * 89)) };
    const now = Date.now();
    const run = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const records = Array.from({ length: 60 }, (_, i) => ({
      id: uniq(),
      ts: new Date(now - (30 - (i % 30)) * 60_000).toISOString(),
      iccid: `8990000${run}${String(i).padStart(6, '0')}`,
      type: 'attach_rejected',
      network: plmn,
      rat: 'LTE-M',
      cause: 15,
    }));
    expect((await post(records)).json()).toMatchObject({ accepted: 60, rejected: [] });
    const key = `${plmn.mcc}${plmn.mnc}`;
    const from = encodeURIComponent(at(-60)); // from before this file's own SIMs' events
    const all = await get(`/api/v1/network/fleet?from=${from}&by=plmn`, t.agent);
    expect(all.statusCode).toBe(200);
    expect(all.json().totals.length).toBeGreaterThan(0); // the fleet itself is there
    expect(all.json().totals.map((x: { key: string }) => x.key)).not.toContain(key);
    const failing = await get('/api/v1/network/failing', t.agent);
    expect(failing.statusCode).toBe(200);
    expect(JSON.stringify(failing.json())).not.toContain(key);
  });

  it('refuses more buckets than a chart can hold, naming the bucket', async () => {
    const res = await get('/api/v1/network/fleet?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=5m', t.agent);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'bucket', value: '5m' });
  });

  it('lists PLMNs rejecting SIMs now, counting distinct SIMs, within the caller reach', async () => {
    const since = encodeURIComponent(at(-60));
    const staff = await get(`/api/v1/network/plmns/failing?since=${since}&tenantId=${other.root.id}`, t.agent);
    expect(staff.statusCode).toBe(200);
    expect(staff.json().items).toEqual([
      expect.objectContaining({
        plmn: '26201',
        network: { mcc: '262', mnc: '01' },
        rejectType: 'attach_rejected',
        cause: expect.objectContaining({ code: 11, name: 'PLMN not allowed' }),
        sims: 1,
        stillFailing: 1,
        tenants: 1,
      }),
    ]);
    const mineOnly = await get(`/api/v1/network/plmns/failing?since=${since}`, t.customer);
    expect(mineOnly.json().items).toEqual([
      expect.objectContaining({ plmn: '24007', apn: 'iot.exmaple', rejectType: 'session_rejected', sims: 1 }),
    ]);
  });
});
