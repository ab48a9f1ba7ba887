import { describe, expect, it } from 'vitest';
import { type HistoricCase, replayHistory } from './case-history.ts';

const now = new Date('2026-12-07T08:00:00Z');
const at = (iso: string) => new Date(`2026-11-${iso}Z`);
const base: HistoricCase = {
  accountId: 1,
  type: 'incident',
  channel: 'email',
  severity: 'medium',
  subject: 'Meters silent',
  description: '',
  createdAt: at('02T09:00:00'),
  steps: [
    { at: at('02T09:30:00'), to: 'open' },
    { at: at('02T09:31:00'), kind: 'email_out', visibility: 'public', body: 'On it' },
    { at: at('03T10:00:00'), to: 'pending_customer' },
    { at: at('04T10:00:00'), to: 'open' },
    { at: at('05T15:00:00'), to: 'resolved', note: 'APN corrected' },
    { at: at('10T17:00:00'), to: 'closed', by: 'system' },
  ],
};

describe('case history: what a past case may be', () => {
  it('replays the steps into the final state and its instants', () => {
    expect(replayHistory(base, now)).toEqual({
      state: 'closed',
      resolvedAt: at('05T15:00:00'),
      closedAt: at('10T17:00:00'),
      updatedAt: at('10T17:00:00'),
    });
    expect(replayHistory({ ...base, steps: base.steps.slice(0, 5) }, now).state).toBe('resolved');
  });

  it('refuses a case that is still worked, a step out of order or in the future, and a transition that does not exist', () => {
    expect(() => replayHistory({ ...base, steps: base.steps.slice(0, 4) }, now)).toThrow(/ends open/);
    const swapped = [base.steps[1]!, base.steps[0]!, ...base.steps.slice(2)];
    expect(() => replayHistory({ ...base, steps: swapped }, now)).toThrow(/step 1 .* out of order/);
    expect(() => replayHistory(base, at('06T00:00:00'))).toThrow(/out of order/);
    expect(() => replayHistory({ ...base, createdAt: now }, now)).toThrow(/in the future/);
    expect(() => replayHistory({ ...base, steps: [{ at: at('02T10:00:00'), to: 'resolved' }] }, now)).toThrow(
      /moves new to resolved/,
    );
  });
});
