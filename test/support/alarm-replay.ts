/**
 * Replays generated network traffic into iotops in time order, with the alarms on a test clock (issue 17, point 7:
 * detection quality). The events of each slice go through the real ingest service; then the clock moves to the
 * slice's end, the batch events run (h.runJobs: `alarms.watch_silence`, `alarms.refusal_bursts`) and the worker's
 * timers tick (`silenceTick`, `refusalAndFleetTick`) — so every alarm decision sees the history as it stood then.
 *
 * A slice ends at the earliest of:
 * - `maxSliceMs` after its start (the grid: burst clearing, silence rechecks, fleet passes);
 * - the next instant a silence could be raised: the earliest `due_at` of a watch without an alarm whose SIM has not
 *   talked since, or, for one that talked, its new last event + its threshold (read from silence_watch and the SIMs'
 *   network state) — the live timer ticks every second, so the slice ends exactly there;
 * - the given `cuts`: the end of each simulated minute in which a refusal completes a burst (computed by the caller
 *   from the events), so a burst is raised in the minute it is.
 * Within a slice the watch cannot fall due and no burst can complete: ticking every minute instead would decide the
 * same, only slower (a PGlite step costs ~60–90 ms: ingest, jobs, ticks).
 */
import { type AlarmsService, createAlarmsService } from '../../src/modules/alarms/alarms.service.ts';
import { createDiagnosisService } from '../../src/modules/diagnosis/diagnosis.service.ts';
import { fleetHealthRepo } from '../../src/modules/diagnosis/fleet-health.repo.ts';
import { createFleetHealth } from '../../src/modules/diagnosis/fleet-health.ts';
import { alarmsDeps } from '../../src/services.ts';
import type { Harness } from './harness.ts';

export type ReplayEvent = { ts: number; value: Record<string, unknown> };
export type ReplayClock = { now: number };

/**
 * The alarms service on the test clock, wired as services.ts wires the worker's, with a diagnosis on the same clock
 * (the fleet alarms read its failing list; the snapshot is recomputed at every fleet pass, as a worker's is once a
 * minute). It replaces the harness's, so the batch events' subscribers that h.runJobs() runs call it. `fleet: false`
 * leaves the fleet alarms out (a variant that measures the silence watch only).
 */
export function alarmsOnClock(h: Harness, clock: ReplayClock, opts: { fleet: boolean }): AlarmsService {
  const now = () => clock.now;
  const fleetHealth = createFleetHealth(fleetHealthRepo(h.ctx.database), { now });
  const diagnosis = createDiagnosisService(h.ctx, { sims: h.services.sims, fleet: fleetHealth }, { now });
  const deps = alarmsDeps({ ...h.services, diagnosis });
  const alarms = createAlarmsService(
    h.ctx,
    {
      ...deps,
      failingNow: opts.fleet
        ? async () => {
            fleetHealth.invalidate();
            return deps.failingNow();
          }
        : async () => [],
    },
    { now },
  );
  h.services.alarms = alarms;
  return alarms;
}

/** The instant after `after` at which the next silence could be raised (null: no watch without an alarm). */
async function nextSilenceDecision(h: Harness, after: number): Promise<number | null> {
  const [r] = await h.ctx.database.query<{ at: Date | null }>(
    `select min(greatest(w.due_at, s.last_event_at + w.threshold_ms * interval '1 millisecond')) as at
       from silence_watch w join sim_network_state s on s.sim_id = w.sim_id
      where w.alarm_id is null`,
  );
  if (!r?.at) return null;
  const at = new Date(r.at).getTime();
  return at > after ? at : null;
}

export type ReplayStats = {
  steps: number;
  events: number;
  /** Of which before the start (history, no timers over it). */
  history: number;
  wallMs: number;
  ms: Record<'ingest' | 'jobs' | 'ticks', number>;
};

const INGEST_CHUNK = 5000;
const SOURCE = { transport: 'http' as const, credentialId: null };

async function ingestAll(h: Harness, events: readonly ReplayEvent[]): Promise<void> {
  for (let k = 0; k < events.length; k += INGEST_CHUNK) {
    const lines = events.slice(k, k + INGEST_CHUNK).map((e, n) => ({ line: n + 1, value: e.value }));
    const r = await h.services.ingest.acceptNetwork(lines, SOURCE);
    if (r.rejected.length > 0 || r.accepted !== lines.length)
      throw new Error(`ingest refused replayed events: ${JSON.stringify(r).slice(0, 500)}`);
  }
  await h.services.ingest.drained();
}

export async function replay(
  h: Harness,
  o: {
    events: readonly ReplayEvent[];
    from: number;
    to: number;
    clock: ReplayClock;
    alarms: AlarmsService;
    maxSliceMs: number;
    /** Sorted instants a slice must end at. */
    cuts: readonly number[];
  },
): Promise<ReplayStats> {
  const stats: ReplayStats = { steps: 0, events: 0, history: 0, wallMs: 0, ms: { ingest: 0, jobs: 0, ticks: 0 } };
  const started = performance.now();
  let i = 0;
  let c = 0;
  let t = o.from;
  // History before the replay's start (the simulator's normal days) goes in first, in one go, with the clock at the
  // start: the watches are set up from it and the rhythms learned, as on a deployed system; no timer runs over it.
  const history: ReplayEvent[] = [];
  while (i < o.events.length && o.events[i]!.ts < o.from) history.push(o.events[i++]!);
  if (history.length > 0) {
    o.clock.now = o.from;
    const a = performance.now();
    await ingestAll(h, history);
    stats.events += history.length;
    stats.history = history.length;
    stats.ms.ingest += performance.now() - a;
    await h.runJobs();
  }
  while (t < o.to) {
    while (c < o.cuts.length && o.cuts[c]! <= t) c++;
    const due = await nextSilenceDecision(h, t);
    const end = Math.min(
      t + o.maxSliceMs,
      o.to,
      o.cuts[c] ?? Number.POSITIVE_INFINITY,
      due ?? Number.POSITIVE_INFINITY,
    );
    let a = performance.now();
    const slice: ReplayEvent[] = [];
    while (i < o.events.length && o.events[i]!.ts < end) slice.push(o.events[i++]!);
    await ingestAll(h, slice);
    stats.events += slice.length;
    o.clock.now = end;
    stats.ms.ingest += performance.now() - a;
    a = performance.now();
    // The batch events' jobs (watch_silence, refusal_bursts) are claimed by the wall clock (they are queued at the
    // database's now); their handlers run the alarms on the test clock.
    await h.runJobs();
    stats.ms.jobs += performance.now() - a;
    a = performance.now();
    await o.alarms.silenceTick();
    await o.alarms.refusalAndFleetTick();
    stats.ms.ticks += performance.now() - a;
    stats.steps++;
    t = end;
  }
  stats.wallMs = performance.now() - started;
  return stats;
}
