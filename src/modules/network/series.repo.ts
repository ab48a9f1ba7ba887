/**
 * Event counts per time bucket for one SIM (from its events) or one network / APN over the fleet (from the 5-minute
 * roll-up), SQL only: the series an alarm's chart draws around it (alarms/alarm-series.ts). Buckets are aligned on
 * UTC midnight 2000-01-01 like the fleet view's, so a bucket of a multiple of 5 minutes is exactly a set of roll-up
 * buckets. The window is [from, to): the caller aligns both ends on its bucket.
 */
import type { Database } from '../../platform/db/client.ts';

export type SeriesRow = { at: Date; type: string; events: number; bytes: number | null };

const ORIGIN = `timestamptz '2000-01-01 00:00:00+00'`;

export function seriesRepo(database: Database) {
  return {
    /**
     * A SIM's events per bucket and type, with the data volume they report. A session's counters are cumulative, so
     * a report adds what exceeds the highest counter seen before it in that session (as ingest counts usage); a
     * session_start counts as 0. The first report in the window of a session begun before it adds nothing: its base
     * lies before the window (reading it would scan back through the session's whole life).
     */
    simBuckets(q: { iccid: string; from: Date; to: Date; bucketMinutes: number }) {
      return database.query<SeriesRow>(
        `with e as (
           select ts, type, session_id,
                  case when type = 'session_start' then 0
                       when type in ('session_update', 'session_end')
                         then coalesce(bytes_up, 0) + coalesce(bytes_down, 0) end as counter
             from network_events where iccid = $1 and ts >= $2 and ts < $3
         ), d as (
           select ts, type,
                  case when counter is null or session_id is null then null
                       else greatest(0, counter - coalesce(max(counter) over (
                              partition by session_id order by ts rows between unbounded preceding and 1 preceding),
                              counter)) end as delta
             from e
         )
         select date_bin(make_interval(mins => $4), ts, ${ORIGIN}) as at, type, count(*)::int as events,
                sum(delta)::float8 as bytes
           from d group by 1, 2 order by 1, 2`,
        [q.iccid, q.from, q.to, q.bucketMinutes],
      );
    },

    /**
     * A network's (MCC+MNC) or an APN's (lower-cased, as the roll-up stores it) events per bucket and type over the
     * provider's fleet (orphan records, tenant 0, are no SIM of ours). The roll-up holds no data volume.
     */
    fleetBuckets(q: { kind: 'plmn' | 'apn'; key: string; from: Date; to: Date; bucketMinutes: number }) {
      const match = q.kind === 'plmn' ? 'plmn = $4' : 'apn = lower($4)';
      return database.query<SeriesRow>(
        `select date_bin(make_interval(mins => $1), bucket, ${ORIGIN}) as at, type, sum(events)::int as events,
                null::float8 as bytes
           from network_event_counts
          where bucket >= $2 and bucket < $3 and tenant_id <> 0 and ${match}
          group by 1, 2 order by 1, 2`,
        [q.bucketMinutes, q.from, q.to, q.key],
      );
    },
  };
}
