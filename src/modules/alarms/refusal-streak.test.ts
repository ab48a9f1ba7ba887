/**
 * The refusal-burst rule's streak: a device refused for a cause no retry cures backs off to tens of minutes, so
 * "3 within 15 minutes" never fills for it; "refused 3 times in a row, not accepted in between" catches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt, ingestNetwork } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { toCsv } from '../sims/import/import.test-support.ts';
import { burstAt, burstsOf, type RefusalParams } from './refusal-bursts.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const P = {
  count: 3,
  windowMinutes: 15,
  causes: [] as number[],
  attempts: ['attach', 'session'] as ('attach' | 'session')[],
  clearMinutes: 15,
  streak: 3 as number | null,
  streakHours: 6,
} satisfies RefusalParams;
type T = { ts: Date; type: 'attach_rejected' | 'session_rejected' | 'attach' | 'session_start'; cause: number | null };
const at = (m: number, type: T['type'], cause: number | null = type.endsWith('_rejected') ? 27 : null): T => ({
  ts: new Date(m * MIN),
  type,
  cause,
});
const sRej = (m: number, cause = 27) => at(m, 'session_rejected', cause);

describe('refusal streaks (pure)', () => {
  it('fires on the third refusal in a row however slow, and says which condition made it', () => {
    // A session refused every 20 minutes, the device attaching between: no window fills, the streak does.
    const slow = [sRej(0), at(19, 'attach'), sRej(20), at(39, 'attach'), sRej(40)];
    expect(burstAt({ ...P, streak: null }, slow)).toBeNull();
    const b = burstAt(P, slow);
    expect(b).toMatchObject({ condition: 'streak', acceptedAt: null });
    expect(b?.refusals.map((r) => r.ts.getTime() / MIN)).toEqual([0, 20, 40]);
    // Three within the window are the window's (the older condition wins where both hold).
    expect(burstAt(P, [sRej(0), sRej(5), sRej(9)])).toMatchObject({ condition: 'window' });
  });

  it('an accepted attempt of the same kind ends the streak; one of the other kind does not', () => {
    // A session start between: the refusals before it are no longer in a row.
    const reset = [sRej(0), sRej(20), at(30, 'session_start'), sRej(40), sRej(60)];
    expect(burstAt(P, reset)).toBeNull();
    const after = burstAt(P, [...reset, sRej(80)]);
    expect(after).toMatchObject({ condition: 'streak', acceptedAt: new Date(30 * MIN) });
    expect(after?.refusals).toHaveLength(3);
    // Attach refusals (roaming not allowed) end at an accepted attach, not at a session start.
    const attach = (m: number) => at(m, 'attach_rejected', 11);
    expect(burstAt(P, [attach(0), at(10, 'session_start'), attach(30), attach(60)])).toMatchObject({
      condition: 'streak',
    });
    expect(burstAt(P, [attach(0), at(10, 'attach'), attach(30), attach(60)])).toBeNull();
  });

  it("looks back streakHours only, and keeps to the rule's causes and attempts", () => {
    // Three refusals over seven hours: the first is outside the six-hour look-back.
    expect(burstAt(P, [sRej(0), sRej(4 * 60), sRej(7 * 60)])).toBeNull();
    expect(burstAt({ ...P, streakHours: 8 }, [sRej(0), sRej(4 * 60), sRej(7 * 60)])).toMatchObject({
      condition: 'streak',
    });
    // Of the rule's cause only (a 33 between is not counted, nor does it break the streak).
    const only27 = { ...P, causes: [27] };
    expect(burstAt(only27, [sRej(0), sRej(20, 33), sRej(40)])).toBeNull();
    expect(burstAt(only27, [sRej(0), sRej(20, 33), sRej(40), sRej(60)])?.refusals).toHaveLength(3);
    // A rule on attach refusals only ignores session refusals.
    expect(burstAt({ ...P, attempts: ['attach'] }, [sRej(0), sRej(20), sRej(40)])).toBeNull();
  });

  it('a cause no retry cures is a burst at its second refusal in a row on one network; others wait for the streak', () => {
    const Q = { ...P, permanentStreak: 2 };
    // APN unknown (ESM 27) twice, 40 minutes apart, attaching between: the fault, found an hour sooner.
    const apn = [sRej(0), at(39, 'attach'), sRej(40)];
    expect(burstAt(P, apn)).toBeNull();
    expect(burstAt(Q, apn)).toMatchObject({ condition: 'streak', acceptedAt: null });
    expect(burstAt(Q, apn)?.refusals.map((r) => r.ts.getTime() / MIN)).toEqual([0, 40]);
    // Congestion (22) and network failure (17) are cured by waiting: the general streak of 3 only.
    const att = (m: number, cause: number, plmn = '24007') => ({ ...at(m, 'attach_rejected', cause), plmn });
    expect(burstAt(Q, [att(0, 22), att(30, 22)])).toBeNull();
    expect(burstAt(Q, [att(0, 17), att(30, 17), att(60, 17)])).toMatchObject({ condition: 'streak' });
    // Two different permanent causes are not two of one fault; the newest run of one cause counts.
    expect(burstAt(Q, [sRej(0, 33), sRej(40, 27)])).toBeNull();
    expect(burstAt({ ...Q, streak: null }, [sRej(0, 33), sRej(40, 27), sRej(80, 27)])?.refusals).toHaveLength(2);
    // PLMN not allowed (11): a device steered from network to network is refused once on each, accepted on the
    // next — never twice in a row on one network.
    expect(burstAt(Q, [att(0, 11, '24001'), att(1, 11, '24002'), at(2, 'attach')])).toBeNull();
    expect(burstAt(Q, [att(0, 11, '24001'), att(1, 11, '24002')])).toBeNull();
    expect(burstAt(Q, [att(0, 11, '24001'), at(2, 'attach'), att(60, 11, '24001')])).toBeNull();
    expect(burstAt(Q, [att(0, 11, '24001'), att(30, 11, '24001')])).toMatchObject({ condition: 'streak' });
    // Within streakHours only.
    expect(burstAt(Q, [sRej(0), sRej(7 * 60)])).toBeNull();
  });

  it('the backtest fires a streak once, counts its refusals while it stands, and again after a pause', () => {
    const list = [sRej(0), sRej(20), sRej(40), sRej(50), at(60, 'session_start'), sRej(200), sRej(230), sRej(260)];
    expect(burstsOf(P, list, 0, 10 * HOUR)).toEqual([
      { at: 40 * MIN, refusals: 4 },
      { at: 260 * MIN, refusals: 3 },
    ]);
    expect(burstsOf({ ...P, streak: null }, list, 0, 10 * HOUR)).toEqual([]);
  });
});

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const staff = cliPrincipal('refusal-streak-test');
const ingest = (values: Record<string, unknown>[]) => ingestNetwork(h, values);
const net = { network: { mcc: '262', mnc: '01' } };
const ev = (sim: MadeSim, t: number, type: string, extra: Record<string, unknown> = {}) => ({
  ts: new Date(t).toISOString(),
  iccid: sim.iccid20,
  type,
  ...net,
  ...extra,
});

/** A refusal-burst rule as a staff user saves it (no escalation, schedule, case or reminder). */
const burstRule = (
  name: string,
  scope: { accountIds: number[] },
  params: RefusalParams & { permanentStreak: number | null },
  severity: 'minor' | 'major' = 'major',
) =>
  h.services.alarms.rules.create(staff, {
    name,
    kind: 'refusal_burst',
    enabled: true,
    scope,
    params: { ...params, streak: params.streak ?? null, streakHours: params.streakHours ?? 6 },
    severity,
    escalation: null,
    schedule: null,
    openCase: false,
    remindMinutes: null,
  });

describe('refusal streaks (live)', () => {
  it('raises a slow refuser, stays up while it only attaches, clears on session traffic', async () => {
    const tenant = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    await burstRule(
      `Slow refusers ${tenant.child.id}`,
      { accountIds: [tenant.child.id] },
      // The general streak alone (27 is a permanent cause: the shorter streak would fire at the second).
      { ...P, permanentStreak: null },
    );
    const [row] = await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
      sim!.iccid20.slice(0, 19),
    ]);
    const alarmsOf = () =>
      h.ctx.database.query<{ count: number; cleared_at: Date | null; details: Record<string, unknown> }>(
        `select count, cleared_at, details from alarms where originator_id = $1 and type = 'refusal_burst'`,
        [row!.id],
      );
    const t0 = Date.now() - 130 * MIN;
    const refusal = (t: number) => ev(sim!, t, 'session_rejected', { apn: 'iot.exmaple', cause: 27 });
    // Refused every 25 minutes, attaching before each try: two are nothing yet.
    await ingest([
      ev(sim!, t0, 'attach'),
      refusal(t0 + MIN),
      ev(sim!, t0 + 25 * MIN, 'attach'),
      refusal(t0 + 26 * MIN),
    ]);
    expect(await alarmsOf()).toEqual([]);
    await ingest([ev(sim!, t0 + 50 * MIN, 'attach'), refusal(t0 + 51 * MIN)]);
    const [raised] = await alarmsOf();
    expect(raised).toMatchObject({
      count: 1,
      cleared_at: null,
      details: expect.objectContaining({
        condition: 'streak',
        refusals: 3,
        acceptedAt: null,
        firstAt: new Date(t0 + MIN).toISOString(),
        lastAt: new Date(t0 + 51 * MIN).toISOString(),
        causeLabel: '27 Missing or unknown APN',
      }),
    });
    // It attaches again and backs off: an attach is no acceptance of its sessions, the alarm stands.
    await ingest([ev(sim!, t0 + 75 * MIN, 'attach')]);
    // The tick judges alarms not seen for a minute: the test clock runs a few minutes past the wall clock.
    const clock = { now: Date.now() + 2 * MIN };
    const alarms = alarmsAt(h, clock);
    expect((await alarms.refusalAndFleetTick()).burstsCleared).toBe(0);
    // The APN fixed: a session opens; cleared once refused no more for clearMinutes after the last refusal.
    await ingest([ev(sim!, t0 + 121 * MIN, 'session_start', { apn: 'iot.example', session_id: 's-1' })]);
    clock.now = Date.now() + 3 * MIN;
    expect((await alarms.refusalAndFleetTick()).burstsCleared).toBe(1);
    expect((await alarmsOf())[0]).toMatchObject({
      details: expect.objectContaining({ clearedBy: 'traffic', acceptedWith: 'session_start' }),
    });
  });

  it('a new rule has the permanent-cause streak of 2: an APN typo is raised at its second refusal', async () => {
    const tenant = await makeTenant(h.services);
    // Through the API, as a user saves it: the defaults fill what is not given.
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/alarm-rules',
      headers: tenant.agent,
      payload: {
        name: `Default streaks ${tenant.child.id}`,
        kind: 'refusal_burst',
        scope: { accountIds: [tenant.child.id] },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ params: { count: 3, streak: 3, permanentStreak: 2, streakHours: 6 } });
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const t0 = Date.now() - HOUR;
    const typo = (t: number) => ev(sim!, t, 'session_rejected', { apn: 'iot.exmaple', cause: 27 });
    const bursts = () =>
      h.ctx.database.query<{ details: Record<string, unknown> }>(
        `select a.details from alarms a join sims s on s.id::text = a.originator_id
          where a.type = 'refusal_burst' and left(s.iccid, 19) = $1`,
        [sim!.iccid20.slice(0, 19)],
      );
    await ingest([ev(sim!, t0, 'attach'), typo(t0 + MIN)]);
    expect(await bursts()).toEqual([]);
    await ingest([ev(sim!, t0 + 30 * MIN, 'attach'), typo(t0 + 31 * MIN)]);
    expect(await bursts()).toEqual([
      { details: expect.objectContaining({ condition: 'streak', refusals: 2, cause: 27, apn: 'iot.exmaple' }) },
    ]);
  });

  it('a SIM moved to another account: its burst stays the old account’s, cleared as moved; new refusals raise anew', async () => {
    const tenant = await makeTenant(h.services);
    await burstRule(
      `Moved ${tenant.child.id}`,
      { accountIds: [tenant.child.id, tenant.root.id] },
      { ...P, permanentStreak: null },
    );
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const t0 = Date.now() - HOUR;
    const burst = (from: number) =>
      ingest([0, 1, 2].map((m) => ev(sim!, from + m * MIN, 'session_rejected', { apn: 'iot.exmaple', cause: 27 })));
    const bursts = () =>
      h.ctx.database.query<{ id: string; account_id: string; cleared_at: Date | null; details: object }>(
        `select a.id::text, a.account_id::text, a.cleared_at, a.details from alarms a
           join sims s on s.id::text = a.originator_id
          where a.type = 'refusal_burst' and left(s.iccid, 19) = $1 order by a.id`,
        [sim!.iccid20.slice(0, 19)],
      );
    await burst(t0);
    const [first] = await bursts();
    expect(Number(first!.account_id)).toBe(tenant.child.id);
    const moved = await h.services.simImports.importCsv(
      staff,
      toCsv(['iccid', 'account'], [{ iccid: sim!.iccid20, account: tenant.root.number }]),
      { mode: 'atomic', upsert: true },
    );
    expect(moved.job).toMatchObject({ status: 'succeeded', rowsUpdated: 1 });
    await burst(t0 + 10 * MIN);
    const after = await bursts();
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ id: first!.id, details: expect.objectContaining({ clearedBy: 'moved' }) });
    expect(after[0]!.cleared_at).not.toBeNull();
    // Not counted into the old account's alarm: the new refusals are the new account's, on an alarm of its own.
    expect(after[0]!.details).toMatchObject({ lastAt: new Date(t0 + 2 * MIN).toISOString() });
    expect(after[1]).toMatchObject({ cleared_at: null });
    expect(Number(after[1]!.account_id)).toBe(tenant.root.id);
  });

  it('a rule saved without streaks keeps them off, and the API says so', async () => {
    const tenant = await makeTenant(h.services);
    const rule = await burstRule(
      `Window only ${tenant.child.id}`,
      { accountIds: [tenant.child.id] },
      { ...P, streak: null, permanentStreak: null },
      'minor',
    );
    expect(rule.params).toMatchObject({ streak: null, streakHours: 6, permanentStreak: null });
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const t0 = Date.now() - 3 * HOUR;
    await ingest(
      [0, 25, 50, 75].map((m) => ev(sim!, t0 + m * MIN, 'session_rejected', { apn: 'iot.exmaple', cause: 27 })),
    );
    const rows = await h.ctx.database.query(
      `select 1 from alarms a join sims s on s.id::text = a.originator_id
        where a.type = 'refusal_burst' and left(s.iccid, 19) = $1`,
      [sim!.iccid20.slice(0, 19)],
    );
    expect(rows).toEqual([]);
  });

  it('the clear tick pages past bursts that stay refused: 600 older ones do not hide the one to clear', async () => {
    const tenant = await makeTenant(h.services);
    await burstRule(
      `Paged clears ${tenant.child.id}`,
      { accountIds: [tenant.child.id] },
      { ...P, permanentStreak: null },
    );
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const t0 = Date.now() - 60 * MIN;
    await ingest([0, 1, 2].map((m) => ev(sim!, t0 + m * MIN, 'attach_rejected', { cause: 15 })));
    await ingest([ev(sim!, t0 + 10 * MIN, 'attach')]);
    // 600 bursts of SIMs that never talked again (no network state: never accepted), all seen before it.
    await h.ctx.database.query(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details)
       select 1, 1, 'sim', (8000000000 + g)::text, 'refusal_burst', 'minor', now() - interval '3 hours',
              now() - interval '2 hours', '{"lastType": "attach_rejected"}'::jsonb
         from generate_series(1, 600) g`,
    );
    const alarms = alarmsAt(h, { now: Date.now() + 2 * MIN });
    expect((await alarms.refusalAndFleetTick()).burstsCleared).toBe(1);
    const [row] = await h.ctx.database.query<{ cleared_at: Date | null; details: Record<string, unknown> }>(
      `select a.cleared_at, a.details from alarms a join sims s on s.id::text = a.originator_id
        where a.type = 'refusal_burst' and left(s.iccid, 19) = $1`,
      [sim!.iccid20.slice(0, 19)],
    );
    expect(row?.cleared_at).not.toBeNull();
    expect(row?.details).toMatchObject({ clearedBy: 'traffic', acceptedWith: 'attach' });
    await h.ctx.database.query(
      `delete from alarms where type = 'refusal_burst' and originator_id::bigint between 8000000001 and 8000000600`,
    );
  });
});
