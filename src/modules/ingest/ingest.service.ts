import { createHash, randomBytes } from 'node:crypto';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { enqueueIn } from '../../platform/jobs/outbox.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import type { TelemetryStore } from '../devices/telemetry.writer.ts';
import { type Line, type NetworkEvent, parseNetworkEvent, parseTelemetry, type Telemetry } from './contract.ts';
import { IngestErrors as E } from './ingest.errors.ts';
import { IngestEvents } from './ingest.events.ts';
import { ingestRepo } from './ingest.repo.ts';
import type { CreateCredentialInput, ListErrorsQuery } from './ingest.schemas.ts';
import { createPartitionManager } from './partitions.ts';
import { reconcileOrphans } from './reconcile.ts';
import { dayTotals, monthToDate, rollupDailyUsage } from './usage.writer.ts';
import { usageWeeksRepo } from './usage-weeks.repo.ts';
import { createWriteQueue, type IngestSource, type RejectedLine } from './write-queue.ts';

export type { IngestSource } from './write-queue.ts';

/** The contract's HTTP answer; `reason`/`field`/`value` are additive to v1's `{ line, error }`. */
export type IngestResult = {
  accepted: number;
  duplicates: number;
  rejected: { line: number; error: string; reason: string; field?: string; value?: unknown }[];
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Ingest secrets carry their own prefix, so the HTTP layer knows which kind of credential a Bearer is. */
export const INGEST_SECRET_PREFIX = 'ioi_';
const CREDENTIAL_CACHE_MS = 5000;
export const ROLLUP_DAILY = 'ingest.rollup_daily';

/** Ingest errors and orphans are the provider's operations data; a producer's credential reads nothing either. */
function staffOnly(p: Principal) {
  if (!isStaff(p) || p.ingestCredentialId !== undefined)
    throw forbidden(E.staffOnly, 'Only the provider’s staff see ingest errors and orphans', [
      { field: 'role', value: p.role, reason: 'staff only' },
    ]);
}

export type IngestDeps = {
  /**
   * The devices module's telemetry tables (device_telemetry, device_metric_latest): ingest accepts telemetry and
   * hands it to this writer inside its batch transaction; it owns none of them.
   */
  telemetry: TelemetryStore;
  now?: () => number;
};

export function createIngestService(ctx: Ctx, deps: IngestDeps) {
  const now = deps.now ?? Date.now;
  const { telemetry } = deps;
  const repo = ingestRepo(ctx.database.db);
  const usageWeeks = usageWeeksRepo(ctx.database.db);
  const partitions = createPartitionManager(ctx.database, now);
  const queue = createWriteQueue(ctx.database, partitions, ctx.metrics, {
    batchMax: ctx.config.ingestBatchMax,
    lingerMs: ctx.config.ingestLingerMs,
    queueMax: ctx.config.ingestQueueMax,
    writeTelemetry: telemetry.write,
    emitEvents: ctx.config.ingestEvents,
    // PGlite has one connection: lanes would only queue behind each other.
    lanes: ctx.database.kind === 'pglite' ? 1 : ctx.config.ingestWriters,
  });
  // MQTT producers connect often and HTTP producers post often: a credential check need not hit the database
  // each time. A revocation through this process drops the cache at once; others see it within 5 s.
  const credentials = createTtlCache<{ id: number; name: string }>(1000);

  async function credentialFor(secret: string) {
    const hash = sha256(secret);
    const hit = credentials.get(hash, now());
    if (hit) return hit;
    const row = await repo.credentialBySecret(hash);
    if (!row) return null;
    await repo.touchCredential(row.id, new Date(now()));
    const value = { id: row.id, name: row.name };
    credentials.set(hash, value, now() + CREDENTIAL_CACHE_MS);
    return value;
  }

  /** Parse every line, hand the good records to the write queue, wait for the commit, answer per contract. */
  async function accept<T extends NetworkEvent | Telemetry>(
    kind: 'network' | 'telemetry',
    lines: Line[],
    source: IngestSource,
    parse: (raw: unknown) => { ok: true; record: T } | RejectedLine['rejection'],
  ): Promise<IngestResult> {
    const records: T[] = [];
    const recordLines: number[] = [];
    const rejected: RejectedLine[] = [];
    for (const l of lines) {
      if ('rejection' in l) {
        rejected.push({ line: l.line, rejection: l.rejection });
        continue;
      }
      const p = parse(l.value);
      if (p.ok) {
        records.push(p.record);
        recordLines.push(l.line);
      } else rejected.push({ line: l.line, rejection: p, raw: JSON.stringify(l.value) });
    }
    if (queue.saturated()) await queue.drained();
    const { stored, refused } = await queue.submit(
      kind,
      records as NetworkEvent[] | Telemetry[],
      recordLines,
      rejected,
      source,
    );
    const accepted = stored.filter(Boolean).length;
    const refusedLines: RejectedLine[] = [];
    refused?.forEach((message, i) => {
      if (message !== null)
        refusedLines.push({ line: recordLines[i]!, rejection: { ok: false, reason: 'unstorable', message } });
    });
    const all = refusedLines.length === 0 ? rejected : [...rejected, ...refusedLines].sort((a, b) => a.line - b.line);
    return {
      accepted,
      duplicates: stored.length - accepted - refusedLines.length,
      rejected: all.map(({ line, rejection: r }) => ({
        line,
        error: `${r.reason}: ${r.message}`,
        reason: r.reason,
        ...(r.field === undefined ? {} : { field: r.field }),
        ...(r.value === undefined ? {} : { value: r.value }),
      })),
    };
  }

  return {
    /** SIM id → current network state, for the SIM views (the SIMs module shows it, ingest owns it). */
    networkStatesOf: (simIds: number[]) => repo.networkStatesOf(simIds),
    /** Each SIM's newest event (time, type) and owner, from its network state; SIMs that never talked are absent. */
    lastEventsOf: (simIds: readonly number[]) => repo.lastEventsOf(simIds),
    /** SIMs that have a network state, in id order after `afterSimId` (a backfill pages through them). */
    simsWithStateAfter: (afterSimId: number, limit: number) => repo.simsWithStateAfter(afterSimId, limit),
    /** Hour starts (ms) with usage since `since`, per SIM (alarm rules learn each SIM's rhythm from them). */
    activeHoursOf: (simIds: readonly number[], since: Date) => repo.activeHoursOf(simIds, since),
    /**
     * Refusal records of these ICCIDs since `since` (alarm rules: refusal bursts); with `acceptances`, their
     * accepted attaches and session starts too.
     */
    refusalsOf: (iccids: readonly string[], since: Date, acceptances = false) =>
      repo.refusalsOf(iccids, since, acceptances),
    /** Usage-drop alarm rules: a tenant's SIMs low in a window against the same hours of past weeks (a prefilter). */
    usageLowIn: usageWeeks.lowIn,
    /** Hour start (ms) → bytes per SIM in [since, until) (the usage-drop backtest). */
    hourlyBytesOf: usageWeeks.hourlyBytesOf,
    /** Usage-drift alarm rules: a tenant's SIMs whose daily EWMA is away from their learned mean (a prefilter). */
    usageDriftIn: usageWeeks.driftIn,
    /** UTC day start (ms) → bytes per SIM in [since, until) (the usage-drift backtest). */
    dailyBytesOf: usageWeeks.dailyBytesOf,
    /** The next tenant with hourly usage after this one (the usage-drop run pages by tenant). */
    nextUsageTenant: usageWeeks.nextTenant,
    acceptNetwork(lines: Line[], source: IngestSource, o: { topicIccid?: string } = {}) {
      return accept('network', lines, source, (raw) => parseNetworkEvent(raw, { ...o, now: now() }));
    },
    acceptTelemetry(lines: Line[], source: IngestSource, o: { topicDeviceId?: string } = {}) {
      return accept('telemetry', lines, source, (raw) => parseTelemetry(raw, { ...o, now: now() }));
    },
    saturated: () => queue.saturated(),
    drained: () => queue.drained(),
    /** Writes what is waiting; called on shutdown after the transports stopped taking records. */
    close: () => queue.close(),

    /** MQTT CONNECT: username = the credential's name, password = its secret. */
    async verifyCredential(username: string, password: string): Promise<{ id: number } | null> {
      if (!password.startsWith(INGEST_SECRET_PREFIX)) return null;
      const c = await credentialFor(password);
      return c && c.name.toLowerCase() === username.toLowerCase() ? { id: c.id } : null;
    },
    /** HTTP Bearer of an ingest credential: a principal with the `ingest` scope and nothing else. */
    async principalFromSecret(secret: string): Promise<Principal | null> {
      const c = await credentialFor(secret);
      if (!c) return null;
      return {
        userId: 0,
        email: `ingest:${c.name}`,
        role: 'agent',
        scopes: new Set(['ingest']),
        tenantId: null,
        accountId: null,
        accountPath: null,
        via: 'token',
        ingestCredentialId: c.id,
      };
    },

    async createCredential(by: Principal, input: CreateCredentialInput) {
      const secret = `${INGEST_SECRET_PREFIX}${randomBytes(24).toString('base64url')}`;
      try {
        const row = await repo.insertCredential({ name: input.name, secretHash: sha256(secret), createdBy: by.email });
        return { credential: row, secret };
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(E.credentialNameTaken, `An ingest credential named ${input.name} exists`, [
            { field: 'name', value: input.name, reason: 'already taken' },
          ]);
        throw e;
      }
    },
    listCredentials: () => repo.listCredentials(),
    async revokeCredential(id: number) {
      if (!(await repo.revokeCredential(id, new Date(now()))))
        throw notFound(E.credentialNotFound, `Ingest credential ${id} not found (or already revoked)`, [
          { field: 'id', value: id, reason: 'not found' },
        ]);
      credentials.deleteWhere((c) => c.id === id);
    },

    /** Refused records, newest first, with the last 24 h's counts by kind and reason. */
    async listErrors(p: Principal, q: ListErrorsQuery) {
      staffOnly(p);
      let beforeId: number | undefined;
      if (q.cursor !== undefined) {
        beforeId = Number(q.cursor);
        if (!Number.isSafeInteger(beforeId) || beforeId <= 0)
          throw invalid(E.cursorInvalid, 'cursor is not one this API gave out', [
            { field: 'cursor', value: q.cursor, reason: 'not a cursor' },
          ]);
      }
      const items = await repo.listErrors(
        {
          ...(q.reason ? { reason: q.reason } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.transport ? { transport: q.transport } : {}),
          ...(q.since ? { since: new Date(q.since) } : {}),
          ...(beforeId !== undefined ? { beforeId } : {}),
        },
        q.limit + 1,
      );
      const more = items.length > q.limit;
      const page = more ? items.slice(0, q.limit) : items;
      const counts = await repo.errorCounts(new Date(now() - 86_400_000));
      return { items: page, nextCursor: more ? String(page[page.length - 1]!.id) : null, counts };
    },

    /** Records for ICCIDs / deviceIds iotops does not know, grouped: what to import (or whom to call). */
    async listOrphans(p: Principal, limit: number) {
      staffOnly(p);
      const network = await repo.orphans(limit);
      return { network, telemetry: await telemetry.orphans(limit) };
    },

    /**
     * Orphans whose SIM or device exists now get adopted, in rounds of a few hundred SIMs, each its own
     * transaction (no long lock on hot SIM rows). Runs after every SIM import and hourly with `maintain`.
     */
    async adoptOrphans(): Promise<{ network: number; telemetry: number }> {
      const total = { network: 0, telemetry: 0 };
      for (;;) {
        const r = await ctx.database.rawTransaction((tx) => reconcileOrphans(tx, telemetry.adoptOrphans));
        total.network += r.network;
        total.telemetry += r.telemetry;
        if (r.network === 0 && r.telemetry === 0) break;
      }
      if (total.network + total.telemetry > 0) ctx.log.info(total, 'orphan ingest records adopted');
      return total;
    },

    /**
     * Daily usage of one complete UTC day (YYYY-MM-DD) from its hourly rows, announced per account in the same
     * transaction (`ingest.usage_day_closed`; its dedupe key announces a day once, even if the job runs again).
     */
    rollupDay: (day: string) =>
      ctx.database.rawTransaction(async (tx) => {
        const from = new Date(`${day}T00:00:00Z`);
        const n = await rollupDailyUsage(tx, from, new Date(from.getTime() + 86_400_000));
        for (const totals of await dayTotals(tx, from))
          await emitRaw(tx, IngestEvents.usageDayClosed, totals, {
            dedupeKey: `${IngestEvents.usageDayClosed.name}:${totals.accountId}:${day}`,
          });
        return n;
      }),

    /** For the usage thresholds (sims): per SIM of the account with data use on `day`, the month before it and through it. */
    monthToDate: (accountId: number, day: string) => monthToDate(ctx.database, accountId, new Date(`${day}T00:00:00Z`)),

    /** Retention, tomorrow's partition and orphan adoption: the worker runs it at start and hourly. */
    async maintain() {
      const days = ctx.config.retentionDays;
      const { dropped } = await partitions.maintain(days);
      const cutoff = new Date(now() - days * 86_400_000);
      await repo.deleteErrorsBefore(cutoff);
      await telemetry.deleteBefore(cutoff);
      const adopted = await this.adoptOrphans();
      // Yesterday's daily usage, once: the job's dedupe key holds for the job's life (JOB_RETENTION_DAYS).
      const yesterday = new Date(Math.floor(now() / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
      await enqueueIn(ctx.database.db, ROLLUP_DAILY, { day: yesterday }, { dedupeKey: `${ROLLUP_DAILY}:${yesterday}` });
      return { dropped, adopted };
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
