/**
 * The agent queue page: keyset-paged in the queue order (priority, SLA due time, age), with an opaque cursor.
 */
import type { Principal } from '../../platform/auth.ts';
import { invalid } from '../../platform/errors.ts';
import { CasesErrors as E } from './cases.errors.ts';
import type { CaseReach, casesRepo, QueueKey } from './cases.repo.ts';
import type { ListCasesQueryInput } from './cases.schemas.ts';

type CasesRepo = ReturnType<typeof casesRepo>;

const encodeCursor = (k: QueueKey) =>
  Buffer.from(JSON.stringify([k.priority, k.due, k.createdAt, k.id])).toString('base64url');
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
function decodeCursor(cursor: string): QueueKey {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[3])) {
      if ((v[1] === 'infinity' || isTime(v[1])) && isTime(v[2]))
        return { priority: v[0], due: v[1], createdAt: v[2], id: v[3] as number };
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalid(E.cursorInvalid, 'Invalid cursor', [
    { field: 'cursor', value: cursor, reason: 'not a cursor from this list' },
  ]);
}

export async function queuePage(repo: CasesRepo, reach: CaseReach, p: Principal, q: ListCasesQueryInput) {
  const rows = await repo.list(
    reach,
    {
      state: q.state,
      type: q.type,
      queue: q.queue,
      assigneeUserId: q.assignee === 'me' ? p.userId : undefined,
      accountId: q.accountId,
    },
    q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    q.limit + 1,
  );
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
}
