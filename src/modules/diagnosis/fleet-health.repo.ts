/**
 * The fleet's attach and session outcomes, SQL only, for the cached snapshot (fleet-health.ts). Everything comes
 * from the 5-minute roll-up `network_event_counts` (all tenants; tenant 0 = orphans), except distinct refused SIMs,
 * which the roll-up cannot count: those come from `sim_network_state` (one row per SIM, its last reject).
 */
import type { Database } from '../../platform/db/client.ts';
import { fleetCauseSql } from './cause-families.ts';

const ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;
export const ATTEMPT_TYPES = ['attach', 'attach_rejected', 'session_start', 'session_rejected'] as const;

export type CountRow = {
  plmn: string;
  apn: string;
  type: (typeof ATTEMPT_TYPES)[number];
  tenant_id: string;
  n: number;
};
export type RunRow = { key: string; since: Date; last: Date };
export type HourRow = { hour: Date; plmn: string; apn: string; type: (typeof ATTEMPT_TYPES)[number]; n: number };
export type FailingSimsRow = { plmn: string | null; apn: string | null; reject_type: string; sims: number };

// Orphans (tenant 0: records for ICCIDs that are no SIM of ours, e.g. a test generator's) are not the fleet: they
// would make a network look failing, or healthy, on traffic of devices the provider does not serve.
export function fleetHealthRepo(database: Database) {
  return {
    /** Attempts and refusals in the period by PLMN, APN (lower case, '' = none), type and tenant. */
    counts(from: Date, to: Date) {
      return database.query<CountRow>(
        `select plmn, apn, type, tenant_id::text as tenant_id, sum(events)::int as n
           from network_event_counts
          where bucket >= date_bin('5 minutes', $1::timestamptz, ${ORIGIN}) and bucket <= $2
            and type = any($3::text[]) and tenant_id <> 0
            and (type not like '%_rejected' or ${fleetCauseSql()})
          group by 1, 2, 3, 4`,
        [from, to, ATTEMPT_TYPES],
      );
    },

    /**
     * Attempts and refusals per hour, PLMN, APN and type in [from, to): each place's usual refusal share (the hours a
     * run of refusals still going on covers are left out by the snapshot, so an outage is not its own baseline).
     */
    hourly(from: Date, to: Date) {
      return database.query<HourRow>(
        `select date_trunc('hour', bucket) as hour, plmn, apn, type, sum(events)::int as n
           from network_event_counts
          where bucket >= $1 and bucket < $2 and type = any($3::text[]) and tenant_id <> 0
            and (type not like '%_rejected' or ${fleetCauseSql()})
          group by 1, 2, 3, 4`,
        [from, to, ATTEMPT_TYPES],
      );
    },

    /**
     * The runs of refusals per `attach|X`, `session|X` (a PLMN's registrations, its data sessions) and `apn|x`, for
     * runs still going on at `aliveFrom`, looked back to `lookback` (a run older is reported from there). A run is
     * broken only by a 5-minute bucket where the place served attempts and refused none: an outage that only meets
     * the few devices trying during it leaves empty buckets between its refusals, and is still one run.
     */
    runs(lookback: Date, aliveFrom: Date) {
      return database.query<RunRow>(
        `with b as (
           select case when type like 'attach%' then 'attach|' else 'session|' end || plmn as key, bucket,
                  bool_or(type like '%_rejected' and ${fleetCauseSql()}) as rej,
                  bool_or(type not like '%_rejected') as acc
             from network_event_counts
            where bucket >= $1 and type = any($3::text[]) and tenant_id <> 0
            group by 1, 2
           union all
           select 'apn|' || apn, bucket,
                  bool_or(type = 'session_rejected' and ${fleetCauseSql()}), bool_or(type = 'session_start')
             from network_event_counts
            where bucket >= $1 and type in ('session_start', 'session_rejected') and apn <> '' and tenant_id <> 0
            group by 1, 2
         ), g as (
           select key, bucket, rej,
                  sum(case when acc and not rej then 1 else 0 end) over (partition by key order by bucket) as grp
             from b
         )
         select key, min(bucket) filter (where rej) as since, max(bucket) filter (where rej) as last
           from g group by key, grp
         having max(bucket) filter (where rej) >= date_bin('5 minutes', $2::timestamptz, ${ORIGIN})`,
        [lookback, aliveFrom, ATTEMPT_TYPES],
      );
    },

    /** Distinct SIMs whose last refusal is in the period, by PLMN, refused APN and kind. */
    failingSims(from: Date) {
      return database.query<FailingSimsRow>(
        `select coalesce(plmn, '') as plmn,
                case when last_reject_type = 'session_rejected' then lower(coalesce(apn, '')) end as apn,
                last_reject_type as reject_type, count(*)::int as sims
           from sim_network_state
          where last_reject_at >= $1
            and ${fleetCauseSql('last_reject_type', 'last_reject_cause')}
          group by 1, 2, 3`,
        [from],
      );
    },
  };
}
