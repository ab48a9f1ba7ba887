import type { z } from 'zod';
import { displayIccid } from '../sims/identifiers.ts';
import { STAFF_ACTOR_FOR_CUSTOMERS, seesActor } from '../sims/sims.viewer.ts';
import type { ActionView } from './network-actions.schemas.ts';
import type { ActionRecord } from './network-actions.service.ts';

type ActionJson = z.infer<typeof ActionView>;

/**
 * Staff see every field. A customer sees their own actions whole; of anyone else's (the desk's) what was done and
 * what came of it, requested by 'Service desk' with no user id, without the requester's reason and reference
 * (their words), and the case number only when it is a case the customer can open (sims.viewer.ts).
 */
export function presentAction(a: ActionRecord): ActionJson {
  const shown = seesActor(a.viewer, a.requestedByUserId);
  return {
    id: a.id,
    iccid: displayIccid(a.iccid),
    kind: a.kind as ActionJson['kind'],
    params: a.params,
    ...(shown ? { reason: a.reason, reference: a.reference } : {}),
    ...(a.caseShown ? { caseNumber: a.caseNumber } : {}),
    requestedBy: shown
      ? { userId: a.requestedByUserId, label: a.requestedBy, via: a.requestedVia }
      : { userId: null, label: STAFF_ACTOR_FOR_CUSTOMERS },
    adapter: a.adapter,
    status: a.status as ActionJson['status'],
    outcome: a.outcome,
    result: a.result ?? null,
    requestedAt: a.requestedAt.toISOString(),
    finishedAt: a.finishedAt?.toISOString() ?? null,
  };
}
