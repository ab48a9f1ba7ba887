/**
 * Usage drift: an EWMA control chart on a SIM's daily bytes — the pure chart, the SQL's closed form against it, and
 * the daily judgement raising the SIM that drifts (not the noisy, the steady or the tiny one), then clearing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateRuleBody } from './rules.schemas.ts';
import { DRIFT_HOUR, driftStats, driftsOf, ewmaSigma, judgeDrift, type UsageDriftParams } from './usage-drift.ts';

const DAY = 86_400_000;
const MB = 1_000_000;
const P: UsageDriftParams = {
  lambda: 0.3,
  limit: 3,
  days: 7,
  learnDays: 28,
  direction: 'both',
  minChangePercent: 25,
  minUsualKb: 100,
};
/** Days around 1 MB (±5 %, a fixed pattern), then the recent days given. */
const steady = (i: number) => MB * (1 + 0.05 * Math.sin(i));
const series = (recent: (k: number) => number) => [
  ...Array.from({ length: 28 }, (_, i) => steady(i)),
  ...Array.from({ length: 7 }, (_, k) => recent(k)),
];

describe('usage drift (pure)', () => {
  it("the EWMA's sigma grows to its asymptote with the days", () => {
    expect(ewmaSigma({ lambda: 1, days: 7 }, 10)).toBeCloseTo(10);
    expect(ewmaSigma({ lambda: 0.3, days: 100 }, 10)).toBeCloseTo(10 * Math.sqrt(0.3 / 1.7));
    expect(ewmaSigma({ lambda: 0.3, days: 1 }, 10)).toBeCloseTo(3);
  });

  it('raises a slow climb, not a steady SIM, a one-day spike nor a noisy one', () => {
    // +10 % a day: day 7 is at +70 %; the EWMA (weighted to the newest) is well past the limits.
    const climb = driftStats(
      P,
      series((k) => MB * (1 + 0.1 * (k + 1))),
    );
    expect(judgeDrift(P, climb.mean, climb.sd, climb.ewma)).toMatchObject({ state: 'drift', direction: 'up' });
    const flat = driftStats(
      P,
      series((k) => steady(28 + k)),
    );
    expect(judgeDrift(P, flat.mean, flat.sd, flat.ewma).state).toBe('normal');
    // One day at three times the usual, four days ago: the EWMA has let most of it go (held, not raised).
    const spike = driftStats(
      P,
      series((k) => (k === 2 ? 3 * MB : steady(28 + k))),
    );
    expect(judgeDrift(P, spike.mean, spike.sd, spike.ewma).state).not.toBe('drift');
    // Days swinging between 0.2 and 2 MB, then a week at 1.6 MB: within its own spread.
    const noisyDays = [
      ...Array.from({ length: 28 }, (_, i) => (i % 2 ? 2 * MB : 0.2 * MB)),
      ...Array(7).fill(1.6 * MB),
    ];
    const noisy = driftStats(P, noisyDays);
    expect(judgeDrift(P, noisy.mean, noisy.sd, noisy.ewma).state).toBe('normal');
    // A slow fall is a drift down; a rule watching only 'up' leaves it.
    const fall = driftStats(
      P,
      series((k) => MB * (1 - 0.1 * (k + 1))),
    );
    expect(judgeDrift(P, fall.mean, fall.sd, fall.ewma)).toMatchObject({ state: 'drift', direction: 'down' });
    expect(judgeDrift({ ...P, direction: 'up' }, fall.mean, fall.sd, fall.ewma).state).toBe('normal');
    // A usual below the floor (100 kB a day) is too little to tell.
    const tiny = driftStats(
      P,
      Array.from({ length: 35 }, (_, i) => (i < 28 ? 50_000 : 500_000)),
    );
    expect(judgeDrift(P, tiny.mean, tiny.sd, tiny.ewma).state).toBe('normal');
  });

  it('the backtest fires once when a SIM starts drifting, again after it was back', () => {
    const bytes = new Map<number, number>();
    const t0 = 1000 * DAY;
    for (let d = 0; d < 80; d++) bytes.set(t0 + d * DAY, steady(d));
    for (let d = 40; d < 47; d++) bytes.set(t0 + d * DAY, 2.5 * MB);
    for (let d = 70; d < 77; d++) bytes.set(t0 + d * DAY, 2.5 * MB);
    const fires = driftsOf({ params: P, schedule: null }, bytes, t0 + 36 * DAY, t0 + 80 * DAY);
    // The first climb is found at the end of its first day; the second only on its fifth: by then the first one is
    // in the learned days, and the spread it taught widens the limits.
    expect(fires.map((f) => (f.at - t0) / DAY)).toEqual([41, 75]);
    expect(fires.every((f) => f.change > 25)).toBe(true);
  });

  it('validates the parameters at save, naming the field', () => {
    const bad = CreateRuleBody.safeParse({
      name: 'x',
      kind: 'usage_drift',
      params: { lambda: 2, direction: 'sideways' },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['params.direction', 'params.lambda']);
    expect(CreateRuleBody.parse({ name: 'x', kind: 'usage_drift' }).params).toEqual(P);
  });
});

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const staff = cliPrincipal('usage-drift-test');

describe('usage drift (live)', () => {
  it('raises the SIM that climbs, with the figures the chart gives; clears it once back', async () => {
    const tenant = await makeTenant(h.services);
    const made = (await makeSims(h.services, tenant.child.id, 4, { state: 'ACTIVATED' })).sort((x, y) =>
      x.iccid20.localeCompare(y.iccid20),
    );
    const sims = await h.ctx.database.query<{ id: string; tenant_id: string }>(
      'select id::text, tenant_id::text from sims where left(iccid, 19) = any($1::text[]) order by iccid',
      [made.map((s) => s.iccid20.slice(0, 19))],
    );
    const [climbing, flat, noisy, tiny] = sims.map((s) => Number(s.id)) as [number, number, number, number];
    const tenantId = Number(sims[0]!.tenant_id);
    const midnight = Math.floor(Date.now() / DAY) * DAY;
    const first = midnight - 35 * DAY;
    // 35 days before midnight, and the day after it (the next judgement's newest day).
    const days: Record<number, number[]> = {
      [climbing]: [...series((k) => MB * (1 + 0.1 * (k + 1))), steady(0)],
      [flat]: [...series((k) => steady(28 + k)), steady(1)],
      [noisy]: [...Array.from({ length: 35 }, (_, i) => (i % 2 ? 2 * MB : 0.2 * MB)), MB],
      [tiny]: [...Array(28).fill(50_000), ...Array(8).fill(500_000)],
    };
    const rows = Object.entries(days).flatMap(([sim, list]) =>
      list.map((b, i) => [Number(sim), first + i * DAY, Math.round(b)] as const),
    );
    await h.ctx.database.query(
      `insert into sim_usage_daily (sim_id, tenant_id, account_id, day, bytes_up, bytes_down)
       select s, $2, $3, to_timestamp(t / 1000.0), b / 2, b - b / 2
         from unnest($1::bigint[], $4::float8[], $5::bigint[]) as x(s, t, b)`,
      [rows.map((r) => r[0]), tenantId, tenant.child.id, rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    const rule = await h.services.alarms.rules.create(staff, {
      ...CreateRuleBody.parse({ name: `Drift ${tenant.child.id}`, kind: 'usage_drift' }),
      scope: { accountIds: [tenant.child.id] },
    });
    const clock = { now: midnight + DRIFT_HOUR * 3_600_000 };
    const alarms = alarmsAt(h, clock);
    expect(await alarms.usageDriftOf(tenantId, new Date(midnight))).toMatchObject({ raised: 1, cleared: 0 });
    const mine = () =>
      h.ctx.database.query<{
        originator_id: string;
        count: number;
        cleared_at: Date | null;
        details: Record<string, unknown>;
      }>(`select originator_id, count, cleared_at, details from alarms where type = 'usage_drift' and tenant_id = $1`, [
        tenantId,
      ]);
    const [a] = await mine();
    // The SQL's closed form gives what the chart computed day by day.
    const s = driftStats(P, days[climbing]!.slice(0, 35));
    const d = judgeDrift(P, s.mean, s.sd, s.ewma);
    expect(a).toMatchObject({
      originator_id: String(climbing),
      count: 1,
      details: {
        ruleId: rule.id,
        rule: rule.name,
        windowFrom: new Date(midnight - 7 * DAY).toISOString(),
        windowTo: new Date(midnight).toISOString(),
        days: 7,
        learnDays: 28,
        direction: 'up',
        meanBytesPerDay: Math.round(s.mean),
        sdBytesPerDay: Math.round(s.sd),
        ewmaBytesPerDay: Math.round(s.ewma),
        upperBytesPerDay: Math.round(d.upper),
        changePercent: Math.round((s.ewma / s.mean - 1) * 100),
      },
    });
    // Judged again for the same day (a retried run): nothing counted twice. The backtest of the day finds it too.
    expect(await alarms.usageDriftOf(tenantId, new Date(midnight))).toMatchObject({ raised: 0, repeated: 0 });
    const bt = await alarms.rules.backtestSaved(staff, rule.id, 1);
    expect(bt).toMatchObject({ fired: 1, simsFired: 1 });
    expect(bt.sims[0]).toMatchObject({
      iccid: made[0]!.iccid20,
      largestDriftPercent: Math.round((s.ewma / s.mean - 1) * 100),
    });
    // A day later its newest day is back at its usual: the EWMA falls back within half the limits only slowly —
    // still up a day later (counted), cleared when judged on days long back to normal (here: as of a day whose
    // week was normal).
    clock.now += DAY;
    expect(await alarms.usageDriftOf(tenantId, new Date(midnight + DAY))).toMatchObject({ repeated: 1 });
    expect(await alarms.usageDriftOf(tenantId, new Date(midnight - 8 * DAY))).toMatchObject({ cleared: 1 });
    expect((await mine())[0]).toMatchObject({ count: 2, details: expect.objectContaining({ clearedBy: 'usage' }) });
  });
});
