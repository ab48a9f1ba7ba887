import { describe, expect, it } from 'vitest';
import { REOPEN_WINDOW_MS, type ReplyFacts, replyOutcome } from './reply-policy.ts';

const resolvedAt = new Date('2026-03-01T12:00:00Z');
const reply: ReplyFacts = {
  state: 'resolved',
  resolvedAt,
  kind: 'portal_message',
  visibility: 'public',
  byCustomer: true,
};
const at = (ms: number) => new Date(resolvedAt.getTime() + ms);

describe('replyOutcome', () => {
  it('reopens a resolved case up to and including the end of the window, then opens a follow-up', () => {
    expect(replyOutcome(reply, at(1000))).toBe('reopened');
    expect(replyOutcome(reply, at(REOPEN_WINDOW_MS))).toBe('reopened');
    expect(replyOutcome(reply, at(REOPEN_WINDOW_MS + 1))).toBe('follow_up');
  });

  it('opens a follow-up on a closed case whenever the reply comes', () => {
    expect(replyOutcome({ ...reply, state: 'closed' }, at(1000))).toBe('follow_up');
  });

  it('leaves the state alone for staff entries, internal entries and cases that are not resolved', () => {
    expect(replyOutcome({ ...reply, byCustomer: false }, at(1000))).toBe('added');
    expect(replyOutcome({ ...reply, kind: 'note' }, at(1000))).toBe('added');
    expect(replyOutcome({ ...reply, visibility: 'internal' }, at(1000))).toBe('added');
    expect(replyOutcome({ ...reply, state: 'open' }, at(1000))).toBe('added');
    expect(replyOutcome({ ...reply, state: 'cancelled' }, at(1000))).toBe('added');
    expect(replyOutcome({ ...reply, kind: 'email_in' }, at(1000))).toBe('reopened');
  });
});
