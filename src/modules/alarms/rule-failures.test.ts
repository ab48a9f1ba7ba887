import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt, ingestNetwork } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const H = 3_600_000;
const MIN = 60_000;
const staff = cliPrincipal('rule-failures-test');
const base = { enabled: true, escalation: null, schedule: null, openCase: false, remindMinutes: null } as const;

const ingest = (values: Record<string, unknown>[]) => ingestNetwork(h, values);
const sms = (sim: MadeSim, at: number) => ({
  ts: new Date(at).toISOString(),
  iccid: sim.iccid20,
  type: 'sms_mo',
  network: { mcc: '262', mnc: '01' },
});
const refused = (sim: MadeSim, at: number) => ({
  ts: new Date(at).toISOString(),
  iccid: sim.iccid20,
  type: 'session_rejected',
  network: { mcc: '262', mnc: '01' },
  apn: 'iot.exmaple',
  cause: 27,
});
const simIdOf = async (sim: MadeSim) =>
  (
    await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
      sim.iccid20.slice(0, 19),
    ])
  )[0]!.id;
const alarmOf = async (originatorType: string, originatorId: string, type: string) =>
  (
    await h.ctx.database.query<{ severity: string; details: Record<string, unknown> }>(
      'select severity, details from alarms where originator_type = $1 and originator_id = $2 and type = $3',
      [originatorType, originatorId, type],
    )
  )[0];

describe('a rule that throws', () => {
  it('is disabled with an alarm of its own; its SIMs and the other rules go on', async () => {
    const a = await makeTenant(h.services);
    const b = await makeTenant(h.services);
    const [simA] = await makeSims(h.services, a.child.id, 1, { state: 'ACTIVATED' });
    const [simB] = await makeSims(h.services, b.child.id, 1, { state: 'ACTIVATED' });
    const silence = { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 60, learnWeeks: 1 };
    const broken = await h.services.alarms.rules.create(staff, {
      ...base,
      name: `Broken ${uniq()}`,
      kind: 'silence',
      scope: { accountIds: [a.child.id] },
      params: silence,
      severity: 'minor',
      schedule: { days: ['mon'], from: '08:00', to: '18:00', timeZone: 'Europe/Berlin' },
    });
    const sound = await h.services.alarms.rules.create(staff, {
      ...base,
      name: `Sound ${uniq()}`,
      kind: 'silence',
      scope: { accountIds: [b.child.id] },
      params: silence,
      severity: 'warning',
    });
    // A time zone the runtime no longer knows (a hand edit, an ICU update): no validation sees it.
    await h.ctx.database.query(
      `update alarm_rules set schedule = jsonb_set(schedule, '{timeZone}', '"Atlantis/Lost"') where id = $1`,
      [broken.id],
    );
    const last = Date.now() - 5 * H;
    await ingest([sms(simA!, last), sms(simB!, last)]);
    const alarms = alarmsAt(h, { now: last + 2 * H });
    expect(await alarms.silenceTick()).toMatchObject({ raised: 2 });
    expect(await h.services.alarms.rules.get(staff, broken.id)).toMatchObject({
      enabled: false,
      lastError: expect.stringContaining('Atlantis/Lost'),
    });
    expect(await alarmOf('rule', String(broken.id), 'rule_failed')).toMatchObject({
      severity: 'major',
      details: expect.objectContaining({ rule: broken.name, kind: 'silence' }),
    });
    // Both SIMs' silences were raised: the failing rule's SIM without its schedule, the other by its own rule.
    expect(await alarmOf('sim', await simIdOf(simA!), 'silence')).toMatchObject({ severity: 'minor' });
    expect(await alarmOf('sim', await simIdOf(simB!), 'silence')).toMatchObject({
      severity: 'warning',
      details: expect.objectContaining({ rule: sound.name }),
    });
    // Shown on the rule; enabling it again clears the error.
    const res = await h.app.inject({ url: `/api/v1/alarm-rules/${broken.id}`, headers: a.agent });
    expect(res.json()).toMatchObject({ enabled: false, lastError: expect.stringContaining('Atlantis/Lost') });
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/alarm-rules/${broken.id}`,
      headers: a.agent,
      payload: { enabled: true, schedule: null },
    });
    expect(patched.json()).toMatchObject({ enabled: true, lastError: null, failedAt: null });
  });

  it('a refusal-burst rule whose parameters cannot be read is disabled; another burst rule still raises', async () => {
    const a = await makeTenant(h.services);
    const b = await makeTenant(h.services);
    const [simA] = await makeSims(h.services, a.child.id, 1, { state: 'ACTIVATED' });
    const [simB] = await makeSims(h.services, b.child.id, 1, { state: 'ACTIVATED' });
    const params = {
      count: 2,
      windowMinutes: 15,
      causes: [],
      attempts: ['session' as const],
      clearMinutes: 15,
      streak: null,
      streakHours: 6,
      permanentStreak: null,
    };
    const broken = await h.services.alarms.rules.create(staff, {
      ...base,
      name: `Broken burst ${uniq()}`,
      kind: 'refusal_burst',
      scope: { accountIds: [a.child.id] },
      params,
      severity: 'minor',
    });
    await h.services.alarms.rules.create(staff, {
      ...base,
      name: `Sound burst ${uniq()}`,
      kind: 'refusal_burst',
      scope: { accountIds: [b.child.id] },
      params,
      severity: 'minor',
    });
    await h.ctx.database.query(`update alarm_rules set params = params - 'attempts' where id = $1`, [broken.id]);
    const t0 = Date.now() - 10 * MIN;
    await ingest([refused(simA!, t0), refused(simA!, t0 + MIN), refused(simB!, t0), refused(simB!, t0 + MIN)]);
    expect(await h.services.alarms.rules.get(staff, broken.id)).toMatchObject({ enabled: false });
    expect(await alarmOf('rule', String(broken.id), 'rule_failed')).toBeDefined();
    expect(await alarmOf('sim', await simIdOf(simA!), 'refusal_burst')).toBeUndefined();
    expect(await alarmOf('sim', await simIdOf(simB!), 'refusal_burst')).toMatchObject({ severity: 'minor' });
  });
});
