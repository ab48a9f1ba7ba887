/**
 * READ MODEL across modules (declared; issue 14 will allow-list it): the SIM list's network filters — network
 * state, last seen, failing now — read ingest's `sim_network_state` (one row per SIM, written by the batch writer).
 * Why not through the network service: a filter has to run inside the list's keyset query, so the 50 rows of a
 * page come out of one statement at 1M SIMs; asking another module for "the ids that match" first would carry up
 * to a million ids across. The meaning of "failing now" is the network module's (failing-now.ts), not re-invented.
 *
 * Cost: sim_network_state deliberately has no index on the columns events change (status, last_event_at, …), so
 * its updates stay HOT on the ingest hot path. Each condition is a correlated probe of its primary key (sim_id) per
 * SIM walked in the list's order: cheap when many SIMs match (a page fills after a few hundred probes), a walk of
 * every SIM in reach when few do (≈1M probes, seconds, for a rare "failing now" over the whole fleet; the planner
 * may instead hash a sequential scan of sim_network_state, ~the same). A customer's reach bounds it to their SIMs.
 * The rows of a previous owner (a moved SIM) do not count: the state's tenant must be the SIM's.
 */
import { and, type SQL, sql } from 'drizzle-orm';
import { FAILING_WINDOW_MS, stillFailingSql } from '../network/failing-now.ts';
import { sims } from './sims.tables.ts';

export type NetworkFilter = {
  /** Current network status, one of (ATTACHED | ONLINE | OFFLINE | BLOCKED). */
  states?: string[] | undefined;
  /** Last event at or after this instant. */
  seenAfter?: Date | undefined;
  /** No event at or after this instant — never seen included ("not seen for 24 h"). */
  seenBefore?: Date | undefined;
  /** Its newest event is a refusal within the failing window. */
  failing?: boolean | undefined;
};

export function networkWhere(f: NetworkFilter | undefined): SQL | undefined {
  if (!f) return undefined;
  const own = sql`n.sim_id = ${sims.id} and n.tenant_id = ${sims.tenantId}`;
  const positive = and(
    f.states !== undefined ? sql`n.status = any(string_to_array(${f.states.join(',')}, ','))` : undefined,
    f.seenAfter !== undefined ? sql`n.last_event_at >= ${f.seenAfter.toISOString()}::timestamptz` : undefined,
    f.failing
      ? sql`${sql.raw(stillFailingSql('n'))} and n.last_reject_at >= now() - ${`${FAILING_WINDOW_MS} milliseconds`}::interval`
      : undefined,
  );
  return and(
    positive ? sql`exists (select 1 from sim_network_state n where ${own} and ${positive})` : undefined,
    f.seenBefore !== undefined
      ? sql`not exists (select 1 from sim_network_state n where ${own} and n.last_event_at >= ${f.seenBefore.toISOString()}::timestamptz)`
      : undefined,
  );
}
