/**
 * The engine on traffic unlike its own simulator's (issue 16): a refusal the SIM recovered from, refusals at a PLMN
 * where others are served, an incident that began after the SIM's refusals, a blocking data limit crossed, and an
 * IMEI-locked SIM in another device. Pure: testkit inputs, no database.
 */
import { describe, expect, it } from 'vitest';
import type { DiagnosisInput } from './diagnosis.model.ts';
import {
  cell,
  commPlan,
  ev,
  fleet,
  HOUR,
  healthyEvents,
  IMEI,
  input,
  MIN,
  NOW,
  ratePlan,
  repeat,
  VISITED,
} from './diagnosis.testkit.ts';
import { diagnose } from './engine.ts';

const run = (over: Partial<DiagnosisInput>) => diagnose(input(over));
const MB = 1024 * 1024;
const NEW_IMEI = '356938035643817';

describe('a refusal the SIM recovered from', () => {
  it('is evidence, not the root cause: a cause-15 attach refusal, then sessions on the registration it kept', () => {
    // A device that stays attached: the refusal 3 h ago, no accepted attach since, but sessions every 30 min.
    const events = [
      ...healthyEvents(3, 10).filter((e) => e.type !== 'attach'),
      ev(185, 'attach_rejected', { cause: 15, plmn: VISITED }),
      ev(26 * 60, 'attach'),
    ];
    const d = run({ events, communicationPlan: commPlan({ roamingPlmns: [VISITED] }) });
    expect(d.rootCause.code).toBe('healthy');
    const c = d.checks.find((x) => x.layer === 'registration' && x.detail.includes('EMM #15'));
    expect(c?.detail ?? '').toContain(
      `worked again from ${new Date(NOW.getTime() - 161 * MIN).toISOString().slice(0, 16).replace('T', ' ')}`,
    );
  });

  it('a transient gateway refusal followed by working sessions: healthy', () => {
    const events = [...healthyEvents(24, 10), ev(300, 'session_rejected', { cause: 26 })];
    expect(run({ events }).rootCause.code).toBe('healthy');
  });

  it('still the root cause while the SIM has not worked since', () => {
    const events = [...repeat(6, 5, 20, 'attach_rejected', { cause: 17, plmn: VISITED }), ...healthyEvents(24, 200)];
    const d = run({ events, communicationPlan: commPlan({ roamingPlmns: [VISITED] }) });
    expect(d.rootCause.code).not.toBe('healthy');
  });
});

describe('fleet correlation', () => {
  const roaming = commPlan({ roamingPlmns: [VISITED] });
  const refusedThere = (from = 5) => [
    ...repeat(4, from, 30, 'attach_rejected', { cause: 15, plmn: VISITED }),
    ...healthyEvents(24, 200),
  ];

  it('others served at the PLMN and none refused: not the partner, however little traffic', () => {
    const d = run({
      events: refusedThere(),
      communicationPlan: roaming,
      fleet: fleet([{ plmn: VISITED, attach: cell(2, 7, 1, 1) }]),
    });
    expect(d.rootCause.code).toBe('registration_rejected');
  });

  it('an incident explains the refusals inside its span only', () => {
    const incident = cell(60, 40, 30, 5);
    const before = run({
      events: refusedThere(60),
      communicationPlan: roaming,
      // The SIM's refusals are 60–150 min ago; the run of refusals at the PLMN began 20 minutes ago.
      fleet: fleet([{ plmn: VISITED, attach: incident, failingSince: new Date(NOW.getTime() - 20 * MIN) }]),
    });
    expect(before.rootCause.code).not.toBe('roaming_partner_outage');
    const inside = run({
      events: refusedThere(),
      communicationPlan: roaming,
      fleet: fleet([{ plmn: VISITED, attach: incident, failingSince: new Date(NOW.getTime() - 2 * HOUR) }]),
    });
    expect(inside.rootCause.code).toBe('roaming_partner_outage');
  });
});

describe('the data limit', () => {
  const crossed = new Date(NOW.getTime() - 5 * HOUR);
  const overLimit = (overageAction: 'block' | 'throttle' | 'charge') => ({
    ratePlan: ratePlan({
      includedDataMb: 50,
      overageAction,
      overageThrottleKbps: overageAction === 'throttle' ? 64 : null,
    }),
    usage: {
      bytes: 51 * MB,
      sms: 0,
      voiceSeconds: 0,
      period: { from: new Date('2025-03-01T00:00:00Z'), to: NOW },
      limitCrossedAt: crossed,
    },
    // Sessions worked until the crossing, then every attempt is refused with ESM #33.
    events: [...repeat(10, 10, 25, 'session_rejected', { cause: 33 }), ...healthyEvents(24, 5 * 60 + 5)],
  });

  it("refusals that begin when a blocking plan's allowance is crossed: the allowance is used up", () => {
    const d = run(overLimit('block'));
    expect(d.rootCause).toMatchObject({ code: 'quota_exhausted', verdict: 'error', check: 'policy.data_limit' });
    expect(d.rootCause.summary.agent).toContain('50 MB');
  });

  it('a plan that throttles or charges at the limit does not block: the refusals are something else', () => {
    for (const action of ['throttle', 'charge'] as const) {
      const d = run(overLimit(action));
      expect(d.rootCause.code, action).not.toBe('quota_exhausted');
      expect(d.rootCause.code, action).not.toBe('sim_blocked_by_limit');
    }
  });

  it('refusals that began before the crossing are not the limit', () => {
    const o = overLimit('block');
    const d = run({
      ...o,
      usage: { ...o.usage, limitCrossedAt: new Date(NOW.getTime() - 30 * MIN) },
    });
    expect(d.rootCause.check).not.toBe('policy.data_limit');
  });
});

describe('the IMEI lock', () => {
  const movedAt = 3 * 60;
  const swapped = () => [
    // In the new device for 3 h: attached, every session refused with ESM #29.
    ...repeat(8, 5, 20, 'session_rejected', { cause: 29, imei: NEW_IMEI }),
    ev(movedAt, 'attach', { imei: NEW_IMEI }),
    ...healthyEvents(24, movedAt + 5).filter((e) => e.type !== 'attach'),
    ev(24 * 60 + 2, 'attach'),
  ];
  const lockedInput = (lock: 'sim' | 'plan' | null): Partial<DiagnosisInput> => ({
    sim: { ...input().sim, imei: IMEI, imeiLock: lock },
    events: swapped(),
    // 1 MB of a 500 MB pool: nowhere near a limit.
    ratePlan: ratePlan({ pooling: 'pooled', includedDataMb: 500 }),
    usage: { bytes: MB, sms: 0, voiceSeconds: 0, period: { from: new Date('2025-03-01T00:00:00Z'), to: NOW } },
  });

  it('a locked SIM refused in its new device: IMEI changed, with both IMEIs and the fix', () => {
    for (const lock of ['sim', 'plan'] as const) {
      const d = run(lockedInput(lock));
      expect(d.rootCause, lock).toMatchObject({ code: 'imei_changed', verdict: 'error', check: 'identity.imei' });
      expect(d.rootCause.facts).toMatchObject({ oldImei: IMEI, newImei: NEW_IMEI, imeiLocked: true });
      expect(d.rootCause.fix).toContain(NEW_IMEI);
      expect(d.rootCause.summary.customer.de).toContain(IMEI);
    }
  });

  it('without a lock the refusals are not blamed on the device change', () => {
    const d = run(lockedInput(null));
    expect(d.rootCause.verdict).not.toBe('ok');
    expect(d.rootCause.check).not.toBe('identity.imei');
  });
});
