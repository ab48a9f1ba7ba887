/**
 * Diagnosis use cases: one SIM now (synchronous), and the fleet's failing networks. A SIM is reached exactly as
 * the SIM API and the trace reach it (another customer's SIM answers 404 like a missing one); a customer's reads
 * also filter on its tenant. The window is the trace's (network/window.ts: default the last 24 h, never longer
 * than the events are kept → 400 naming NETWORK_EVENT_RETENTION_DAYS). A SIM with no events is no error: the
 * engine answers unknown, "no network events received yet".
 */
import { type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Language } from '../accounts/accounts.schemas.ts';
import { parseWindow } from '../network/window.ts';
import { displayIccid } from '../sims/identifiers.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { activityPatternFromHours, NO_PATTERN_WARN_MS, silentAfterMs } from './checks/activity.ts';
import type { Diagnosis } from './diagnosis.model.ts';
import { ACTIVITY_DAYS, diagnosisRepo, type SimRef } from './diagnosis.repo.ts';
import { diagnose } from './engine.ts';
import { type FleetHealth, type FleetSnapshot, failingNow, fleetForSim } from './fleet-health.ts';

export type DiagnosisDeps = { sims: Pick<SimsService, 'locate'>; fleet: FleetHealth };
export type Audience = 'staff' | 'customer';
export type DiagnoseQuery = { from?: string | undefined; to?: string | undefined; language?: Language | undefined };

export type DiagnosisResult = {
  diagnosis: Diagnosis;
  /** The customer summary's language: asked for, else the account's. */
  language: Language;
  audience: Audience;
};

const audienceOf = (p: Principal): Audience => (scopeOf(p).kind === 'customer' ? 'customer' : 'staff');

export function createDiagnosisService(
  ctx: Pick<Ctx, 'database' | 'config'>,
  deps: DiagnosisDeps,
  opts: { now?: () => number } = {},
) {
  const now = opts.now ?? Date.now;
  const repo = diagnosisRepo(ctx.database);

  /** Gather (two statements at once) and the fleet snapshot (cached) side by side, then the pure engine. */
  async function run(
    sim: SimRef,
    window: { from: Date; to: Date },
    at: Date,
    tenantId?: number,
  ): Promise<{ diagnosis: Diagnosis; accountLanguage: Language }> {
    const [input, snapshot] = await Promise.all([
      repo.gather({ sim, displayIccid: displayIccid(sim.iccid), now: at, window, tenantId }),
      deps.fleet.snapshot(),
    ]);
    const plmns: string[] = [];
    const apns: string[] = [];
    for (const e of input.events) {
      if (e.plmn !== null) plmns.push(e.plmn);
      if (e.apn !== null) apns.push(e.apn);
    }
    if (input.networkState?.plmn) plmns.push(input.networkState.plmn);
    if (input.networkState?.apn) apns.push(input.networkState.apn);
    const diagnosis = diagnose({ ...input, fleet: fleetForSim(snapshot, { plmns, apns }) });
    return { diagnosis, accountLanguage: input.sim.language };
  }

  return {
    /** For the alarms' silence watch: the threshold `silenceThresholds` gives a SIM with no rhythm (a day). */
    silenceWithoutRhythmMs: NO_PATTERN_WARN_MS,
    /**
     * For the alarms' silence watch (issue 17): after how long each SIM's silence is news, by the same rule as the
     * diagnosis' "silent" warning over its rhythm of the last ACTIVITY_DAYS days (a day for a SIM without one).
     */
    async silenceThresholds(simIds: readonly number[], at: Date): Promise<Map<number, number>> {
      const hours = await repo.activeHoursOf(simIds, new Date(at.getTime() - ACTIVITY_DAYS * 86_400_000));
      return new Map(
        simIds.map((id) => {
          const p = activityPatternFromHours(hours.get(id) ?? [], ACTIVITY_DAYS);
          return [id, silentAfterMs(p.typicalGapMs, p.longestGapMs, p)];
        }),
      );
    },

    async diagnoseSim(p: Principal, iccid: string, q: DiagnoseQuery = {}): Promise<DiagnosisResult> {
      // The window first: a bad one is refused before any read (and says why even for a SIM out of reach).
      const window = parseWindow(q, { retentionDays: ctx.config.retentionDays, now: now() });
      const sim = await deps.sims.locate(p, iccid);
      const scope = scopeOf(p);
      const tenantId = scope.kind === 'customer' ? scope.tenantId : undefined;
      const r = await run(sim, window, new Date(now()), tenantId);
      return { diagnosis: r.diagnosis, language: q.language ?? r.accountLanguage, audience: audienceOf(p) };
    },

    /** For the batch worker: a SIM already resolved (and reached) when its job was created. */
    diagnoseRef: (sim: SimRef, window: { from: Date; to: Date }, tenantId?: number) =>
      run(sim, window, new Date(now()), tenantId),

    /**
     * PLMNs and APNs where the fleet is refused now ("is it us or you?"). Staff see the figures; a customer sees
     * only the networks and APNs its own SIMs used in the period, and only that they fail and since when — never
     * how many SIMs or customers (other customers' numbers).
     */
    /** Operator-level, for the alarms' fleet watch: where the fleet is refused now (the snapshot's incidents). */
    failingItems: async () => failingNow(await deps.fleet.snapshot()),
    async failing(
      p: Principal,
    ): Promise<{ snapshot: FleetSnapshot; items: ReturnType<typeof failingNow>; audience: Audience }> {
      const snapshot = await deps.fleet.snapshot();
      const all = failingNow(snapshot);
      const scope = scopeOf(p);
      if (scope.kind === 'operator') return { snapshot, items: all, audience: 'staff' };
      const items = all.filter((i) => snapshot.users.get(`${i.kind}|${i.key}`)?.has(scope.tenantId));
      return { snapshot, items, audience: 'customer' };
    },
  };
}

export type DiagnosisService = ReturnType<typeof createDiagnosisService>;
