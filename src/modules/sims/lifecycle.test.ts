import { describe, expect, it } from 'vitest';
import { checkTransition, isSimState, SIM_STATES, TRANSITIONS } from './lifecycle.ts';

describe('lifecycle', () => {
  it('lists the eight Control Center states, each with a transition row', () => {
    expect(SIM_STATES).toEqual([
      'INVENTORY',
      'TEST_READY',
      'ACTIVATION_READY',
      'ACTIVATED',
      'DEACTIVATED',
      'RETIRED',
      'PURGED',
      'REPLACED',
    ]);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...SIM_STATES].sort());
  });

  it('only names existing states as targets, never the source itself, never twice', () => {
    for (const from of SIM_STATES) {
      const targets = TRANSITIONS[from].map((r) => r.to);
      expect(targets.every(isSimState)).toBe(true);
      expect(targets).not.toContain(from);
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  it('lets operators make every transition a customer may make', () => {
    for (const from of SIM_STATES) {
      for (const r of TRANSITIONS[from]) expect(r.by).toContain('operator');
    }
  });

  it('PURGED is terminal', () => {
    expect(TRANSITIONS.PURGED).toEqual([]);
    for (const to of SIM_STATES) expect(checkTransition('PURGED', to, 'operator')).toMatchObject({ ok: false });
  });

  it('tells a missing transition from one the actor may not make', () => {
    expect(checkTransition('ACTIVATED', 'DEACTIVATED', 'customer')).toEqual({ ok: true });
    expect(checkTransition('INVENTORY', 'ACTIVATED', 'operator')).toEqual({ ok: true });
    expect(checkTransition('INVENTORY', 'ACTIVATED', 'customer')).toEqual({
      ok: false,
      reason: 'not_allowed_for_actor',
    });
    expect(checkTransition('ACTIVATED', 'INVENTORY', 'operator')).toEqual({ ok: false, reason: 'no_such_transition' });
    expect(checkTransition('ACTIVATED', 'ACTIVATED', 'operator')).toEqual({ ok: false, reason: 'no_such_transition' });
  });

  it('isSimState recognises exactly the states', () => {
    expect(isSimState('ACTIVATED')).toBe(true);
    expect(isSimState('activated')).toBe(false);
    expect(isSimState('SUSPENDED')).toBe(false);
  });
});
