/**
 * The device model: what a device can be asked to do (jobs), how it behaves (traits), and the records the engine
 * produces for it.
 */
import { iso, localHour } from './clock.ts';
import { plmnInfo } from './fleet.ts';
import type { Mechanism, Outage, Subscriber } from './network.ts';
import type { Rng } from './random.ts';
import type { EventType, NetworkEvent, Rat } from './truth.ts';

export type BurstJob = {
  kind: 'burst';
  durS: number;
  up: number;
  down: number;
  detachAfter: boolean;
  updateEveryS?: number;
};

export type Job =
  | BurstJob
  | { kind: 'attach' }
  | { kind: 'tick' }
  | { kind: 'sms_mo' }
  | { kind: 'voice'; seconds: number }
  | { kind: 'sms_mt' }
  | { kind: 'power_off' }
  | { kind: 'reattach' }
  | { kind: 'move'; plmn: string; via?: string }
  | { kind: 'die'; implicitAfterS?: number }
  | { kind: 'swap'; imei: string }
  | { kind: 'deactivate' }
  | { kind: 'reconfigure'; apn: string }
  | { kind: 'bulk'; crossAt: number; block: boolean; durS: number }
  | { kind: 'session_reset' }
  | { kind: 'registered_refusal'; cause: number };

export interface Wake {
  at: number;
  job: Job;
}

/** Jobs the device's rhythm does not drive: they run even while the device is busy retrying. */
export const CONTROL = new Set<Job['kind']>([
  'sms_mt',
  'power_off',
  'reattach',
  'move',
  'die',
  'swap',
  'deactivate',
  'reconfigure',
  'bulk',
  'session_reset',
  'registered_refusal',
]);

/** Causes after which the UE re-attempts within seconds (TS 24.301 attach attempt counter, T3411). */
export const QUICK_RETRY = new Set([17]);
/** Causes no quick retry can cure; devices back off much further. */
export const PERMANENT = new Set([6, 7, 8, 11, 27, 29, 33]);

export interface DeviceTraits {
  rat: Rat;
  /** Routers keep one PDN connection open for days and report it in interim updates. */
  longSession: boolean;
  dailyBytes: number;
  upShare: number;
  tz: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  quickRetries: number;
  /** After three refused sessions the application resets the modem (detach, attach). */
  resetsModem: boolean;
}

export interface InitialState {
  plmn: string;
  attached: boolean;
  off: boolean;
  apn: string;
  imei: string;
  /** A PDN connection already open at the start of the window, opened this long before it. */
  sessionAgeMs?: number;
}

export interface SimInput {
  index: number;
  iccid: string;
  imsi: string;
  altImsi?: { plmn: string; imsi: string };
  svn: string;
  pgwOmitsImei: boolean;
  imeiForms: boolean;
  ipFor: (apn: string) => string;
  sub: Subscriber;
  outages: readonly Outage[];
  traits: DeviceTraits;
  initial: InitialState;
  from: number;
  to: number;
  rng: Rng;
}

export interface SimEvent {
  ms: number;
  ev: Omit<NetworkEvent, 'id'>;
  /** The device's real IMEI (15 digits) whatever form the event carries. */
  imei: string;
  mechanism?: Mechanism;
  outage?: Outage;
  /** When the session of a session* event began (may be before the window). */
  sessionStart?: number;
  /** The record at which the monthly allowance is crossed. */
  crossing?: boolean;
}

/** Share of the daily volume per local hour: offices and machines are busier by day. */
export const DIURNAL = (() => {
  const raw = Array.from({ length: 24 }, (_, h) => 0.35 + Math.max(0, Math.sin(((h - 6) / 16) * Math.PI)) * 1.4);
  const mean = raw.reduce((s, x) => s + x, 0) / 24;
  return raw.map((x) => x / mean);
})();

/** MMEs of these visited networks report IMEISV; 310 410 mediation strips the check digit. */
export const IMEISV_PLMNS = new Set(['26202', '23415', '20801']);

export interface Open {
  id: string;
  apn: string;
  start: number;
  up: number;
  down: number;
  last: number;
}

/** The fields every record of this SIM carries, in the form the network element that writes it uses. */
export function eventHead(
  input: SimInput,
  type: EventType,
  t: number,
  plmn: string,
  imei: string,
): Omit<NetworkEvent, 'id'> {
  const p = plmnInfo(plmn);
  const ev: Omit<NetworkEvent, 'id'> = { ts: iso(t), iccid: input.iccid, type };
  ev.imsi = input.altImsi && input.altImsi.plmn === plmn ? input.altImsi.imsi : input.imsi;
  let im: string | undefined = imei;
  if (input.imeiForms) {
    if (type === 'session_update' || type === 'session_end') im = input.pgwOmitsImei ? undefined : imei;
    else if (type === 'attach' || type === 'attach_rejected' || type === 'detach') {
      if (IMEISV_PLMNS.has(plmn)) im = imei.slice(0, 14) + input.svn;
      else if (plmn === '310410') im = imei.slice(0, 14);
    }
  }
  if (im !== undefined) ev.imei = im;
  ev.network = { mcc: p.mcc, mnc: p.mnc };
  ev.rat = input.traits.rat;
  return ev;
}

/** Bytes a long-lived session carries over `dtSec` seconds ending at `t`. */
export function longSessionBytes(traits: DeviceTraits, t: number, dtSec: number, rng: Rng): number {
  const hourly = DIURNAL[Math.floor(localHour(t, traits.tz))] ?? 1;
  return (traits.dailyBytes / 86_400) * hourly * rng.float(0.5, 1.5) * dtSec;
}

/** The PDN connection a router already had open when the window starts. */
export function sessionOpenAtStart(input: SimInput, id: string, t: number): Open | undefined {
  const age = input.initial.sessionAgeMs;
  if (age === undefined) return undefined;
  const bytes = (input.traits.dailyBytes * age) / 86_400_000;
  const up = Math.round(bytes * input.traits.upShare);
  return { id, apn: input.initial.apn, start: t - age, up, down: Math.round(bytes) - up, last: t };
}

/** Application-level retry delay: doubling from a base up to a cap, longer for refusals no retry will cure. */
export function backoffMs(traits: DeviceTraits, cause: number, failures: number, rng: Rng): number {
  const base = PERMANENT.has(cause) ? traits.backoffBaseMs * 4 : traits.backoffBaseMs;
  const cap = PERMANENT.has(cause) ? traits.backoffCapMs * 2 : traits.backoffCapMs;
  return Math.min(base * 2 ** Math.min(failures - 1, 12), cap) * rng.float(0.8, 1.25);
}
