/**
 * Fleet health, "is it us or you?": every PLMN's and APN's attach and session outcomes over the last hour, with
 * distinct refused SIMs and customers and the start of the current run of refusals. Computed for the whole fleet
 * at most once a minute into one snapshot shared by every diagnosis of this process, so a diagnosis never scans
 * the roll-up: it picks the few PLMNs/APNs its SIM touched (`forSim`). A stale snapshot is served while the next
 * one is computed (one refresh at a time), so a refresh never lands on a diagnosis' latency; only the very first
 * diagnosis of a process waits for it.
 *
 * The same snapshot answers GET /api/v1/network/failing: the PLMNs and APNs where the fleet is refused now, judged
 * with the diagnosis' own rule (fleet.ts `judgeCell` with no SIM of its own), so the list and the diagnoses agree.
 */
import type { Logger } from '../../platform/log.ts';
import type { DiagnosisFleet, FleetApnHealth, FleetCell, FleetPlmnHealth } from './diagnosis.model.ts';
import { FLEET_MIN_SHARE, judgeCell } from './fleet.ts';
import type { CountRow, fleetHealthRepo, HourRow } from './fleet-health.repo.ts';

/** The period the fleet's figures cover: long enough to hold a few retries of every SIM, short enough to be "now". */
export const FLEET_PERIOD_MS = 3_600_000;
/** How often the snapshot is recomputed at most. */
export const FLEET_REFRESH_MS = 60_000;
/** How soon after a refusal on a PLMN/APN the snapshot saw none on it the snapshot is recomputed (at most). */
export const FLEET_NEW_REFUSAL_REFRESH_MS = 5_000;
/** The day before the period: each PLMN's and APN's own usual refusal rate. */
export const FLEET_BASELINE_MS = 24 * 3_600_000;
/** How far back the start of a run of refusals is searched (a longer run is reported from there). */
export const FLEET_RUN_LOOKBACK_MS = 24 * 3_600_000;

export type FleetSnapshot = {
  at: Date;
  period: { from: Date; to: Date };
  plmns: Map<string, FleetPlmnHealth>;
  /** Keyed by lower-case APN. */
  apns: Map<string, FleetApnHealth>;
  /** `plmn|X` / `apn|x` → tenants with any attempt there in the period (what a customer "uses"). */
  users: Map<string, Set<number>>;
  /** How long computing it took (ms). */
  tookMs: number;
};

type Acc = { rejected: number; accepted: number; tenants: Set<number> };
const acc = (): Acc => ({ rejected: 0, accepted: 0, tenants: new Set() });

/** Attempts before a group's baseline refusal share is trusted (fewer: the significance test assumes a low one). */
const BASELINE_MIN_ATTEMPTS = 50;

function cell(a: Acc | undefined, sims: number | undefined, base?: Acc): FleetCell {
  const attempts = base ? base.rejected + base.accepted : 0;
  const baselineShare = base && attempts >= BASELINE_MIN_ATTEMPTS ? base.rejected / attempts : null;
  if (!a) return { rejected: 0, accepted: 0, failingSims: 0, failingTenants: 0, baselineShare };
  // The state table counts a SIM at its last refusal only: none there while the roll-up saw refusals means
  // "unknown", not zero (the engine then asks for twice the refusals instead of distinct SIMs).
  const failingSims = sims !== undefined && sims > 0 ? sims : a.rejected > 0 ? null : 0;
  return { rejected: a.rejected, accepted: a.accepted, failingSims, failingTenants: a.tenants.size, baselineShare };
}

type Tally = {
  plmnAttach: Map<string, Acc>;
  plmnSession: Map<string, Acc>;
  apnSession: Map<string, Acc>;
  /** Sessions per `plmn|apn`. */
  pairSession: Map<string, Acc>;
  users: Map<string, Set<number>>;
};

const emptyTally = (): Tally => ({
  plmnAttach: new Map(),
  plmnSession: new Map(),
  apnSession: new Map(),
  pairSession: new Map(),
  users: new Map(),
});
const get = (m: Map<string, Acc>, k: string) => m.get(k) ?? m.set(k, acc()).get(k)!;

/** The roll-up's rows summed per PLMN (attach, sessions) and APN; a PLMN's sessions leave out `skip` (`plmn|apn`). */
function tally(rows: readonly CountRow[], skip: ReadonlySet<string> = new Set()): Tally {
  const t = emptyTally();
  for (const r of rows) {
    const tenant = Number(r.tenant_id);
    const bump = (a: Acc) => {
      if (r.type.endsWith('_rejected')) {
        a.rejected += r.n;
        if (tenant !== 0) a.tenants.add(tenant);
      } else a.accepted += r.n;
    };
    const use = (k: string) => {
      if (tenant !== 0) (t.users.get(k) ?? t.users.set(k, new Set()).get(k)!).add(tenant);
    };
    use(`plmn|${r.plmn}`);
    if (r.type === 'attach' || r.type === 'attach_rejected') {
      bump(get(t.plmnAttach, r.plmn));
      continue;
    }
    if (!skip.has(`${r.plmn}|${r.apn}`)) bump(get(t.plmnSession, r.plmn));
    if (r.apn !== '') {
      bump(get(t.apnSession, r.apn));
      bump(get(t.pairSession, `${r.plmn}|${r.apn}`));
      use(`apn|${r.apn}`);
    }
  }
  return t;
}

const earliest = (a: Date | undefined, b: Date | undefined): Date | null =>
  a && b ? (a < b ? a : b) : (a ?? b ?? null);

/**
 * The baseline's sums per place, leaving out the hours a run of refusals still going on at that place covers (an
 * outage older than the period would otherwise be its own baseline and never look unusual).
 */
function baselineTally(rows: readonly HourRow[], runSince: ReadonlyMap<string, Date>): Tally {
  const t = emptyTally();
  const inRun = (key: string, hour: Date) => {
    const s = runSince.get(key);
    return s !== undefined && hour.getTime() + 3_600_000 > s.getTime();
  };
  for (const r of rows) {
    const hour = new Date(r.hour);
    const bump = (a: Acc) => {
      if (r.type.endsWith('_rejected')) a.rejected += r.n;
      else a.accepted += r.n;
    };
    if (r.type === 'attach' || r.type === 'attach_rejected') {
      if (!inRun(`attach|${r.plmn}`, hour)) bump(get(t.plmnAttach, r.plmn));
      continue;
    }
    if (!inRun(`session|${r.plmn}`, hour)) bump(get(t.plmnSession, r.plmn));
    if (r.apn !== '' && !inRun(`apn|${r.apn}`, hour)) bump(get(t.apnSession, r.apn));
  }
  return t;
}

const refusing = (a: Acc) => a.rejected + a.accepted > 0 && a.rejected / (a.rejected + a.accepted) >= FLEET_MIN_SHARE;
const serving = (a: Acc) => a.accepted > 0 && !refusing(a);
const minus = (a: Acc | undefined, b: Acc | undefined): Acc => ({
  rejected: (a?.rejected ?? 0) - (b?.rejected ?? 0),
  accepted: (a?.accepted ?? 0) - (b?.accepted ?? 0),
  tenants: new Set(),
});

/**
 * Where a failing APN's refusals are its gateway's, not the network's (`plmn|apn` pairs the PLMN's sessions are then
 * judged without): one APN's gateway failing is not its PLMN failing, or SIMs on the PLMN's other APNs would get
 * "network outage". At a PLMN whose other APNs are served, it is the gateway; where the APN is served on other
 * networks and refused on this one, it is this network (a roaming partner failing for the one APN its roamers use);
 * with nothing to compare, both stay and the diagnosis weighs them (data-session.ts pickIncident).
 */
function gatewayPairs(t: Tally, failing: (apn: string, a: Acc) => boolean): Set<string> {
  const out = new Set<string>();
  for (const [apn, a] of t.apnSession) {
    if (!failing(apn, a)) continue;
    for (const [pair, here] of t.pairSession) {
      if (!pair.endsWith(`|${apn}`) || here.rejected === 0) continue;
      const plmn = pair.slice(0, pair.length - apn.length - 1);
      const otherApnsHere = minus(t.plmnSession.get(plmn), here);
      const elsewhere = minus(a, here);
      // The gateway: the PLMN serves its other APNs, or the APN is refused on other networks too.
      if (serving(otherApnsHere) || refusing(elsewhere)) out.add(pair);
    }
  }
  return out;
}

export async function computeSnapshot(repo: ReturnType<typeof fleetHealthRepo>, now: Date): Promise<FleetSnapshot> {
  const t0 = performance.now();
  const from = new Date(now.getTime() - FLEET_PERIOD_MS);
  const [counts, before, runs, failing] = await Promise.all([
    repo.counts(from, now),
    // Each place's own refusal rate in the day before: a partner that always refuses some attaches is not failing.
    repo.hourly(new Date(from.getTime() - FLEET_BASELINE_MS), from),
    repo.runs(new Date(now.getTime() - FLEET_RUN_LOOKBACK_MS), from),
    repo.failingSims(from),
  ]);
  const since = new Map<string, Date>();
  for (const r of runs) {
    const prev = since.get(r.key);
    // Several runs alive in the period (the place served someone in between): the current one is the latest.
    if (!prev || new Date(r.since) > prev) since.set(r.key, new Date(r.since));
  }
  const base = baselineTally(before, since);
  const sims = new Map<string, number>();
  const add = (k: string, n: number) => sims.set(k, (sims.get(k) ?? 0) + n);
  for (const f of failing)
    if (f.reject_type === 'attach_rejected') add(`attach|${f.plmn}`, f.sims);
    else if (f.apn) add(`apn|${f.apn}`, f.sims);
  const all = tally(counts);
  const gateway = gatewayPairs(
    all,
    (apn, a) => judgeCell(cell(a, sims.get(`apn|${apn}`), base.apnSession.get(apn)), undefined).state === 'incident',
  );
  const judged = tally(counts, gateway);
  for (const f of failing)
    if (f.reject_type === 'session_rejected' && !gateway.has(`${f.plmn ?? ''}|${f.apn ?? ''}`))
      add(`session|${f.plmn}`, f.sims);
  const plmns = new Map<string, FleetPlmnHealth>();
  for (const plmn of new Set([...judged.plmnAttach.keys(), ...judged.plmnSession.keys()])) {
    plmns.set(plmn, {
      plmn,
      attach: cell(judged.plmnAttach.get(plmn), sims.get(`attach|${plmn}`), base.plmnAttach.get(plmn)),
      sessions: cell(judged.plmnSession.get(plmn), sims.get(`session|${plmn}`), base.plmnSession.get(plmn)),
      failingSince: earliest(since.get(`attach|${plmn}`), since.get(`session|${plmn}`)),
      attachFailingSince: since.get(`attach|${plmn}`) ?? null,
      sessionFailingSince: since.get(`session|${plmn}`) ?? null,
    });
  }
  const apns = new Map<string, FleetApnHealth>();
  for (const [apn, a] of judged.apnSession)
    apns.set(apn, {
      apn,
      sessions: cell(a, sims.get(`apn|${apn}`), base.apnSession.get(apn)),
      failingSince: since.get(`apn|${apn}`) ?? null,
    });
  return { at: now, period: { from, to: now }, plmns, apns, users: judged.users, tookMs: performance.now() - t0 };
}

/** The fleet part of one SIM's diagnosis input: the PLMNs and APNs it touched (others are not needed). */
export function fleetForSim(
  s: FleetSnapshot,
  touched: { plmns: Iterable<string>; apns: Iterable<string> },
): DiagnosisFleet {
  const plmns: FleetPlmnHealth[] = [];
  for (const p of new Set(touched.plmns)) {
    const h = s.plmns.get(p);
    if (h) plmns.push(h);
  }
  const apns: FleetApnHealth[] = [];
  for (const a of new Set([...touched.apns].map((x) => x.toLowerCase()))) {
    const h = s.apns.get(a);
    if (h) apns.push(h);
  }
  return { period: s.period, plmns, apns };
}

export type FailingItem = {
  kind: 'plmn' | 'apn';
  key: string;
  attempt: 'attach' | 'session';
  rejected: number;
  accepted: number;
  share: number;
  failingSims: number | null;
  failingTenants: number | null;
  since: Date | null;
};

/** Where the fleet is refused now for many SIMs: the diagnosis' incident rule, with no SIM of its own left out. */
export function failingNow(s: FleetSnapshot): FailingItem[] {
  const out: FailingItem[] = [];
  const judge = (
    kind: 'plmn' | 'apn',
    key: string,
    attempt: 'attach' | 'session',
    c: FleetCell,
    since: Date | null,
  ) => {
    const j = judgeCell(c, undefined);
    if (j.state !== 'incident') return;
    out.push({
      kind,
      key,
      attempt,
      rejected: c.rejected,
      accepted: c.accepted,
      share: Math.round(j.share * 1000) / 1000,
      failingSims: c.failingSims,
      failingTenants: c.failingTenants,
      since,
    });
  };
  for (const p of s.plmns.values()) {
    if (p.plmn === '') continue; // records without a PLMN name no network
    judge('plmn', p.plmn, 'attach', p.attach, p.attachFailingSince ?? p.failingSince);
    judge('plmn', p.plmn, 'session', p.sessions, p.sessionFailingSince ?? p.failingSince);
  }
  for (const a of s.apns.values()) judge('apn', a.apn, 'session', a.sessions, a.failingSince);
  return out.sort((a, b) => b.rejected - a.rejected || a.key.localeCompare(b.key));
}

/** The snapshot cache: one per process (built once in the composition root), refreshed at most every `refreshMs`. */
export function createFleetHealth(
  repo: ReturnType<typeof fleetHealthRepo>,
  opts: { now?: () => number; refreshMs?: number; log?: Pick<Logger, 'warn'> } = {},
) {
  const now = opts.now ?? Date.now;
  const refreshMs = opts.refreshMs ?? FLEET_REFRESH_MS;
  let current: FleetSnapshot | null = null;
  let inFlight: Promise<FleetSnapshot> | null = null;
  /** When a refusal arrived where `current` saw none (it is then stale after FLEET_NEW_REFUSAL_REFRESH_MS). */
  let newRefusalsAt: number | null = null;

  function refresh(): Promise<FleetSnapshot> {
    const started = now();
    inFlight ??= computeSnapshot(repo, new Date(started)).then(
      (s) => {
        current = s;
        inFlight = null;
        // Refusals noted after this refresh started may not be in it: keep the mark for those.
        if (newRefusalsAt !== null && newRefusalsAt <= started) newRefusalsAt = null;
        return s;
      },
      (e: unknown) => {
        inFlight = null;
        throw e;
      },
    );
    return inFlight;
  }

  return {
    /** The snapshot: the cached one while fresh; a stale one (up to 5 periods old) while a refresh runs. */
    async snapshot(): Promise<FleetSnapshot> {
      const age = current === null ? Number.POSITIVE_INFINITY : now() - current.at.getTime();
      const fresh = newRefusalsAt === null ? refreshMs : Math.min(refreshMs, FLEET_NEW_REFUSAL_REFRESH_MS);
      if (age < fresh) return current!;
      if (current !== null && age < 5 * refreshMs) {
        refresh().catch((e: unknown) => opts.log?.warn({ err: e }, 'fleet health refresh failed'));
        return current;
      }
      return refresh();
    },
    /** Forget the snapshot (tests that write events and diagnose at once; an operator's "recompute now"). */
    invalidate() {
      current = null;
    },
    /**
     * New refusals were stored (ingest.batch_committed): when one is on a PLMN or APN where the snapshot counts no
     * refusal of its kind, the snapshot goes stale after FLEET_NEW_REFUSAL_REFRESH_MS instead of FLEET_REFRESH_MS,
     * so a failure that just began shows within seconds; refusals where the fleet is already refused change
     * nothing. Answers whether it marked the snapshot. No query: it only compares with the snapshot in memory.
     */
    refusalsStored(refusals: readonly { type: string; plmn: string | null; apn: string | null }[]): boolean {
      if (current === null || newRefusalsAt !== null) return false;
      const snap = current;
      const unseen = refusals.some((r) => {
        const p = r.plmn === null ? undefined : snap.plmns.get(r.plmn);
        if (r.type === 'attach_rejected') return r.plmn !== null && !(p && p.attach.rejected > 0);
        if (r.plmn !== null && !(p && p.sessions.rejected > 0)) return true;
        const a = r.apn === null ? undefined : snap.apns.get(r.apn);
        return r.apn !== null && !(a && a.sessions.rejected > 0);
      });
      if (unseen) newRefusalsAt = now();
      return unseen;
    },
  };
}

export type FleetHealth = ReturnType<typeof createFleetHealth>;
