import { describe, expect, it } from 'vitest';
import type { DiagnosisInput } from '../diagnosis.model.ts';
import { cell, commPlan, ev, FAR, HOUR, healthyEvents, input, NOW, ratePlan } from '../diagnosis.testkit.ts';
import { gatherFacts } from '../facts.ts';
import { judgeCell } from '../fleet.ts';
import { activityChecks, activityPatternFromHours, pauseChance, usuallyQuiet } from './activity.ts';
import { dataSessionChecks } from './data-session.ts';
import { identityChecks } from './identity.ts';
import { policyChecks } from './policy.ts';
import { provisioningChecks } from './provisioning.ts';
import { registrationChecks } from './registration.ts';
import { servicesChecks } from './services.ts';

type Layer = typeof identityChecks;
const layer = (fn: Layer, over: Partial<DiagnosisInput> = {}) => {
  const i = input(over);
  return fn({ input: i, facts: gatherFacts(i) });
};
const verdict = (r: ReturnType<Layer>, check: string) => r.checks.find((c) => c.check === check)?.verdict;

describe('identity', () => {
  it('an IMSI not on record is a warning naming it', () => {
    const r = layer(identityChecks, { events: [ev(5, 'attach', { imsi: '240079999999999' })] });
    expect(verdict(r, 'identity.imsi')).toBe('warning');
    expect(r.checks.find((c) => c.check === 'identity.imsi')?.detail).toContain('240079999999999');
  });

  it('an IMEI differing from the record, changed long ago, is a warning but no root cause', () => {
    const r = layer(identityChecks, { sim: { ...input().sim, imei: '111111111111111' } });
    expect(verdict(r, 'identity.imei')).toBe('warning');
    expect(r.findings).toEqual([]);
  });

  it('no IMEI reported: unknown', () => {
    const r = layer(identityChecks, { events: [ev(5, 'attach', { imei: null })], networkState: null });
    expect(verdict(r, 'identity.imei')).toBe('unknown');
  });
});

describe('provisioning', () => {
  it('TEST_READY within its allowance is ok; without usage figures unknown', () => {
    const sim = { ...input().sim, state: 'TEST_READY' as const, stateChangedAt: new Date(NOW.getTime() - 24 * HOUR) };
    expect(
      verdict(
        layer(provisioningChecks, { sim, testUsage: { bytes: 1024, sms: 1, voiceSeconds: 0 } }),
        'provisioning.test_allowance',
      ),
    ).toBe('ok');
    expect(verdict(layer(provisioningChecks, { sim, testUsage: null }), 'provisioning.test_allowance')).toBe('unknown');
  });

  it('the test period running out also ends the test allowance', () => {
    const sim = {
      ...input().sim,
      state: 'TEST_READY' as const,
      stateChangedAt: new Date(NOW.getTime() - 31 * 24 * HOUR),
    };
    const r = layer(provisioningChecks, { sim, testUsage: { bytes: 0, sms: 0, voiceSeconds: 0 } });
    expect(verdict(r, 'provisioning.test_allowance')).toBe('error');
    expect(r.findings.map((f) => f.code)).toEqual(['test_allowance_used']);
  });

  it('ACTIVATION_READY lets traffic through', () => {
    expect(
      verdict(
        layer(provisioningChecks, { sim: { ...input().sim, state: 'ACTIVATION_READY' } }),
        'provisioning.lifecycle',
      ),
    ).toBe('ok');
  });
});

describe('policy', () => {
  it('a pooled plan is not judged per SIM; no rate plan is unknown', () => {
    expect(verdict(layer(policyChecks, { ratePlan: ratePlan({ pooling: 'pooled' }) }), 'policy.data_allowance')).toBe(
      'ok',
    );
    expect(verdict(layer(policyChecks, { ratePlan: null }), 'policy.data_allowance')).toBe('unknown');
  });

  it('more SMS than included is a warning', () => {
    const usage = { ...input().usage!, sms: 25 };
    expect(verdict(layer(policyChecks, { usage }), 'policy.sms_allowance')).toBe('warning');
  });

  it('ESM #29 on an APN that never worked is not a limit (it is credentials)', () => {
    const r = layer(policyChecks, { events: [ev(5, 'session_rejected', { cause: 29 }), ev(30, 'attach')] });
    expect(r.findings).toEqual([]);
    expect(verdict(r, 'policy.barring')).toBe('ok');
  });
});

describe('registration', () => {
  it('a RAT outside the plan is a warning', () => {
    const r = layer(registrationChecks, { communicationPlan: commPlan({ allowedRats: ['NB-IoT'] }) });
    expect(verdict(r, 'registration.rat')).toBe('warning');
  });

  it('a network the plan does not allow but that let the SIM in is a warning', () => {
    const r = layer(registrationChecks, { events: [ev(5, 'attach', { plmn: FAR })] });
    expect(verdict(r, 'registration.plmn_allowed')).toBe('warning');
    expect(r.findings).toEqual([]);
  });

  it('EMM #10 (implicitly detached) only asks for a re-attach: ok', () => {
    const r = layer(registrationChecks, { events: [ev(5, 'attach'), ev(6, 'attach_rejected', { cause: 10 })] });
    expect(verdict(r, 'registration.attach')).toBe('ok');
    expect(r.findings).toEqual([]);
  });

  it('a BLOCKED network state is an error', () => {
    const base = input();
    const r = layer(registrationChecks, { networkState: { ...base.networkState!, status: 'BLOCKED' } });
    expect(verdict(r, 'registration.status')).toBe('error');
  });
});

describe('data sessions', () => {
  it('sessions working on an APN outside the plan are a warning', () => {
    const r = layer(dataSessionChecks, { events: healthyEvents().map((e) => (e.apn ? { ...e, apn: 'internet' } : e)) });
    expect(verdict(r, 'data_session.apn')).toBe('warning');
  });

  it('no plan: the APN is unknown; no session at all: ok', () => {
    expect(verdict(layer(dataSessionChecks, { communicationPlan: null }), 'data_session.apn')).toBe('unknown');
    expect(verdict(layer(dataSessionChecks, { events: [ev(5, 'attach')] }), 'data_session.status')).toBe('ok');
  });
});

describe('services', () => {
  it('SMS to the device failing mostly is a warning', () => {
    const failed = [1, 2, 3, 4].map((m) => ev(m, 'sms_mt', { status: 'failed' }));
    const r = layer(servicesChecks, {
      communicationPlan: commPlan({ smsEnabled: true }),
      events: [...failed, ...healthyEvents()],
    });
    expect(verdict(r, 'services.sms')).toBe('warning');
  });

  it('SMS on a plan with SMS is ok', () => {
    const r = layer(servicesChecks, {
      communicationPlan: commPlan({ smsEnabled: true }),
      events: [ev(3, 'sms_mo'), ...healthyEvents()],
    });
    expect(verdict(r, 'services.sms')).toBe('ok');
    expect(r.findings).toEqual([]);
  });
});

describe('activity', () => {
  it('the rhythm is the 95th percentile and the longest of the gaps between active hours', () => {
    const hours = [0, 1, 2, 3, 5, 6, 7, 13].map((h) => new Date(Date.UTC(2025, 2, 1, h)));
    expect(activityPatternFromHours(hours, 7)).toMatchObject({
      days: 7,
      activeHours: 8,
      typicalGapMs: 6 * HOUR,
      longestGapMs: 6 * HOUR,
      activeDays: 1,
    });
    expect(activityPatternFromHours(hours, 7).byHourOfDay).toEqual(
      Array.from({ length: 24 }, (_, h) => ([0, 1, 2, 3, 5, 6, 7, 13].includes(h) ? 1 : 0)),
    );
    expect(activityPatternFromHours(hours.slice(0, 2), 7)).toMatchObject({ typicalGapMs: null, longestGapMs: null });
  });

  it("a device's usual quiet hours are not silence; the same silence into its busy hours is", () => {
    // Ten days of a vending machine busy 07:00–18:59 UTC (NOW is 12:00); its gaps say "at most an hour".
    const busy = Array.from({ length: 10 }, (_, d) =>
      Array.from({ length: 12 }, (_, h) => NOW.getTime() - (d + 1) * 24 * HOUR + (h - 5) * HOUR),
    ).flat();
    // Its gaps as a regular reporter's (hourly, tight), so only the time of day can tell its night from silence.
    const activity = {
      ...activityPatternFromHours(busy, 14),
      typicalGapMs: HOUR,
      longestGapMs: 2 * HOUR,
      meanGapMs: HOUR,
      sdGapMs: 0,
    };
    const lastEvent = [ev(17 * 60 + 10, 'session_end')]; // 18:50 yesterday
    const night = layer(activityChecks, { events: lastEvent, activity, now: new Date(NOW.getTime() - 6 * HOUR) });
    expect(night.checks[0]).toMatchObject({ verdict: 'ok', title: 'Quiet as usual' });
    expect(night.findings).toEqual([]);
    const noon = layer(activityChecks, { events: lastEvent, activity });
    expect(verdict(noon, 'activity.last_seen')).toBe('error');
    expect(usuallyQuiet(activity, NOW.getTime() - 41 * HOUR, NOW.getTime() - 6 * HOUR)).toBe(false);
  });

  it('a device that reports at random is not silent until well past its pauses; a regular one soon is', () => {
    const base = { days: 14, activeHours: 100, typicalGapMs: 6 * HOUR, longestGapMs: 8 * HOUR };
    const lastEvent = [ev(14 * 60, 'session_end')];
    const regular = layer(activityChecks, {
      events: lastEvent,
      activity: { ...base, meanGapMs: 6 * HOUR, sdGapMs: HOUR / 2 },
    });
    expect(verdict(regular, 'activity.last_seen')).not.toBe('ok');
    const random = layer(activityChecks, {
      events: lastEvent,
      activity: { ...base, meanGapMs: 3 * HOUR, sdGapMs: 3 * HOUR },
    });
    expect(verdict(random, 'activity.last_seen')).toBe('ok');
  });

  it('an irregular reporter pausing where its days often pause is not silent; the chance is the product of its hours', () => {
    // Three days; from 15:00 to 23:59 it was active on one day of three, at the other hours on all three.
    const byHourOfDay = Array.from({ length: 24 }, (_, h) => (h >= 15 ? 1 : 3));
    const p = { days: 14, activeHours: 40, typicalGapMs: 3 * HOUR, longestGapMs: 4 * HOUR, byHourOfDay, activeDays: 3 };
    const last = new Date(Date.UTC(2025, 2, 9, 15, 30));
    const now = new Date(Date.UTC(2025, 2, 10, 0, 10));
    // Whole hours 16 to 23 lie between: (1 − 1/4)^8 ≈ 10 %.
    expect(pauseChance(p, last.getTime(), now.getTime())).toBeCloseTo(0.75 ** 8, 6);
    const lastEvent = [ev(0, 'session_end', { ts: last })];
    const irregular = layer(activityChecks, {
      events: lastEvent,
      activity: { ...p, meanGapMs: 2 * HOUR, sdGapMs: 1.2 * HOUR },
      now,
    });
    expect(irregular.checks[0]).toMatchObject({ verdict: 'ok', title: 'Pause as usual' });
    // The same pause from a device that reports like clockwork is a missed beat.
    const regular = layer(activityChecks, {
      events: lastEvent,
      activity: { ...p, meanGapMs: 1.5 * HOUR, sdGapMs: HOUR / 10, typicalGapMs: 1.5 * HOUR, longestGapMs: 2 * HOUR },
      now,
    });
    expect(regular.findings[0]).toMatchObject({ code: 'device_silent' });
  });

  it('without a rhythm, a day and a half of silence is a warning', () => {
    const r = layer(activityChecks, { events: [ev(36 * 60, 'attach')], activity: null });
    expect(verdict(r, 'activity.last_seen')).toBe('warning');
    expect(r.findings[0]).toMatchObject({ code: 'device_silent', confidence: 'low' });
  });

  it('without a stored rhythm, the contacts in the window give one', () => {
    const events = [0, 1, 2, 3, 4].flatMap((h) => [ev(300 + h * 60, 'session_end'), ev(301 + h * 60, 'session_start')]);
    const r = layer(activityChecks, { events, activity: null });
    expect(verdict(r, 'activity.last_seen')).toBe('error');
    expect(r.checks[0]?.detail).toContain('contacts in the window');
  });
});

describe('fleet judgement', () => {
  it("many others refused: incident; the SIM's own refusals do not count", () => {
    expect(judgeCell(cell(40, 10, 12, 3), { rejected: 5, accepted: 0 }).state).toBe('incident');
    expect(judgeCell(cell(8, 100, 1, 1), { rejected: 8, accepted: 0 })).toMatchObject({
      state: 'works_for_others',
      othersRejected: 0,
      othersFailingSims: 0,
    });
  });

  it('distinct SIMs unknown: twice the refusals are needed', () => {
    expect(judgeCell(cell(8, 2), undefined).state).toBe('inconclusive');
    expect(judgeCell(cell(12, 2), undefined).state).toBe('incident');
  });

  it('one other SIM failing is not an incident; no figures is unknown', () => {
    expect(judgeCell(cell(30, 5, 2, 1), { rejected: 3, accepted: 0 }).state).toBe('inconclusive');
    expect(judgeCell(null, undefined).state).toBe('unknown');
  });
});
