import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import type { DiagnosisInput } from './diagnosis.model.ts';
import {
  cell,
  commPlan,
  ev,
  FAR,
  fleet,
  HOME,
  HOUR,
  healthyEvents,
  IMEI,
  input,
  NOW,
  ratePlan,
  repeat,
  VISITED,
} from './diagnosis.testkit.ts';
import { diagnose } from './engine.ts';

const run = (over: Partial<DiagnosisInput>) => diagnose(input(over));
const verdictOf = (d: ReturnType<typeof diagnose>, code: string) => d.checks.find((c) => c.check === code)?.verdict;

describe('root causes', () => {
  it('a working SIM is healthy, every layer ok', () => {
    const d = run({});
    expect(d.rootCause).toMatchObject({ code: 'healthy', verdict: 'ok' });
    expect(d.checks.filter((c) => c.verdict === 'error' || c.verdict === 'warning')).toEqual([]);
    expect(new Set(d.checks.map((c) => c.layer))).toEqual(
      new Set(['identity', 'provisioning', 'policy', 'registration', 'data_session', 'services', 'activity']),
    );
    expect(d.rootCause.summary.customer.en).toContain('2025-03-10 11:50 UTC');
  });

  it('a SIM with no events at all is unknown, "no network events received yet", never an error', () => {
    const d = run({ events: [], networkState: null });
    expect(d.rootCause).toMatchObject({ code: 'no_events_yet', verdict: 'unknown' });
    expect(d.rootCause.summary.agent).toContain('No network events received yet');
    expect(verdictOf(d, 'activity.last_seen')).toBe('unknown');
    expect(verdictOf(d, 'registration.status')).toBe('unknown');
  });

  it('no events and a DEACTIVATED SIM: still unknown, the configuration finding listed for the agent', () => {
    const d = run({ events: [], networkState: null, sim: { ...input().sim, state: 'DEACTIVATED' } });
    expect(d.rootCause.code).toBe('no_events_yet');
    expect(d.otherFindings.map((f) => f.code)).toEqual(['sim_not_active']);
    expect(d.rootCause.summary.agent).toContain('SIM not active');
  });

  it('sim_not_active: a DEACTIVATED SIM refused with EMM #8, with the activation as action', () => {
    const d = run({
      sim: { ...input().sim, state: 'DEACTIVATED' },
      events: repeat(5, 10, 20, 'attach_rejected', { cause: 8 }),
    });
    expect(d.rootCause).toMatchObject({
      code: 'sim_not_active',
      verdict: 'error',
      action: { kind: 'change_state', params: { to: 'ACTIVATED' } },
    });
    expect(d.rootCause.summary.customer.en).toContain('DEACTIVATED');
    expect(d.otherFindings.map((f) => f.code)).not.toContain('subscription_refused');
  });

  it('sim_not_active: a RETIRED SIM has no activation to offer', () => {
    const d = run({
      sim: { ...input().sim, state: 'RETIRED' },
      events: repeat(2, 10, 20, 'attach_rejected', { cause: 8 }),
    });
    expect(d.rootCause.code).toBe('sim_not_active');
    expect(d.rootCause.action).toBeUndefined();
  });

  it('test_allowance_used: TEST_READY over its test data', () => {
    const d = run({
      sim: { ...input().sim, state: 'TEST_READY', stateChangedAt: new Date(NOW.getTime() - 48 * HOUR) },
      testUsage: { bytes: 6 * 1024 * 1024, sms: 0, voiceSeconds: 0 },
    });
    expect(d.rootCause).toMatchObject({
      code: 'test_allowance_used',
      action: { kind: 'change_state', params: { to: 'ACTIVATED' } },
    });
    expect(d.rootCause.summary.customer.de).toContain('6 von 5 MB');
  });

  it("subscription_refused: ACTIVATED in iotops, EMM #8 from the network (the simulator's sim_deactivated)", () => {
    const events = [...repeat(4, 5, 15, 'attach_rejected', { cause: 8 }), ev(70, 'detach'), ...healthyEvents(24, 80)];
    const d = run({ events });
    expect(d.rootCause).toMatchObject({
      code: 'subscription_refused',
      verdict: 'error',
      action: { kind: 'connectivity_reset' },
    });
    expect(d.rootCause.facts.cause).toBe(8);
  });

  it('identity_rejected: EMM #6 illegal ME', () => {
    const d = run({ events: repeat(3, 5, 15, 'attach_rejected', { cause: 6 }) });
    expect(d.rootCause).toMatchObject({ code: 'identity_rejected', verdict: 'error' });
  });

  const limitEvents = () => [...repeat(6, 5, 10, 'session_rejected', { cause: 29 }), ...healthyEvents(24, 70)];

  it('sim_blocked_by_limit: ESM #29 on the plan APN after sessions there had worked', () => {
    const d = run({ events: limitEvents() });
    expect(d.rootCause).toMatchObject({ code: 'sim_blocked_by_limit', verdict: 'error', confidence: 'medium' });
    expect(verdictOf(d, 'data_session.apn')).toBe('ok');
  });

  it('quota_exhausted: the same refusals with the allowance of a plan that blocks there used up', () => {
    const usage = {
      bytes: 120 * 1024 * 1024,
      sms: 0,
      voiceSeconds: 0,
      period: { from: new Date('2025-03-01T00:00:00Z'), to: NOW },
    };
    const d = run({ events: limitEvents(), usage, ratePlan: ratePlan({ overageAction: 'block' }) });
    expect(d.rootCause).toMatchObject({ code: 'quota_exhausted', confidence: 'high' });
    expect(d.rootCause.summary.customer.fr).toContain('120 Mo sur 100 Mo');
    // A plan that charges for overage does not stop data at the allowance: the block is another limit's.
    expect(run({ events: limitEvents(), usage }).rootCause.code).toBe('sim_blocked_by_limit');
  });

  it('over the allowance without refusals is a warning, not a fault', () => {
    const usage = {
      bytes: 120 * 1024 * 1024,
      sms: 0,
      voiceSeconds: 0,
      period: { from: new Date('2025-03-01T00:00:00Z'), to: NOW },
    };
    const d = run({ usage });
    expect(d.rootCause.code).toBe('healthy');
    expect(verdictOf(d, 'policy.data_allowance')).toBe('warning');
    expect(d.rootCause.summary.agent).toContain('Over the data allowance');
  });

  it('data_not_in_plan: sessions asked for on a plan with data off', () => {
    const d = run({
      communicationPlan: commPlan({ dataEnabled: false }),
      events: [...repeat(3, 5, 10, 'session_rejected', { cause: 33 }), ev(60, 'attach')],
    });
    expect(d.rootCause).toMatchObject({
      code: 'data_not_in_plan',
      action: { kind: 'change_plan', params: { field: 'dataEnabled', value: true } },
    });
  });

  it('plmn_not_allowed: refused in a US network by an EU-only plan, even when many SIMs fail there', () => {
    const events = repeat(4, 5, 10, 'attach_rejected', { cause: 11, plmn: FAR });
    const d = run({ events, fleet: fleet([{ plmn: FAR, attach: cell(100, 10, 40, 5) }]) });
    expect(d.rootCause).toMatchObject({
      code: 'plmn_not_allowed',
      verdict: 'error',
      action: { kind: 'change_plan', params: { field: 'roamingPlmns', add: FAR } },
    });
    expect(d.rootCause.summary.customer.en).toContain(FAR);
    expect(verdictOf(d, 'registration.plmn_allowed')).toBe('error');
  });

  it('apn_typo: ESM #27 on a swapped-letter APN names the right one and offers a configuration SMS', () => {
    const d = run({
      events: [...repeat(8, 3, 6, 'session_rejected', { apn: 'iot.ism', cause: 27 }), ev(60, 'attach')],
    });
    expect(d.rootCause).toMatchObject({
      code: 'apn_typo',
      verdict: 'error',
      confidence: 'high',
      action: { kind: 'send_config_sms', params: { apn: 'iot.sim' } },
      facts: { apn: 'iot.ism', rightApn: 'iot.sim' },
    });
    for (const l of LANGUAGES) {
      expect(d.rootCause.summary.customer[l]).toContain('iot.ism');
      expect(d.rootCause.summary.customer[l]).toContain('iot.sim');
    }
  });

  it('a case difference in the APN is no typo: the session works and the SIM is healthy', () => {
    const d = run({ events: healthyEvents().map((e) => (e.apn ? { ...e, apn: 'IoT.SIM' } : e)) });
    expect(d.rootCause.code).toBe('healthy');
    expect(verdictOf(d, 'data_session.apn')).toBe('ok');
  });

  it('apn_not_in_plan: a far miss is "not in the plan", with the plan APN to set', () => {
    const d = run({
      events: [...repeat(5, 3, 6, 'session_rejected', { apn: 'internet', cause: 27 }), ev(60, 'attach')],
    });
    expect(d.rootCause).toMatchObject({
      code: 'apn_not_in_plan',
      action: { kind: 'send_config_sms', params: { apn: 'iot.sim' } },
    });
    expect(d.rootCause.summary.customer.sv).toContain('"iot.sim"');
  });

  const roamingAttach = () => [
    ...healthyEvents(0.5, 2),
    ev(25, 'attach', { plmn: HOME }),
    ...repeat(3, 30, 5, 'attach_rejected', { cause: 13, plmn: VISITED }),
    ...healthyEvents(24, 50).map((e) => ({ ...e, plmn: VISITED })),
  ];

  it('roaming partner outage the device moved away from: healthy now, the outage kept as a warning check', () => {
    const f = fleet([{ plmn: VISITED, attach: cell(60, 20, 25, 4), failingSince: new Date(NOW.getTime() - 2 * HOUR) }]);
    const d = run({ events: roamingAttach(), fleet: f });
    expect(d.rootCause.code).toBe('healthy');
    expect(verdictOf(d, 'registration.partner_health')).toBe('warning');
    expect(d.rootCause.summary.agent).toContain('Roaming partner outage');
  });

  it('roaming_partner_outage: many SIMs of several customers refused in the visited PLMN, this one too', () => {
    const f = fleet([{ plmn: VISITED, attach: cell(60, 20, 25, 4), failingSince: new Date(NOW.getTime() - 2 * HOUR) }]);
    const events = [...repeat(3, 5, 10, 'attach_rejected', { cause: 15, plmn: VISITED }), ...healthyEvents(24, 60)];
    const d = run({ events, fleet: f });
    expect(d.rootCause).toMatchObject({ code: 'roaming_partner_outage', verdict: 'error', confidence: 'high' });
    expect(d.rootCause.fleetIncident).toMatchObject({ kind: 'plmn', key: VISITED, attempt: 'attach', failingSims: 25 });
    expect(d.rootCause.facts.since).toBe('2025-03-10 10:00 UTC');
    for (const l of LANGUAGES) expect(d.rootCause.summary.customer[l]).not.toMatch(/\b25\b/);
    expect(d.rootCause.summary.customer.en).toContain('affecting several customers');
    expect(d.rootCause.summary.agent).toContain('25 SIM(s)');
  });

  it('unexplained without anyone to compare with: refused by a visited network, neither it nor the device named', () => {
    const d = run({ events: [...repeat(3, 5, 5, 'attach_rejected', { cause: 13, plmn: VISITED })] });
    expect(d.rootCause).toMatchObject({ code: 'unexplained', verdict: 'error', confidence: 'low' });
    expect(d.rootCause.summary.agent).toContain('EMM #13');
    expect(d.rootCause.summary.customer.en).toContain('no other device was using that network');
  });

  it('roaming_partner_outage, low confidence: a few other SIMs refused there too, too few for an incident', () => {
    const d = run({
      events: [...repeat(3, 5, 5, 'attach_rejected', { cause: 13, plmn: VISITED })],
      fleet: fleet([{ plmn: VISITED, attach: cell(5, 0, 2, 1) }]),
    });
    expect(d.rootCause).toMatchObject({ code: 'roaming_partner_outage', verdict: 'error', confidence: 'low' });
    expect(d.rootCause.summary.customer.en).not.toContain('several customers');
  });

  it('registration_rejected: one SIM refused in a PLMN that works for the others points at the device', () => {
    const d = run({
      events: repeat(3, 5, 5, 'attach_rejected', { cause: 13, plmn: VISITED }),
      fleet: fleet([{ plmn: VISITED, attach: cell(3, 400, 1, 1) }]),
    });
    expect(d.rootCause).toMatchObject({
      code: 'registration_rejected',
      confidence: 'medium',
      action: { kind: 'connectivity_reset' },
    });
    expect(verdictOf(d, 'registration.partner_health')).toBe('ok');
  });

  it('network_outage: many SIMs refused by the home network', () => {
    const d = run({
      events: repeat(4, 5, 5, 'attach_rejected', { cause: 17 }),
      fleet: fleet([{ plmn: HOME, attach: cell(500, 100, 300, 12) }]),
    });
    expect(d.rootCause).toMatchObject({
      code: 'network_outage',
      verdict: 'error',
      fleetIncident: { kind: 'plmn', key: HOME },
    });
  });

  it('roaming sessions mode (ESM #38 in a visited PLMN): the PLMN fails more than the APN, so the partner', () => {
    const events = [
      ...repeat(4, 5, 10, 'session_rejected', { cause: 38, plmn: VISITED }),
      ev(50, 'attach', { plmn: VISITED }),
    ];
    const f = fleet(
      [{ plmn: VISITED, sessions: cell(60, 2, 20, 3) }],
      [{ apn: 'iot.sim', sessions: cell(60, 500, 20, 3) }],
    );
    const d = run({ events, fleet: f });
    expect(d.rootCause).toMatchObject({
      code: 'roaming_partner_outage',
      fleetIncident: { kind: 'plmn', attempt: 'session' },
    });
  });

  it('apn_gateway_outage: the APN fails everywhere, the home PLMN only for it', () => {
    const events = [...repeat(4, 5, 12, 'session_rejected', { cause: 34 }), ...healthyEvents(24, 60)];
    const f = fleet(
      [{ plmn: HOME, sessions: cell(200, 30, 50, 5) }],
      [{ apn: 'iot.sim', sessions: cell(200, 0, 50, 5), failingSince: new Date(NOW.getTime() - HOUR) }],
    );
    const d = run({ events, fleet: f });
    expect(d.rootCause).toMatchObject({
      code: 'apn_gateway_outage',
      verdict: 'error',
      fleetIncident: { kind: 'apn', key: 'iot.sim' },
    });
    expect(d.rootCause.summary.customer.it).toContain('iot.sim');
  });

  it('session_rejected: refused alone on an APN and network that work for others', () => {
    const events = [...repeat(4, 5, 12, 'session_rejected', { cause: 31 }), ...healthyEvents(24, 60)];
    const f = fleet([{ plmn: HOME, sessions: cell(4, 900, 1, 1) }], [{ apn: 'iot.sim', sessions: cell(4, 900, 1, 1) }]);
    const d = run({ events, fleet: f });
    expect(d.rootCause).toMatchObject({ code: 'session_rejected', confidence: 'medium' });
  });

  it('a passing session refusal the device got past is noise', () => {
    const d = run({
      events: [
        ...healthyEvents(24, 10).slice(0, 4),
        ev(40, 'session_rejected', { cause: 38 }),
        ...healthyEvents(24, 45),
      ],
    });
    expect(d.rootCause.code).toBe('healthy');
    expect(verdictOf(d, 'data_session.refusal')).toBe('ok');
  });

  it('device_silent: ten hours without a word from a SIM that talks every hour', () => {
    const events = healthyEvents(24, 600);
    const d = run({ events });
    expect(d.rootCause).toMatchObject({
      code: 'device_silent',
      verdict: 'error',
      facts: { silentHours: 10, usualGapHours: 1 },
    });
    expect(d.rootCause.summary.customer.ru).toContain('2025-03-10 02:00 UTC');
  });

  it('ten hours of silence is normal for a meter that reports every eight hours', () => {
    const d = run({
      events: healthyEvents(48, 600).filter((_, i) => i % 40 === 0),
      activity: { days: 14, activeHours: 42, typicalGapMs: 8 * HOUR, longestGapMs: 12 * HOUR },
    });
    expect(verdictOf(d, 'activity.last_seen')).toBe('ok');
  });

  it("service_not_in_plan: SMS sent while the plan has SMS off (the simulator's sms_while_off)", () => {
    const d = run({ events: [...repeat(5, 3, 20, 'sms_mo'), ...healthyEvents()] });
    expect(d.rootCause).toMatchObject({
      code: 'service_not_in_plan',
      facts: { service: 'sms' },
      action: { kind: 'change_plan', params: { field: 'smsEnabled', value: true } },
    });
  });

  it('calls with voice off but CSD on are only a warning (the events do not tell CSD from voice)', () => {
    const d = run({ communicationPlan: commPlan({ csdEnabled: true }), events: [ev(3, 'voice'), ...healthyEvents()] });
    expect(d.rootCause.code).toBe('healthy');
    expect(verdictOf(d, 'services.voice')).toBe('warning');
    const off = run({ events: [ev(3, 'voice'), ...healthyEvents()] });
    expect(off.rootCause).toMatchObject({ code: 'service_not_in_plan', facts: { service: 'voice' } });
  });

  it('imei_changed: the SIM moved into another device two hours ago', () => {
    const other = '862345678901238';
    const events = healthyEvents(2, 5).map((e) => ({ ...e, imei: other }));
    const base = input({ events: [...events, ...healthyEvents(24, 130)] });
    const d = diagnose({
      ...base,
      networkState: { ...base.networkState!, imei: other, imeiChangedAt: new Date(NOW.getTime() - 2 * HOUR) },
      imeiHistory: [
        {
          imei: IMEI,
          firstSeenAt: new Date('2025-01-02T00:00:00Z'),
          lastSeenAt: new Date(NOW.getTime() - 130 * 60_000),
        },
        { imei: other, firstSeenAt: new Date(NOW.getTime() - 2 * HOUR), lastSeenAt: NOW },
      ],
    });
    expect(d.rootCause).toMatchObject({
      code: 'imei_changed',
      verdict: 'warning',
      facts: { oldImei: IMEI, newImei: other },
    });
    expect(d.rootCause.summary.customer.sv).toContain(other);
  });
});
