import { and, asc, desc, eq, inArray, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { type NetworkFilter, networkWhere } from './sims.network-filter.ts';
import { simAudit, simImports, simImsis, sims } from './sims.tables.ts';

export type SimRow = typeof sims.$inferSelect;
export type ImsiRow = typeof simImsis.$inferSelect;
export type AuditRow = typeof simAudit.$inferSelect;
export type ImportRow = typeof simImports.$inferSelect;

/**
 * Which SIMs a call may reach, already resolved by the service (sims carry no account path):
 * a tenant, and within it optionally an explicit set of accounts (a subtree). Empty = every SIM (staff).
 */
export type SimReach = { tenantId?: number | undefined; accountIds?: number[] | undefined };
/** A digit-prefix as a range [from, to): index-friendly under any collation (digits sort the same everywhere). */
export type PrefixRange = { from: string; to: string | null };
export type SimWhere = SimReach & {
  states?: string[] | undefined;
  communicationPlanId?: number | undefined;
  ratePlanId?: number | undefined;
  iccid?: PrefixRange | undefined;
  imsi?: PrefixRange | undefined;
  msisdn?: PrefixRange | undefined;
  label?: string | undefined;
  /** Exact ICCID bodies (bulk selection by list). */
  iccids?: string[] | undefined;
  /** Exact MSISDNs (E.164 digits). */
  msisdns?: string[] | undefined;
  /** Exact SIM ids (a case's affected-SIM list). */
  simIds?: number[] | undefined;
  /** Network state, last seen, failing now (a declared read model: sims.network-filter.ts). */
  network?: NetworkFilter | undefined;
};
export type SortKey = 'iccid' | 'createdAt' | 'updatedAt' | 'state';
export type Keyset = { sort: SortKey; dir: 'asc' | 'desc'; after?: { key: string; id: number } | undefined };

/** A list of digits / ids as ONE bind parameter (a 100k ICCID list would exceed the 65,535-parameter limit). */
const textList = (xs: readonly string[]) => sql`string_to_array(${xs.join(',')}, ',')`;
const idList = (xs: readonly number[]) => sql`string_to_array(${xs.join(',')}, ',')::bigint[]`;

function inRange(col: SQL | typeof sims.iccid, r: PrefixRange): SQL {
  return r.to === null ? sql`${col} >= ${r.from}` : sql`${col} >= ${r.from} and ${col} < ${r.to}`;
}

export function simWhere(w: SimWhere): SQL | undefined {
  return and(
    w.tenantId !== undefined ? eq(sims.tenantId, w.tenantId) : undefined,
    w.accountIds !== undefined ? sql`${sims.accountId} = any(${idList(w.accountIds)})` : undefined,
    w.states !== undefined ? sql`${sims.state} = any(${textList(w.states)})` : undefined,
    w.communicationPlanId !== undefined ? eq(sims.communicationPlanId, w.communicationPlanId) : undefined,
    w.ratePlanId !== undefined ? eq(sims.ratePlanId, w.ratePlanId) : undefined,
    w.iccid !== undefined ? inRange(sims.iccid, w.iccid) : undefined,
    w.msisdn !== undefined ? inRange(sql`${sims.msisdn}`, w.msisdn) : undefined,
    w.imsi !== undefined
      ? sql`${sims.id} in (select i.sim_id from sim_imsis i where ${inRange(sql`i.imsi`, w.imsi)})`
      : undefined,
    w.label !== undefined ? sql`${sims.labels} @> array[${w.label}]::text[]` : undefined,
    w.iccids !== undefined ? sql`${sims.iccid} = any(${textList(w.iccids)})` : undefined,
    w.msisdns !== undefined ? sql`${sims.msisdn} = any(${textList(w.msisdns)})` : undefined,
    w.simIds !== undefined ? sql`${sims.id} = any(${idList(w.simIds)})` : undefined,
    networkWhere(w.network),
  );
}

const SORT_COLUMNS = {
  iccid: sims.iccid,
  createdAt: sims.createdAt,
  updatedAt: sims.updatedAt,
  state: sims.state,
} as const;

/** Keyset condition and order. The ICCID is unique, so it pages alone; the others add the id as tiebreak. */
function keyset(k: Keyset): { where: SQL | undefined; order: SQL[]; sortKey: SQL<string> } {
  const col = SORT_COLUMNS[k.sort];
  const dir = k.dir === 'asc' ? asc : desc;
  const op = sql.raw(k.dir === 'asc' ? '>' : '<');
  const isTime = k.sort === 'createdAt' || k.sort === 'updatedAt';
  // Timestamps travel as text to keep PostgreSQL's microseconds (a JS Date would round them and skip rows).
  const sortKey = isTime ? sql<string>`${col}::text` : sql<string>`${col}`;
  if (k.sort === 'iccid') {
    return { where: k.after ? sql`${col} ${op} ${k.after.key}` : undefined, order: [dir(col)], sortKey };
  }
  const keyValue = isTime ? sql`${k.after?.key}::timestamptz` : sql`${k.after?.key}`;
  return {
    where: k.after ? sql`(${col}, ${sims.id}) ${op} (${keyValue}, ${k.after.id})` : undefined,
    order: [dir(col), dir(sims.id)],
    sortKey,
  };
}

/** The list query as a builder (EXPLAIN checks in bench reuse it). */
export function listQuery(db: Db, w: SimWhere, k: Keyset, limit: number) {
  const ks = keyset(k);
  return db
    .select({ row: sims, sortKey: ks.sortKey })
    .from(sims)
    .where(and(simWhere(w), ks.where))
    .orderBy(...ks.order)
    .limit(limit);
}

/** A statement yielding `(id, iccid)` of the SIMs matching `w`, in ICCID order, at most `limit`. */
export const selectionQuery = (w: SimWhere, limit: number): SQL =>
  sql`select id, iccid from ${sims} where ${simWhere(w) ?? sql`true`} order by iccid limit ${limit}`;

export function simsRepo(db: Db) {
  return {
    async insert(values: typeof sims.$inferInsert): Promise<SimRow> {
      const [row] = await db.insert(sims).values(values).returning();
      return row!;
    },
    async insertImsis(rows: (typeof simImsis.$inferInsert)[]): Promise<void> {
      if (rows.length > 0) await db.insert(simImsis).values(rows);
    },
    async insertAudit(row: typeof simAudit.$inferInsert): Promise<void> {
      await db.insert(simAudit).values(row);
    },
    async byIccid(reach: SimReach, iccid: string): Promise<SimRow | undefined> {
      const [row] = await db
        .select()
        .from(sims)
        .where(and(eq(sims.iccid, iccid), simWhere(reach)));
      return row;
    },
    async iccidsOf(simIds: readonly number[]): Promise<{ id: number; iccid: string }[]> {
      if (simIds.length === 0) return [];
      return db
        .select({ id: sims.id, iccid: sims.iccid })
        .from(sims)
        .where(sql`${sims.id} = any(${idList(simIds)})`);
    },
    /** In-service SIMs of these accounts and plans (each list given must hold), by id, at most `limit`. */
    async inServiceIdsWhere(
      f: {
        accountIds?: number[] | undefined;
        communicationPlanIds?: number[] | undefined;
        ratePlanIds?: number[] | undefined;
      },
      limit: number,
    ): Promise<number[]> {
      const where: SQL[] = [eq(sims.state, 'ACTIVATED')];
      if (f.accountIds?.length) where.push(inArray(sims.accountId, f.accountIds));
      if (f.communicationPlanIds?.length) where.push(inArray(sims.communicationPlanId, f.communicationPlanIds));
      if (f.ratePlanIds?.length) where.push(inArray(sims.ratePlanId, f.ratePlanIds));
      const rows = await db
        .select({ id: sims.id })
        .from(sims)
        .where(and(...where))
        .orderBy(asc(sims.id))
        .limit(limit);
      return rows.map((r) => r.id);
    },
    async byIds(simIds: readonly number[]): Promise<SimRow[]> {
      if (simIds.length === 0) return [];
      return db
        .select()
        .from(sims)
        .where(sql`${sims.id} = any(${idList(simIds)})`);
    },
    async imsisOf(simIds: number[]): Promise<ImsiRow[]> {
      if (simIds.length === 0) return [];
      return db
        .select()
        .from(simImsis)
        .where(inArray(simImsis.simId, simIds))
        .orderBy(asc(simImsis.simId), desc(simImsis.isCurrent), asc(simImsis.position));
    },
    /** Which of these values are already used (for a 409 naming the value, before the unique index fires). */
    async taken(f: { iccid?: string; msisdn?: string | null; imsis?: string[]; exceptSimId?: number }) {
      const except = f.exceptSimId === undefined ? undefined : ne(sims.id, f.exceptSimId);
      const iccid = f.iccid
        ? (await db.select({ v: sims.iccid }).from(sims).where(eq(sims.iccid, f.iccid)))[0]?.v
        : undefined;
      const msisdn = f.msisdn
        ? (
            await db
              .select({ v: sims.msisdn })
              .from(sims)
              .where(and(eq(sims.msisdn, f.msisdn), except))
          )[0]?.v
        : undefined;
      const imsis =
        f.imsis && f.imsis.length > 0
          ? (await db.select({ v: simImsis.imsi }).from(simImsis).where(inArray(simImsis.imsi, f.imsis))).map(
              (r) => r.v,
            )
          : [];
      return { iccid, msisdn: msisdn ?? undefined, imsis };
    },
    async list(w: SimWhere, k: Keyset, limit: number): Promise<{ row: SimRow; sortKey: string }[]> {
      return listQuery(db, w, k, limit);
    },
    async update(id: number, values: Partial<typeof sims.$inferInsert>): Promise<SimRow> {
      const [row] = await db
        .update(sims)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(sims.id, id))
        .returning();
      return row!;
    },
    /** Compare-and-set on the state: undefined when another writer changed it first. */
    async setState(id: number, from: string, to: string): Promise<SimRow | undefined> {
      const now = new Date();
      const [row] = await db
        .update(sims)
        .set({ state: to, stateChangedAt: now, updatedAt: now })
        .where(and(eq(sims.id, id), eq(sims.state, from)))
        .returning();
      return row;
    },
    async history(simId: number, beforeId: number | undefined, limit: number): Promise<AuditRow[]> {
      return db
        .select()
        .from(simAudit)
        .where(and(eq(simAudit.simId, simId), beforeId === undefined ? undefined : lt(simAudit.id, beforeId)))
        .orderBy(desc(simAudit.id))
        .limit(limit);
    },
    async idsWhere(w: SimWhere, limit: number): Promise<number[]> {
      const rows = await db.select({ id: sims.id }).from(sims).where(simWhere(w)).limit(limit);
      return rows.map((r) => r.id);
    },
    async distinctAccounts(w: SimWhere): Promise<number[]> {
      const rows = await db.selectDistinct({ id: sims.accountId }).from(sims).where(simWhere(w));
      return rows.map((r) => r.id);
    },
    async importJob(id: number): Promise<ImportRow | undefined> {
      const [row] = await db.select().from(simImports).where(eq(simImports.id, id));
      return row;
    },
    async countWhere(w: SimWhere): Promise<number> {
      const [r] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from sims where ${simWhere(w) ?? sql`true`}`,
      );
      return Number(r!.n);
    },
    async count(): Promise<number> {
      const [r] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from sims`);
      return r?.n ?? 0;
    },
  };
}

export { idList, textList };
