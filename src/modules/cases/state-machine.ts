/**
 * Case states and the transitions that exist. Pure data + functions: the service enforces them, the API
 * answers a refused transition with 409 `cases.transition_not_allowed` naming from, to and what is allowed.
 * closed and cancelled are final; resolved is not (a customer reply or an agent can reopen it).
 */
export const CASE_STATES = [
  'new',
  'open',
  'pending_customer',
  'pending_provider',
  'resolved',
  'closed',
  'cancelled',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const FINAL_STATES: readonly CaseState[] = ['closed', 'cancelled'];
/** Still being worked: what a major case's updates and state changes reach among its children. */
export const OPEN_STATES: readonly CaseState[] = ['new', 'open', 'pending_customer', 'pending_provider'];

export const CASE_TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  new: ['open', 'cancelled'],
  open: ['pending_customer', 'pending_provider', 'resolved', 'cancelled'],
  pending_customer: ['open', 'resolved', 'cancelled'],
  pending_provider: ['open', 'resolved', 'cancelled'],
  resolved: ['closed', 'open', 'cancelled'],
  closed: [],
  cancelled: [],
};

export const isCaseState = (s: string): s is CaseState => (CASE_STATES as readonly string[]).includes(s);

export type TransitionCheck = { ok: true } | { ok: false; allowed: readonly CaseState[] };

export function checkCaseTransition(from: CaseState, to: CaseState): TransitionCheck {
  const allowed = CASE_TRANSITIONS[from];
  return allowed.includes(to) ? { ok: true } : { ok: false, allowed };
}

/**
 * What a customer may do with their own case: withdraw it (cancelled, wherever the state machine allows it) or
 * reopen a resolved one. Everything else is the provider's call. The service enforces it and the API's
 * allowedTransitions lists it, from this one rule.
 */
export const customerMayMove = (from: CaseState, to: CaseState): boolean =>
  checkCaseTransition(from, to).ok && (to === 'cancelled' || (from === 'resolved' && to === 'open'));
