/**
 * Capacity (issue 17.5): forecasts of each link's p95 utilisation and upgrade proposals. The periodic run
 * (capacity.jobs.ts) pages through the devices measuring `link_utilization_pct`, rolls their new complete hours up
 * (the devices service computes the p95 from its telemetry), forecasts each link from its stored hours and opens an
 * order case for a link that saturates within the order lead time. The API reads what the run stored; a link's
 * detail recomputes its series from the same hours as of the run, so list and chart agree.
 */
import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { cursorParts, encodeCursor, isCursorId } from '../../platform/cursor.ts';
import { forbidden, invalid, isAppError, notFound } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { DevicesService } from '../devices/devices.service.ts';
import { CapacityErrors as E } from './capacity.errors.ts';
import { capacityRepo, type ForecastRow } from './capacity.repo.ts';
import type { ListLinksInput } from './capacity.schemas.ts';
import { DAY_MS, forecastLink, HOUR_MS, type LinkForecast } from './forecast.ts';
import { type CapacityCaseOps, type ProposalOutcome, proposals } from './proposals.ts';
import { proposalText, type StagedPlan, stagedPlan } from './upgrade-plan.ts';

/** The ingest contract's link utilisation metric (0–100). */
export const LINK_METRIC = 'link_utilization_pct';
/** Days ahead a forecast looks for saturation and sizes the upgrade for. */
export const HORIZON_DAYS = 90;
/** Links per run page: one roll-up statement, one read of their hours, then a forecast each. */
export const RUN_PAGE = 100;

export type CapacityDeps = {
  devices: Pick<DevicesService, 'linkDevices' | 'hourlyP95'>;
  accounts: Pick<AccountsService, 'namesOf' | 'getInScope' | 'subtreeIds'>;
  cases: CapacityCaseOps;
  log?: { warn: (o: object, msg: string) => void };
};

const staffOnly = (p: Principal) => {
  if (!isStaff(p))
    throw forbidden(E.staffOnly, "Capacity forecasts are for the provider's staff", [
      { field: 'role', value: p.role, reason: 'staff only' },
    ]);
};

export function createCapacityService(ctx: Pick<Ctx, 'database' | 'config'>, deps: CapacityDeps) {
  const repo = capacityRepo(ctx.database);
  const propose = proposals(repo, deps.cases);
  const { leadTimeDays, saturationPct } = ctx.config.capacity;
  /** What the forecast learns from: never more than telemetry is kept. */
  const historyDays = Math.min(ctx.config.capacity.historyDays, ctx.config.retentionDays);

  const forecastOf = (hours: { hour: Date; p95: number }[], now: number, level: number, horizonDays: number) =>
    forecastLink(
      hours.map((h) => ({ at: h.hour.getTime(), p95: h.p95 })),
      { now, saturationPct: level, horizonDays },
    );
  const withinLeadTime = (f: { daysToSaturation: number | null }) =>
    f.daysToSaturation !== null && f.daysToSaturation < leadTimeDays;

  /**
   * One page of the run: the links after `afterId`, their hours rolled up to the last complete one, forecast, and
   * proposed where due. Idempotent: a page run twice rewrites the same hours and finds its proposal open.
   */
  async function runPage(afterId: number, at: Date) {
    const since = new Date(at.getTime() - historyDays * DAY_MS);
    const links = await deps.devices.linkDevices({ metric: LINK_METRIC, since, afterId, limit: RUN_PAGE });
    if (links.length === 0) return { next: null, links: 0, proposals: [] as ProposalOutcome[] };
    const ids = links.map((l) => l.id);
    const upTo = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
    const last = await repo.lastHours(ids);
    // From the newest hour rolled up (again: records of it may have arrived late), else the whole history.
    const windows = ids.map((id) => {
      const from = last.get(id);
      return { deviceId: id, from: from && from > since ? from : since };
    });
    await repo.upsertHours(await deps.devices.hourlyP95(windows, LINK_METRIC, upTo));
    // The same window a link's detail reads back (capacity.link), so the two agree.
    const hours = await repo.hoursOf(ids, new Date(upTo.getTime() - historyDays * DAY_MS));
    const names = await deps.accounts.namesOf([...new Set(links.map((l) => l.accountId))]);
    const out: ProposalOutcome[] = [];
    for (const l of links) {
      const f = forecastOf(
        hours.filter((h) => h.deviceId === l.id),
        upTo.getTime(),
        saturationPct,
        HORIZON_DAYS,
      );
      const cap = { linkKbps: l.linkKbps, maxLinkKbps: l.maxLinkKbps };
      const plan = f.peakDemandPct !== null && f.daysToSaturation !== null ? stagedPlan(f.peakDemandPct, cap) : null;
      await repo.upsertForecast({
        deviceId: l.id,
        tenantId: l.tenantId,
        accountId: l.accountId,
        externalId: l.externalId,
        name: l.name,
        modelName: l.modelName,
        computedAt: at,
        status: f.status,
        reason: f.reason,
        historyDays: f.historyDays,
        currentP95: f.currentP95,
        trendPerWeek: f.trendPerWeek,
        daysToSaturation: f.daysToSaturation,
        saturationDay: f.saturationDay,
        peakDemandPct: f.peakDemandPct,
        saturationPct,
        ...cap,
        plan,
      });
      if (!withinLeadTime(f) || plan === null) continue;
      const accountName = names.get(l.accountId)?.name ?? `account ${l.accountId}`;
      const text = proposalText({ ...l, accountName }, f, cap, plan, {
        saturationPct,
        leadTimeDays,
        horizonDays: HORIZON_DAYS,
        historyDays,
      });
      try {
        const request = {
          deviceId: l.id,
          accountId: l.accountId,
          linkKbps: l.linkKbps,
          text,
          saturatedNow: f.saturatedNow,
        };
        out.push(await propose(request, at));
      } catch (e) {
        // The next run tries again; one account's refusal (gone, …) must not hold the other links' proposals.
        deps.log?.warn({ err: e, deviceId: l.id }, 'a capacity upgrade proposal could not open its case');
      }
    }
    return { next: links.length < RUN_PAGE ? null : links[links.length - 1]!.id, links: links.length, proposals: out };
  }

  /** After a run's last page: forecasts the run did not refresh (no link any more) go, and hours past the history. */
  async function finishRun(runStart: Date) {
    await repo.deleteForecastsBefore(runStart);
    await repo.deleteHoursBefore(new Date(runStart.getTime() - historyDays * DAY_MS - DAY_MS));
  }

  async function accountFilter(p: Principal, accountId: number | undefined) {
    if (accountId === undefined) return undefined;
    try {
      const a = await deps.accounts.getInScope(scopeOf(p), accountId);
      return deps.accounts.subtreeIds(scopeOf(p), a.path);
    } catch (e) {
      if (isAppError(e) && e.kind === 'not_found')
        throw invalid(E.accountUnknown, `Unknown account ${accountId}`, [
          { field: 'accountId', value: accountId, reason: 'unknown account' },
        ]);
      throw e;
    }
  }

  async function view(rows: ForecastRow[]) {
    const [names, latest] = await Promise.all([
      deps.accounts.namesOf([...new Set(rows.map((r) => r.accountId))]),
      repo.latestProposals(rows.map((r) => r.deviceId)),
    ]);
    return rows.map((r) => ({
      row: r,
      account: names.get(r.accountId) ?? null,
      proposal: latest.get(r.deviceId) ?? null,
      withinLeadTime: withinLeadTime(r),
    }));
  }

  return {
    runPage,
    finishRun,
    leadTimeDays,
    /** How often the run comes (CAPACITY_RUN_MINUTES). */
    everyMs: ctx.config.capacity.runEveryMinutes * 60_000,

    async list(p: Principal, q: ListLinksInput) {
      staffOnly(p);
      let after: { key: number; deviceId: number } | undefined;
      if (q.cursor !== undefined) {
        const parts = cursorParts(q.cursor, 3);
        if (
          !parts ||
          parts[0] !== q.sort ||
          typeof parts[1] !== 'number' ||
          !Number.isFinite(parts[1]) ||
          !isCursorId(parts[2])
        )
          throw invalid(E.cursorInvalid, 'The cursor is not one this list gave', [
            { field: 'cursor', value: q.cursor, reason: `not a cursor of GET /api/v1/capacity/links?sort=${q.sort}` },
          ]);
        after = { key: parts[1], deviceId: parts[2] };
      }
      const rows = await repo.list({
        sort: q.sort,
        accountIds: await accountFilter(p, q.accountId),
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: await view(page),
        nextCursor: rows.length > q.limit && last ? encodeCursor([q.sort, last.sortKey, last.deviceId]) : null,
      };
    },

    /** One link with its daily p95 history and forecast, as of its last run. */
    async link(p: Principal, deviceId: number, days: number) {
      staffOnly(p);
      const row = await repo.forecast(deviceId);
      if (!row)
        throw notFound(E.notFound, `No capacity forecast for device ${deviceId}`, [
          {
            field: 'deviceId',
            value: deviceId,
            reason: `no such device, it measures no ${LINK_METRIC}, or the hourly capacity run has not reached it yet`,
          },
        ]);
      // As the run saw it: its hours up to the last complete one before it ran.
      const asOf = Math.floor(row.computedAt.getTime() / HOUR_MS) * HOUR_MS;
      const hours = await repo.hoursOf([deviceId], new Date(asOf - historyDays * DAY_MS));
      const f: LinkForecast = forecastOf(hours, asOf, row.saturationPct, days);
      const [v] = await view([row]);
      return { ...v!, history: f.history, forecast: f.forecast };
    },
  };
}

export type CapacityService = ReturnType<typeof createCapacityService>;
export type { StagedPlan };
