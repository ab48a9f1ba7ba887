import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt, ingestNetwork } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { fleetWatch } from './fleet-watch.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A 15-minute boundary (buckets start on multiples of their width from UTC midnight), 30 h ago. */
const base = Math.floor((Date.now() - 30 * HOUR) / (15 * MIN)) * 15 * MIN;
const at = (minutes: number) => new Date(base + minutes * MIN).toISOString();

const ingest = (values: Record<string, unknown>[]) => ingestNetwork(h, values);

const get = (url: string, headers: Record<string, string> = t.agent) => h.app.inject({ method: 'GET', url, headers });
const seriesOf = async (id: number | string, query = '') => {
  const res = await get(`/api/v1/alarms/${id}/series${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("an alarm's series", () => {
  let sim: MadeSim;
  let alarmId: number;
  const net = { network: { mcc: '262', mnc: '01' } };

  beforeAll(async () => {
    [sim] = (await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
    const iccid = sim.iccid20;
    const session = { ...net, apn: 'iot.example', session_id: 's-1' };
    await ingest([
      { ts: at(1), iccid, type: 'attach', ...net },
      { ts: at(2), iccid, type: 'session_start', ...session },
      { ts: at(10), iccid, type: 'session_update', ...session, bytes_up: 1000, bytes_down: 500 },
      { ts: at(20), iccid, type: 'session_update', ...session, bytes_up: 3000, bytes_down: 1500 },
      { ts: at(31), iccid, type: 'session_rejected', ...net, apn: 'iot.example', cause: 33 },
      { ts: at(40), iccid, type: 'sms_mo', ...net },
    ]);
    // 30 hours of silence: past the default threshold of a SIM with no rhythm yet (a day).
    expect(await alarmsAt(h, { now: Date.now() }).silenceTick()).toMatchObject({ raised: 1 });
    const list = await get(`/api/v1/alarms?iccid=${iccid}&type=silence`);
    alarmId = list.json().items[0].id;
  });

  it("counts the SIM's events per bucket and type, with the data volume its sessions reported, and marks the alarm", async () => {
    const s = await seriesOf(alarmId, `?from=${at(0)}&to=${at(60)}&bucketMinutes=15`);
    expect(s).toMatchObject({
      alarmId,
      scope: 'sim',
      subject: sim.iccid20,
      from: at(0),
      to: at(60),
      bucketMinutes: 15,
    });
    expect(s.buckets).toEqual([
      {
        at: at(0),
        accepted: 3,
        refused: 0,
        byType: { attach: 1, session_start: 1, session_update: 1 },
        bytes: 1500,
      },
      // The second report of the session adds what its counters grew by: 4500 - 1500.
      { at: at(15), accepted: 1, refused: 0, byType: { session_update: 1 }, bytes: 3000 },
      { at: at(30), accepted: 1, refused: 1, byType: { session_rejected: 1, sms_mo: 1 }, bytes: 0 },
      { at: at(45), accepted: 0, refused: 0, byType: {}, bytes: 0 },
    ]);
    expect(s.totals).toEqual({ accepted: 5, refused: 1, bytes: 4500 });
    const alarm = (await get(`/api/v1/alarms/${alarmId}`)).json();
    expect(s.marks).toEqual({
      firstSeenAt: alarm.firstSeenAt,
      lastSeenAt: alarm.lastSeenAt,
      clearedAt: null,
      lastEventAt: at(40),
      dueAt: alarm.details.dueAt,
      thresholdMinutes: alarm.details.thresholdMinutes,
    });
    expect(s.marks.thresholdMinutes).toBeGreaterThan(0);

    // 5-minute buckets split the same events finer.
    const fine = await seriesOf(alarmId, `?from=${at(0)}&to=${at(15)}&bucketMinutes=5`);
    expect(fine.buckets.map((b: { accepted: number; bytes: number }) => [b.accepted, b.bytes])).toEqual([
      [2, 0],
      [0, 0],
      [1, 1500],
    ]);
  });

  it('by default shows from 6 h before the silence began to now, in buckets the span calls for', async () => {
    const before = Date.now();
    const s = await seriesOf(alarmId);
    // 6 h before the last event (minute 40) is minute -320: its 15-minute bucket starts at minute -330.
    expect(s.bucketMinutes).toBe(15);
    expect(s.from).toBe(at(-330));
    expect(Date.parse(s.to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(s.to) - before).toBeLessThanOrEqual(15 * MIN + 60_000);
    expect(s.buckets).toHaveLength((Date.parse(s.to) - Date.parse(s.from)) / (15 * MIN));
    expect(s.totals).toEqual({ accepted: 5, refused: 1, bytes: 4500 });
  });

  it('refuses a bucket it does not offer, a window too long or reversed, and too many buckets, naming the field', async () => {
    const bad = async (query: string, field: string, code: string) => {
      const res = await get(`/api/v1/alarms/${alarmId}/series${query}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.details[0]).toMatchObject({ field });
      return res.json().error;
    };
    await bad('?bucketMinutes=7', 'querystring.bucketMinutes', 'request.invalid');
    await bad('?from=yesterday', 'querystring.from', 'request.invalid');
    const long = await bad(`?from=${at(0)}&to=${at(8 * 24 * 60)}`, 'from', 'alarms.series_window_invalid');
    expect(long.message).toBe('The window is 8.0 days; at most 7');
    await bad(`?from=${at(60)}&to=${at(0)}`, 'from', 'alarms.series_window_invalid');
    const many = await bad(
      `?from=${at(0)}&to=${at(6 * 24 * 60)}&bucketMinutes=5`,
      'bucketMinutes',
      'alarms.series_bucket_too_small',
    );
    expect(many.details[0].reason).toMatch(/^gives 1728 buckets over this window; at most 1000/);
  });

  it("is for staff: a customer gets 403, no credentials 401, an unknown alarm 404, a rule's alarm 400", async () => {
    expect((await get(`/api/v1/alarms/${alarmId}/series`, t.customer)).statusCode).toBe(403);
    expect((await get(`/api/v1/alarms/${alarmId}/series`, {})).statusCode).toBe(401);
    const missing = await get('/api/v1/alarms/999999999/series');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('alarms.not_found');
    const [rule] = await h.ctx.database.query<{ id: string }>(
      `insert into alarms (originator_type, originator_id, type, severity, first_seen_at, last_seen_at, details)
       values ('rule', '424242', 'rule_failed', 'major', now(), now(), '{}'::jsonb) returning id::text`,
    );
    const res = await get(`/api/v1/alarms/${rule!.id}/series`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'alarms.series_unavailable', details: [{ field: 'id' }] });
  });
});

describe("a fleet alarm's series", () => {
  it("counts the network's or APN's refusals and acceptances over the fleet, without data volume", async () => {
    const sims = await makeSims(h.services, t.child.id, 2, { state: 'ACTIVATED' });
    const plmn = { mcc: '262', mnc: '98' };
    const rejected = (s: MadeSim, m: number) => ({
      ts: at(m),
      iccid: s.iccid20,
      type: 'attach_rejected',
      network: plmn,
      cause: 17,
    });
    const apn = `Fleet-${uniq()}.Example`;
    await ingest([
      rejected(sims[0]!, 2),
      rejected(sims[0]!, 7),
      rejected(sims[1]!, 8),
      { ts: at(12), iccid: sims[1]!.iccid20, type: 'attach', network: plmn },
      { ts: at(3), iccid: sims[0]!.iccid20, type: 'session_rejected', network: plmn, apn, cause: 27 },
      { ts: at(13), iccid: sims[1]!.iccid20, type: 'session_start', network: plmn, apn, session_id: 'f-1' },
    ]);
    // The fleet watch raises what the diagnosis lists as failing (its own test covers that list).
    const failing = (kind: 'plmn' | 'apn', key: string, attempt: 'attach' | 'session') => ({
      kind,
      key,
      attempt,
      rejected: 3,
      accepted: 1,
      share: 0.75,
      failingSims: 2,
      failingTenants: 1,
      since: new Date(base),
    });
    const watch = fleetWatch({
      database: h.ctx.database,
      rules: async () => [],
      failingNow: async () => [failing('plmn', '26298', 'attach'), failing('apn', apn.toLowerCase(), 'session')],
      onRuleError: async () => {},
    });
    expect(await watch(new Date(base + 20 * MIN))).toMatchObject({ raised: 2 });
    const items = (await get('/api/v1/alarms?status=any')).json().items as { id: number; originator: { id: string } }[];
    const idOf = (key: string) => items.find((a) => a.originator.id === key)!.id;

    const byPlmn = await seriesOf(idOf('26298'), `?from=${at(0)}&to=${at(15)}&bucketMinutes=5`);
    expect(byPlmn).toMatchObject({ scope: 'plmn', subject: '26298', bucketMinutes: 5 });
    expect(byPlmn.buckets).toEqual([
      { at: at(0), accepted: 0, refused: 2, byType: { attach_rejected: 1, session_rejected: 1 }, bytes: null },
      { at: at(5), accepted: 0, refused: 2, byType: { attach_rejected: 2 }, bytes: null },
      { at: at(10), accepted: 2, refused: 0, byType: { attach: 1, session_start: 1 }, bytes: null },
    ]);
    expect(byPlmn.totals).toEqual({ accepted: 2, refused: 4, bytes: null });
    expect(byPlmn.marks).toMatchObject({ firstSeenAt: at(20), lastEventAt: null, dueAt: null, thresholdMinutes: null });

    const byApn = await seriesOf(idOf(apn.toLowerCase()), `?from=${at(0)}&to=${at(15)}&bucketMinutes=15`);
    expect(byApn).toMatchObject({ scope: 'apn', subject: apn.toLowerCase() });
    expect(byApn.buckets).toEqual([
      { at: at(0), accepted: 1, refused: 1, byType: { session_rejected: 1, session_start: 1 }, bytes: null },
    ]);
  });
});
