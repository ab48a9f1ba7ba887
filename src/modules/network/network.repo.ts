/**
 * The trace reads, SQL only. `network_events` is partitioned by day and not a Drizzle table, so every read here
 * is plain SQL; each is bounded by the caller's window (partition pruning) and the SIM (iccid index) or tenant.
 * `tenantId` given = a customer's read: rows written while the SIM belonged to someone else stay invisible.
 */
import type { Database } from '../../platform/db/client.ts';

type Row = Record<string, unknown>;
export type Reach = { tenantId?: number | undefined; accountIds?: number[] | undefined };
export type After = { key: string; tiebreak: string } | undefined;

export type EventRow = {
  k: string;
  c: string;
  pk: string;
  ts: Date;
  received_at: Date;
  iccid: string;
  type: string;
  event_id: string | null;
  imsi: string | null;
  imei: string | null;
  plmn: string | null;
  rat: string | null;
  apn: string | null;
  session_id: string | null;
  ip: string | null;
  bytes_up: string | number | null;
  bytes_down: string | number | null;
  cause: number | null;
  status: string | null;
  seconds: number | null;
};

/** `pk` tells rows apart across partitions (the follow loop's dedupe); `k`, `c` are the keyset. */
const EVENT_COLUMNS = `ts::text as k, ctid::text as c, tableoid::text || ctid::text as pk, ts, received_at, iccid, type, event_id, imsi, imei, plmn, rat,
  apn, session_id, ip, bytes_up, bytes_down, cause, status, seconds`;

/** Builds `$n` placeholders as conditions are added. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export function networkRepo(database: Database) {
  return {
    /**
     * A SIM's events, newest first. (ts, ctid) is unique — a row's ts decides its partition, and ctid is unique
     * within one — so it pages without an id column (adoption of an orphan rewrites its ctid, but a SIM's trace
     * exists only after its import, when adoption has already run).
     */
    events(q: {
      iccid: string;
      tenantId?: number | undefined;
      from: Date;
      to: Date;
      types?: string[] | undefined;
      after: After;
      limit: number;
    }) {
      const p = new Params();
      const where = [`iccid = ${p.add(q.iccid)}`, `ts >= ${p.add(q.from)}`, `ts <= ${p.add(q.to)}`];
      if (q.tenantId !== undefined) where.push(`tenant_id = ${p.add(q.tenantId)}`);
      if (q.types) where.push(`type = any(${p.add(q.types)}::text[])`);
      if (q.after) where.push(`(ts, ctid) < (${p.add(q.after.key)}::timestamptz, ${p.add(q.after.tiebreak)}::tid)`);
      return database.query<EventRow>(
        `select ${EVENT_COLUMNS} from network_events where ${where.join(' and ')}
          order by ts desc, ctid desc limit ${p.add(q.limit)}`,
        p.values,
      );
    },

    /** Events of a SIM received after `receivedAfter` whose ts is at or after `tsFrom` (the CLI's --follow). */
    eventsReceivedAfter(q: { iccid: string; receivedAfter: Date; tsFrom: Date; types?: string[] | undefined }) {
      const p = new Params();
      const where = [
        `iccid = ${p.add(q.iccid)}`,
        `received_at > ${p.add(q.receivedAfter)}`,
        `ts >= ${p.add(q.tsFrom)}`,
      ];
      if (q.types) where.push(`type = any(${p.add(q.types)}::text[])`);
      return database.query<EventRow>(
        `select ${EVENT_COLUMNS} from network_events
          where ${where.join(' and ')} order by received_at, ts, ctid`,
        p.values,
      );
    },

    /** Sessions overlapping the window, by start (or first sight) newest first; `open` narrows to (not) ended. */
    sessions(q: {
      simId: number;
      tenantId?: number | undefined;
      from: Date;
      to: Date;
      open?: boolean | undefined;
      after: After;
      limit: number;
    }) {
      const p = new Params();
      const k = 'coalesce(started_at, last_seen_at)';
      const where = [
        `sim_id = ${p.add(q.simId)}`,
        `${k} <= ${p.add(q.to)}`,
        `coalesce(ended_at, last_seen_at) >= ${p.add(q.from)}`,
      ];
      if (q.tenantId !== undefined) where.push(`tenant_id = ${p.add(q.tenantId)}`);
      if (q.open !== undefined) where.push(q.open ? 'ended_at is null' : 'ended_at is not null');
      if (q.after) where.push(`(${k}, session_id) < (${p.add(q.after.key)}::timestamptz, ${p.add(q.after.tiebreak)})`);
      return database.query<Row>(
        `select ${k}::text as k, session_id, plmn, apn, rat, ip, started_at, ended_at, last_seen_at, bytes_up, bytes_down
           from data_sessions where ${where.join(' and ')}
          order by ${k} desc, session_id desc limit ${p.add(q.limit)}`,
        p.values,
      );
    },

    /**
     * Usage rows newest first, with the window's totals. Days come from the hourly rows where there are any: the
     * daily table holds a day only once maintenance rolled it up (today never), and a late record can put a
     * partial row there before that; a day with no hourly rows left (shorter hourly retention) reads the daily row.
     */
    usage(q: {
      simId: number;
      tenantId?: number | undefined;
      granularity: 'hour' | 'day';
      from: Date;
      to: Date;
      after: After;
      limit: number;
    }) {
      const p = new Params();
      const sim = p.add(q.simId);
      const from = p.add(q.from);
      const to = p.add(q.to);
      const tenant = q.tenantId === undefined ? '' : ` and tenant_id = ${p.add(q.tenantId)}`;
      const figures = 'bytes_up, bytes_down, sms_mo, sms_mt, voice_seconds';
      const source =
        q.granularity === 'hour'
          ? `select hour as at, ${figures} from sim_usage_hourly
              where sim_id = ${sim} and hour >= date_trunc('hour', ${from}::timestamptz, 'UTC') and hour <= ${to}${tenant}`
          : `select date_trunc('day', hour, 'UTC') as at, sum(bytes_up) as bytes_up, sum(bytes_down) as bytes_down,
                    sum(sms_mo) as sms_mo, sum(sms_mt) as sms_mt, sum(voice_seconds) as voice_seconds
               from sim_usage_hourly
              where sim_id = ${sim} and hour >= date_trunc('day', ${from}::timestamptz, 'UTC') and hour <= ${to}${tenant}
              group by 1
             union all
             select day as at, ${figures} from sim_usage_daily d
              where sim_id = ${sim} and day >= date_trunc('day', ${from}::timestamptz, 'UTC') and day <= ${to}${tenant}
                and not exists (select 1 from sim_usage_hourly h
                                 where h.sim_id = d.sim_id and h.hour >= d.day and h.hour < d.day + interval '1 day')`;
      const totalsParams = [...p.values];
      const rowsWhere = q.after ? `where at < ${p.add(q.after.key)}::timestamptz` : '';
      const rows = database.query<Row>(
        `select at::text as k, at, ${figures} from (${source}) u ${rowsWhere} order by at desc limit ${p.add(q.limit)}`,
        p.values,
      );
      const totals = database.query<Row>(
        `select coalesce(sum(bytes_up), 0)::text as bytes_up, coalesce(sum(bytes_down), 0)::text as bytes_down,
                coalesce(sum(sms_mo), 0)::int as sms_mo, coalesce(sum(sms_mt), 0)::int as sms_mt,
                coalesce(sum(voice_seconds), 0)::int as voice_seconds
           from (${source}) u`,
        totalsParams,
      );
      return Promise.all([rows, totals]).then(([r, t]) => ({ rows: r, totals: t[0]! }));
    },

    async state(simId: number, tenantId: number | undefined) {
      const p = new Params();
      const where = [`s.sim_id = ${p.add(simId)}`];
      if (tenantId !== undefined) where.push(`s.tenant_id = ${p.add(tenantId)}`);
      const [row] = await database.query<Row>(
        `select s.*, d.bytes_up as session_bytes_up, d.bytes_down as session_bytes_down
           from sim_network_state s
           left join data_sessions d on d.sim_id = s.sim_id and d.session_id = s.session_id
          where ${where.join(' and ')}`,
        p.values,
      );
      return row;
    },

    async dbNow(): Promise<Date> {
      const [r] = await database.query<{ now: Date }>('select now() as now');
      return new Date(r!.now);
    },

    imeiHistory(simId: number) {
      return database.query<{ imei: string; first_seen_at: Date; last_seen_at: Date }>(
        'select imei, first_seen_at, last_seen_at from sim_imei_history where sim_id = $1 order by last_seen_at desc',
        [simId],
      );
    },
  };
}

export type NetworkRepo = ReturnType<typeof networkRepo>;
