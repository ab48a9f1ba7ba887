/**
 * Fleet views, SQL only: event counts over time by one dimension, and the PLMNs/APNs rejecting SIMs now.
 * A tenant (or everyone) is answered from the 5-minute roll-up; a sub-account, which the roll-up cannot tell
 * apart from its tenant, from the events themselves (see network.service.ts fleet()).
 */
import type { Database } from '../../platform/db/client.ts';
import { stillFailingSql } from './failing-now.ts';
import type { Reach } from './network.repo.ts';

export const FLEET_DIMENSIONS = ['plmn', 'apn', 'cause', 'type'] as const;
export type FleetDimension = (typeof FLEET_DIMENSIONS)[number];
export const FLEET_BUCKETS = { '5m': '5 minutes', '1h': '1 hour', '1d': '1 day' } as const;
export type FleetBucket = keyof typeof FLEET_BUCKETS;

export type FleetRow = { at: Date; key: string; events: number };

/** The roll-up stores '' / -1 for "none"; the events store null. Both become ''. */
const KEY_OF_ROLLUP: Record<FleetDimension, string> = {
  plmn: 'plmn',
  apn: 'apn',
  cause: `case when cause < 0 then '' else cause::text end`,
  type: 'type',
};
const KEY_OF_EVENT: Record<FleetDimension, string> = {
  plmn: `coalesce(plmn, '')`,
  apn: `lower(coalesce(apn, ''))`,
  cause: `coalesce(cause::text, '')`,
  type: 'type',
};
/** Buckets start at UTC midnight (2000-01-01 is one), so '1d' means UTC days. */
const ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;

export function fleetRepo(database: Database) {
  return {
    fromRollup(q: {
      tenantId?: number | undefined;
      from: Date;
      to: Date;
      by: FleetDimension;
      bucket: FleetBucket;
      types?: string[] | undefined;
    }) {
      const params: unknown[] = [FLEET_BUCKETS[q.bucket], q.from, q.to];
      // A roll-up bucket counts if it starts inside the window (the window's edges are cut at 5 minutes).
      const where = [`bucket >= date_bin('5 minutes', $2::timestamptz, ${ORIGIN})`, 'bucket <= $3'];
      if (q.tenantId !== undefined) {
        params.push(q.tenantId);
        where.push(`tenant_id = $${params.length}`);
      } else {
        where.push('tenant_id <> 0'); // orphans (ICCIDs that are no SIM of ours) are not the provider's fleet
      }
      if (q.types) {
        params.push(q.types);
        where.push(`type = any($${params.length}::text[])`);
      }
      return database.query<FleetRow>(
        `select date_bin($1::interval, bucket, ${ORIGIN}) as at, ${KEY_OF_ROLLUP[q.by]} as key, sum(events)::int as events
           from network_event_counts where ${where.join(' and ')} group by 1, 2 order by 1, 2`,
        params,
      );
    },

    fromEvents(q: {
      tenantId: number;
      accountIds: number[];
      from: Date;
      to: Date;
      by: FleetDimension;
      bucket: FleetBucket;
      types?: string[] | undefined;
    }) {
      const params: unknown[] = [FLEET_BUCKETS[q.bucket], q.from, q.to, q.tenantId, q.accountIds];
      const where = ['ts >= $2', 'ts <= $3', 'tenant_id = $4', 'account_id = any($5::bigint[])'];
      if (q.types) {
        params.push(q.types);
        where.push(`type = any($${params.length}::text[])`);
      }
      return database.query<FleetRow>(
        `select date_bin($1::interval, ts, ${ORIGIN}) as at, ${KEY_OF_EVENT[q.by]} as key, count(*)::int as events
           from network_events where ${where.join(' and ')} group by 1, 2 order by 1, 2`,
        params,
      );
    },

    /**
     * SIMs whose last reject is at or after `since`, by PLMN, reject type, cause and (for session rejects) APN.
     * sim_network_state holds each SIM once, so these are distinct SIMs; `still_failing` are those whose newest
     * event is that reject (nothing worked since). Many tenants failing in one PLMN points at the network.
     */
    failing(q: { reach: Reach; since: Date }) {
      const params: unknown[] = [q.since];
      const where = ['last_reject_at >= $1'];
      if (q.reach.tenantId !== undefined) {
        params.push(q.reach.tenantId);
        where.push(`tenant_id = $${params.length}`);
      }
      if (q.reach.accountIds !== undefined) {
        params.push(q.reach.accountIds);
        where.push(`account_id = any($${params.length}::bigint[])`);
      }
      return database.query<{
        plmn: string | null;
        apn: string | null;
        reject_type: string;
        cause: number | null;
        sims: number;
        still_failing: number;
        tenants: number;
        last_at: Date;
      }>(
        `select plmn, case when last_reject_type = 'session_rejected' then lower(apn) end as apn,
                last_reject_type as reject_type, last_reject_cause as cause, count(*)::int as sims,
                count(*) filter (where ${stillFailingSql()})::int
                  as still_failing,
                count(distinct tenant_id)::int as tenants, max(last_reject_at) as last_at
           from sim_network_state where ${where.join(' and ')}
          group by 1, 2, 3, 4 order by sims desc, plmn, apn limit 500`,
        params,
      );
    },
  };
}
