/**
 * The trace of a SIM (events, sessions, usage, network state) and the fleet views. A SIM is reached exactly as
 * the SIM API reaches it (another customer's SIM answers 404 like a missing one); customers' reads also filter
 * on their tenant, so rows written while a SIM belonged to someone else stay hidden.
 */
import { type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { forbidden, invalid } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { FAILING_WINDOW_MS } from './failing-now.ts';
import { type FleetRow, fleetRepo } from './fleet.repo.ts';
import { NetworkErrors as E } from './network.errors.ts';
import { type EventRow, networkRepo, type Reach } from './network.repo.ts';
import type { FailingQuery, FleetQuery, SessionsQuery, TraceEventsQuery, UsageQuery } from './network.schemas.ts';
import { seriesRepo } from './series.repo.ts';
import { decodeCursor, encodeCursor, parseWindow } from './window.ts';

export type NetworkDeps = {
  sims: Pick<SimsService, 'locate'>;
  accounts: Pick<AccountsService, 'subtreeIds'>;
};

/** More buckets than this in one fleet answer is a chart nobody can read (and a heavy query). */
const MAX_BUCKETS = 2000;
const BUCKET_MS = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;

export function createNetworkService(
  ctx: Pick<Ctx, 'database' | 'config'>,
  deps: NetworkDeps,
  opts: { now?: () => number } = {},
) {
  const now = opts.now ?? Date.now;
  const repo = networkRepo(ctx.database);
  const fleet = fleetRepo(ctx.database);
  const series = seriesRepo(ctx.database);
  const window = (q: { from?: string | undefined; to?: string | undefined }) =>
    parseWindow(q, { retentionDays: ctx.config.retentionDays, now: now() });

  /** The SIM (404 when out of reach) and the tenant filter for a customer's reads. */
  async function sim(p: Principal, iccid: string) {
    const row = await deps.sims.locate(p, iccid);
    const scope = scopeOf(p);
    return { row, tenantId: scope.kind === 'customer' ? scope.tenantId : undefined };
  }

  /** Which rows a principal's fleet view covers: staff everything (or `tenantId`), a customer its subtree. */
  async function reach(p: Principal, tenantId: number | undefined): Promise<Reach> {
    const scope = scopeOf(p);
    if (scope.kind === 'operator') return tenantId === undefined ? {} : { tenantId };
    if (tenantId !== undefined && tenantId !== scope.tenantId)
      throw forbidden(E.staffOnly, 'Only provider staff choose the tenant of a fleet view', [
        { field: 'tenantId', value: tenantId, reason: 'staff only; customers see their own accounts' },
      ]);
    if (scope.accountPath === `/${scope.tenantId}/`) return { tenantId: scope.tenantId };
    return { tenantId: scope.tenantId, accountIds: await deps.accounts.subtreeIds(scope, scope.accountPath) };
  }

  function page<T>(rows: T[], limit: number, cursorOf: (last: T) => string) {
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? cursorOf(items[items.length - 1]!) : null };
  }

  return {
    async events(p: Principal, iccid: string, q: TraceEventsQuery) {
      const { row, tenantId } = await sim(p, iccid);
      const w = window(q);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'events', 'tid');
      const rows = await repo.events({ iccid: row.iccid, tenantId, ...w, types: q.type, after, limit: q.limit + 1 });
      return { ...w, ...page(rows, q.limit, (r) => encodeCursor('events', r.k, r.c)) };
    },

    async sessions(p: Principal, iccid: string, q: SessionsQuery) {
      const { row, tenantId } = await sim(p, iccid);
      const w = window(q);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'sessions', 'text');
      const rows = await repo.sessions({ simId: row.id, tenantId, ...w, open: q.open, after, limit: q.limit + 1 });
      return { ...w, ...page(rows, q.limit, (r) => encodeCursor('sessions', String(r.k), String(r.session_id))) };
    },

    async usage(p: Principal, iccid: string, q: UsageQuery) {
      const { row, tenantId } = await sim(p, iccid);
      const w = window(q);
      const list = `usage-${q.granularity}`;
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, list, 'text');
      const { rows, totals } = await repo.usage({
        simId: row.id,
        tenantId,
        granularity: q.granularity,
        ...w,
        after,
        limit: q.limit + 1,
      });
      return {
        ...w,
        granularity: q.granularity,
        totals,
        ...page(rows, q.limit, (r) => encodeCursor(list, String(r.k), '')),
      };
    },

    async state(p: Principal, iccid: string) {
      const { row, tenantId } = await sim(p, iccid);
      const [state, imeis] = await Promise.all([repo.state(row.id, tenantId), repo.imeiHistory(row.id)]);
      return { iccid: row.iccid, state, imeis };
    },

    /**
     * Event counts over time. A tenant (or all of them, for staff) comes from the 5-minute roll-up. A customer
     * below the tenant's root cannot be answered from it (the roll-up has no account), so its counts come from
     * the events of its accounts in the window: exact, at the cost of reading the window's events.
     */
    async fleet(p: Principal, q: FleetQuery) {
      const w = window(q);
      const buckets = Math.ceil((w.to.getTime() - w.from.getTime()) / BUCKET_MS[q.bucket]);
      if (buckets > MAX_BUCKETS)
        throw invalid(E.bucketTooSmall, `${buckets} buckets of ${q.bucket}: at most ${MAX_BUCKETS}`, [
          {
            field: 'bucket',
            value: q.bucket,
            reason: `gives ${buckets} buckets in this window; at most ${MAX_BUCKETS}`,
          },
        ]);
      const r = await reach(p, q.tenantId);
      const base = { ...w, by: q.by, bucket: q.bucket, types: q.type };
      let rows: FleetRow[];
      let source: 'rollup' | 'events';
      if (r.accountIds !== undefined && r.tenantId !== undefined) {
        rows = await fleet.fromEvents({ ...base, tenantId: r.tenantId, accountIds: r.accountIds });
        source = 'events';
      } else {
        rows = await fleet.fromRollup({ ...base, tenantId: r.tenantId });
        source = 'rollup';
      }
      const totals = new Map<string, number>();
      for (const x of rows) totals.set(x.key, (totals.get(x.key) ?? 0) + x.events);
      return {
        ...w,
        by: q.by,
        bucket: q.bucket,
        source,
        items: rows,
        totals: [...totals].map(([key, events]) => ({ key, events })).sort((a, b) => b.events - a.events),
      };
    },

    async failing(p: Principal, q: FailingQuery) {
      const since = q.since === undefined ? new Date(now() - FAILING_WINDOW_MS) : new Date(q.since);
      return { since, items: await fleet.failing({ reach: await reach(p, q.tenantId), since }) };
    },

    /**
     * Event counts per bucket for another module's chart (the alarms' series): no principal, the caller has
     * decided who may see them. A SIM's from its events (by the trace index), a network's or APN's from the roll-up.
     */
    simSeries: series.simBuckets,
    fleetSeries: series.fleetBuckets,
  };
}

export type NetworkService = ReturnType<typeof createNetworkService>;
/** A trace event as the service answers it (the CLI prints these). */
export type { EventRow };
