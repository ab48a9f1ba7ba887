import { and, asc, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { emit, emitMany } from '../../platform/events/emit.ts';
import { CaseEvents, caseOrderingKey } from './cases.events.ts';
import type { CHANNELS } from './cases.schemas.ts';
import { caseEvents, caseNumberCounters, caseSims, cases } from './cases.tables.ts';
import type { CaseType } from './priority.ts';
import { OPEN_STATES } from './state-machine.ts';

export type CaseRow = typeof cases.$inferSelect;

/**
 * What a timeline entry tells the world beyond the SLA recompute (webhooks and any other subscriber): a case opened,
 * a state change, a public entry written by a person. In the entry's transaction, in the case's order.
 */
async function announceEntry(db: Db, e: typeof caseEvents.$inferSelect): Promise<void> {
  const on = { orderingKey: caseOrderingKey(e.caseId) };
  const action = e.data?.action;
  if (action === 'created') await emit(db, CaseEvents.opened, { caseId: e.caseId }, on);
  if (action === 'state_changed') {
    const state = (side: unknown) => ((side ?? {}) as { state?: unknown }).state;
    const from = state(e.data?.before);
    const to = state(e.data?.after);
    if (typeof from === 'string' && typeof to === 'string')
      await emit(db, CaseEvents.stateChanged, { caseId: e.caseId, from, to }, on);
  }
  if (e.visibility === 'public' && e.kind !== 'system')
    await emit(
      db,
      CaseEvents.publicEntry,
      { caseId: e.caseId, entryId: e.id, kind: e.kind, authorSide: e.authorSide },
      on,
    );
}
export type CaseEventRow = typeof caseEvents.$inferSelect;

/**
 * Which cases a call may reach, resolved by the service (cases carry an account id, not a path):
 * a tenant and optionally a set of accounts (a customer's subtree). Empty = every case (staff).
 */
export type CaseReach = {
  tenantId?: number | undefined;
  accountIds?: number[] | undefined;
  /** Customers: major (parent) cases stay out of reach; each customer sees its own child case instead. */
  hideMajor?: boolean | undefined;
  /** Customers: their answers leave out CASE_STAFF_ONLY (the queue builds its rows in SQL, so the reach says). */
  customer?: boolean | undefined;
};
export const idList = (xs: readonly number[]) => sql`string_to_array(${xs.join(',')}, ',')::bigint[]`;

export function reachWhere(r: CaseReach): SQL | undefined {
  return and(
    r.tenantId !== undefined ? eq(cases.tenantId, r.tenantId) : undefined,
    r.accountIds !== undefined ? sql`${cases.accountId} = any(${idList(r.accountIds)})` : undefined,
    r.hideMajor ? eq(cases.isMajor, false) : undefined,
  );
}

/** A report's window [from, to) and optionally the accounts (a subtree) it covers. */
export type ReportWindow = { from: Date; to: Date; accountIds?: number[] | undefined; unit: 'day' | 'week' | 'month' };

const inAccounts = (w: ReportWindow) =>
  w.accountIds !== undefined ? sql`and ${cases.accountId} = any(${idList(w.accountIds)})` : sql``;
/**
 * Periods are UTC (date_trunc over the instant taken as UTC wall time; weeks start on Monday): a tenant-wide
 * report has no single local time zone, and UTC periods add up the same on every server and every day.
 */
const period = (w: ReportWindow, col: SQLWrapper) =>
  sql`to_char(date_trunc(${w.unit}::text, ${col} at time zone 'UTC'), 'YYYY-MM-DD')`;

export function casesRepo(db: Db) {
  return {
    /**
     * The next number of `year`. The upsert locks the year's counter row until the transaction ends, so
     * concurrent creates queue up and a rollback gives the number back: no gaps, no duplicates.
     */
    async nextNumber(year: number): Promise<number> {
      const [r] = await queryRows<{ last: number }>(
        db,
        sql`insert into ${caseNumberCounters} (year, last) values (${year}, 1)
            on conflict (year) do update set last = ${caseNumberCounters}.last + 1
            returning last`,
      );
      return Number(r!.last);
    },
    async insert(values: typeof cases.$inferInsert): Promise<CaseRow> {
      const [row] = await db.insert(cases).values(values).returning();
      return row!;
    },
    async insertSims(rows: (typeof caseSims.$inferInsert)[]): Promise<void> {
      if (rows.length > 0) await db.insert(caseSims).values(rows);
    },
    /** In the transaction that set the selection, so a committed selection is always diagnosed. */
    async announceSimsSet(caseId: number): Promise<void> {
      await emit(
        db,
        CaseEvents.simsSet,
        { caseId },
        {
          orderingKey: caseOrderingKey(caseId),
          dedupeKey: `${CaseEvents.simsSet.name}:${caseId}`,
          perTransaction: true,
        },
      );
    },
    /**
     * Every change of a case lands in its timeline, so this is where the change is announced: a `cases.changed`
     * event (one per case and transaction) lets the SLA module recompute the case's clocks,
     * due time and timers after commit. `outbox: false` is for the SLA module's own entries (warnings, breaches),
     * which change nothing its clocks read and must not re-trigger it.
     */
    async insertEvent(
      values: typeof caseEvents.$inferInsert,
      opts: { outbox: boolean } = { outbox: true },
    ): Promise<CaseEventRow> {
      const [row] = await db.insert(caseEvents).values(values).returning();
      await announceEntry(db, row!);
      if (opts.outbox) {
        await emit(
          db,
          CaseEvents.changed,
          { caseId: values.caseId },
          {
            orderingKey: caseOrderingKey(values.caseId),
            dedupeKey: `${CaseEvents.changed.name}:${values.caseId}`,
            perTransaction: true,
          },
        );
      }
      return row!;
    },
    /**
     * Several plain entries at once (a burst of inbound mail): what as many `insertEvent` calls write and announce,
     * in a few statements, in the order given. Entries that open or move a case go through `insertEvent`.
     */
    async insertEvents(values: (typeof caseEvents.$inferInsert)[]): Promise<CaseEventRow[]> {
      if (values.length === 0) return [];
      for (const v of values)
        if (v.data?.action === 'created' || v.data?.action === 'state_changed')
          throw new Error(`insertEvents: a ${v.data.action} entry is announced by insertEvent`);
      // Identities follow the VALUES order; sorted by them, the rows come back in the order given.
      const rows = (await db.insert(caseEvents).values(values).returning()).sort((a, b) => a.id - b.id);
      await emitMany(
        db,
        CaseEvents.publicEntry,
        rows
          .filter((e) => e.visibility === 'public' && e.kind !== 'system')
          .map((e) => ({
            payload: { caseId: e.caseId, entryId: e.id, kind: e.kind, authorSide: e.authorSide },
            orderingKey: caseOrderingKey(e.caseId),
          })),
      );
      await emitMany(
        db,
        CaseEvents.changed,
        [...new Set(rows.map((e) => e.caseId))].map((caseId) => ({
          payload: { caseId },
          orderingKey: caseOrderingKey(caseId),
          dedupeKey: `${CaseEvents.changed.name}:${caseId}`,
        })),
        { perTransaction: true },
      );
      return rows;
    },
    async byNumber(reach: CaseReach, number: string): Promise<CaseRow | undefined> {
      const [row] = await db
        .select()
        .from(cases)
        .where(and(eq(cases.number, number), reachWhere(reach)));
      return row;
    },
    /** Written by the SLA module's recompute job; unchanged values are not rewritten (no updated_at churn). */
    async setSlaDue(id: number, dueAt: Date | null): Promise<void> {
      await db
        .update(cases)
        .set({ slaDueAt: dueAt })
        .where(
          and(eq(cases.id, id), sql`${cases.slaDueAt} is distinct from ${dueAt?.toISOString() ?? null}::timestamptz`),
        );
    },
    /** Moves the case only if it is still in `from` (a concurrent change answers undefined). */
    async setState(id: number, from: string, values: Partial<typeof cases.$inferInsert>): Promise<CaseRow | undefined> {
      const [row] = await db
        .update(cases)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(cases.id, id), eq(cases.state, from)))
        .returning();
      return row;
    },
    async byId(id: number): Promise<CaseRow | undefined> {
      const [row] = await db.select().from(cases).where(eq(cases.id, id));
      return row;
    },
    /** Reads the case and locks its row until the transaction ends (serialises priority changes). */
    async lockById(id: number): Promise<CaseRow | undefined> {
      const [row] = await db.select().from(cases).where(eq(cases.id, id)).for('update');
      return row;
    },
    async update(id: number, values: Partial<typeof cases.$inferInsert>): Promise<CaseRow> {
      const [row] = await db
        .update(cases)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(cases.id, id))
        .returning();
      return row!;
    },
    async simIdsOf(caseId: number): Promise<number[]> {
      const rows = await db.select({ id: caseSims.simId }).from(caseSims).where(eq(caseSims.caseId, caseId));
      return rows.map((r) => r.id);
    },
    async replaceSims(caseId: number, rows: (typeof caseSims.$inferInsert)[]): Promise<void> {
      await db.delete(caseSims).where(eq(caseSims.caseId, caseId));
      if (rows.length > 0) await db.insert(caseSims).values(rows);
    },
    async touch(id: number): Promise<void> {
      await db.update(cases).set({ updatedAt: new Date() }).where(eq(cases.id, id));
    },
    async touchMany(ids: readonly number[]): Promise<void> {
      if (ids.length > 0)
        await db
          .update(cases)
          .set({ updatedAt: new Date() })
          .where(sql`${cases.id} = any(${idList([...ids])})`);
    },
    async children(parentId: number): Promise<CaseRow[]> {
      return db.select().from(cases).where(eq(cases.parentCaseId, parentId)).orderBy(asc(cases.id));
    },
    /** The children still being worked (not resolved, closed or cancelled), locked for a parent's sync. */
    async lockOpenChildren(parentId: number): Promise<CaseRow[]> {
      return db
        .select()
        .from(cases)
        .where(and(eq(cases.parentCaseId, parentId), inArray(cases.state, [...OPEN_STATES])))
        .orderBy(asc(cases.id))
        .for('update');
    },
    /** Cases created, and cases closed (not cancelled), per UTC period × type × channel. */
    async volumeReport(w: ReportWindow) {
      // type and channel were validated on write; the contacts WHERE admits only the three contact kinds.
      return queryRows<{
        period: string;
        type: CaseType;
        channel: (typeof CHANNELS)[number];
        created: number;
        closed: number;
      }>(
        db,
        sql`select period, type, channel, sum(created)::int as created, sum(closed)::int as closed from (
              select ${period(w, cases.createdAt)} as period, ${cases.type} as type, ${cases.channel} as channel,
                     1 as created, 0 as closed
                from ${cases}
               where ${cases.createdAt} >= ${w.from.toISOString()}::timestamptz
                 and ${cases.createdAt} < ${w.to.toISOString()}::timestamptz ${inAccounts(w)}
              union all
              select ${period(w, cases.closedAt)}, ${cases.type}, ${cases.channel}, 0, 1
                from ${cases}
               where ${cases.state} = 'closed'
                 and ${cases.closedAt} >= ${w.from.toISOString()}::timestamptz
                 and ${cases.closedAt} < ${w.to.toISOString()}::timestamptz ${inAccounts(w)}
            ) x group by 1, 2, 3 order by 1, 2, 3`,
      );
    },
    /**
     * Resolved or closed cases whose handling ended in the window: at resolution, or at closing for a case
     * closed without being resolved. Cancelled cases were never handled to an end and stay out.
     */
    async handledCases(w: ReportWindow) {
      const done = sql`coalesce(${cases.resolvedAt}, ${cases.closedAt})`;
      return db
        .select({
          id: cases.id,
          type: cases.type,
          priority: cases.priority,
          accountId: cases.accountId,
          createdAt: cases.createdAt,
          resolvedAt: cases.resolvedAt,
          closedAt: cases.closedAt,
        })
        .from(cases)
        .where(
          and(
            inArray(cases.state, ['resolved', 'closed']),
            sql`${done} >= ${w.from.toISOString()}::timestamptz and ${done} < ${w.to.toISOString()}::timestamptz ${inAccounts(w)}`,
          ),
        );
    },
    /**
     * Contacts per UTC period × kind (optionally × account and/or queue): an email_in is the customer's by definition
     * (inbound mail; staff-only robot mail — auto-replies, bounces, partners — is not a customer contact); an
     * email_out is a reply the desk mailed (automatic notices are in the mail outbox, not here); a phone_call is
     * staff's record of a conversation with the customer, whoever dialled, so every call counts; a portal_message
     * counts when the customer side wrote it (staff post them too). Copies a major case synced to its children
     * (data.copiedFrom) are not new contacts and stay out.
     */
    async contactsReport(w: ReportWindow, by: readonly ('account' | 'queue')[] = []) {
      const account = by.includes('account');
      const queue = by.includes('queue');
      return queryRows<{
        period: string;
        kind: 'email_in' | 'email_out' | 'phone_call' | 'portal_message';
        accountId?: number;
        queue?: string | null;
        contacts: number;
      }>(
        db,
        sql`select ${period(w, caseEvents.at)} as period, ${caseEvents.kind} as kind,
                   ${account ? sql`${cases.accountId}::int as "accountId",` : sql``}
                   ${queue ? sql`${cases.queue} as queue,` : sql``}
                   count(*)::int as contacts
              from ${caseEvents}
              join ${cases} on ${cases.id} = ${caseEvents.caseId}
             where ${caseEvents.at} >= ${w.from.toISOString()}::timestamptz
               and ${caseEvents.at} < ${w.to.toISOString()}::timestamptz ${inAccounts(w)}
               and (${caseEvents.data} -> 'copiedFrom') is null
               and ((${caseEvents.kind} = 'email_in' and ${caseEvents.visibility} = 'public')
                    or ${caseEvents.kind} in ('email_out', 'phone_call')
                    or (${caseEvents.kind} = 'portal_message' and ${caseEvents.authorSide} = 'customer'))
             group by 1, 2 ${account ? sql`, ${cases.accountId}` : sql``} ${queue ? sql`, ${cases.queue}` : sql``}
             order by 1, 2 ${account ? sql`, 3` : sql``}`,
      );
    },
    /** The timelines of many cases at once (a report's), oldest first within each case. */
    async eventsOfCases(caseIds: readonly number[]): Promise<CaseEventRow[]> {
      if (caseIds.length === 0) return [];
      return db
        .select()
        .from(caseEvents)
        .where(sql`${caseEvents.caseId} = any(${idList(caseIds)})`)
        .orderBy(asc(caseEvents.caseId), asc(caseEvents.at), asc(caseEvents.id));
    },
    async byIds(ids: readonly number[]): Promise<CaseRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(cases)
        .where(sql`${cases.id} = any(${idList(ids)})`);
    },
    async entriesByIds(ids: readonly number[]): Promise<CaseEventRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(caseEvents)
        .where(sql`${caseEvents.id} = any(${idList(ids)})`);
    },
    async events(caseId: number, publicOnly: boolean): Promise<CaseEventRow[]> {
      return db
        .select()
        .from(caseEvents)
        .where(and(eq(caseEvents.caseId, caseId), publicOnly ? eq(caseEvents.visibility, 'public') : undefined))
        .orderBy(asc(caseEvents.at), asc(caseEvents.id));
    },
  };
}
