import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt as alarmsAtOf } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { NO_PATTERN_WARN_MS } from '../diagnosis/checks/activity.ts';
import { toCsv } from '../sims/import/import.test-support.ts';
import { startWatchBackfill } from './alarms.jobs.ts';
import { RECHECK_MS, RESTING_MS, silenceWatch } from './silence-watch.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const src = { transport: 'http' as const, credentialId: null };
const net = { network: { mcc: '262', mnc: '01' } };
const MIN = 60_000;

const alarmsAt = (clock: { now: number }) => alarmsAtOf(h, clock);

async function talk(sim: MadeSim, at: number, type: 'attach' | 'sms_mo' = 'attach') {
  const r = await h.services.ingest.acceptNetwork(
    [{ line: 1, value: { ts: new Date(at).toISOString(), iccid: sim!.iccid20, type, ...net } }],
    src,
  );
  expect(r).toMatchObject({ accepted: 1 });
  await h.runJobs(); // ingest's batch event: the silence watch starts (alarms.watch_silence)
}

async function simIdOf(sim: MadeSim): Promise<number> {
  const [r] = await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
    sim!.iccid20.slice(0, 19),
  ]);
  return Number(r!.id);
}

/** The SIM's alarms, by the list's ICCID filter (and checked against its id). */
const alarmOf = async (simId: number) => {
  const [row] = await h.ctx.database.query<{ iccid: string }>('select iccid from sims where id = $1', [simId]);
  const res = await h.app.inject({
    method: 'GET',
    url: `/api/v1/alarms?status=any&iccid=${row!.iccid}`,
    headers: t.agent,
  });
  expect(res.statusCode, res.body).toBe(200);
  const items = (res.json() as { items: Record<string, unknown>[] }).items;
  for (const a of items) expect(a.originator).toMatchObject({ id: String(simId) });
  return items;
};

/** A SIM of the child account, silent a day since 30 h ago, its silence alarm raised by the tick at its due time. */
async function silentWithAlarm() {
  const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
  const simId = await simIdOf(sim!);
  const last = Date.now() - 30 * 3_600_000;
  await talk(sim!, last);
  const clock = { now: last + NO_PATTERN_WARN_MS };
  const alarms = alarmsAt(clock);
  expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
  return { sim: sim!, simId, clock, alarms };
}

describe('the silence watch', () => {
  it('raises the alarm at the due instant (not before, not at the next message), repeats it, and clears it when the SIM talks', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const simId = await simIdOf(sim!);
    const last = Date.now() - 30 * 3_600_000;
    await talk(sim!, last);
    // No rhythm yet (no usage hours): a day's silence is news, as the diagnosis says.
    const due = last + NO_PATTERN_WARN_MS;
    const clock = { now: due - 1000 };
    const alarms = alarmsAt(clock);
    expect((await alarms.silenceTick()).raised).toBe(0);
    expect(await alarmOf(simId)).toEqual([]);

    clock.now = due;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
    const [raised] = await alarmOf(simId);
    expect(raised).toMatchObject({
      type: 'silence',
      severity: 'major',
      originator: { type: 'sim', id: String(simId), iccid: sim!.iccid20 },
      status: 'active',
      acknowledged: false,
      count: 1,
      accountId: t.child.id,
      firstSeenAt: new Date(due).toISOString(),
      details: {
        dueAt: new Date(due).toISOString(),
        lastEventType: 'attach',
        lastEventAt: new Date(last).toISOString(),
        thresholdMinutes: 1440,
        silentMinutes: 1440,
      },
    });

    // Still silent at the next check: the same alarm, counted again.
    clock.now = due + RECHECK_MS;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 0, repeated: 1 });
    expect(await alarmOf(simId)).toEqual([
      expect.objectContaining({
        id: raised!.id,
        count: 2,
        status: 'active',
        // When the silence became news stays; how long it has lasted grows.
        details: expect.objectContaining({ dueAt: new Date(due).toISOString(), silentMinutes: 1445 }),
      }),
    ]);

    // The SIM talks; the next check clears the alarm, by its condition, and watches the new silence.
    await talk(sim!, due + RECHECK_MS + MIN, 'sms_mo');
    clock.now = due + 2 * RECHECK_MS;
    expect(await alarms.silenceTick()).toMatchObject({ cleared: 1 });
    expect(await alarmOf(simId)).toEqual([
      expect.objectContaining({ id: raised!.id, status: 'cleared', clearedBy: 'condition' }),
    ]);
    const [watch] = await h.ctx.database.query<{ due_at: Date; alarm_id: string | null }>(
      'select due_at, alarm_id from silence_watch where sim_id = $1',
      [simId],
    );
    expect(watch).toEqual({ due_at: new Date(due + RECHECK_MS + MIN + NO_PATTERN_WARN_MS), alarm_id: null });
  });

  it('a SIM that talked before its due time is not alarmed: its due time moves on', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const simId = await simIdOf(sim!);
    const last = Date.now() - 30 * 3_600_000;
    await talk(sim!, last);
    await talk(sim!, last + 20 * 3_600_000, 'sms_mo');
    const clock = { now: last + NO_PATTERN_WARN_MS };
    expect(await alarmsAt(clock).silenceTick()).toMatchObject({ raised: 0 });
    expect(await alarmOf(simId)).toEqual([]);
  });

  it('a batch naming SIMs already watched reads nothing about them: only the unwatched are looked up and inserted', async () => {
    const [old, fresh] = await makeSims(h.services, t.child.id, 2, { state: 'ACTIVATED' });
    const oldId = await simIdOf(old!);
    const last = Date.now() - 3_600_000;
    await talk(old!, last);
    await talk(fresh!, last);
    const freshId = await simIdOf(fresh!);
    await h.ctx.database.query('delete from silence_watch where sim_id = $1', [freshId]);
    const looked: number[][] = [];
    const watch = silenceWatch({
      database: h.ctx.database,
      lastEventsOf: (ids) => {
        looked.push([...ids]);
        return h.services.ingest.lastEventsOf(ids);
      },
      rules: async () => [],
      onRuleError: async () => {},
      thresholdsOf: async (sims) => new Map(sims.map((s) => [s.simId, { ms: 7 * MIN, rule: null }])),
      inService: async (ids) => new Set(ids),
    });
    expect(await watch.watch([oldId], new Date())).toBe(0);
    expect(looked).toEqual([]);
    expect(await watch.watch([oldId, freshId], new Date())).toBe(1);
    expect(looked).toEqual([[freshId]]);
    const rows = await h.ctx.database.query<{ sim_id: string; threshold_ms: string }>(
      'select sim_id::text, threshold_ms::text from silence_watch where sim_id = any($1::bigint[])',
      [[oldId, freshId]],
    );
    // The old watch kept its own threshold (a day: no rhythm yet); the new one has the threshold given now.
    expect(new Map(rows.map((r) => [Number(r.sim_id), Number(r.threshold_ms)]))).toEqual(
      new Map([
        [oldId, NO_PATTERN_WARN_MS],
        [freshId, 7 * MIN],
      ]),
    );
  });

  it('a silent SIM out of service is no alarm: looked at again in a day; one alarmed before it left is cleared', async () => {
    const { sim, simId, clock, alarms } = await silentWithAlarm();
    const deactivated = await h.app.inject({
      method: 'POST',
      url: `/api/v1/sims/${sim!.iccid20}/state`,
      headers: t.agent,
      payload: { state: 'DEACTIVATED' },
    });
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    clock.now += RECHECK_MS;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 0, repeated: 0, cleared: 1, resting: 1 });
    expect(await alarmOf(simId)).toEqual([
      expect.objectContaining({
        status: 'cleared',
        clearedBy: 'condition',
        details: expect.objectContaining({ clearedBy: 'out_of_service' }),
      }),
    ]);
    const [watch] = await h.ctx.database.query<{ due_at: Date }>('select due_at from silence_watch where sim_id = $1', [
      simId,
    ]);
    expect(watch!.due_at.getTime()).toBe(clock.now + RESTING_MS);
  });

  it('a SIM moved to another account: its old alarm is cleared as moved, without what the SIM did since', async () => {
    const { sim, simId, clock, alarms } = await silentWithAlarm();
    const [raised] = await alarmOf(simId);
    expect(raised).toMatchObject({ accountId: t.child.id, status: 'active' });
    // Moved by an import (upsert) to the tenant's root account, then it talks there.
    const moved = await h.services.simImports.importCsv(
      cliPrincipal('silence-watch-test'),
      toCsv(['iccid', 'account'], [{ iccid: sim!.iccid20, account: t.root.number }]),
      { mode: 'atomic', upsert: true },
    );
    expect(moved.job).toMatchObject({ status: 'succeeded', rowsUpdated: 1 });
    await talk(sim, clock.now + MIN, 'sms_mo');
    clock.now += RECHECK_MS;
    expect(await alarms.silenceTick()).toMatchObject({ cleared: 1, raised: 0 });
    const [old] = await alarmOf(simId);
    expect(old).toMatchObject({ id: raised!.id, accountId: t.child.id, status: 'cleared', clearedBy: 'condition' });
    expect(old!.details).toMatchObject({ clearedBy: 'moved' });
    expect(Object.keys(old!.details as object)).not.toContain('talkedWith');
    const events = await h.ctx.database.query<{ payload: { by: string; accountId: number } }>(
      `select payload from domain_events where name = 'alarms.cleared' and (payload->>'alarmId')::bigint = $1`,
      [raised!.id],
    );
    expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ by: 'moved', accountId: t.child.id })]);
    // The watch goes on under the new account: its next silence is the root account's alarm.
    const [watch] = await h.ctx.database.query<{ account_id: string }>(
      'select account_id::text from silence_watch where sim_id = $1',
      [simId],
    );
    expect(Number(watch!.account_id)).toBe(t.root.id);
  });

  it('two workers ticking at once raise one alarm, once', async () => {
    const sims = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' });
    const last = Date.now() - 40 * 3_600_000;
    for (const s of sims) await talk(s, last);
    const clock = { now: last + NO_PATTERN_WARN_MS + 1000 };
    const [a, b] = await Promise.all([alarmsAt(clock).silenceTick(), alarmsAt(clock).silenceTick()]);
    const ids = await Promise.all(sims.map(simIdOf));
    for (const id of ids) expect(await alarmOf(id)).toEqual([expect.objectContaining({ count: 1 })]);
    // Between them the two ticks raised each SIM's alarm once (other tests' SIMs may be due as well).
    expect(a.raised + b.raised).toBeGreaterThanOrEqual(3);
    expect(a.repeated + b.repeated).toBe(0);
  });
});

describe('the silence watch backfill', () => {
  it('watches SIMs that talked before the watch existed, page by page through the job queue', async () => {
    const sims = await makeSims(h.services, t.child.id, 2, { state: 'ACTIVATED' });
    const last = Date.now() - 3_600_000;
    for (const s of sims) await talk(s, last);
    const ids = await Promise.all(sims.map(simIdOf));
    // As if they had talked before this release: no watch.
    await h.ctx.database.query('delete from silence_watch where sim_id = any($1::bigint[])', [ids]);
    await startWatchBackfill(h.services.jobs, new Date());
    await h.runJobs();
    const rows = await h.ctx.database.query<{ sim_id: string; due_at: Date }>(
      // By the id as a number: sorted as text, '10' would come before '9'.
      'select sim_id::text, due_at from silence_watch where sim_id = any($1::bigint[]) order by silence_watch.sim_id',
      [ids],
    );
    expect(rows.map((r) => [Number(r.sim_id), r.due_at.getTime()])).toEqual(
      [...ids].sort((a, b) => a - b).map((id) => [id, last + NO_PATTERN_WARN_MS]),
    );
  });
});

describe('alarms API', () => {
  it('acknowledges and clears by hand; customers are refused; an unknown alarm is 404 and a bad cursor 400', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const simId = await simIdOf(sim!);
    const last = Date.now() - 30 * 3_600_000;
    await talk(sim!, last);
    await alarmsAt({ now: last + NO_PATTERN_WARN_MS }).silenceTick();
    const [alarm] = await alarmOf(simId);
    const post = (path: string, headers = t.agent) =>
      h.app.inject({ method: 'POST', url: `/api/v1/alarms/${alarm!.id}/${path}`, headers });
    const ack = await post('acknowledge');
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ acknowledged: true, status: 'active' });
    const cleared = await post('clear');
    expect(cleared.json()).toMatchObject({ status: 'cleared', clearedBy: 'user', acknowledged: true });
    // Announced once (webhooks: alarm.cleared); clearing again changes nothing and announces nothing.
    expect((await post('clear')).json()).toMatchObject({ status: 'cleared', clearedBy: 'user' });
    const events = await h.ctx.database.query<{ payload: { by: string } }>(
      `select payload from domain_events where name = 'alarms.cleared' and (payload->>'alarmId')::bigint = $1`,
      [alarm!.id],
    );
    expect(events.map((e) => e.payload.by)).toEqual(['user']);
    expect((await post('acknowledge', t.customer)).statusCode).toBe(403);
    // A customer reads alarms (their own, in the customer view: alarms.routes.test.ts), and handles none.
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/alarms?status=any', headers: t.customer });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toContainEqual(expect.objectContaining({ id: alarm!.id, status: 'cleared' }));
    for (const a of list.json().items) expect(Object.keys(a)).not.toContain('details');
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/alarms/999999999', headers: t.agent });
    expect(missing.statusCode).toBe(404);
    const unknownSim = await h.app.inject({
      method: 'GET',
      url: '/api/v1/alarms?iccid=8946070000000000000',
      headers: t.agent,
    });
    expect(unknownSim.statusCode).toBe(404);
    const cursor = await h.app.inject({ method: 'GET', url: '/api/v1/alarms?cursor=nope', headers: t.agent });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ error: { code: 'alarms.cursor_invalid' } });
    const active = await h.app.inject({ method: 'GET', url: '/api/v1/alarms?status=active', headers: t.agent });
    expect((active.json() as { items: { id: number }[] }).items.map((a) => a.id)).not.toContain(alarm!.id);
  });
});
