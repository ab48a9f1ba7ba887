/**
 * What "failing now" means for one SIM, in one place: the fleet's failing view (fleet.repo.ts failing(), its
 * `still_failing`) and the SIM list's "failing now" filter (sims.network-filter.ts) must count the same SIMs.
 * A SIM fails now when its newest event is a refusal (attach or session rejected: nothing worked since) and that
 * refusal is recent — within the failing view's default window.
 */

/** The failing view's default look-back (GET /api/v1/network/plmns/failing without `since`). */
export const FAILING_WINDOW_MS = 3_600_000;

/**
 * Over a `sim_network_state` row (alias given): its newest event is its last reject. SQL text, not a parameter:
 * it names columns only.
 */
export const stillFailingSql = (alias = '') => {
  const a = alias ? `${alias}.` : '';
  return `${a}last_event_at = ${a}last_reject_at and ${a}last_event_type = ${a}last_reject_type`;
};
