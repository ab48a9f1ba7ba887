import { describe, expect, it } from 'vitest';
import {
  type CaseType,
  computePriority,
  DEFAULT_PRIORITY_MATRIX,
  type Priority,
  parsePriorityMatrix,
  type Severity,
  simBucket,
  type VipTier,
} from './priority.ts';

describe('affected-SIM buckets', () => {
  it.each([
    [0, 'single'],
    [1, 'single'],
    [2, 'few'],
    [99, 'few'],
    [100, 'many'],
    [9_999, 'many'],
    [10_000, 'mass'],
    [2_000_000, 'mass'],
  ] as const)('%i SIMs → %s', (n, bucket) => {
    expect(simBucket(n)).toBe(bucket);
  });
});

describe('default priority matrix', () => {
  it.each<[VipTier, CaseType, Severity, number, Priority]>([
    ['platinum', 'incident', 'critical', 10_000, 'P1'],
    ['platinum', 'incident', 'high', 50_000, 'P1'],
    ['standard', 'incident', 'critical', 250, 'P1'],
    ['gold', 'incident', 'critical', 1, 'P2'],
    ['standard', 'incident', 'critical', 1, 'P3'],
    ['standard', 'incident', 'high', 20, 'P3'],
    ['silver', 'incident', 'medium', 5, 'P3'],
    ['platinum', 'service_request', 'medium', 1, 'P3'],
    ['gold', 'order', 'low', 1, 'P4'],
    ['standard', 'information_request', 'medium', 1, 'P4'],
    ['standard', 'information_request', 'critical', 1, 'P4'],
    ['platinum', 'information_request', 'high', 12_000, 'P2'],
  ])('%s %s, %s on %i SIMs → %s', (vipTier, caseType, severity, affectedSims, priority) => {
    expect(computePriority({ vipTier, caseType, severity, affectedSims }).priority).toBe(priority);
  });

  it('reports the impact, urgency and bucket it used', () => {
    expect(
      computePriority({ vipTier: 'silver', caseType: 'service_request', severity: 'high', affectedSims: 300 }),
    ).toEqual({ priority: 'P2', impact: '2', urgency: '3', simBucket: 'many' });
  });

  it('uses a configured matrix', () => {
    const allP4 = parsePriorityMatrix({
      ...DEFAULT_PRIORITY_MATRIX,
      priority: Object.fromEntries(
        ['1', '2', '3', '4'].map((i) => [i, { '1': 'P4', '2': 'P4', '3': 'P4', '4': 'P4' }]),
      ),
    });
    expect(
      computePriority({ vipTier: 'platinum', caseType: 'incident', severity: 'critical', affectedSims: 1e6 }, allP4)
        .priority,
    ).toBe('P4');
  });
});

describe('priority matrix config', () => {
  it('names a missing or invalid cell', () => {
    const { mass: _dropped, ...high } = DEFAULT_PRIORITY_MATRIX.impact.high;
    const bad = {
      ...DEFAULT_PRIORITY_MATRIX,
      impact: { ...DEFAULT_PRIORITY_MATRIX.impact, high },
      priority: { ...DEFAULT_PRIORITY_MATRIX.priority, '2': { ...DEFAULT_PRIORITY_MATRIX.priority['2'], '3': 'P9' } },
    };
    try {
      parsePriorityMatrix(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'sla.priority_matrix_invalid', kind: 'invalid' });
      const fields = (e as { details: Array<{ field: string }> }).details.map((d) => d.field);
      expect(fields.sort()).toEqual(['impact.high.mass', 'priority.2.3']);
    }
  });

  it('rejects an unknown tier', () => {
    const bad = {
      ...DEFAULT_PRIORITY_MATRIX,
      urgency: { ...DEFAULT_PRIORITY_MATRIX.urgency, diamond: DEFAULT_PRIORITY_MATRIX.urgency.gold },
    };
    expect(() => parsePriorityMatrix(bad)).toThrow(/urgency/);
  });
});
