import type { z } from 'zod';
import { displayIccid } from './identifiers.ts';
import type { HistoryEntryView, SimView } from './sims.schemas.ts';
import type { HistoryEntry, SimDetail } from './sims.service.ts';
import { STAFF_ACTOR_FOR_CUSTOMERS, seesActor } from './sims.viewer.ts';

type SimJson = z.infer<typeof SimView>;
type HistoryJson = z.infer<typeof HistoryEntryView>;

/** A customer sees their SIM without the provider's import metadata (sims.viewer.ts). */
export function presentSim(d: SimDetail): SimJson {
  const s = d.sim;
  return {
    iccid: displayIccid(s.iccid),
    // Current first, then in the order the SIM lists them.
    imsis: [...d.imsis]
      .sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent) || a.position - b.position)
      .map((i) => ({ imsi: i.imsi, current: i.isCurrent })),
    msisdn: s.msisdn,
    imei: s.imei,
    imeiLock: s.imeiLock,
    eid: s.eid,
    account: d.account,
    communicationPlan: d.communicationPlan,
    ratePlan: d.ratePlan,
    state: s.state as SimJson['state'],
    networkState: d.networkState as SimJson['networkState'],
    labels: s.labels,
    customFields: s.customFields,
    ...(d.viewer.staff ? { importId: s.importId } : {}),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    stateChangedAt: s.stateChangedAt.toISOString(),
  };
}

/** What a customer sees for a change they did not make: the desk, with no user id and no reason. */
const DESK = { userId: null, label: STAFF_ACTOR_FOR_CUSTOMERS };

/**
 * Audit actions as stored → as the API names them. An upsert import stores `import.update` (import.repo.ts), which
 * the API had no name for: its history answered 500. A stored action missing here shows as 'updated' (it changed
 * the SIM) rather than failing the whole history; sims.customer-view.routes.test.ts checks every writer's action.
 */
const ACTIONS: Record<string, HistoryJson['action']> = {
  created: 'created',
  updated: 'updated',
  state_changed: 'state_changed',
  'import.update': 'import_updated',
};

/** The provider's import metadata in an audit row's values, which a customer does not see (sims.viewer.ts). */
function withoutImportId(after: Record<string, unknown> | null): Record<string, unknown> | null {
  if (after === null || !Object.hasOwn(after, 'importId')) return after;
  const { importId: _hidden, ...rest } = after;
  return rest;
}

export function presentHistoryEntry(e: HistoryEntry): HistoryJson {
  if (e.kind === 'audit') {
    const r = e.row;
    const shown = seesActor(e.viewer, r.actorUserId);
    return {
      id: r.id,
      at: r.at.toISOString(),
      action: ACTIONS[r.action] ?? 'updated',
      actor: shown ? { userId: r.actorUserId, label: r.actor } : DESK,
      before: r.before,
      after: e.viewer.staff ? r.after : withoutImportId(r.after),
      ...(shown ? { reason: r.reason } : {}),
    };
  }
  const base = { id: null, at: e.sim.createdAt.toISOString(), action: 'imported' as const, before: null };
  // Imports are the provider's (customers cannot open import jobs): a customer sees that the SIM was loaded; which
  // job, from where and which file stay with the desk.
  if (!e.viewer.staff) return { ...base, actor: DESK, after: null };
  const job = e.job;
  return {
    ...base,
    actor: { userId: job?.createdByUserId ?? null, label: `import #${e.importId}` },
    after: {
      importId: e.importId,
      source: job?.source ?? null,
      filename: job?.filename ?? null,
    },
    reason: `imported by import #${e.importId}`,
  };
}
