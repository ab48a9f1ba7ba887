/** The capacity module's SQL: hourly roll-ups, forecasts, proposals. Staff-only data: no tenant scope to apply. */
import type { Database } from '../../platform/db/client.ts';

export type HourRow = { deviceId: number; hour: Date; p95: number; samples: number };

export type ForecastRow = {
  deviceId: number;
  tenantId: number;
  accountId: number;
  externalId: string;
  name: string | null;
  modelName: string;
  computedAt: Date;
  status: 'ok' | 'insufficient_history';
  reason: string | null;
  historyDays: number;
  currentP95: number | null;
  trendPerWeek: number | null;
  daysToSaturation: number | null;
  saturationDay: string | null;
  peakDemandPct: number | null;
  saturationPct: number;
  linkKbps: number | null;
  maxLinkKbps: number | null;
  plan: Record<string, unknown> | null;
};

export type ProposalRow = {
  id: number;
  deviceId: number;
  state: 'opening' | 'open' | 'done';
  caseNumber: string | null;
  linkKbps: number | null;
  createdAt: Date;
  endedAt: Date | null;
};

export type ListSort = 'daysToSaturation' | 'currentP95';
/** The list's sort key in SQL; a link without a value sorts last either way. */
const SORT_KEY: Record<ListSort, { expr: string; dir: 'asc' | 'desc' }> = {
  daysToSaturation: { expr: 'coalesce(f.days_to_saturation, 1e9)', dir: 'asc' },
  currentP95: { expr: 'coalesce(f.current_p95, -1)', dir: 'desc' },
};

const FORECAST_COLUMNS = `f.device_id::text as "deviceId", f.tenant_id::text as "tenantId", f.account_id::text as "accountId",
  f.external_id as "externalId", f.name, f.model_name as "modelName", f.computed_at as "computedAt", f.status, f.reason,
  f.history_days as "historyDays", f.current_p95 as "currentP95", f.trend_per_week as "trendPerWeek",
  f.days_to_saturation as "daysToSaturation", f.saturation_day as "saturationDay", f.peak_demand_pct as "peakDemandPct",
  f.saturation_pct as "saturationPct", f.link_kbps as "linkKbps", f.max_link_kbps as "maxLinkKbps", f.plan`;

type Raw = Record<string, unknown>;
const forecastOf = (r: Raw): ForecastRow =>
  ({ ...r, deviceId: Number(r.deviceId), tenantId: Number(r.tenantId), accountId: Number(r.accountId) }) as ForecastRow;
const proposalOf = (r: Raw): ProposalRow => ({ ...r, id: Number(r.id), deviceId: Number(r.deviceId) }) as ProposalRow;
const PROPOSAL_COLUMNS = `id::text as id, device_id::text as "deviceId", state, case_number as "caseNumber",
  link_kbps as "linkKbps", created_at as "createdAt", ended_at as "endedAt"`;

export function capacityRepo(database: Database) {
  const q = database.query.bind(database);
  return {
    /** The newest hour rolled up for each device. */
    async lastHours(deviceIds: readonly number[]): Promise<Map<number, Date>> {
      const rows = await q<{ device_id: string; hour: Date }>(
        `select device_id::text, max(hour) as hour from capacity_link_hours where device_id = any($1::bigint[])
          group by device_id`,
        [deviceIds],
      );
      return new Map(rows.map((r) => [Number(r.device_id), new Date(r.hour)]));
    },
    async upsertHours(unordered: readonly HourRow[]): Promise<void> {
      if (unordered.length === 0) return;
      // In key order: two workers writing the same hours at once then wait for each other instead of deadlocking.
      const rows = [...unordered].sort((a, b) => a.deviceId - b.deviceId || a.hour.getTime() - b.hour.getTime());
      await q(
        `insert into capacity_link_hours (device_id, hour, p95, samples)
         select * from unnest($1::bigint[], $2::timestamptz[], $3::float8[], $4::int[])
         on conflict (device_id, hour) do update set p95 = excluded.p95, samples = excluded.samples`,
        [
          rows.map((r) => r.deviceId),
          rows.map((r) => r.hour.toISOString()),
          rows.map((r) => r.p95),
          rows.map((r) => r.samples),
        ],
      );
    },
    async hoursOf(deviceIds: readonly number[], since: Date): Promise<HourRow[]> {
      const rows = await q<{ device_id: string; hour: Date; p95: number; samples: number }>(
        `select device_id::text, hour, p95, samples from capacity_link_hours
          where device_id = any($1::bigint[]) and hour >= $2 order by device_id, hour`,
        [deviceIds, since.toISOString()],
      );
      return rows.map((r) => ({
        deviceId: Number(r.device_id),
        hour: new Date(r.hour),
        p95: r.p95,
        samples: r.samples,
      }));
    },
    async deleteHoursBefore(at: Date): Promise<void> {
      await q('delete from capacity_link_hours where hour < $1', [at.toISOString()]);
    },

    async upsertForecast(f: ForecastRow): Promise<void> {
      await q(
        `insert into capacity_forecasts (device_id, tenant_id, account_id, external_id, name, model_name, computed_at,
           status, reason, history_days, current_p95, trend_per_week, days_to_saturation, saturation_day,
           peak_demand_pct, saturation_pct, link_kbps, max_link_kbps, plan)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb)
         on conflict (device_id) do update set tenant_id = excluded.tenant_id, account_id = excluded.account_id,
           external_id = excluded.external_id, name = excluded.name, model_name = excluded.model_name,
           computed_at = excluded.computed_at, status = excluded.status, reason = excluded.reason,
           history_days = excluded.history_days, current_p95 = excluded.current_p95,
           trend_per_week = excluded.trend_per_week, days_to_saturation = excluded.days_to_saturation,
           saturation_day = excluded.saturation_day, peak_demand_pct = excluded.peak_demand_pct,
           saturation_pct = excluded.saturation_pct, link_kbps = excluded.link_kbps,
           max_link_kbps = excluded.max_link_kbps, plan = excluded.plan`,
        [
          f.deviceId,
          f.tenantId,
          f.accountId,
          f.externalId,
          f.name,
          f.modelName,
          f.computedAt.toISOString(),
          f.status,
          f.reason,
          f.historyDays,
          f.currentP95,
          f.trendPerWeek,
          f.daysToSaturation,
          f.saturationDay,
          f.peakDemandPct,
          f.saturationPct,
          f.linkKbps,
          f.maxLinkKbps,
          f.plan === null ? null : JSON.stringify(f.plan),
        ],
      );
    },
    /** Links a run did not reach any more (the device stopped measuring, or is gone). */
    async deleteForecastsBefore(at: Date): Promise<void> {
      await q('delete from capacity_forecasts where computed_at < $1', [at.toISOString()]);
    },
    async forecast(deviceId: number): Promise<ForecastRow | undefined> {
      const [row] = await q<Raw>(`select ${FORECAST_COLUMNS} from capacity_forecasts f where f.device_id = $1`, [
        deviceId,
      ]);
      return row ? forecastOf(row) : undefined;
    },
    /** A page of forecasts in `sort` order after the cursor's (key, device id); `accountIds` narrows it. */
    async list(o: {
      sort: ListSort;
      accountIds: number[] | undefined;
      after: { key: number; deviceId: number } | undefined;
      limit: number;
    }): Promise<(ForecastRow & { sortKey: number })[]> {
      const { expr, dir } = SORT_KEY[o.sort];
      const params: unknown[] = [];
      const where: string[] = [];
      if (o.accountIds !== undefined) {
        params.push(o.accountIds);
        where.push(`f.account_id = any($${params.length}::bigint[])`);
      }
      if (o.after) {
        params.push(o.after.key, o.after.deviceId);
        const cmp = dir === 'asc' ? '>' : '<';
        where.push(
          `(${expr} ${cmp} $${params.length - 1}::float8 or (${expr} = $${params.length - 1}::float8 and f.device_id > $${params.length}::bigint))`,
        );
      }
      params.push(o.limit);
      const rows = await q<Raw>(
        `select ${FORECAST_COLUMNS}, ${expr} as "sortKey" from capacity_forecasts f
          ${where.length ? `where ${where.join(' and ')}` : ''}
          order by ${expr} ${dir}, f.device_id asc limit $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...forecastOf(r), sortKey: Number(r.sortKey) }));
    },

    async currentProposal(deviceId: number): Promise<ProposalRow | undefined> {
      const [row] = await q<Raw>(
        `select ${PROPOSAL_COLUMNS} from capacity_proposals where device_id = $1 and state <> 'done'`,
        [deviceId],
      );
      return row ? proposalOf(row) : undefined;
    },
    async lastEnded(deviceId: number): Promise<ProposalRow | undefined> {
      const [row] = await q<Raw>(
        `select ${PROPOSAL_COLUMNS} from capacity_proposals where device_id = $1 and state = 'done'
          order by ended_at desc nulls last, id desc limit 1`,
        [deviceId],
      );
      return row ? proposalOf(row) : undefined;
    },
    /** The newest proposal with a case of each device (open or ended), for the list. */
    async latestProposals(deviceIds: readonly number[]): Promise<Map<number, ProposalRow>> {
      const rows = await q<Raw>(
        `select distinct on (device_id) ${PROPOSAL_COLUMNS} from capacity_proposals
          where device_id = any($1::bigint[]) and case_number is not null order by device_id, id desc`,
        [deviceIds],
      );
      return new Map(rows.map((r) => [Number(r.deviceId), proposalOf(r)]));
    },
    /** Claims the device's proposal; null when another worker holds it (the partial unique index). */
    async claim(p: { deviceId: number; accountId: number; linkKbps: number | null; at: Date }): Promise<number | null> {
      const [row] = await q<{ id: string }>(
        `insert into capacity_proposals (device_id, account_id, state, link_kbps, created_at)
         values ($1, $2, 'opening', $3, $4)
         on conflict (device_id) where state <> 'done' do nothing returning id::text`,
        [p.deviceId, p.accountId, p.linkKbps, p.at.toISOString()],
      );
      return row ? Number(row.id) : null;
    },
    async opened(id: number, c: { id: number; number: string }): Promise<void> {
      await q(`update capacity_proposals set state = 'open', case_id = $2, case_number = $3 where id = $1`, [
        id,
        c.id,
        c.number,
      ]);
    },
    async ended(id: number, at: Date): Promise<void> {
      await q(`update capacity_proposals set state = 'done', ended_at = $2 where id = $1`, [id, at.toISOString()]);
    },
    async release(id: number): Promise<void> {
      await q('delete from capacity_proposals where id = $1', [id]);
    },
  };
}

export type CapacityRepo = ReturnType<typeof capacityRepo>;
