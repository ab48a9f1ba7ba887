import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const H = 3_600_000;
const D = 24 * H;
const src = { transport: 'http' as const, credentialId: null };

const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = t.agent) =>
  h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** SMS events at these instants (each makes an active hour: the rhythm rules learn from). */
async function history(sim: MadeSim, ats: readonly number[]) {
  const lines = ats.map((at, i) => ({
    line: i + 1,
    value: { ts: new Date(at).toISOString(), iccid: sim.iccid20, type: 'sms_mo', network: { mcc: '262', mnc: '01' } },
  }));
  expect(await h.services.ingest.acceptNetwork(lines, src)).toMatchObject({ accepted: ats.length });
  await h.services.ingest.drained();
  await h.runJobs();
}

async function simIdOf(sim: MadeSim): Promise<number> {
  const [r] = await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
    sim.iccid20.slice(0, 19),
  ]);
  return Number(r!.id);
}

describe('alarm rules: saved and validated', () => {
  it('creates a rule with its defaults, changes it (params merge), lists it, deletes it', async () => {
    const res = await call('POST', '/api/v1/alarm-rules', {
      name: 'Meters of the child',
      kind: 'silence',
      scope: { accountIds: [t.child.id] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const rule = res.json();
    expect(rule).toMatchObject({
      name: 'Meters of the child',
      kind: 'silence',
      enabled: true,
      scope: { accountIds: [t.child.id] },
      params: { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 },
      severity: 'major',
      escalation: null,
      schedule: null,
    });
    const patched = await call('PATCH', `/api/v1/alarm-rules/${rule.id}`, {
      params: { factor: 2 },
      escalation: { afterMinutes: 60, severity: 'critical' },
      schedule: { days: ['mon', 'tue'], from: '08:00', to: '18:00', timeZone: 'Europe/Berlin' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      params: { factor: 2, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 },
      escalation: { afterMinutes: 60, severity: 'critical' },
      schedule: { days: ['mon', 'tue'], timeZone: 'Europe/Berlin' },
    });
    const list = await call('GET', '/api/v1/alarm-rules');
    expect(list.json().items).toContainEqual(expect.objectContaining({ id: rule.id, name: 'Meters of the child' }));
    expect((await call('DELETE', `/api/v1/alarm-rules/${rule.id}`)).statusCode).toBe(204);
    const gone = await call('GET', `/api/v1/alarm-rules/${rule.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.details).toEqual([{ field: 'id', value: rule.id, reason: 'not found' }]);
  });

  it('names every problem by its place: unknown references, an escalation that does not escalate', async () => {
    const res = await call('POST', '/api/v1/alarm-rules', {
      name: 'Broken',
      kind: 'silence',
      scope: { accountIds: [t.child.id, 987654321], ratePlanIds: [987654322], deviceModelIds: [987654323] },
      severity: 'major',
      escalation: { afterMinutes: 10, severity: 'minor' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'alarms.rule_invalid' });
    expect(res.json().error.details).toEqual([
      { field: 'scope.accountIds[1]', value: 987654321, reason: 'does not exist' },
      { field: 'scope.ratePlanIds[0]', value: 987654322, reason: 'does not exist' },
      { field: 'scope.deviceModelIds[0]', value: 987654323, reason: 'does not exist' },
      { field: 'escalation.severity', value: 'minor', reason: "must be more severe than the rule's severity (major)" },
    ]);
  });

  it('refuses malformed rules with the field and the reason', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'x', kind: 'silence', scope: { plmns: ['2620'] } }, 'scope.plmns[0]'],
      [{ name: 'x', kind: 'silence', scope: { apns: ['bad apn'] } }, 'scope.apns[0]'],
      [{ name: 'x', kind: 'silence', scope: { imsi: ['1'] } }, 'scope'],
      [{ name: 'x', kind: 'silence', params: { factor: 0.5 } }, 'params.factor'],
      [{ name: 'x', kind: 'usage' }, 'kind'],
      [
        { name: 'x', kind: 'silence', schedule: { days: ['mon'], from: '08:00', to: '18:00', timeZone: 'Mars/Base' } },
        'schedule.timeZone',
      ],
      [
        { name: 'x', kind: 'silence', schedule: { days: ['mon'], from: '25:00', to: '18:00', timeZone: 'UTC' } },
        'schedule.from',
      ],
      [
        { name: 'x', kind: 'silence', schedule: { days: ['mon'], from: '08:00', to: '08:00', timeZone: 'UTC' } },
        'schedule.to',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/alarm-rules', body);
      expect(res.statusCode, `${JSON.stringify(body)} → ${res.body}`).toBe(400);
      const fields = (res.json().error.details as { field: string }[]).map((d) => d.field);
      expect(
        fields.some((f) => f.startsWith(field)),
        `${JSON.stringify(body)} → ${res.body}`,
      ).toBe(true);
    }
  });

  it('refuses a name taken (case-insensitively) with 409, and customers with 403', async () => {
    expect((await call('POST', '/api/v1/alarm-rules', { name: 'Routers', kind: 'silence' })).statusCode).toBe(201);
    const again = await call('POST', '/api/v1/alarm-rules', { name: 'routers', kind: 'silence' });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({ field: 'name', value: 'routers' });
    for (const [m, url, body] of [
      ['GET', '/api/v1/alarm-rules', undefined],
      ['POST', '/api/v1/alarm-rules', { name: 'Mine', kind: 'silence' }],
      ['POST', '/api/v1/alarm-rule-backtests', { name: 'Mine', kind: 'silence' }],
    ] as const) {
      const res = await call(m, url, body, t.customer);
      expect(res.statusCode, `${m} ${url}: ${res.body}`).toBe(403);
    }
  });
});

describe('alarm rules: applied by the silence watch', () => {
  it("gives its SIMs the rule's threshold from their hour-of-week rhythm, its severity, and its escalation", async () => {
    const tenant = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const simId = await simIdOf(sim!);
    // Every 4 hours for 4 days: a usual interval of 4 h.
    const start = Math.floor(Date.now() / H) * H - 5 * D;
    const ats = Array.from({ length: 24 }, (_, i) => start + i * 4 * H + 10 * 60_000);
    const created = await call('POST', '/api/v1/alarm-rules', {
      name: `Every four hours ${tenant.child.id}`,
      kind: 'silence',
      scope: { accountIds: [tenant.child.id] },
      params: { factor: 1.5, graceMinutes: 30 },
      severity: 'minor',
      escalation: { afterMinutes: 60, severity: 'critical' },
    });
    expect(created.statusCode, created.body).toBe(201);
    await history(sim!, ats);
    const last = ats[ats.length - 1]!;
    // 1.5 × 4 h + 30 min after the last event (not the built-in day without... or its diagnosis rule).
    const due = last + 6.5 * H;
    const [watch] = await h.ctx.database.query<{ due_at: Date; rule_id: string }>(
      'select due_at, rule_id::text from silence_watch where sim_id = $1',
      [simId],
    );
    expect(watch).toEqual({ due_at: new Date(due), rule_id: String(created.json().id) });
    const clock = { now: due - 1000 };
    const alarms = alarmsAt(h, clock);
    expect((await alarms.silenceTick()).raised).toBe(0);
    clock.now = due;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
    const [raised] = await h.ctx.database.query<{
      severity: string;
      rule_id: string;
      details: Record<string, unknown>;
    }>("select severity, rule_id::text, details from alarms where originator_id = $1 and type = 'silence'", [
      String(simId),
    ]);
    expect(raised).toMatchObject({
      severity: 'minor',
      rule_id: String(created.json().id),
      details: expect.objectContaining({ rule: `Every four hours ${tenant.child.id}`, thresholdMinutes: 390 }),
    });
    // An hour past its threshold, still silent: escalated.
    clock.now = due + 60 * 60_000;
    expect(await alarms.silenceTick()).toMatchObject({ repeated: 1 });
    const [escalated] = await h.ctx.database.query<{ severity: string }>(
      "select severity from alarms where originator_id = $1 and type = 'silence' and cleared_at is null",
      [String(simId)],
    );
    expect(escalated?.severity).toBe('critical');
  });

  it('defers a silence the rule now allows longer, and one due outside its schedule', async () => {
    const tenant = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, tenant.child.id, 1, { state: 'ACTIVATED' });
    const simId = await simIdOf(sim!);
    const start = Math.floor(Date.now() / H) * H - 5 * D;
    const ats = Array.from({ length: 24 }, (_, i) => start + i * 4 * H + 10 * 60_000);
    const created = await call('POST', '/api/v1/alarm-rules', {
      name: `Deferred ${tenant.child.id}`,
      kind: 'silence',
      scope: { accountIds: [tenant.child.id] },
    });
    await history(sim!, ats);
    const last = ats[ats.length - 1]!;
    const due = last + 6.5 * H;
    // The rule changes after the due time was set: the watch finds the longer threshold at the due time.
    await call('PATCH', `/api/v1/alarm-rules/${created.json().id}`, { params: { factor: 3 } });
    const clock = { now: due };
    const alarms = alarmsAt(h, clock);
    expect(await alarms.silenceTick()).toMatchObject({ raised: 0, deferred: 1 });
    const [w] = await h.ctx.database.query<{ due_at: Date }>('select due_at from silence_watch where sim_id = $1', [
      simId,
    ]);
    expect(w!.due_at).toEqual(new Date(last + 12.5 * H));
    // A schedule closed at the due time (open only the day after): the alarm waits for it to open.
    const tomorrow = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(last + 12.5 * H + D).getUTCDay()]!;
    await call('PATCH', `/api/v1/alarm-rules/${created.json().id}`, {
      schedule: { days: [tomorrow], from: '00:00', to: '23:59', timeZone: 'UTC' },
    });
    clock.now = last + 12.5 * H;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 0, deferred: 1 });
    const [w2] = await h.ctx.database.query<{ due_at: Date }>('select due_at from silence_watch where sim_id = $1', [
      simId,
    ]);
    const dayStart = Math.floor((last + 12.5 * H) / D) * D + D;
    expect(w2!.due_at).toEqual(new Date(Math.max(dayStart, last + 12.5 * H)));
  });
});

describe('alarm rules: backtest', () => {
  it('tells how often a rule would have fired in the last days, and on which SIMs', async () => {
    const tenant = await makeTenant(h.services);
    const [steady, broke] = await makeSims(h.services, tenant.child.id, 2, { state: 'ACTIVATED' });
    // Five weeks of a daily upload at this time of day, the last an hour ago (at a fixed hour, the steady SIM was
    // itself silent past its threshold once the afternoon came); the second SIM misses three days, four days ago.
    const base = Date.now() - H;
    const days = Array.from({ length: 35 }, (_, i) => base - (34 - i) * D);
    await history(steady!, days);
    await history(
      broke!,
      days.filter((at) => at < base - 5 * D || at >= base - 2 * D),
    );
    const body = { name: 'Try', kind: 'silence', scope: { accountIds: [tenant.child.id] } };
    const res = await call('POST', '/api/v1/alarm-rule-backtests?days=7', body);
    expect(res.statusCode, res.body).toBe(200);
    const bt = res.json();
    expect(bt).toMatchObject({ simsConsidered: 2, simsInScope: 2, sampled: false, fired: 1, simsFired: 1 });
    expect(bt.sims).toEqual([
      expect.objectContaining({ iccid: broke!.iccid20, fired: 1, thresholdMinutes: 1.5 * 24 * 60 + 30 }),
    ]);
    expect(bt.byDay).toHaveLength(1);
    // Nothing was saved.
    expect((await call('GET', '/api/v1/alarm-rules')).json().items.map((r: { name: string }) => r.name)).not.toContain(
      'Try',
    );
    // The same on a saved rule; and a draft with an unknown account is refused as at save.
    const saved = await call('POST', '/api/v1/alarm-rules', { ...body, name: `Saved ${tenant.child.id}` });
    const again = await call('GET', `/api/v1/alarm-rules/${saved.json().id}/backtest`);
    expect(again.json()).toMatchObject({ fired: 1, simsFired: 1 });
    const bad = await call('POST', '/api/v1/alarm-rule-backtests', { ...body, scope: { accountIds: [987654321] } });
    expect(bad.statusCode).toBe(400);
  });
});
