import { describe, expect, it } from 'vitest';
import { contractErrors, luhnValid, sessionProblems, truthProblems } from './checks.ts';
import { CATEGORIES, type Generated, generate, PER_SIM_FAULTS, type TruthEntry } from './generate.ts';

const WINDOWS = {
  '24 h': { from: new Date('2026-11-20T13:30:00Z'), to: new Date('2026-11-21T13:30:00Z') },
  '3 days': { from: new Date('2026-11-18T06:00:00Z'), to: new Date('2026-11-21T06:00:00Z') },
} as const;
type WindowName = keyof typeof WINDOWS;

const cache = new Map<WindowName, Generated>();
function generated(name: WindowName): Generated {
  let g = cache.get(name);
  if (!g) {
    g = generate({ seed: 42, ...WINDOWS[name] });
    cache.set(name, g);
  }
  return g;
}

const at = (ts: string) => Date.parse(ts);
const count = (truth: TruthEntry[], c: string) => truth.filter((t) => t.category === c).length;

describe('traffic generator', () => {
  it('gives identical output for the same seed and different output for another', () => {
    const opts = { ...WINDOWS['24 h'], sims: 120 };
    const a = generate({ seed: 7, ...opts });
    const b = generate({ seed: 7, ...opts });
    const c = generate({ seed: 8, ...opts });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  describe.each(Object.keys(WINDOWS) as WindowName[])('over %s', (name) => {
    const from = WINDOWS[name].from.getTime();
    const to = WINDOWS[name].to.getTime();

    it('emits only contract v1 events, with unique ids, sorted by time, inside the window', () => {
      const { events } = generated(name);
      const wrong = events.flatMap((e) => contractErrors({ ...e }).map((err) => `${e.id}: ${err}`));
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const times = events.map((e) => at(e.ts));
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0))).toBe(true);
      expect(times.every((t) => t >= from && t < to)).toBe(true);
      expect(events.length).toBeLessThan(200_000);
    });

    it('reports sessions with cumulative bytes and ids that belong to one SIM', () => {
      const problems = sessionProblems(generated(name).events);
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('describes a fleet iotops can register', () => {
      const { fleet, truth } = generated(name);
      expect(fleet.accounts.length).toBeGreaterThanOrEqual(4);
      expect(fleet.accounts.length).toBeLessThanOrEqual(6);
      expect(fleet.roamingPartners.length).toBeGreaterThanOrEqual(5);
      expect(fleet.roamingPartners.length).toBeLessThanOrEqual(8);
      expect(fleet.roamingPartners.some((p) => p.mnc.length === 3)).toBe(true);
      expect(fleet.sims).toHaveLength(400);
      const accounts = new Set(fleet.accounts.map((a) => a.key));
      for (const p of [...fleet.communicationPlans, ...fleet.ratePlans]) expect(accounts.has(p.accountKey)).toBe(true);
      for (const s of fleet.sims) {
        expect(s.iccid).toMatch(/^89\d{18}$/);
        expect(luhnValid(s.iccid)).toBe(true);
        expect(s.imsi).toMatch(new RegExp(`^${fleet.homePlmn.code}\\d{10}$`));
        expect(s.imei).toMatch(/^\d{15}$/);
        expect(luhnValid(s.imei)).toBe(true);
        const cp = fleet.communicationPlans.find((p) => p.key === s.communicationPlanKey);
        const rp = fleet.ratePlans.find((p) => p.key === s.ratePlanKey);
        expect(cp?.accountKey).toBe(s.accountKey);
        expect(rp?.accountKey).toBe(s.accountKey);
      }
      for (const key of ['iccid', 'imsi', 'imei'] as const) {
        expect(new Set(fleet.sims.map((s) => s[key])).size).toBe(fleet.sims.length);
      }
      expect(truth.map((t) => t.iccid)).toEqual(fleet.sims.map((s) => s.iccid));
    });

    it('gives each SIM one known category, mostly healthy, with per-SIM faults spread over accounts', () => {
      const { truth, fleet } = generated(name);
      for (const t of truth) expect(CATEGORIES).toContain(t.category);
      expect(count(truth, 'healthy')).toBeGreaterThanOrEqual(0.6 * truth.length);
      const accountOf = new Map(fleet.sims.map((s) => [s.iccid, s.accountKey]));
      for (const c of PER_SIM_FAULTS) {
        const sims = truth.filter((t) => t.category === c);
        expect.soft(sims.length, c).toBeGreaterThanOrEqual(6);
        expect.soft(sims.length, c).toBeLessThanOrEqual(15);
        expect.soft(new Set(sims.map((t) => accountOf.get(t.iccid))).size, c).toBeGreaterThanOrEqual(2);
      }
      for (const c of ['roaming_partner_outage', 'network_outage', 'apn_gateway_outage']) {
        expect.soft(count(truth, c), c).toBeGreaterThanOrEqual(1);
      }
    });

    it('shows every SIM its truth in the events', () => {
      expect(truthProblems(generated(name), to).slice(0, 20)).toEqual([]);
    });
  });

  it.each([
    { seed: 'month-edge', from: '2026-11-30T18:00:00Z', to: '2026-12-02T18:00:00Z' },
    { seed: 3, from: '2026-11-21T02:00:00Z', to: '2026-11-21T08:00:00Z' },
    { seed: 11, from: '2026-03-29T00:17:33.250Z', to: '2026-04-01T00:17:33.250Z' },
  ])('holds its own truth for seed $seed from $from to $to', ({ seed, from, to }) => {
    const g = generate({ seed, from: new Date(from), to: new Date(to), sims: 150 });
    const times = g.events.map((e) => at(e.ts));
    expect(times.every((t) => t >= at(from) && t < at(to))).toBe(true);
    expect(g.events.flatMap((e) => contractErrors({ ...e })).slice(0, 10)).toEqual([]);
    expect(sessionProblems(g.events).slice(0, 10)).toEqual([]);
    expect(truthProblems(g, at(to)).slice(0, 20)).toEqual([]);
    expect(g.truth).toHaveLength(150);
  });
});
