/**
 * The verification period on measured health (issue 17.4): an incident closes itself at the end of its verification
 * period only on positive evidence — every affected SIM in service has talked since the fix and is not silent past
 * its rhythm (no active silence alarm). The absence of refusals is not enough: a device that never came back sends
 * none. Otherwise the case reopens with what was (not) seen, SIM by SIM. Other case types (orders, questions) keep
 * the refusal check alone: their SIMs need not have been in trouble.
 */
import type { Database } from '../../platform/db/client.ts';
import type { LastEvent } from './silence-watch.ts';

const SHOWN = 3;

export type TrafficVerificationDeps = {
  database: Pick<Database, 'query'>;
  lastEventsOf: (simIds: readonly number[]) => Promise<Map<number, LastEvent>>;
  inService: (simIds: readonly number[]) => Promise<Set<number>>;
  iccidsOf: (simIds: readonly number[]) => Promise<Map<number, string>>;
};

export function trafficVerification(deps: TrafficVerificationDeps) {
  return async (
    c: { type: string; resolvedAt: Date | null },
    affected: { simIds: readonly number[] },
  ): Promise<{ ok: true } | { ok: false; reason: string }> => {
    if (c.type !== 'incident' || !c.resolvedAt || affected.simIds.length === 0) return { ok: true };
    const live = [...(await deps.inService(affected.simIds))];
    if (live.length === 0) return { ok: true };
    const last = await deps.lastEventsOf(live);
    const silent = await deps.database.query<{ sim_id: string; first_seen_at: Date; details: Record<string, unknown> }>(
      `select originator_id as sim_id, first_seen_at, details from alarms
        where originator_type = 'sim' and type = 'silence' and cleared_at is null
          and originator_id = any($1::text[])`,
      [live.map(String)],
    );
    const silentOf = new Map(silent.map((s) => [Number(s.sim_id), s]));
    const resolved = c.resolvedAt.getTime();
    const problems: { simId: number; what: string }[] = [];
    for (const id of live) {
      const e = last.get(id);
      const s = silentOf.get(id);
      if (!e || e.lastEventAt.getTime() <= resolved)
        problems.push({
          simId: id,
          what: e
            ? `nothing since the fix (last ${e.lastEventType} at ${e.lastEventAt.toISOString()})`
            : 'never seen on the network',
        });
      else if (s)
        problems.push({
          simId: id,
          what: `silent again since ${String(s.details.lastEventAt ?? s.first_seen_at.toISOString())} (longer than its rhythm allows)`,
        });
    }
    if (problems.length === 0) return { ok: true };
    const iccids = await deps.iccidsOf(problems.slice(0, SHOWN).map((p) => p.simId));
    const shown = problems.slice(0, SHOWN).map((p) => `${iccids.get(p.simId) ?? `SIM ${p.simId}`}: ${p.what}`);
    const more = problems.length > SHOWN ? ` and ${problems.length - SHOWN} more` : '';
    return {
      ok: false,
      reason: `${problems.length} of ${live.length} affected SIM(s) in service show no normal traffic since the fix: ${shown.join('; ')}${more}`,
    };
  };
}
