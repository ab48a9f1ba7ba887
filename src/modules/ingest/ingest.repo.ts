import { and, desc, eq, gte, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { idsAny, queryRows } from '../../platform/db/rows.ts';
import { ingestCredentials, ingestErrors, simNetworkState, simUsageHourly } from './ingest.tables.ts';

export type IngestCredentialRow = typeof ingestCredentials.$inferSelect;
export type IngestErrorRow = typeof ingestErrors.$inferSelect;

/** A SIM's newest network event as its state holds it (the silence watch reads it). */
export type LastEvent = {
  simId: number;
  tenantId: number;
  accountId: number;
  lastEventAt: Date;
  lastEventType: string;
  /** Where it was last: what alarm rules are scoped by. */
  apn: string | null;
  plmn: string | null;
  /** The SIM's newest refusal (alarm rules clear a burst some time after it). */
  lastRejectAt: Date | null;
};

/** A refusal record as alarm rules read it (refusal bursts), or an accepted attempt (attach, session_start). */
export type RefusalRecord = {
  simId: number;
  tenantId: number;
  accountId: number;
  ts: Date;
  type: 'attach_rejected' | 'session_rejected' | 'attach' | 'session_start';
  cause: number | null;
  plmn: string | null;
  apn: string | null;
};

export function ingestRepo(db: Db) {
  return {
    async insertCredential(values: typeof ingestCredentials.$inferInsert): Promise<IngestCredentialRow> {
      const [row] = await db.insert(ingestCredentials).values(values).returning();
      return row!;
    },
    async credentialBySecret(secretHash: string): Promise<IngestCredentialRow | undefined> {
      const [row] = await db
        .select()
        .from(ingestCredentials)
        .where(and(eq(ingestCredentials.secretHash, secretHash), isNull(ingestCredentials.revokedAt)));
      return row;
    },
    listCredentials: () => db.select().from(ingestCredentials).orderBy(ingestCredentials.id),
    async revokeCredential(id: number, at: Date): Promise<boolean> {
      const rows = await db
        .update(ingestCredentials)
        .set({ revokedAt: at })
        .where(and(eq(ingestCredentials.id, id), isNull(ingestCredentials.revokedAt)))
        .returning({ id: ingestCredentials.id });
      return rows.length > 0;
    },
    touchCredential: (id: number, at: Date) =>
      db.update(ingestCredentials).set({ lastUsedAt: at }).where(eq(ingestCredentials.id, id)),

    /** Newest first, keyset on id. */
    listErrors(
      f: { reason?: string; kind?: string; transport?: string; since?: Date; beforeId?: number },
      limit: number,
    ) {
      const where: (SQL | undefined)[] = [
        f.reason ? eq(ingestErrors.reason, f.reason) : undefined,
        f.kind ? eq(ingestErrors.kind, f.kind) : undefined,
        f.transport ? eq(ingestErrors.transport, f.transport) : undefined,
        f.since ? sql`${ingestErrors.receivedAt} >= ${f.since.toISOString()}::timestamptz` : undefined,
        f.beforeId !== undefined ? lt(ingestErrors.id, f.beforeId) : undefined,
      ];
      return db
        .select()
        .from(ingestErrors)
        .where(and(...where))
        .orderBy(desc(ingestErrors.id))
        .limit(limit);
    },
    async errorCounts(since: Date) {
      return db
        .select({ kind: ingestErrors.kind, reason: ingestErrors.reason, count: sql<number>`count(*)::int` })
        .from(ingestErrors)
        .where(sql`${ingestErrors.receivedAt} >= ${since.toISOString()}::timestamptz`)
        .groupBy(ingestErrors.kind, ingestErrors.reason)
        .orderBy(ingestErrors.kind, ingestErrors.reason);
    },
    /**
     * Stored network records with no owner, grouped by ICCID, newest first (partial index). Orphan telemetry is the
     * devices module's (TelemetryStore.orphans).
     */
    orphans: (limit: number) =>
      queryRows<{ iccid: string; records: number; first_ts: Date; last_ts: Date }>(
        db,
        sql`select iccid, count(*)::int as records, min(ts) as first_ts, max(ts) as last_ts
              from network_events where tenant_id is null group by iccid order by max(ts) desc limit ${limit}`,
      ),
    async lastEventsOf(simIds: readonly number[]): Promise<Map<number, LastEvent>> {
      if (simIds.length === 0) return new Map();
      const rows = await db
        .select({
          simId: simNetworkState.simId,
          tenantId: simNetworkState.tenantId,
          accountId: simNetworkState.accountId,
          lastEventAt: simNetworkState.lastEventAt,
          lastEventType: simNetworkState.lastEventType,
          apn: simNetworkState.apn,
          plmn: simNetworkState.plmn,
          lastRejectAt: simNetworkState.lastRejectAt,
        })
        .from(simNetworkState)
        .where(sql`${simNetworkState.simId} = any(${idsAny(simIds)})`);
      return new Map(rows.map((r) => [r.simId, r]));
    },
    /**
     * The refusals of these ICCIDs since `since` (known SIMs only), by the trace index (iccid, ts); with
     * `acceptances`, their accepted attaches and session starts too (a refusal streak ends at one). The ICCIDs go as
     * one comma-joined parameter (digits only, as stored): a bound array would be expanded into a list.
     */
    async refusalsOf(iccids: readonly string[], since: Date, acceptances = false): Promise<RefusalRecord[]> {
      if (iccids.length === 0) return [];
      const types = acceptances
        ? 'attach_rejected,session_rejected,attach,session_start'
        : 'attach_rejected,session_rejected';
      const rows = await queryRows<{
        sim_id: string;
        tenant_id: string;
        account_id: string;
        ts: Date | string;
        type: RefusalRecord['type'];
        cause: number | null;
        plmn: string | null;
        apn: string | null;
      }>(
        db,
        sql`select sim_id::text, tenant_id::text, account_id::text, ts, type, cause, plmn, apn from network_events
             where iccid = any(string_to_array(${iccids.join(',')}, ',')) and ts >= ${since.toISOString()}::timestamptz
               and type = any(string_to_array(${types}, ',')) and sim_id is not null`,
      );
      return rows.map((r) => ({
        simId: Number(r.sim_id),
        tenantId: Number(r.tenant_id),
        accountId: Number(r.account_id),
        ts: new Date(r.ts),
        type: r.type,
        cause: r.cause === null ? null : Number(r.cause),
        plmn: r.plmn,
        apn: r.apn,
      }));
    },
    /** Hour starts (ms) with usage since `since`, per SIM: its rhythm (alarm rules learn from it). */
    async activeHoursOf(simIds: readonly number[], since: Date): Promise<Map<number, number[]>> {
      if (simIds.length === 0) return new Map();
      const rows = await db
        .select({
          simId: simUsageHourly.simId,
          hours: sql<number[]>`array_agg(extract(epoch from ${simUsageHourly.hour})::float8 * 1000)`,
        })
        .from(simUsageHourly)
        .where(and(sql`${simUsageHourly.simId} = any(${idsAny(simIds)})`, gte(simUsageHourly.hour, since)))
        .groupBy(simUsageHourly.simId);
      return new Map(rows.map((r) => [r.simId, r.hours.map(Number)]));
    },
    async simsWithStateAfter(afterSimId: number, limit: number): Promise<number[]> {
      const rows = await db
        .select({ simId: simNetworkState.simId })
        .from(simNetworkState)
        .where(sql`${simNetworkState.simId} > ${afterSimId}`)
        .orderBy(simNetworkState.simId)
        .limit(limit);
      return rows.map((r) => r.simId);
    },
    async networkStatesOf(simIds: number[]): Promise<Map<number, string>> {
      const rows = await db
        .select({ simId: simNetworkState.simId, status: simNetworkState.status })
        .from(simNetworkState)
        .where(inArray(simNetworkState.simId, simIds));
      return new Map(rows.map((r) => [r.simId, r.status]));
    },
    async deleteErrorsBefore(at: Date) {
      await db.delete(ingestErrors).where(sql`${ingestErrors.receivedAt} < ${at.toISOString()}::timestamptz`);
    },
  };
}
