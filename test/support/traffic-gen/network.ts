/**
 * The core network's side: what the HSS/MME decides on an attach and the PGW/PCRF on a session, from the SIM's
 * catalog entry, its usage state and whatever is broken on the network at that moment.
 */
import { HOUR } from './clock.ts';
import { HOME_PLMN } from './fleet.ts';
import type { Rng } from './random.ts';
import type { FleetCommunicationPlan } from './truth.ts';

export type OutageKind = 'roaming_partner' | 'home_network' | 'apn_gateway';

export interface Outage {
  id: string;
  kind: OutageKind;
  plmn?: string;
  apn?: string;
  start: number;
  /** Infinity: still going on at the end of the window. */
  end: number;
  cause: number;
}

/** Which check refused: the truth of a SIM is read off these, never off the cause number alone. */
export type Mechanism = 'state' | 'plmn_policy' | 'imei_lock' | 'apn_unknown' | 'quota' | 'outage' | 'noise';

export type Verdict = { ok: true } | { ok: false; cause: number; mechanism: Mechanism; outage?: Outage };

export const OK: Verdict = { ok: true };

/** A one-off refusal of a healthy SIM (cell congestion, a lost Diameter answer). */
export interface NoiseShot {
  at: number;
  on: 'attach' | 'session';
  cause: number;
  used: boolean;
}

export interface Subscriber {
  plan: FleetCommunicationPlan;
  catalogImei: string;
  imeiRule?: { at: 'attach' | 'session'; cause: number };
  /** From this instant the HSS no longer knows the subscription as active. */
  deactivatedFrom: number;
  notActiveCause: number;
  plmnRefusalCause: number;
  /** From this instant the OCS refuses data: the monthly allowance of a block plan is used up. */
  blockedFrom: number;
  quotaCause: number;
  noise: NoiseShot[];
}

export function newSubscriber(plan: FleetCommunicationPlan, catalogImei: string): Subscriber {
  return {
    plan,
    catalogImei,
    deactivatedFrom: Number.POSITIVE_INFINITY,
    notActiveCause: 8,
    plmnRefusalCause: 11,
    blockedFrom: Number.POSITIVE_INFINITY,
    quotaCause: 33,
    noise: [],
  };
}

export function plmnAllowed(plan: FleetCommunicationPlan, plmn: string): boolean {
  return plmn === HOME_PLMN || plan.roamingPlmns.includes(plmn);
}

export function apnAllowed(plan: FleetCommunicationPlan, apn: string): boolean {
  const want = apn.toLowerCase();
  return plan.apns.some((a) => a.toLowerCase() === want);
}

/** TAC + serial: the check digit and the IMEISV software version do not name a different device. */
export function sameDevice(a: string, b: string): boolean {
  return a.slice(0, 14) === b.slice(0, 14);
}

function refuse(cause: number, mechanism: Mechanism): Verdict {
  return { ok: false, cause, mechanism };
}

function takeNoise(sub: Subscriber, on: 'attach' | 'session', t: number): NoiseShot | undefined {
  const shot = sub.noise.find((s) => !s.used && s.on === on && s.at <= t);
  if (shot) shot.used = true;
  return shot;
}

export function decideAttach(
  sub: Subscriber,
  outages: readonly Outage[],
  t: number,
  plmn: string,
  imei: string,
): Verdict {
  if (t >= sub.deactivatedFrom) return refuse(sub.notActiveCause, 'state');
  if (!plmnAllowed(sub.plan, plmn)) return refuse(sub.plmnRefusalCause, 'plmn_policy');
  if (sub.imeiRule?.at === 'attach' && !sameDevice(imei, sub.catalogImei))
    return refuse(sub.imeiRule.cause, 'imei_lock');
  for (const o of outages) {
    if (o.kind !== 'apn_gateway' && o.plmn === plmn && t >= o.start && t < o.end) {
      return { ok: false, cause: o.cause, mechanism: 'outage', outage: o };
    }
  }
  const shot = takeNoise(sub, 'attach', t);
  return shot ? refuse(shot.cause, 'noise') : OK;
}

export function decideSession(
  sub: Subscriber,
  outages: readonly Outage[],
  t: number,
  apn: string,
  imei: string,
): Verdict {
  if (!apnAllowed(sub.plan, apn)) return refuse(27, 'apn_unknown');
  if (sub.imeiRule?.at === 'session' && !sameDevice(imei, sub.catalogImei))
    return refuse(sub.imeiRule.cause, 'imei_lock');
  if (t >= sub.blockedFrom) return refuse(sub.quotaCause, 'quota');
  const want = apn.toLowerCase();
  for (const o of outages) {
    if (o.kind === 'apn_gateway' && o.apn === want && t >= o.start && t < o.end) {
      return { ok: false, cause: o.cause, mechanism: 'outage', outage: o };
    }
  }
  const shot = takeNoise(sub, 'session', t);
  return shot ? refuse(shot.cause, 'noise') : OK;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * What breaks on the network during the window: outages still going on at the end (a roaming partner, the home
 * core, an APN's gateway) and, in longer windows, ones that were over well before it.
 */
export function planOutages(rng: Rng, from: number, to: number): Outage[] {
  const w = to - from;
  const out: Outage[] = [];
  const roamCause = () =>
    rng.weighted([
      [15, 4],
      [17, 4],
      [13, 2],
    ] as const);
  const p1 = rng.pick(['26201', '24491', '20801']);
  const len1 = Math.min(w * 0.5, clamp(w * 0.1, 2 * HOUR, 6 * HOUR) * rng.float(0.7, 1));
  const inf = Number.POSITIVE_INFINITY;
  out.push({ id: `roaming-${p1}`, kind: 'roaming_partner', plmn: p1, start: to - len1, end: inf, cause: roamCause() });
  const lenH = Math.min(w * 0.3, clamp(w * 0.05, HOUR, 2.5 * HOUR) * rng.float(0.8, 1));
  out.push({ id: 'home', kind: 'home_network', plmn: HOME_PLMN, start: to - lenH, end: inf, cause: 17 });
  const apns = ['plant.fabrik.de', 'vend.coolbox', 'scada.nordgrid', 'alarm.citysafe.se'];
  const a1 = rng.pick(apns);
  const lenA = Math.min(w * 0.4, clamp(w * 0.08, 1.5 * HOUR, 5 * HOUR) * rng.float(0.7, 1));
  out.push({ id: `apn-${a1}`, kind: 'apn_gateway', apn: a1, start: to - lenA, end: inf, cause: rng.pick([26, 38]) });
  if (w >= 12 * HOUR) {
    const p2 = rng.pick(['26201', '24491', '20801', '26202', '23415', '24201'].filter((p) => p !== p1));
    const len = rng.float(2, 4) * HOUR;
    const start = rng.float(from + 0.2 * w, to - 5 * HOUR - len);
    out.push({
      id: `roaming-${p2}-ended`,
      kind: 'roaming_partner',
      plmn: p2,
      start,
      end: start + len,
      cause: roamCause(),
    });
  }
  if (w >= 18 * HOUR) {
    const a2 = rng.pick(apns.filter((a) => a !== a1));
    const len = rng.float(1, 3) * HOUR;
    const start = rng.float(from + 0.1 * w, to - 5 * HOUR - len);
    out.push({
      id: `apn-${a2}-ended`,
      kind: 'apn_gateway',
      apn: a2,
      start,
      end: start + len,
      cause: rng.pick([26, 38]),
    });
  }
  return out;
}
