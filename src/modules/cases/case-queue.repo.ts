/**
 * The agent queue's SQL: one page in queue order — effective priority, SLA due time (none last), age, id —
 * keyset-paged, as one named prepared statement per query shape (docs/PERFORMANCE.md, "Agent queue").
 *
 * The state filter decides which index walks that order, so a page reads about a page of rows whatever the desk's
 * history (a year-old desk is ~90 % closed cases):
 *  - active (the default: OPEN_STATES, as literals): cases_queue_active_idx, partial on exactly those states. Walking the full
 *    cases_queue_idx instead skipped ~18k closed P1 cases to fill a page past the P1 cases with a due time.
 *  - one state: cases_queue_state_idx (state first).
 *  - several: one walk of cases_queue_state_idx per state (LATERAL, at most a page each), merged by sorting at
 *    most states × page rows; `state = any(…)` over cases_queue_idx read thousands of rows for rare states.
 *  - all: cases_queue_idx.
 * Type, queue, assignee, account and search are filters on that walk. The search (`q`) has no index of its own: a
 * subject substring needs a trigram index (pg_trgm), which PGlite has only as an extension this product does not
 * load, so a search reads the walk's rows until a page matches: every active case at worst, ~250 ms on a 1M-case
 * desk, and seconds with state=all (PERFORMANCE.md).
 *
 * Read join (ARCHITECTURE, "Departures"): each row's account name and number, and the search by account, read the
 * accounts module's `accounts` table in the statement; the page is one statement, not one call per row.
 */
import { and, asc, eq, getTableName, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { accounts } from '../accounts/accounts.tables.ts';
import { type CaseReach, idList, reachWhere } from './cases.repo.ts';
import { CASE_STAFF_ONLY } from './cases.schemas.ts';
import { ACTIVE_STATES_SQL, caseSims, cases, queueDue } from './cases.tables.ts';

/** What the queue reads per row: the CaseSummary's columns, not the description and JSON details it leaves out. */
const summaryColumns = {
  id: cases.id,
  number: cases.number,
  tenantId: cases.tenantId,
  accountId: cases.accountId,
  type: cases.type,
  channel: cases.channel,
  subject: cases.subject,
  severity: cases.severity,
  priority: cases.priority,
  computedPriority: cases.computedPriority,
  state: cases.state,
  queue: cases.queue,
  assigneeUserId: cases.assigneeUserId,
  tags: cases.tags,
  affectedSimCount: cases.affectedSimCount,
  isMajor: cases.isMajor,
  parentCaseId: cases.parentCaseId,
  slaDueAt: cases.slaDueAt,
  createdAt: cases.createdAt,
  updatedAt: cases.updatedAt,
};
/** The case account's name or number; '' if it were missing, as the service's CaseRecord has it (case-views.ts). */
const accountText = (col: 'name' | 'number') =>
  `coalesce((select a."${accounts[col].name}" from "${getTableName(accounts)}" a where a."${accounts.id.name}" = "cases"."${cases.accountId.name}"), '')`;
const accountColumns = {
  accountName: sql<string>`${sql.raw(accountText('name'))}`,
  accountNumber: sql<string>`${sql.raw(accountText('number'))}`,
};
export type CaseSummaryRow = Pick<(typeof cases)['$inferSelect'], keyof typeof summaryColumns> & {
  accountName: string;
  accountNumber: string;
};

/** Which states: the active ones (default), one, several, or every state. */
export type QueueStates =
  | { kind: 'active' }
  | { kind: 'all' }
  | { kind: 'one'; state: string }
  | { kind: 'some'; states: readonly string[] };
/** A search: the text as typed (trimmed) and the SIMs whose ICCID or MSISDN it is (resolved by the SIMs module). */
export type QueueSearch = { text: string; simIds: readonly number[] };
export type CaseFilter = {
  states: QueueStates;
  type?: string | undefined;
  queue?: string | undefined;
  assigneeUserId?: number | undefined;
  accountId?: number | undefined;
  search?: QueueSearch | undefined;
};
/**
 * Keyset position in the queue order (priority, SLA due time, created_at, id); times as PostgreSQL text keep
 * microseconds, and a case without a due time has 'infinity'.
 */
export type QueueKey = { priority: string; due: string; createdAt: string; id: number };

const textList = (xs: readonly string[]) => sql`string_to_array(${xs.join(',')}, ',')`;
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function stateWhere(s: QueueStates): SQL | undefined {
  switch (s.kind) {
    case 'active':
      return sql.raw(`"cases".${ACTIVE_STATES_SQL}`);
    case 'all':
      return undefined;
    case 'one':
      return eq(cases.state, s.state);
    case 'some':
      return sql`${cases.state} = wanted.state`;
  }
}

/** The case number exactly, the subject as a substring, the account's name (substring) or number, a SIM on it. */
function searchWhere(q: QueueSearch): SQL {
  const pattern = likePattern(q.text);
  return sql`(${cases.number} = ${q.text.toUpperCase()}
    or ${cases.subject} ilike ${pattern}
    or ${cases.accountId} in (select ${accounts.id} from ${accounts}
                               where ${accounts.name} ilike ${pattern} or lower(${accounts.number}) = ${q.text.toLowerCase()})
    or ${cases.id} in (select ${caseSims.caseId} from ${caseSims} where ${caseSims.simId} = any(${idList(q.simIds)})))`;
}

function queueWhere(reach: CaseReach, f: CaseFilter, after: QueueKey | undefined): SQL | undefined {
  return and(
    reachWhere(reach),
    stateWhere(f.states),
    f.type !== undefined ? eq(cases.type, f.type) : undefined,
    f.queue !== undefined ? eq(cases.queue, f.queue) : undefined,
    f.assigneeUserId !== undefined ? eq(cases.assigneeUserId, f.assigneeUserId) : undefined,
    f.accountId !== undefined ? eq(cases.accountId, f.accountId) : undefined,
    f.search !== undefined ? searchWhere(f.search) : undefined,
    after
      ? sql`(${cases.priority}, ${queueDue}, ${cases.createdAt}, ${cases.id}) > (${after.priority}, ${after.due}::timestamptz, ${after.createdAt}::timestamptz, ${after.id})`
      : undefined,
  );
}
const queueOrder = [asc(cases.priority), asc(queueDue), asc(cases.createdAt), asc(cases.id)];

/**
 * Where the page's rows come from: the table, or for several states one limited walk per state, as a subquery
 * aliased "cases" (so the select list, the order and the raw JSON text read the same names either way).
 */
function queueSource(db: Db, reach: CaseReach, f: CaseFilter, after: QueueKey | undefined, limit: number) {
  const where = queueWhere(reach, f, after);
  if (f.states.kind !== 'some') return { from: cases, where };
  const walk = sql`select ${cases}.* from ${cases} where ${where} order by ${sql.join(queueOrder, sql`, `)} limit ${limit}`;
  const walks = db
    .select({ row: sql`walk.*` })
    .from(sql`unnest(${textList(f.states.states)}) as wanted(state) cross join lateral (${walk}) as walk`)
    .as(getTableName(cases));
  return { from: walks, where: undefined };
}

/**
 * CaseSummary (cases.schemas.ts) as PostgreSQL writes it: compact JSON (row_to_json) with presentCaseSummary's keys
 * in its order, instants as Date.toISOString() writes them (UTC, milliseconds truncated as Date parsing does).
 * Raw text made once from summaryColumns: built per request through Drizzle it was ~20 % of the route's CPU.
 */
const summaryFields = [
  ...Object.entries(summaryColumns).map(([key, col]) => {
    const ref = `"cases"."${col.name}"`;
    const value =
      col.columnType === 'PgTimestamp' ? `to_char(${ref} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : ref;
    return `${value} as "${key}"`;
  }),
  `coalesce(a."${accounts.name.name}", '') as "accountName"`,
  `coalesce(a."${accounts.number.name}", '') as "accountNumber"`,
];
// One look-up of the row's account for both fields (a scalar subquery each would probe the index twice).
const accountJoin = `from (values (1)) as one left join "${getTableName(accounts)}" a on a."${accounts.id.name}" = "cases"."${cases.accountId.name}"`;
const summaryJson = sql.raw(`(select row_to_json(s) from (select ${summaryFields.join(', ')} ${accountJoin}) s)::text`);
// A customer's rows: the same without the staff-only fields (CASE_STAFF_ONLY; presentCaseSummary does the same).
const customerSummaryJson = sql.raw(
  `(select row_to_json(s) from (select ${summaryFields
    .filter((f) => !(CASE_STAFF_ONLY as readonly string[]).includes(/ as "(\w+)"$/.exec(f)![1]!))
    .join(', ')} ${accountJoin}) s)::text`,
);
const STATE_SHAPE = { active: 'a', all: 'x', one: '1', some: 'n' } as const;
/** The queue statement's shape (which conditions it has): one named prepared statement per shape. */
const queueShape = (reach: CaseReach, f: CaseFilter, after: QueueKey | undefined) =>
  STATE_SHAPE[f.states.kind] +
  [
    reach.tenantId !== undefined,
    reach.accountIds !== undefined,
    reach.hideMajor === true,
    reach.customer === true,
    ...[f.type, f.queue, f.assigneeUserId, f.accountId, f.search].map((v) => v !== undefined),
    after !== undefined,
  ]
    .map((b) => (b ? '1' : '0'))
    .join('');

/** The API page's statement, unprepared (bench:cases EXPLAINs exactly this, planned generically). */
export function queueJsonQuery(db: Db, reach: CaseReach, f: CaseFilter, after: QueueKey | undefined, limit: number) {
  const src = queueSource(db, reach, f, after, limit);
  return db
    .select({
      json: sql<string>`${reach.customer ? customerSummaryJson : summaryJson}`,
      priority: cases.priority,
      due: sql<string>`${queueDue}::text`,
      createdAt: sql<string>`${cases.createdAt}::text`,
      id: cases.id,
    })
    .from(src.from)
    .where(src.where)
    .orderBy(...queueOrder)
    .limit(limit);
}

export function caseQueueRepo(db: Db) {
  return {
    /** The agent queue as rows (the CLI's table and --json). */
    async list(reach: CaseReach, f: CaseFilter, after: QueueKey | undefined, limit: number) {
      const src = queueSource(db, reach, f, after, limit);
      return db
        .select({
          row: { ...summaryColumns, ...accountColumns },
          dueText: sql<string>`${queueDue}::text`,
          createdAtText: sql<string>`${cases.createdAt}::text`,
        })
        .from(src.from)
        .where(src.where)
        .orderBy(...queueOrder)
        .limit(limit);
    },
    /**
     * The same rows as `list`, each as CaseSummary JSON text built by PostgreSQL (the fields and formats of
     * presentCaseSummary; cases.routes.test.ts holds the two equal), plus its keyset position. The API's queue
     * page is these texts joined: mapping rows through Drizzle, presenting and serialising them was most of the
     * route's CPU (docs/PERFORMANCE.md, bench:cases).
     */
    async listJson(reach: CaseReach, f: CaseFilter, after: QueueKey | undefined, limit: number) {
      const rows = await queueJsonQuery(db, reach, f, after, limit)
        // Named, so each pooled connection parses it once and then plans it generically: parsing and planning this
        // statement cost more than running it. Its text depends only on the shape (values are parameters).
        .prepare(`cases_queue_${queueShape(reach, f, after)}`)
        .execute();
      return rows.map(({ json, ...key }) => ({ json, key: key satisfies QueueKey }));
    },
  };
}
