import type { z } from 'zod';
import { displayIccid } from './identifiers.ts';
import type { HistoryEntryView, SimView } from './sims.schemas.ts';
import type { HistoryEntry, SimDetail } from './sims.service.ts';

type SimJson = z.infer<typeof SimView>;
type HistoryJson = z.infer<typeof HistoryEntryView>;

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
    eid: s.eid,
    account: d.account,
    communicationPlan: d.communicationPlan,
    ratePlan: d.ratePlan,
    state: s.state as SimJson['state'],
    networkState: d.networkState as SimJson['networkState'],
    labels: s.labels,
    customFields: s.customFields,
    importId: s.importId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    stateChangedAt: s.stateChangedAt.toISOString(),
  };
}

export function presentHistoryEntry(e: HistoryEntry): HistoryJson {
  if (e.kind === 'audit') {
    const r = e.row;
    return {
      id: r.id,
      at: r.at.toISOString(),
      action: r.action as HistoryJson['action'],
      actor: { userId: r.actorUserId, label: r.actor },
      before: r.before,
      after: r.after,
      reason: r.reason,
    };
  }
  const job = e.job;
  return {
    id: null,
    at: e.sim.createdAt.toISOString(),
    action: 'imported',
    actor: { userId: job?.createdByUserId ?? null, label: `import #${e.importId}` },
    before: null,
    after: {
      importId: e.importId,
      source: job?.source ?? null,
      filename: job?.filename ?? null,
    },
    reason: `imported by import #${e.importId}`,
  };
}
