/**
 * What a customer's reply does to a case it lands on. Pure, so the window is testable without a clock.
 *
 * The window is a module constant for now; it becomes a per-policy setting next to the verification period
 * (sla policies: `reopenWindowHours`) once SLA policies carry case-lifecycle settings.
 */
export const REOPEN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Inbound, customer-authored kinds: a portal message now; email_in once mail ingest posts replies. */
export const CUSTOMER_REPLY_KINDS: readonly string[] = ['portal_message', 'email_in'];

export type ReplyOutcome = 'added' | 'reopened' | 'follow_up';

export type ReplyFacts = {
  state: string;
  resolvedAt: Date | null;
  kind: string;
  visibility: string;
  byCustomer: boolean;
};

export function replyOutcome(f: ReplyFacts, now: Date, windowMs = REOPEN_WINDOW_MS): ReplyOutcome {
  // Staff entries (notes, calls, staff-posted messages) never change the case's state.
  if (!f.byCustomer || f.visibility !== 'public' || !CUSTOMER_REPLY_KINDS.includes(f.kind)) return 'added';
  if (f.state === 'closed') return 'follow_up';
  if (f.state !== 'resolved') return 'added';
  // A resolved case without a resolution time (data from before resolved_at existed) counts as just resolved.
  const since = f.resolvedAt ? now.getTime() - f.resolvedAt.getTime() : 0;
  return since <= windowMs ? 'reopened' : 'follow_up';
}
