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

export function caseMessageView(repo: ReturnType<typeof casesRepo>, records: ReturnType<typeof caseRecords>) {
  return async (caseId: number, entryId?: number) => {
    const c = await repo.byId(caseId);
    if (!c) return undefined;
    const record = await records.one(cliPrincipal('messages'), c);
    const shown = (audience: Audience) => {
      const { allowedTransitions: _reader, ...rest } = presentCase(record, audience);
      return rest;
    };
    const entry = entryId === undefined ? undefined : (await repo.events(caseId, false)).find((e) => e.id === entryId);
    return {
      tenantId: c.tenantId,
      accountId: c.accountId,
      staff: { case: shown('staff'), ...(entry ? { entry: presentCaseEvent(entry, 'staff') } : {}) },
      customer: {
        case: shown('customer'),
        ...(entry && entry.visibility === 'public' ? { entry: presentCaseEvent(entry, 'customer') } : {}),
      },
    };
  };
}
