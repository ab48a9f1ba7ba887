/**
 * Usage as the usage alarm rules read it (issue 17.1). Usage drop: a window of complete hours and the same hours of
 * the weeks before. Usage drift: daily usage, an EWMA over the newest days against the days before. Read per tenant
 * through the tenant indexes (tenant, hour) and (tenant, day) — neither table has an index on the time alone, and a
 * scan of them at a million SIMs would be the whole retention.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { idsAny, queryRows } from '../../platform/db/rows.ts';

const HOUR_MS = 3_600_000;
const WEEK_MS = 168 * HOUR_MS;
const DAY_MS = 24 * HOUR_MS;

/** A SIM's bytes in the window (week 0) and in the same hours 1..weeks weeks before (0 where it had none). */
export type UsageWeeks = { simId: number; observed: number; weeks: number[] };
/** A SIM's learned daily mean and standard deviation, and the EWMA of its newest days (bytes a day). */
export type DriftStats = { simId: number; mean: number; sd: number; ewma: number };

/** The hour starts of the window ending at `end` (exclusive) and of the same hours `weeks` weeks back. */
export function windowHours(end: number, hours: number, weeks: number): Date[] {
  const out: Date[] = [];
  for (let w = 0; w <= weeks; w++) for (let i = 1; i <= hours; i++) out.push(new Date(end - w * WEEK_MS - i * HOUR_MS));
  return out;
}

const toWeeks = (r: { sim_id: string; ws: number[] | null; bs: number[] | null }, weeks: number): UsageWeeks => {
  const byWeek = new Array<number>(weeks + 1).fill(0);
  (r.ws ?? []).forEach((w, i) => {
    if (w >= 0 && w <= weeks) byWeek[w] = Number(r.bs![i]);
  });
  return { simId: Number(r.sim_id), observed: byWeek[0]!, weeks: byWeek.slice(1) };
};

/** Bytes (up + down) per SIM and period start (ms) in [since, until), from the hourly or the daily table. */
async function bytesOf(
  db: Db,
  table: 'sim_usage_hourly' | 'sim_usage_daily',
  column: 'hour' | 'day',
  simIds: readonly number[],
  since: Date,
  until: Date,
): Promise<Map<number, Map<number, number>>> {
  const out = new Map<number, Map<number, number>>();
  if (simIds.length === 0) return out;
  const rows = await queryRows<{ sim_id: string; at: Date | string; b: number }>(
    db,
    sql`select sim_id::text, ${sql.raw(column)} as at, (bytes_up + bytes_down)::float8 as b from ${sql.raw(table)}
         where sim_id = any(${idsAny(simIds)}) and ${sql.raw(column)} >= ${since.toISOString()}::timestamptz
           and ${sql.raw(column)} < ${until.toISOString()}::timestamptz`,
  );
  for (const r of rows) {
    const id = Number(r.sim_id);
    const m = out.get(id) ?? new Map<number, number>();
    if (m.size === 0) out.set(id, m);
    m.set(new Date(r.at).getTime(), Number(r.b));
  }
  return out;
}

export function usageWeeksRepo(db: Db) {
  return {
    /**
     * The tenant's SIMs that may be in a usage drop for the window of `hours` complete hours ending at `end`: at least
     * half of the `weeks` before carried `floorBytes` or more in the same hours (else their median is below it), and
     * the window carried less than `ratio` × the most of those weeks. A prefilter only — the rule judges the rest —
     * so a SIM it leaves out is one no rule with a floor ≥ floorBytes and a ratio ≤ `ratio` would find low.
     */
    async lowIn(q: {
      tenantId: number;
      end: Date;
      hours: number;
      weeks: number;
      floorBytes: number;
      ratio: number;
    }): Promise<UsageWeeks[]> {
      const hours = windowHours(q.end.getTime(), q.hours, q.weeks).map((d) => d.toISOString());
      const rows = await queryRows<{ sim_id: string; ws: number[] | null; bs: number[] | null }>(
        db,
        sql`with h as (
              select sim_id,
                     floor(extract(epoch from (${q.end.toISOString()}::timestamptz - hour)) / ${WEEK_MS / 1000})::int as w,
                     sum(bytes_up + bytes_down)::float8 as b
                from sim_usage_hourly
               where tenant_id = ${q.tenantId} and hour = any(string_to_array(${hours.join(',')}, ',')::timestamptz[])
               group by 1, 2)
            select sim_id::text, array_agg(w order by w) as ws, array_agg(b order by w) as bs
              from h group by sim_id
            having count(*) filter (where w > 0 and b >= ${q.floorBytes}) >= ${Math.ceil(q.weeks / 2)}
               and coalesce(max(b) filter (where w = 0), 0) < max(b) filter (where w > 0) * ${q.ratio}`,
      );
      return rows.map((r) => toWeeks(r, q.weeks));
    },
    /** These SIMs' bytes per hour start in [since, until), low or not (the backtest judges each hour from them). */
    hourlyBytesOf: (simIds: readonly number[], since: Date, until: Date) =>
      bytesOf(db, 'sim_usage_hourly', 'hour', simIds, since, until),
    /**
     * The tenant's SIMs that may be drifting at `end` (a UTC day boundary): per SIM, the mean and standard deviation
     * of its daily bytes over the `learnDays` before the newest `days` (a day without usage as none) and the EWMA of
     * the newest days started at that mean — in closed form, z = (1 − λ)^days · mean + Σ λ(1 − λ)^(days − k) · x_k.
     * Only SIMs whose mean is at least `floorBytes` and whose EWMA is `minShare` × the mean or more away from it.
     */
    async driftIn(q: {
      tenantId: number;
      end: Date;
      days: number;
      learnDays: number;
      lambda: number;
      floorBytes: number;
      minShare: number;
    }): Promise<DriftStats[]> {
      const recent = new Date(q.end.getTime() - q.days * DAY_MS).toISOString();
      const base = new Date(q.end.getTime() - (q.days + q.learnDays) * DAY_MS).toISOString();
      const rows = await queryRows<{ sim_id: string; mean: number; sd: number; ewma: number }>(
        db,
        sql`select sim_id::text, mean, sd, ewma from (
              select sim_id, mean, sqrt(greatest(m2 - mean * mean, 0)) as sd,
                     power(1 - ${q.lambda}::float8, ${q.days}) * mean + wsum as ewma
                from (select sim_id,
                             coalesce(sum(b) filter (where k <= 0), 0) / ${q.learnDays} as mean,
                             coalesce(sum(b * b) filter (where k <= 0), 0) / ${q.learnDays} as m2,
                             coalesce(sum(b * ${q.lambda}::float8 * power(1 - ${q.lambda}::float8, ${q.days} - k))
                                      filter (where k > 0), 0) as wsum
                        from (select sim_id, (bytes_up + bytes_down)::float8 as b,
                                     floor(extract(epoch from (day - ${recent}::timestamptz)) / 86400)::int + 1 as k
                                from sim_usage_daily
                               where tenant_id = ${q.tenantId} and day >= ${base}::timestamptz
                                 and day < ${q.end.toISOString()}::timestamptz) x
                       group by sim_id) m) s
             where mean >= ${q.floorBytes} and abs(ewma - mean) >= mean * ${q.minShare}`,
      );
      return rows.map((r) => ({
        simId: Number(r.sim_id),
        mean: Number(r.mean),
        sd: Number(r.sd),
        ewma: Number(r.ewma),
      }));
    },
    /** These SIMs' bytes per UTC day start in [since, until) (the drift backtest replays each day from them). */
    dailyBytesOf: (simIds: readonly number[], since: Date, until: Date) =>
      bytesOf(db, 'sim_usage_daily', 'day', simIds, since, until),
    /** The next tenant with hourly usage after `after` (a loose index scan: one probe of the tenant index). */
    async nextTenant(after: number): Promise<number | null> {
      const [r] = await queryRows<{ t: string | null }>(
        db,
        sql`select min(tenant_id)::text as t from sim_usage_hourly where tenant_id > ${after}`,
      );
      return r?.t == null ? null : Number(r.t);
    },
  };
}
