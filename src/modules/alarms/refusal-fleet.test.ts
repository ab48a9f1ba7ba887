import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt, ingestNetwork } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { fleetWatch } from './fleet-watch.ts';
import { burstsOf } from './refusal-bursts.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const MIN = 60_000;
const staff = cliPrincipal('refusal-fleet-test');

const ingest = (values: Record<string, unknown>[]) => ingestNetwork(h, values);
const refused = (sim: MadeSim, at: number, cause: number, plmn = { mcc: '262', mnc: '01' }) => ({
  ts: new Date(at).toISOString(),
  iccid: sim.iccid20,
  type: 'session_rejected',
  network: plmn,
  apn: 'iot.exmaple',
  cause,
});
const alarmsOf = (originatorId: string) =>
  h.ctx.database.query<{
    id: string;
    type: string;
    severity: string;
    count: number;
    cleared_at: Date | null;
    details: Record<string, unknown>;
  }>('select id::text, type, severity, count, cleared_at, details from alarms where originator_id = $1 order by id', [
    originatorId,
  ]);

describe('refusal bursts', () => {
  it('counts refusals per pure window', () => {
    const p = { count: 3, windowMinutes: 10, causes: [27], attempts: ['session' as const], clearMinutes: 15 };
    const r = (m: number, cause = 27) => ({ ts: new Date(m * MIN), type: 'session_rejected' as const, cause });
    // Two within ten minutes are no burst; a third is; the burst stands (and counts) while refusals go on; a new one
    // after a pause.
    expect(burstsOf(p, [r(0), r(5)], 0, 100 * MIN)).toEqual([]);
    expect(burstsOf(p, [r(0), r(5), r(9), r(12), r(20)], 0, 100 * MIN)).toEqual([{ at: 9 * MIN, refusals: 5 }]);
    expect(burstsOf(p, [r(0), r(5), r(9), r(40), r(41), r(42)], 0, 100 * MIN)).toEqual([
      { at: 9 * MIN, refusals: 3 },
      { at: 42 * MIN, refusals: 3 },
    ]);
    // Other causes and attach refusals are not this rule's.
    expect(burstsOf(p, [r(0, 33), r(1, 33), r(2, 33)], 0, 100 * MIN)).toEqual([]);
    expect(
      burstsOf(p, [r(0), r(1), { ts: new Date(2 * MIN), type: 'attach_rejected', cause: 27 }], 0, 100 * MIN),
    ).toEqual([]);
  });

  it("raises a SIM's alarm at the refusal that makes the burst, counts it up, backtests it, and clears it once the SIM is accepted", async () => {
    const tenant = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const rule = await h.services.alarms.rules.create(staff, {
      name: `APN typo ${tenant.child.id}`,
      kind: 'refusal_burst',
      enabled: true,
      scope: { accountIds: [tenant.child.id] },
      params: {
        count: 3,
        windowMinutes: 15,
        causes: [27],
        attempts: ['session'],
        clearMinutes: 15,
        streak: null,
        streakHours: 6,
        permanentStreak: null,
      },
      severity: 'minor',
      escalation: { afterMinutes: 30, severity: 'major' },
      schedule: null,
      openCase: false,
      remindMinutes: null,
    });
    const [row] = await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
      sim!.iccid20.slice(0, 19),
    ]);
    const simId = row!.id;
    const t0 = Date.now() - 10 * MIN;
    await ingest([refused(sim!, t0, 27), refused(sim!, t0 + MIN, 27), refused(sim!, t0 + 2 * MIN, 33)]);
    expect(await alarmsOf(simId)).toEqual([]);
    await ingest([refused(sim!, t0 + 3 * MIN, 27)]);
    const [raised] = await alarmsOf(simId);
    expect(raised).toMatchObject({
      type: 'refusal_burst',
      severity: 'minor',
      count: 1,
      cleared_at: null,
      details: expect.objectContaining({
        rule: `APN typo ${tenant.child.id}`,
        refusals: 3,
        cause: 27,
        causeLabel: '27 Missing or unknown APN',
        plmn: '26201',
        apn: 'iot.exmaple',
        firstAt: new Date(t0).toISOString(),
        lastAt: new Date(t0 + 3 * MIN).toISOString(),
      }),
    });
    const [event] = await h.ctx.database.query<{ payload: { type: string; severity: string } }>(
      `select payload from domain_events where name = 'alarms.raised' and payload->>'alarmId' = $1`,
      [raised!.id],
    );
    expect(event?.payload).toMatchObject({ type: 'refusal_burst', severity: 'minor' });
    await ingest([refused(sim!, t0 + 4 * MIN, 27)]);
    expect((await alarmsOf(simId))[0]).toMatchObject({ count: 2, details: expect.objectContaining({ refusals: 4 }) });

    // The backtest of the saved rule sees the one burst.
    const bt = await h.services.alarms.rules.backtestSaved(staff, rule.id, 1);
    expect(bt).toMatchObject({ fired: 1, simsFired: 1 });
    expect(bt.sims[0]).toMatchObject({ iccid: sim!.iccid20, refusals: 4, thresholdMinutes: null });

    // Accepted again: cleared only once refused no more for clearMinutes (hysteresis), by the worker's tick.
    await ingest([
      {
        ts: new Date(t0 + 5 * MIN).toISOString(),
        iccid: sim!.iccid20,
        type: 'session_start',
        network: { mcc: '262', mnc: '01' },
        apn: 'iot.example',
        session_id: 's-1',
      },
    ]);
    const clock = { now: t0 + 10 * MIN };
    const alarms = alarmsAt(h, clock);
    expect((await alarms.refusalAndFleetTick()).burstsCleared).toBe(0);
    clock.now = t0 + 20 * MIN;
    expect((await alarms.refusalAndFleetTick()).burstsCleared).toBe(1);
    expect((await alarmsOf(simId))[0]).toMatchObject({
      cleared_at: new Date(t0 + 20 * MIN),
      details: expect.objectContaining({ clearedBy: 'traffic', acceptedWith: 'session_start' }),
    });
  });
});

describe('fleet alarms', () => {
  it("raises one alarm per failing network from the diagnosis' fleet rule, shown to staff by network", async () => {
    const victims = await makeSims(h.services, t.child.id, 6, { state: 'ACTIVATED' });
    const now = Date.now();
    await ingest(
      victims.flatMap((v) =>
        Array.from({ length: 4 }, (_, i) => ({
          ts: new Date(now - (30 - i * 5) * MIN).toISOString(),
          iccid: v.iccid20,
          type: 'attach_rejected',
          network: { mcc: '262', mnc: '07' },
          cause: 17,
        })),
      ),
    );
    h.services.fleetHealth.invalidate();
    const r = await alarmsAt(h, { now }).refusalAndFleetTick();
    expect(r.fleet).toMatchObject({ raised: 1 });
    const res = await h.app.inject({ url: '/api/v1/alarms?type=fleet_attach_refusals', headers: t.agent });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toContainEqual(
      expect.objectContaining({
        type: 'fleet_attach_refusals',
        severity: 'critical',
        originator: { type: 'plmn', id: '26207', iccid: null },
        details: expect.objectContaining({ attempt: 'attach', failingSims: 6, rejected: 24 }),
      }),
    );
  });

  it('counts up while it lasts, clears after clearMinutes out of the list, and follows a rule for its networks', async () => {
    let failing = [
      {
        kind: 'apn' as const,
        key: `fleet-${uniq()}.example`,
        attempt: 'session' as const,
        rejected: 40,
        accepted: 2,
        share: 0.95,
        failingSims: 12,
        failingTenants: 3,
        since: new Date(),
      },
    ];
    const apn = failing[0]!.key;
    const rules = h.services.alarms.rules;
    const watch = fleetWatch({
      database: h.ctx.database,
      rules: rules.enabledFleet,
      failingNow: async () => failing,
      onRuleError: rules.failRule,
    });
    const t0 = Date.now();
    expect(await watch(new Date(t0))).toMatchObject({ raised: 1 });
    // A second worker's pass at the same moment does not count it twice; the next pass does.
    await watch(new Date(t0 + 1000));
    await watch(new Date(t0 + 30_000));
    expect((await alarmsOf(apn))[0]).toMatchObject({ count: 2, severity: 'critical', cleared_at: null });
    failing = [];
    await watch(new Date(t0 + 5 * MIN));
    expect((await alarmsOf(apn))[0]!.cleared_at).toBeNull();
    await watch(new Date(t0 + 11 * MIN));
    expect((await alarmsOf(apn))[0]!.cleared_at).toEqual(new Date(t0 + 11 * MIN));

    // A rule for this APN: severity major, and only attach refusals — its session failure raises nothing.
    await rules.create(staff, {
      name: `Fleet ${apn}`,
      kind: 'fleet_refusals',
      enabled: true,
      scope: { apns: [apn] },
      params: { attempts: ['attach'], clearMinutes: 5 },
      severity: 'major',
      escalation: null,
      schedule: null,
      openCase: false,
      remindMinutes: null,
    });
    failing = [
      {
        kind: 'apn',
        key: apn,
        attempt: 'session',
        rejected: 40,
        accepted: 2,
        share: 0.95,
        failingSims: 12,
        failingTenants: 3,
        since: new Date(),
      },
    ];
    expect(await watch(new Date(t0 + 20 * MIN))).toMatchObject({ raised: 0 });
    // A fleet rule watches networks and APNs, never SIMs: other scope fields are refused by name.
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/alarm-rules',
      headers: t.agent,
      payload: { name: 'Fleet of an account', kind: 'fleet_refusals', scope: { accountIds: [t.child.id] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'scope.accountIds' });
  });
});
