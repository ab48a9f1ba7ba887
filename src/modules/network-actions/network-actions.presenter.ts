import type { z } from 'zod';
import { displayIccid } from '../sims/identifiers.ts';
import type { ActionRow } from './network-actions.repo.ts';
import type { ActionView } from './network-actions.schemas.ts';

export function presentAction(a: ActionRow): z.infer<typeof ActionView> {
  return {
    id: a.id,
    iccid: displayIccid(a.iccid),
    kind: a.kind as z.infer<typeof ActionView>['kind'],
    params: a.params,
    reason: a.reason,
    reference: a.reference,
    caseNumber: a.caseNumber,
    requestedBy: { userId: a.requestedByUserId, label: a.requestedBy, via: a.requestedVia },
    adapter: a.adapter,
    status: a.status as z.infer<typeof ActionView>['status'],
    outcome: a.outcome,
    result: a.result ?? null,
    requestedAt: a.requestedAt.toISOString(),
    finishedAt: a.finishedAt?.toISOString() ?? null,
  };
}
