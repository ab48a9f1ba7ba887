/**
 * The payload of `ingest.batch_committed` (ingest.events.ts) from what the batch writer already holds in memory: the
 * SIMs whose status its state statements reported changed, its stored refusal records, and the devices it stored
 * telemetry of. No query of its own; its
 * cost is a pass over the batch's refusals and a sort of the changed SIM ids.
 */
import type { NetworkEvent } from './contract.ts';
import {
  BATCH_EVENT_MAX_REFUSAL_GROUPS,
  BATCH_EVENT_MAX_SIMS,
  type BatchCommitted,
  type RefusalGroup,
} from './ingest.events.ts';

/** The event's payload, or null when the batch changed nothing another module reacts to (no event then). */
export function batchCommittedPayload(b: {
  network: number;
  telemetry: number;
  orphans: number;
  statusChanged: readonly number[];
  refusals: readonly NetworkEvent[];
  telemetryDevices?: readonly number[];
}): BatchCommitted | null {
  const devices = b.telemetryDevices ?? [];
  if (b.statusChanged.length === 0 && b.refusals.length === 0 && devices.length === 0) return null;
  const groups = new Map<string, RefusalGroup & { iccids: Set<string> }>();
  for (const e of b.refusals) {
    const apn = e.apn === null ? null : e.apn.toLowerCase();
    const k = `${e.type}|${e.plmn}|${apn}|${e.cause}`;
    let g = groups.get(k);
    if (!g) {
      g = {
        type: e.type as RefusalGroup['type'],
        plmn: e.plmn,
        apn,
        cause: e.cause,
        events: 0,
        sims: 0,
        iccids: new Set(),
      };
      groups.set(k, g);
    }
    g.events++;
    g.iccids.add(e.iccid);
  }
  const refusals = [...groups.values()]
    .map(({ iccids, ...g }) => ({ ...g, sims: iccids.size }))
    .sort((a, b) => b.events - a.events || b.sims - a.sims);
  const simIds = [...b.statusChanged].sort((x, y) => x - y);
  return {
    network: b.network,
    telemetry: b.telemetry,
    orphans: b.orphans,
    simsChanged: simIds.length,
    simIds: simIds.length > BATCH_EVENT_MAX_SIMS ? simIds.slice(0, BATCH_EVENT_MAX_SIMS) : simIds,
    simIdsTruncated: simIds.length > BATCH_EVENT_MAX_SIMS,
    refusedEvents: b.refusals.length,
    refusals: refusals.slice(0, BATCH_EVENT_MAX_REFUSAL_GROUPS),
    refusalsTruncated: refusals.length > BATCH_EVENT_MAX_REFUSAL_GROUPS,
    refusedIccids: [...new Set(b.refusals.map((e) => e.iccid))].slice(0, BATCH_EVENT_MAX_SIMS),
    telemetryDeviceIds: [...devices].sort((x, y) => x - y).slice(0, BATCH_EVENT_MAX_SIMS),
  };
}
