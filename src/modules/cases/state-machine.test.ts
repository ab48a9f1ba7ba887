import { describe, expect, it } from 'vitest';
import { CASE_STATES, type CaseState, checkCaseTransition, customerMayMove, FINAL_STATES } from './state-machine.ts';

/** The expected table, written independently of CASE_TRANSITIONS: every pair not listed is refused. */
const ALLOWED = new Set([
  'new>open',
  'new>cancelled',
  'open>pending_customer',
  'open>pending_provider',
  'open>resolved',
  'open>cancelled',
  'pending_customer>open',
  'pending_customer>resolved',
  'pending_customer>cancelled',
  'pending_provider>open',
  'pending_provider>resolved',
  'pending_provider>cancelled',
  'resolved>closed',
  'resolved>open',
  'resolved>cancelled',
]);

describe('case state machine', () => {
  const pairs: [CaseState, CaseState][] = CASE_STATES.flatMap((from) =>
    CASE_STATES.map((to): [CaseState, CaseState] => [from, to]),
  );

  it.each(pairs)('%s → %s', (from, to) => {
    const r = checkCaseTransition(from, to);
    expect(r.ok).toBe(ALLOWED.has(`${from}>${to}`));
    if (!r.ok) expect(r.allowed).not.toContain(to);
  });

  it('leaves the final states with no way out and lets every other state be cancelled', () => {
    for (const s of CASE_STATES) {
      const r = checkCaseTransition(s, 'cancelled');
      expect(r.ok).toBe(!FINAL_STATES.includes(s));
    }
    expect(checkCaseTransition('closed', 'open')).toEqual({ ok: false, allowed: [] });
  });
});

describe('customerMayMove', () => {
  it('lets a customer withdraw (wherever the machine allows it) and reopen a resolved case, nothing else', () => {
    const mine = new Set([
      'new>cancelled',
      'open>cancelled',
      'pending_customer>cancelled',
      'pending_provider>cancelled',
      'resolved>cancelled',
      'resolved>open',
    ]);
    for (const from of CASE_STATES) {
      for (const to of CASE_STATES) {
        expect(customerMayMove(from, to), `${from}>${to}`).toBe(mine.has(`${from}>${to}`));
      }
    }
  });
});
