import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planClock, simulatedAt } from './clock.ts';
import { apnTypo, resolveScenario } from './faults.ts';
import { parseMix, syntheticFleet } from './fleet.ts';
import { parseDuration, parseScenario, ScenarioError } from './scenario.ts';

const start = Date.parse('2026-03-02T00:00:00Z');
const fleet = syntheticFleet(60, 3);

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 's.json');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map((p) => `${p.path} ${JSON.stringify(p.value)} ${p.reason}`);
    throw e;
  }
  return [];
}

describe('scenario file', () => {
  it('the example covers every fault type and resolves against a synthetic fleet', () => {
    const file = path.resolve(import.meta.dirname, '../../../examples/scenarios/every-fault.json');
    const s = parseScenario(readFileSync(file, 'utf8'), file);
    const types = new Set(s.faults.map((f) => f.type));
    expect([...types].sort()).toEqual(
      [
        'apn_outage',
        'apn_typo',
        'device_silent',
        'imei_swap',
        'link_saturating',
        'roaming_outage',
        'sim_deactivated',
        'sim_limit_blocked',
        'sms_while_off',
        'stock_draining',
        'wear_degrading',
      ].sort(),
    );
    const r = resolveScenario(s.faults, syntheticFleet(200, 1), { seed: 1, start });
    expect(r.ok).toBe(true);
  });

  it('names path, value and reason of every problem', () => {
    const p = problemsOf(
      JSON.stringify({
        faults: [
          { type: 'apn_typo', target: { iccid: '123' }, start: '+10m' },
          { type: 'roaming_outage', target: { plmn: '22201' }, start: 'yesterday', mode: 'both' },
          { type: 'nope', target: { count: 1 }, start: '+1h' },
          { type: 'device_silent', target: { count: 1, fraction: 0.5 }, start: '+1h', colour: 'red' },
        ],
      }),
    );
    expect(p).toContainEqual(expect.stringMatching(/^faults\[0\]\.target\.iccid "123" must be an ICCID/));
    expect(p).toContainEqual(expect.stringMatching(/^faults\[1\]\.start "yesterday" must be "\+<duration>"/));
    expect(p).toContainEqual(expect.stringMatching(/^faults\[1\]\.mode "both" /));
    expect(p).toContainEqual(expect.stringMatching(/^faults\[2\]\.type "nope" /));
    expect(p).toContainEqual(expect.stringMatching(/^faults\[3\]\.target .*needs exactly one of/));
    expect(p).toContainEqual(expect.stringMatching(/^faults\[3\]\.colour "red" /));
    expect(problemsOf('{"faults": [')).toEqual([expect.stringMatching(/^\(file\) .*not JSON/)]);
  });

  it('resolution checks targets against the fleet and the fault', () => {
    const smsOn = fleet.find((m) => m.planServices.sms)!;
    const r = resolveScenario(
      parseScenario(
        JSON.stringify({
          faults: [
            { type: 'imei_swap', target: { iccid: '89460990030000099999' }, start: '+1m' },
            { type: 'sms_while_off', target: { iccid: smsOn.iccid }, start: '+1m' },
            { type: 'apn_outage', target: { count: 2 }, start: '+1m' },
            { type: 'device_silent', target: { plmn: '22201' }, start: '+1m' },
            { type: 'device_silent', target: { count: 1 }, start: '+2h', end: '+1h' },
          ],
        }),
      ).faults,
      fleet,
      { seed: 3, start },
    );
    expect(r.ok).toBe(false);
    const text = r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.reason}`);
    expect(text).toEqual([
      'faults[0].target.iccid: is not in the simulated fleet',
      'faults[1].target.iccid: sms_while_off: its plan has SMS on; the fault needs a plan with SMS off',
      'faults[2].target: apn_outage targets a apn: give target.apn',
      'faults[3].target.plmn: device_silent targets SIMs or devices, not a plmn',
      'faults[4].end: must be after start (2026-03-02T02:00:00.000Z)',
    ]);
  });

  it('count and fraction picks are deterministic per seed, respect the class, and times resolve', () => {
    const s = parseScenario(
      JSON.stringify({
        faults: [
          {
            type: 'device_silent',
            target: { count: 3, class: 'tracker' },
            start: '+1h30m',
            end: '2026-03-03T00:00:00Z',
          },
          { type: 'apn_typo', target: { fraction: 0.1 }, start: '+0s' },
        ],
      }),
    );
    const a = resolveScenario(s.faults, fleet, { seed: 3, start });
    const b = resolveScenario(s.faults, fleet, { seed: 3, start });
    const c = resolveScenario(s.faults, fleet, { seed: 4, start });
    if (!a.ok || !b.ok || !c.ok) throw new Error('unexpected problems');
    expect(a.resolved.truth).toEqual(b.resolved.truth);
    expect(a.resolved.truth).not.toEqual(c.resolved.truth);
    const silent = a.resolved.truth.filter((t) => t.fault === 'device_silent');
    expect(silent).toHaveLength(3);
    for (const t of silent) {
      expect(fleet.find((m) => m.iccid === t.iccid)!.deviceClass).toBe('tracker');
      expect(t).toMatchObject({ from: '2026-03-02T01:30:00.000Z', to: '2026-03-03T00:00:00.000Z' });
    }
    expect(a.resolved.truth.filter((t) => t.fault === 'apn_typo')).toHaveLength(6);
  });

  it('APN typos are one swapped or replaced letter, never a case change', () => {
    for (const [i, apn] of ['iot.demo', 'amr.nordgrid', 'internet', 'a.b'].entries()) {
      for (let seed = 0; seed < 20; seed++) {
        const t = apnTypo(apn, seed, String(i));
        expect(t.toLowerCase()).not.toBe(apn.toLowerCase());
        expect(t).toHaveLength(apn.length);
        const diff = [...t].filter((c, k) => c !== apn[k]).length;
        expect(diff === 1 || diff === 2).toBe(true);
      }
    }
  });

  it('durations and mixes parse, bad ones give a reason', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('10 minutes')).toBeNull();
    expect(parseMix('meter=1,router=3')).toEqual({
      ok: true,
      mix: { meter: 1, tracker: 0, router: 3, machine: 0, vending: 0 },
    });
    expect(parseMix('meter=1,robot=2')).toEqual({
      ok: false,
      reason: 'unknown class "robot" (one of meter, tracker, router, machine, vending)',
    });
  });
});

describe('clock', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const H = 3_600_000;

  it('an accelerated run with a duration ends at now and never runs ahead of the wall clock', () => {
    const r = planClock({ now, speed: 60, durationMs: H, maxAheadMs: 0 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.start).toBe(now - 59 * H);
    expect(r.plan.end).toBe(now + H);
    for (const wall of [now, now + H / 4, now + H / 2, now + H])
      expect(simulatedAt(r.plan, wall)).toBeLessThanOrEqual(wall);
    expect(simulatedAt(r.plan, now + H)).toBe(now + H);
    expect(simulatedAt(r.plan, now + 2 * H)).toBe(now + H);
  });

  it('real time starts now; no duration at speed > 1 backfills a day, then follows the wall clock', () => {
    const real = planClock({ now, speed: 1, durationMs: null, maxAheadMs: 0 });
    expect(real.ok && real.plan.start).toBe(now);
    const r = planClock({ now, speed: 100, durationMs: null, maxAheadMs: 0 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.start).toBe(now - 24 * H);
    expect(simulatedAt(r.plan, now + 0.1 * H)).toBe(now - 14 * H);
    expect(simulatedAt(r.plan, now + H)).toBe(now + H);
  });

  it('refuses a start that would put records ahead of now + max-ahead', () => {
    const r = planClock({ now, speed: 60, durationMs: H, start: now, maxAheadMs: 0 });
    expect(r).toMatchObject({ ok: false, option: 'start' });
    expect(planClock({ now, speed: 60, durationMs: H, start: now, maxAheadMs: 59 * H }).ok).toBe(true);
    expect(planClock({ now, speed: 1, durationMs: null, start: now + H, maxAheadMs: 0 }).ok).toBe(false);
  });
});
