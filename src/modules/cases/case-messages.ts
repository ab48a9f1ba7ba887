/**
 * A case as other modules' messages show it (webhooks): the case as staff and as its customer see it — without the
 * allowed transitions, which are a reader's — where it sits, and one of its timeline entries as each sees it (a
 * customer only while it is public). Presented here, not in a route, because the message leaves through another
 * module; the same presenter as the API keeps a customer's message free of staff-only fields.
 */
import { cliPrincipal } from '../../platform/auth.ts';
import type { caseRecords } from './case-views.ts';
import { type Audience, presentCase, presentCaseEvent } from './cases.presenter.ts';
import type { casesRepo } from './cases.repo.ts';

export type CaseMessageRef = { caseId: number; entryId?: number | undefined };
export const messageKey = (r: CaseMessageRef) => `${r.caseId}:${r.entryId ?? ''}`;

/** Many at once (three queries whatever their number), keyed by messageKey; a case gone is absent. */
export function caseMessageViews(repo: ReturnType<typeof casesRepo>, records: ReturnType<typeof caseRecords>) {
  return async (refs: readonly CaseMessageRef[]) => {
    const rows = await repo.byIds([...new Set(refs.map((r) => r.caseId))]);
    const recordOf = new Map((await records.many(cliPrincipal('messages'), rows)).map((r) => [r.id, r]));
    const entryIds = refs.flatMap((r) => (r.entryId === undefined ? [] : [r.entryId]));
    const entries = new Map((await repo.entriesByIds([...new Set(entryIds)])).map((e) => [e.id, e]));
    const out = new Map<string, MessageView>();
    for (const ref of refs) {
      const record = recordOf.get(ref.caseId);
      if (!record) continue;
      const shown = (audience: Audience) => {
        const { allowedTransitions: _reader, ...rest } = presentCase(record, audience);
        return rest;
      };
      const entry = ref.entryId === undefined ? undefined : entries.get(ref.entryId);
      const mine = entry && entry.caseId === ref.caseId ? entry : undefined;
      out.set(messageKey(ref), {
        tenantId: record.tenantId,
        accountId: record.accountId,
        staff: { case: shown('staff'), ...(mine ? { entry: presentCaseEvent(mine, 'staff') } : {}) },
        customer: {
          case: shown('customer'),
          ...(mine && mine.visibility === 'public' ? { entry: presentCaseEvent(mine, 'customer') } : {}),
        },
      });
    }
    return out;
  };
}

type Shown = Record<string, unknown>;
export type MessageView = {
  tenantId: number;
  accountId: number;
  staff: { case: Shown; entry?: Shown };
  customer: { case: Shown; entry?: Shown };
};
