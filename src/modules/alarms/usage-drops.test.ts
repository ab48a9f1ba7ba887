/**
 * Usage drops: a SIM carrying far less data than usual for the same hours of the week — judged against the median of
 * past weeks with the MAD, every hour, raised, counted up, held between the lines and cleared with hysteresis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { toCsv } from '../sims/import/import.test-support.ts';
import { customerAlarmDetails } from './alarms.events.ts';
import { startUsageDropRuns, USAGE_DROP_DELAY_MS, USAGE_DROP_RUN } from './alarms.jobs.ts';
import { presentCustomerAlarm } from './alarms.presenter.ts';
import { CreateRuleBody } from './rules.schemas.ts';
import { judgeUsage, median, type UsageDropParams, usageDropsOf } from './usage-drops.ts';

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const MB = 1_000_000;
const P: UsageDropParams = { dropPercent: 50, k: 3, hours: 3, learnWeeks: 4, minUsualKb: 100 };

describe('usage drops (pure)', () => {
  it('takes the median and MAD of the weeks, a missing week as none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const v = judgeUsage(P, 0.3 * MB, [3 * MB, 3 * MB, 3 * MB, 3 * MB]);
    expect(v).toMatchObject({ state: 'low', usual: 3 * MB, mad: 0, raiseAt: 1.5 * MB, clearAt: 2.25 * MB });
    // Two weeks of history out of four: the median is of 0, 0, 3, 3 MB.
    expect(judgeUsage(P, 0, [3 * MB, 3 * MB]).usual).toBe(1.5 * MB);
    // One week of history only: the median is nothing, and nothing is judged.
    expect(judgeUsage(P, 0, [3 * MB]).state).toBe('normal');
  });

  it('low needs both lines: far below the usual, and beyond the weeks’ own spread', () => {
    // A SIM whose weeks swing between 0.3 and 3 MB: 0.3 MB now is an ordinary low week, not news.
    expect(judgeUsage(P, 0.3 * MB, [3 * MB, 0.3 * MB, 3 * MB, 0.3 * MB]).state).toBe('normal');
    // k = 0: the percentage alone decides.
    expect(judgeUsage({ ...P, k: 0 }, 0.3 * MB, [3 * MB, 0.3 * MB, 3 * MB, 0.3 * MB]).state).toBe('low');
    // Between the raise and the clear line: held (an active alarm stays, none is raised).
    expect(judgeUsage(P, 2 * MB, [3 * MB, 3 * MB, 3 * MB, 3 * MB]).state).toBe('hold');
    expect(judgeUsage(P, 2.25 * MB, [3 * MB, 3 * MB, 3 * MB, 3 * MB]).state).toBe('normal');
    // A usual below the floor (100 kB over the hours) is too little to tell.
    expect(judgeUsage(P, 0, [90_000, 90_000, 90_000, 90_000]).state).toBe('normal');
    // A drop of 100 %: only no data at all is low (a byte is held, below the clear line at half the usual).
    expect(judgeUsage({ ...P, dropPercent: 100 }, 1, [3 * MB, 3 * MB, 3 * MB, 3 * MB]).state).toBe('hold');
    expect(judgeUsage({ ...P, dropPercent: 100 }, 0, [3 * MB, 3 * MB, 3 * MB, 3 * MB]).state).toBe('low');
  });

  it('the backtest fires once per drop, again after the SIM was back to normal', () => {
    const end = 100 * WEEK;
    const bytes = new Map<number, number>();
    for (let t = end - 5 * WEEK; t < end + 24 * HOUR; t += HOUR) bytes.set(t, MB);
    // Low from end − 3 h for 6 hours, normal, then low again for 3 hours from end + 12 h.
    for (let t = end - 3 * HOUR; t < end + 3 * HOUR; t += HOUR) bytes.set(t, 0.05 * MB);
    for (let t = end + 12 * HOUR; t < end + 15 * HOUR; t += HOUR) bytes.set(t, 0.05 * MB);
    const fires = usageDropsOf({ params: P, schedule: null }, bytes, end - 6 * HOUR, end + 20 * HOUR);
    // Low once two of the three hours are (1.1 MB of 3: 63 % down); again once the second drop's two hours are.
    expect(fires).toEqual([
      { at: end - HOUR, drop: 63 },
      { at: end + 14 * HOUR, drop: 63 },
    ]);
  });

  it('validates the parameters at save, naming the field', () => {
    const bad = CreateRuleBody.safeParse({ name: 'x', kind: 'usage_drop', params: { dropPercent: 5, hours: 30 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['params.dropPercent', 'params.hours']);
    const ok = CreateRuleBody.parse({ name: 'x', kind: 'usage_drop' });
    expect(ok.params).toEqual({ dropPercent: 50, k: 3, hours: 3, learnWeeks: 4, minUsualKb: 100 });
  });
});

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const staff = cliPrincipal('usage-drop-test');

describe('usage drops (live)', () => {
  it('raises the SIM that dropped, not the noisy, the tiny or the silent one; counts, holds and clears it', async () => {
    const tenant = await makeTenant(h.services);
    // In ICCID order, as the rows below are read.
    const made = (await makeSims(h.services, tenant.child.id, 5, { state: 'ACTIVATED' })).sort((x, y) =>
      x.iccid20.localeCompare(y.iccid20),
    );
    const sims = await h.ctx.database.query<{ id: string; tenant_id: string; account_id: string }>(
      `select id::text, tenant_id::text, account_id::text from sims where left(iccid, 19) = any($1::text[])
        order by iccid`,
      [made.map((s) => s.iccid20.slice(0, 19))],
    );
    const [dropped, steady, noisy, tiny, silent] = sims.map((s) => Number(s.id)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    // Each SIM's hourly bytes around the judged hours of the last four weeks and now.
    const rows: [number, number, number][] = [];
    const put = (sim: number, from: number, to: number, bytes: (w: number) => number) => {
      for (let w = 0; w <= 4; w++)
        for (let t = from - w * WEEK; t < to - w * WEEK; t += HOUR) rows.push([sim, t, bytes(w)]);
    };
    put(dropped, end - 3 * HOUR, end + 3 * HOUR, () => MB);
    put(steady, end - 3 * HOUR, end + 3 * HOUR, () => MB);
    put(noisy, end - 3 * HOUR, end + 3 * HOUR, (w) => (w === 0 ? 0.1 * MB : w % 2 === 1 ? MB : 0.1 * MB));
    put(tiny, end - 3 * HOUR, end + 3 * HOUR, (w) => (w === 0 ? 0 : 10_000));
    put(silent, end - 3 * HOUR, end + 3 * HOUR, (w) => (w === 0 ? 0 : MB));
    // Now: the dropped SIM sends 0.1 MB an hour for three hours, then its usual again.
    for (const r of rows) if (r[0] === dropped && r[1] >= end - 3 * HOUR && r[1] < end) r[2] = 0.1 * MB;
    const silentRows = rows.filter((r) => r[0] === silent && r[1] >= end - 3 * HOUR && r[1] < end + 3 * HOUR);
    for (const r of silentRows) rows.splice(rows.indexOf(r), 1);
    const tenantId = Number(sims[0]!.tenant_id);
    await h.ctx.database.query(
      `insert into sim_usage_hourly (sim_id, tenant_id, account_id, hour, bytes_up, bytes_down)
       select s, $2, $3, to_timestamp(t / 1000.0), b / 4, b - b / 4
         from unnest($1::bigint[], $4::float8[], $5::bigint[]) as x(s, t, b)`,
      [rows.map((r) => r[0]), tenantId, tenant.child.id, rows.map((r) => r[1]), rows.map((r) => Math.round(r[2]))],
    );
    // The silent SIM has its silence alarm already: the usage drop leaves it to that one.
    await h.ctx.database.query(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details)
       values ($1, $2, 'sim', $3, 'silence', 'major', now(), now(), '{}')`,
      [tenantId, tenant.child.id, String(silent)],
    );
    const rule = await h.services.alarms.rules.create(staff, {
      ...CreateRuleBody.parse({ name: `Usage drop ${tenant.child.id}`, kind: 'usage_drop' }),
      scope: { accountIds: [tenant.child.id] },
    });
    const clock = { now: end + 10 * 60_000 };
    const alarms = alarmsAt(h, clock);
    const run = async (at: number) => {
      const total = { raised: 0, repeated: 0, cleared: 0 };
      for (let after = 0; ; ) {
        const r = await alarms.usageRulesPage(after, new Date(at));
        if (r.tenantId === null) return total;
        total.raised += r.raised;
        total.repeated += r.repeated;
        total.cleared += r.cleared;
        after = r.tenantId;
      }
    };
    const mine = () =>
      h.ctx.database.query<{
        originator_id: string;
        count: number;
        cleared_at: Date | null;
        details: Record<string, unknown>;
      }>(`select originator_id, count, cleared_at, details from alarms where type = 'usage_drop' and tenant_id = $1`, [
        tenantId,
      ]);

    expect(await run(end)).toMatchObject({ raised: 1 });
    const [a] = await mine();
    expect(a).toMatchObject({
      originator_id: String(dropped),
      count: 1,
      cleared_at: null,
      details: {
        ruleId: rule.id,
        rule: rule.name,
        windowFrom: new Date(end - 3 * HOUR).toISOString(),
        windowTo: new Date(end).toISOString(),
        hours: 3,
        observedBytes: 300_000,
        usualBytes: 3_000_000,
        madBytes: 0,
        thresholdBytes: 1_500_000,
        dropPercent: 90,
        learnWeeks: 4,
      },
    });
    // The customer's view and webhook carry the facts, not the rule nor the thresholds it set.
    expect(customerAlarmDetails(a!.details)).not.toHaveProperty('rule');
    expect(customerAlarmDetails(a!.details)).not.toHaveProperty('thresholdBytes');
    const [row] = (
      await h.services.alarms.list(staff, { status: 'any', type: 'usage_drop', limit: 10 } as never)
    ).items.filter((x) => x.originatorId === String(dropped));
    expect(presentCustomerAlarm(row!, new Map()).cause).toEqual({
      kind: 'usage_drop',
      windowFrom: new Date(end - 3 * HOUR).toISOString(),
      windowTo: new Date(end).toISOString(),
      bytes: 300_000,
      usualBytes: 3_000_000,
      dropPercent: 90,
    });
    const [raisedEvent] = await h.ctx.database.query<{ n: string }>(
      `select count(*)::text as n from domain_events where name = 'alarms.raised' and payload->>'simId' = $1`,
      [String(dropped)],
    );
    expect(raisedEvent?.n).toBe('1');

    // The same hour again (a retried run): nothing counted twice.
    expect(await run(end)).toMatchObject({ raised: 0, repeated: 0, cleared: 0 });
    // An hour on, two of its three hours still low: counted up.
    expect(await run(end + HOUR)).toMatchObject({ raised: 0, repeated: 1, cleared: 0 });
    // Then 2.1 of its usual 3 MB: between the lines, held as it is.
    expect(await run(end + 2 * HOUR)).toMatchObject({ raised: 0, repeated: 0, cleared: 0 });
    expect((await mine())[0]).toMatchObject({ count: 2, cleared_at: null });
    // Back to its usual: cleared by its usage, announced.
    expect(await run(end + 3 * HOUR)).toMatchObject({ cleared: 1 });
    expect((await mine())[0]).toMatchObject({ details: expect.objectContaining({ clearedBy: 'usage' }) });

    // The backtest replays the same judgement on the stored hours: the dropped SIM 90 % down — and the silent one,
    // whose silence alarm the replay does not know of (it says what the rule alone would have raised).
    clock.now = end + 3 * HOUR;
    const bt = await alarms.rules.backtestSaved(staff, rule.id, 1);
    expect(bt).toMatchObject({ fired: 2, simsFired: 2, simsInScope: 5 });
    const byIccid = new Map(bt.sims.map((s) => [s.iccid.slice(0, 19), s]));
    expect(byIccid.get(made[0]!.iccid20.slice(0, 19))).toMatchObject({ fired: 1, deepestDropPercent: 90 });
    expect(byIccid.get(made[4]!.iccid20.slice(0, 19))).toMatchObject({ fired: 1, deepestDropPercent: 100 });
  });
});

describe('usage drops: a SIM moved to another account', () => {
  it('its alarm stays the old account’s, cleared as moved; the new account’s finding is an alarm of its own', async () => {
    const tenant = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const [row] = await h.ctx.database.query<{ id: string; tenant_id: string }>(
      'select id::text, tenant_id::text from sims where left(iccid, 19) = $1',
      [sim!.iccid20.slice(0, 19)],
    );
    const simId = Number(row!.id);
    const tenantId = Number(row!.tenant_id);
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    // Its usual MB an hour over four weeks; 0.1 MB an hour for the last three hours and the next one.
    const hours: [number, number][] = [];
    for (let w = 0; w <= 4; w++)
      for (let t = end - 3 * HOUR - w * WEEK; t < end + HOUR - w * WEEK; t += HOUR)
        hours.push([t, w === 0 ? 0.1 * MB : MB]);
    await h.ctx.database.query(
      `insert into sim_usage_hourly (sim_id, tenant_id, account_id, hour, bytes_up, bytes_down)
       select $1, $2, $3, to_timestamp(t / 1000.0), b / 4, b - b / 4 from unnest($4::float8[], $5::bigint[]) as x(t, b)`,
      [simId, tenantId, tenant.child.id, hours.map((x) => x[0]), hours.map((x) => Math.round(x[1]))],
    );
    await h.services.alarms.rules.create(staff, {
      ...CreateRuleBody.parse({ name: `Moved drop ${tenant.child.id}`, kind: 'usage_drop' }),
      scope: { accountIds: [tenant.child.id, tenant.root.id] },
    });
    const alarms = alarmsAt(h, { now: end + 2 * HOUR });
    const run = async (at: number) => {
      for (let after = 0; ; ) {
        const r = await alarms.usageRulesPage(after, new Date(at));
        if (r.tenantId === null) return;
        after = r.tenantId;
      }
    };
    const mine = () =>
      h.ctx.database.query<{ account_id: string; cleared_at: Date | null; details: Record<string, unknown> }>(
        `select account_id::text, cleared_at, details from alarms where type = 'usage_drop' and originator_id = $1
          order by id`,
        [String(simId)],
      );
    await run(end);
    expect((await mine()).map((a) => Number(a.account_id))).toEqual([tenant.child.id]);
    const moved = await h.services.simImports.importCsv(
      staff,
      toCsv(['iccid', 'account'], [{ iccid: sim!.iccid20, account: tenant.root.number }]),
      { mode: 'atomic', upsert: true },
    );
    expect(moved.job).toMatchObject({ status: 'succeeded', rowsUpdated: 1 });
    await run(end + HOUR);
    const after = await mine();
    expect(after.map((a) => [Number(a.account_id), a.cleared_at === null])).toEqual([
      [tenant.child.id, false],
      [tenant.root.id, true],
    ]);
    expect(after[0]!.details).toMatchObject({ clearedBy: 'moved' });
    const [event] = await h.ctx.database.query<{ payload: { by: string; accountId: number } }>(
      `select payload from domain_events where name = 'alarms.cleared' and payload->>'simId' = $1`,
      [String(simId)],
    );
    expect(event!.payload).toMatchObject({ by: 'moved', accountId: tenant.child.id });
  });
});

describe('usage drops (the hourly run)', () => {
  it('a worker starting queues the last hour’s run; it pages tenant by tenant and queues the next hour first', async () => {
    // The worker starts at `at`: its run is of the hour that ended before it, due 10 minutes after that hour; the
    // jobs run at that instant, or at `at` when later (the pages it queues are due at the wall clock's now).
    const at = new Date(Date.now() + 1000);
    const end = Math.floor(at.getTime() / HOUR) * HOUR;
    await startUsageDropRuns(h.services.jobs, at);
    await startUsageDropRuns(h.services.jobs, at); // a second worker starting: the same run, not another
    await h.runJobs(new Date(Math.max(at.getTime(), end + USAGE_DROP_DELAY_MS)));
    const runs = await h.ctx.database.query<{ end: string; after: number; state: string; run_at: Date }>(
      `select payload->>'end' as end, (payload->>'after')::int as after, state, run_at from jobs
        where kind = $1 order by id`,
      [USAGE_DROP_RUN],
    );
    const thisHour = runs.filter((r) => r.end === new Date(end).toISOString());
    // The first page, then one page after each tenant with usage (the last finds none after it): all done.
    const [tenants] = await h.ctx.database.query<{ n: number }>(
      'select count(distinct tenant_id)::int as n from sim_usage_hourly',
    );
    expect(thisHour.map((r) => r.state)).toEqual(Array(tenants!.n + 1).fill('done'));
    expect(thisHour[0]!.after).toBe(0);
    // The next hour's run waits for its hour's usage: due 10 minutes after it ends.
    const next = runs.filter((r) => r.end === new Date(end + HOUR).toISOString());
    expect(next).toEqual([
      {
        end: new Date(end + HOUR).toISOString(),
        after: 0,
        state: 'queued',
        run_at: new Date(end + HOUR + USAGE_DROP_DELAY_MS),
      },
    ]);
  });
});
