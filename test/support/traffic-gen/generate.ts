/**
 * Entry point: an independently written traffic generator with its own ground truth, for testing SIM diagnosis
 * against traffic it was not built against. Written from ingest contract v1, the domain notes and 3GPP
 * TS 24.301, without reading iotops's simulator or diagnosis.
 */
import { classify } from './classify.ts';
import { iso } from './clock.ts';
import type { SimEvent, Wake } from './device.ts';
import { simulate } from './engine.ts';
import { applyRole, planRoles, type Role } from './faults.ts';
import { buildFleet, type SimBase } from './fleet.ts';
import { planOutages } from './network.ts';
import { createRng, type Rng } from './random.ts';
import { buildRhythm } from './rhythms.ts';
import type { Generated, GenerateOptions, NetworkEvent, OutageTruth, TruthEntry } from './truth.ts';
import { governPerSim, governPool, shapeCrossing } from './usage.ts';

export * from './truth.ts';

/** Draws tried per SIM and role before the SIM is handed to the next role (or left idle). */
const ATTEMPTS = 8;

interface SimResult {
  events: SimEvent[];
  truth: TruthEntry;
  catalog: { state: 'ACTIVATED' | 'DEACTIVATED'; deviceApn: string };
}

const ACTIVITY = new Set(['burst', 'tick', 'attach', 'sms_mo']);

/** The longest stretch the device's own schedule leaves without trying to talk. */
function longestPlannedGap(wakes: readonly Wake[]): number {
  let gap = 0;
  let prev: number | undefined;
  for (const w of wakes) {
    if (!ACTIVITY.has(w.job.kind)) continue;
    if (prev !== undefined) gap = Math.max(gap, w.at - prev);
    prev = w.at;
  }
  return gap;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Private APNs hand out a static address per SIM; the shared APN a CGNAT (or IPv6) address per session. */
function ipAllocator(rng: Rng, b: SimBase): (apn: string) => string {
  return (apn) => {
    const a = apn.toLowerCase();
    if (a === 'iot.northwind.net') {
      if (b.profile.kind === 'router' && rng.chance(0.3)) {
        const hex = () => rng.int(0, 0xffff).toString(16);
        return `2001:db8:${hex()}:${hex()}::${rng.int(1, 0xff).toString(16)}`;
      }
      return `100.${rng.int(64, 127)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    }
    return `10.${16 + (hash(a) % 200)}.${Math.floor(b.index / 250) % 256}.${1 + (b.index % 250)}`;
  };
}

export function generate(opts: GenerateOptions): Generated {
  const from = opts.from.getTime();
  const to = opts.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new RangeError('generate: `to` must be a valid date after `from`');
  }
  const n = opts.sims ?? 400;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('generate: `sims` must be a positive integer');
  const seed = String(opts.seed);
  const idPrefix = `tg-${seed.slice(0, 64)}-`;
  const imeiForms = opts.quirks?.imeiForms ?? true;
  const root = createRng(`traffic-gen/${seed}`);
  const { fleet, bases, imeis } = buildFleet(root.fork('fleet'), n, opts.quirks?.multiImsi ?? true);
  const outages = planOutages(root.fork('outages'), from, to);
  const roles = planRoles(root.fork('roles'), from, to, bases, outages);

  const attempt = (b: SimBase, role: Role, k: number): SimResult | undefined => {
    const rng = root.fork(`sim/${b.index}/${role.key}/${role.outage?.id ?? '-'}/${k}`);
    const rhythm = buildRhythm(rng.fork('rhythm'), b, from, to);
    const scenario = applyRole(rng.fork('role'), role, b, rhythm, from, to, outages, imeis);
    if (!scenario) return undefined;
    const events = simulate(
      {
        index: b.index,
        iccid: b.sim.iccid,
        imsi: b.sim.imsi,
        ...(b.altImsi ? { altImsi: b.altImsi } : {}),
        svn: b.svn,
        pgwOmitsImei: b.pgwOmitsImei,
        imeiForms,
        ipFor: ipAllocator(rng.fork('ip'), b),
        sub: scenario.sub,
        outages,
        traits: rhythm.traits,
        initial: scenario.initial,
        from,
        to,
        rng: rng.fork('engine'),
      },
      scenario.wakes,
    );
    const crossing = events.some((e) => e.crossing) ? shapeCrossing(events, b.rate, from, to) : undefined;
    if (!crossing && b.rate.pooling === 'per_sim') governPerSim(events, b.rate.includedDataMb);
    const verdict = classify({
      iccid: b.sim.iccid,
      events,
      expect: scenario.expect,
      sub: scenario.sub,
      from,
      to,
      usualGapMs: Math.max(rhythm.declaredGapMs, longestPlannedGap(scenario.wakes)),
      includedDataMb: b.rate.includedDataMb,
      crossing,
    });
    return verdict.ok ? { events, truth: verdict.truth, catalog: scenario.catalog } : undefined;
  };

  const results: (SimResult | undefined)[] = new Array(n).fill(undefined);
  for (const role of roles) {
    let got = 0;
    for (const index of role.candidates) {
      if (got >= role.target) break;
      const b = bases[index];
      if (!b || results[index]) continue;
      for (let k = 0; k < ATTEMPTS; k++) {
        const r = attempt(b, role, k);
        if (!r) continue;
        results[index] = r;
        got++;
        break;
      }
    }
  }
  const plain: Role = { key: 'healthy', target: n, candidates: [] };
  for (const b of bases) {
    for (let k = 0; k < ATTEMPTS && !results[b.index]; k++) results[b.index] = attempt(b, plain, k);
    // A SIM no draw could make unambiguous sits in a device that stays switched off (kept in stock).
    results[b.index] ??= {
      events: [],
      truth: {
        iccid: b.sim.iccid,
        category: 'healthy',
        details: { notes: ['no_traffic_in_window'], usualIntervalMinutes: 0 },
      },
      catalog: { state: 'ACTIVATED', deviceApn: b.sim.deviceApn },
    };
  }
  const done = results as SimResult[];

  for (const rate of fleet.ratePlans) {
    if (rate.pooling !== 'pooled') continue;
    const members = bases.filter((b) => b.rate.key === rate.key).map((b) => done[b.index]?.events ?? []);
    governPool(members, rate.includedDataMb);
  }
  for (const b of bases) {
    const r = done[b.index];
    if (!r) continue;
    b.sim.state = r.catalog.state;
    b.sim.deviceApn = r.catalog.deviceApn;
  }

  const all: { sim: number; seq: number; e: SimEvent }[] = [];
  done.forEach((r, sim) => {
    r.events.forEach((e, seq) => {
      all.push({ sim, seq, e });
    });
  });
  all.sort((a, b) => a.e.ms - b.e.ms || a.sim - b.sim || a.seq - b.seq);
  const events: NetworkEvent[] = all.map((x, k) => ({ id: `${idPrefix}${k + 1}`, ...x.e.ev }));
  const truth = done.map((r) => r.truth);

  const outageTruth: OutageTruth[] = outages.map((o) => {
    const affectedIccids = truth
      .filter((t) => {
        if (t.category === 'apn_gateway_outage') return o.kind === 'apn_gateway' && t.details.apn === o.apn;
        if (t.category === 'roaming_partner_outage') return o.kind === 'roaming_partner' && t.details.plmn === o.plmn;
        if (t.category === 'network_outage') return o.kind === 'home_network';
        return false;
      })
      .map((t) => t.iccid);
    const out: OutageTruth = {
      id: o.id,
      kind: o.kind,
      start: iso(o.start),
      end: o.end === Number.POSITIVE_INFINITY ? null : iso(o.end),
      cause: o.cause,
      affectedIccids,
    };
    if (o.plmn) out.plmn = o.plmn;
    if (o.apn) out.apn = o.apn;
    return out;
  });

  return { fleet, events, truth, outages: outageTruth };
}
