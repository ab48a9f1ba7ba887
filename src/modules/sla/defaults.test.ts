import { describe, expect, it } from 'vitest';
import { addBusinessMinutes } from './business-time.ts';
import { CALENDAR_24X7, compileCalendar, parseCalendarDefinition } from './calendar.ts';
import { DEFAULT_BUSINESS_CALENDAR, DEFAULT_SLA_POLICIES, matchPolicy, SlaPolicy } from './defaults.ts';

describe('seeded SLA policies', () => {
  it('are valid policies', () => {
    for (const p of DEFAULT_SLA_POLICIES) expect(SlaPolicy.parse(p)).toEqual(p);
  });

  it('restore critical incidents within 4 h on the 24×7 calendar, even on a Swedish holiday night', () => {
    const p = matchPolicy(DEFAULT_SLA_POLICIES, { caseType: 'incident', priority: 'P1', vipTier: 'platinum' });
    expect(p).toMatchObject({ key: 'p1-incident-24x7', calendar: '24x7', targets: { resolutionMinutes: 240 } });
    const due = addBusinessMinutes(CALENDAR_24X7, new Date('2026-12-24T22:30:00Z'), p?.targets.resolutionMinutes ?? 0);
    expect(due.toISOString()).toBe('2026-12-25T02:30:00.000Z');
  });

  it('give every priority and case type a policy, non-incident P1 on business hours', () => {
    for (const caseType of ['incident', 'information_request', 'service_request', 'order'] as const) {
      for (const priority of ['P1', 'P2', 'P3', 'P4'] as const) {
        expect(matchPolicy(DEFAULT_SLA_POLICIES, { caseType, priority, vipTier: 'standard' })).toBeDefined();
      }
    }
    expect(matchPolicy(DEFAULT_SLA_POLICIES, { caseType: 'order', priority: 'P1', vipTier: 'gold' })?.key).toBe(
      'p1-business',
    );
  });

  it('prefer a contract policy over the generic ones', () => {
    const contract = SlaPolicy.parse({
      key: 'acme-gold',
      name: 'ACME contract',
      match: { contractIds: ['acme-2026'] },
      calendar: '24x7',
      targets: { firstResponseMinutes: 10, periodicUpdateMinutes: 30, resolutionMinutes: 120 },
    });
    const policies = [...DEFAULT_SLA_POLICIES, contract];
    const ctx = { caseType: 'incident', priority: 'P1', vipTier: 'gold' } as const;
    expect(matchPolicy(policies, { ...ctx, contractId: 'acme-2026' })?.key).toBe('acme-gold');
    expect(matchPolicy(policies, ctx)?.key).toBe('p1-incident-24x7');
  });

  it('default business calendar is valid and its P4 resolution is five working days', () => {
    const cal = compileCalendar(parseCalendarDefinition(DEFAULT_BUSINESS_CALENDAR));
    const p4 = matchPolicy(DEFAULT_SLA_POLICIES, { caseType: 'incident', priority: 'P4', vipTier: 'standard' });
    // Mon 15 Jun 2026 08:00 CEST + 5 × 9 h, Midsummer Eve (Fri 19 Jun) closed → Mon 22 Jun 17:00 CEST.
    const due = addBusinessMinutes(cal, new Date('2026-06-15T06:00:00Z'), p4?.targets.resolutionMinutes ?? 0);
    expect(due.toISOString()).toBe('2026-06-22T15:00:00.000Z');
  });
});
