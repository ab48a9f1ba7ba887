import { describe, expect, it } from 'vitest';
import type { LinkForecast } from './forecast.ts';
import { planSteps, proposalText, roundUpSpeed, speedText, stagedPlan } from './upgrade-plan.ts';

describe('speeds', () => {
  it('rounds up to half an order of magnitude and writes units', () => {
    expect([18_600, 20_000, 130_000, 3_200, 1_001, 0.5].map(roundUpSpeed)).toEqual([
      20_000, 20_000, 150_000, 3_500, 1_500, 1,
    ]);
    expect([512, 20_000, 2_500_000].map(speedText)).toEqual(['512 kbit/s', '20 Mbit/s', '2.5 Gbit/s']);
  });
});

describe('stagedPlan', () => {
  it('two steps when the ordered speed is beyond the equipment: its maximum now, the order after the change', () => {
    // Demand 126 % of 10 Mbit/s at a 70 % target: 18 Mbit/s needed → 20 ordered; the model stops at 15.
    const plan = stagedPlan(126, { linkKbps: 10_000, maxLinkKbps: 15_000 });
    expect(plan).toEqual({ factor: 1.8, orderedKbps: 20_000, nowKbps: 15_000, hardwareChange: true });
    expect(planSteps(plan, { linkKbps: 10_000, maxLinkKbps: 15_000 }, 'RX-100')).toEqual([
      'Now: raise to 15 Mbit/s, the most the current equipment (RX-100) allows.',
      'After the hardware change: 20 Mbit/s.',
    ]);
  });

  it('one step when the equipment takes the ordered speed', () => {
    const plan = stagedPlan(95, { linkKbps: 10_000, maxLinkKbps: 50_000 });
    expect(plan).toMatchObject({ orderedKbps: 15_000, nowKbps: 15_000, hardwareChange: false });
    expect(planSteps(plan, { linkKbps: 10_000, maxLinkKbps: 50_000 }, 'RX-100')[0]).toBe(
      'Now: raise to 15 Mbit/s; the current equipment (RX-100) allows up to 50 Mbit/s.',
    );
  });

  it('nothing now when the link already runs at the equipment maximum', () => {
    const cap = { linkKbps: 15_000, maxLinkKbps: 15_000 };
    const plan = stagedPlan(98, cap);
    expect(plan).toMatchObject({ nowKbps: null, hardwareChange: true, orderedKbps: 25_000 });
    expect(planSteps(plan, cap, 'RX-100')[0]).toContain('no raise possible');
  });

  it('says what is missing when the speeds are not recorded', () => {
    const noMax = stagedPlan(105, { linkKbps: 8_000, maxLinkKbps: null });
    expect(noMax).toMatchObject({ orderedKbps: 15_000, nowKbps: null, hardwareChange: null });
    expect(planSteps(noMax, { linkKbps: 8_000, maxLinkKbps: null }, 'RX-100')[0]).toContain('maxLinkKbps');
    const nothing = stagedPlan(105, { linkKbps: null, maxLinkKbps: 20_000 });
    expect(nothing).toEqual({ factor: 1.5, orderedKbps: null, nowKbps: null, hardwareChange: null });
    expect(planSteps(nothing, { linkKbps: null, maxLinkKbps: 20_000 }, 'RX-100')[0]).toMatch(/1\.5× .*linkKbps/);
  });
});

describe('proposalText', () => {
  it('states the forecast and the staged plan', () => {
    const f: LinkForecast = {
      status: 'ok',
      reason: null,
      historyDays: 56,
      history: [],
      currentP95: 84.2,
      trendPerWeek: 4.1,
      saturatedNow: false,
      forecast: [],
      daysToSaturation: 2.4,
      saturationDay: '2026-03-14',
      peakDemandPct: 126,
    };
    const cap = { linkKbps: 10_000, maxLinkKbps: 15_000 };
    const t = proposalText(
      { name: 'Store 12', externalId: 'rtr-12', modelName: 'RX-100', accountName: 'KaufNet' },
      f,
      cap,
      stagedPlan(126, cap),
      { saturationPct: 90, leadTimeDays: 3.5, horizonDays: 90, historyDays: 56 },
    );
    expect(t.subject).toBe('Capacity: upgrade proposal for link Store 12 (rtr-12)');
    expect(t.description).toContain('p95 over the last 7 days: 84.2 %');
    expect(t.description).toContain('trend: +4.1 points per week');
    expect(t.description).toContain('reaches 90 % on 2026-03-14, in 2.4 day(s) — within the 3.5-day lead time');
    expect(t.description).toContain('1. Now: raise to 15 Mbit/s, the most the current equipment (RX-100) allows.');
    expect(t.description).toContain('2. After the hardware change: 20 Mbit/s.');
  });
});
