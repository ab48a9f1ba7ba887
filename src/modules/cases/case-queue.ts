/**
 * The agent queue page: keyset-paged in the queue order (priority, SLA due time, age), with an opaque cursor;
 * the API's page is JSON built by PostgreSQL, reused for CASE_QUEUE_CACHE_MS (docs/PERFORMANCE.md) while this
 * process hears every case change (migration 0022: a trigger notifies iotops_cases_changed; `changed` drops the
 * pages), so an agent's own change shows on their next load.
 * Without a state filter it shows the active cases; `q` searches (case-queue.repo.ts).
 */
import { type Principal, scopeOf } from '../../platform/auth.ts';
import {
  cursorParts,
  encodeCursor as encodeParts,
  isCursorId,
  isCursorText,
  isCursorTime,
} from '../../platform/cursor.ts';
import { invalid } from '../../platform/errors.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import type { CaseFilter, caseQueueRepo, QueueKey, QueueStates } from './case-queue.repo.ts';
import { CasesErrors as E } from './cases.errors.ts';
import type { CaseReach } from './cases.repo.ts';
import type { ListCasesQueryInput } from './cases.schemas.ts';
import { OPEN_STATES } from './state-machine.ts';

type QueueRepo = ReturnType<typeof caseQueueRepo>;

const encodeCursor = (k: QueueKey) => encodeParts([k.priority, k.due, k.createdAt, k.id]);
function decodeCursor(cursor: string): QueueKey {
  const v = cursorParts(cursor, 4);
  if (
    v &&
    isCursorText(v[0], 10) &&
    (v[1] === 'infinity' || isCursorTime(v[1])) &&
    isCursorTime(v[2]) &&
    isCursorId(v[3])
  )
    return { priority: v[0], due: v[1], createdAt: v[2], id: v[3] };
  throw invalid(E.cursorInvalid, 'Invalid cursor', [
    { field: 'cursor', value: cursor, reason: 'not a cursor from this list' },
  ]);
}

/** Bounds the queue page cache's memory; past it the oldest page goes. */
const QUEUE_CACHE_MAX_PAGES = 1000;

export type CaseQueueDeps = {
  repo: QueueRepo;
  reachOf: (p: Principal) => Promise<CaseReach>;
  /** The SIMs (ids) whose ICCID or MSISDN a search text is, within a reach: the SIMs module's look-up. */
  simIdsByIdentifier: (
    reach: { tenantId?: number | undefined; accountIds?: number[] | undefined },
    text: string,
  ) => Promise<number[]>;
  /**
   * Throws not found for an account outside the caller's reach: a customer filtering by another tenant's account
   * is answered like for a missing account (as GET /sims does), not with an empty page.
   */
  requireAccount: (p: Principal, accountId: number) => Promise<unknown>;
  clock: () => Date;
  /** CASE_QUEUE_CACHE_MS: how long an API queue page is reused (0 = never). */
  cacheMs: number;
};

/** Case changes as this process hears them (cases.service.ts watchQueue). */
type Hearing = { sync(): Promise<void> };

/** The states asked for, as the repo walks them: the active set (also when named in full), one, several, or all. */
export function queueStates(asked: readonly string[] | undefined): QueueStates {
  if (asked === undefined) return { kind: 'active' };
  const states = [...new Set(asked)];
  if (states.includes('all')) return { kind: 'all' };
  if (states.length === OPEN_STATES.length && OPEN_STATES.every((s) => states.includes(s))) return { kind: 'active' };
  return states.length === 1 ? { kind: 'one', state: states[0]! } : { kind: 'some', states: states.sort() };
}

export function createCaseQueue(deps: CaseQueueDeps) {
  const { repo } = deps;
  /** The filter as asked (the cache key); a search's SIMs are resolved per read. */
  const filterOf = (p: Principal, q: ListCasesQueryInput) => ({
    states: queueStates(q.state),
    type: q.type,
    queue: q.queue,
    assigneeUserId: q.assignee === 'me' ? p.userId : undefined,
    accountId: q.accountId,
    q: q.q,
  });
  async function read(p: Principal, q: ListCasesQueryInput): Promise<[CaseReach, CaseFilter]> {
    const reach = await deps.reachOf(p);
    if (q.accountId !== undefined && reach.customer) await deps.requireAccount(p, q.accountId);
    const { q: text, ...f } = filterOf(p, q);
    if (text === undefined) return [reach, f];
    const simIds = await deps.simIdsByIdentifier({ tenantId: reach.tenantId, accountIds: reach.accountIds }, text);
    return [reach, { ...f, search: { text, simIds } }];
  }
  const after = (q: ListCasesQueryInput) => (q.cursor === undefined ? undefined : decodeCursor(q.cursor));

  /** A CasePage as JSON text (see caseQueueRepo.listJson). */
  async function pageJson(p: Principal, q: ListCasesQueryInput): Promise<string> {
    const rows = await repo.listJson(...(await read(p, q)), after(q), q.limit + 1);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    const nextCursor = more && last ? encodeCursor(last.key) : null;
    return `{"items":[${page.map((r) => r.json).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
  }
  /** CASE_QUEUE_CACHE_MS: page JSON by caller scope, filter, cursor and limit. */
  const pages = createTtlCache<string>(QUEUE_CACHE_MAX_PAGES);
  /** Off until the process hears case changes, and whenever it cannot: a page it cannot drop is never kept. */
  let hearing: Hearing | null = null;
  let listening = false;
  /** Counts changes: a page read while a change committed is not kept (it may predate the change). */
  let generation = 0;
  /**
   * Reads under way, by key: after a change drops the pages, the desk's many clients of one view wait for one read
   * instead of each running it (only a read started after the change, so no one is given a page from before it).
   */
  const reading = new Map<string, { generation: number; json: Promise<string> }>();
  const drop = () => {
    generation++;
    pages.clear();
  };

  return {
    /** The queue as rows (the CLI's table). */
    async rows(p: Principal, q: ListCasesQueryInput) {
      const rows = await repo.list(...(await read(p, q)), after(q), q.limit + 1);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map((r) => r.row),
        nextCursor:
          more && last
            ? encodeCursor({
                priority: last.row.priority,
                due: last.dueText,
                createdAt: last.createdAtText,
                id: last.row.id,
              })
            : null,
      };
    },

    /** A case or its SIMs changed (any process): no cached page survives it. */
    changed: drop,
    /** Whether this process hears every change now (its LISTEN connection is up). */
    listening(on: boolean) {
      listening = on;
      drop();
    },
    /** How to make sure every change committed so far has been heard. */
    hearWith(h: Hearing | null) {
      hearing = h;
    },

    async json(p: Principal, q: ListCasesQueryInput): Promise<string> {
      if (deps.cacheMs === 0 || !hearing || !listening) return pageJson(p, q);
      // Every change committed before this read (the caller's own, above all) is heard before a page is reused.
      try {
        await hearing.sync();
      } catch {
        return pageJson(p, q);
      }
      // The scope decides the reach (a customer's subtree), the filter includes the caller for assignee=me.
      const key = JSON.stringify([scopeOf(p), filterOf(p, q), q.cursor ?? null, q.limit]);
      const now = deps.clock().getTime();
      const hit = pages.get(key, now);
      if (hit !== undefined) return hit;
      const shared = reading.get(key);
      if (shared && shared.generation === generation) return shared.json;
      const before = generation;
      const json = pageJson(p, q);
      reading.set(key, { generation: before, json });
      try {
        const page = await json;
        if (generation === before && listening) pages.set(key, page, now + deps.cacheMs);
        return page;
      } finally {
        if (reading.get(key)?.json === json) reading.delete(key);
      }
    },
  };
}
