/**
 * The simulated fleet: who is on the network and how each behaves. A member is one SIM (as the network sees it:
 * ICCID, current IMSI, IMEI, home PLMN, APN, plan services) with, optionally, the device (asset) it sits in.
 * Built from the database (fleet.repo.ts) or generated (`syntheticFleet`) for runs without one.
 */
import { plmnAllowedByPlan } from '../catalog/catalog.zones.ts';
import { findPlmn } from '../plmns/plmns.data.ts';
import { luhnDigit } from '../sims/identifiers.ts';
import { hash32 } from './rng.ts';

export const DEVICE_CLASSES = ['meter', 'tracker', 'router', 'machine', 'vending'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];
export const isDeviceClass = (s: string): s is DeviceClass => (DEVICE_CLASSES as readonly string[]).includes(s);

export type Plmn = { mcc: string; mnc: string };
export const plmnCode = (p: Plmn) => p.mcc + p.mnc;

export type FleetMember = {
  /** 20 digits as the API shows it: the 19-digit body and its Luhn digit. */
  iccid: string;
  imsi: string;
  imei: string;
  homePlmn: Plmn;
  /** The plan's first APN: what a correctly configured device asks for. */
  apn: string;
  planServices: { data: boolean; sms: boolean; voice: boolean };
  deviceClass: DeviceClass;
  /** The device's external id (the telemetry topic's deviceId), when the SIM sits in a known device. */
  deviceId?: string;
  wearParts: string[];
  consumables: string[];
  /** Visited PLMNs this member may roam on (trackers); empty = stays home. */
  roamingPlmns: Plmn[];
};

/** Class weights, e.g. `meter=40,tracker=25,router=10,machine=15,vending=10`. */
export type Mix = Record<DeviceClass, number>;
export const DEFAULT_MIX: Mix = { meter: 40, tracker: 25, router: 10, machine: 15, vending: 10 };

/** Parses a `--mix` value; returns the problem as text so the caller can name the option. */
export function parseMix(text: string): { ok: true; mix: Mix } | { ok: false; reason: string } {
  const mix: Mix = { meter: 0, tracker: 0, router: 0, machine: 0, vending: 0 };
  for (const part of text.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) return { ok: false, reason: `"${part}" is not class=weight` };
    const [, name, weight] = m;
    if (!isDeviceClass(name!))
      return { ok: false, reason: `unknown class "${name}" (one of ${DEVICE_CLASSES.join(', ')})` };
    mix[name] = Number(weight);
  }
  if (Object.values(mix).every((w) => w === 0)) return { ok: false, reason: 'at least one weight must be > 0' };
  return { ok: true, mix };
}

/** A deterministic class for a SIM with no device model: the ICCID's hash lands in the mix's weights. */
export function classByHash(mix: Mix, iccid: string, seed: number): DeviceClass {
  const total = DEVICE_CLASSES.reduce((s, c) => s + mix[c], 0);
  let x = (hash32(`${seed}/class/${iccid}`) / 2 ** 32) * total;
  for (const c of DEVICE_CLASSES) {
    x -= mix[c];
    if (x < 0) return c;
  }
  return DEVICE_CLASSES.findLast((c) => mix[c] > 0)!;
}

/**
 * Home PLMN of an IMSI. The MNC is 2 or 3 digits and the IMSI does not say which: prefer the reference's
 * 3-digit network when it exists and no 2-digit one does (e.g. 310 410 in the US), else 2 digits.
 */
export function homePlmnOfImsi(imsi: string): Plmn {
  const mcc = imsi.slice(0, 3);
  const two = imsi.slice(3, 5);
  const three = imsi.slice(3, 6);
  if (!findPlmn(mcc + two) && findPlmn(mcc + three)) return { mcc, mnc: three };
  return { mcc, mnc: two };
}

export const parsePlmnCode = (code: string): Plmn => ({ mcc: code.slice(0, 3), mnc: code.slice(3) });

/** Big European partners a tracker fleet typically roams on (filtered by the plan's zones and PLMNs). */
// biome-ignore format: a list of codes
const ROAMING_PARTNERS = [
  '26201', '26202', '26203', '20801', '20810', '20820', '22201', '22210', '22288', '21401', '21407', '23415',
  '23410', '20404', '20408', '20601', '23201', '24001', '24002', '24201', '24405', '23801', '26001', '23003',
  '27201', '29340', '31026', '302720',
];

/** The partners a plan allows, except the home network itself. */
export function roamingPool(plan: { roamingPlmns: readonly string[]; roamingZones: readonly string[] }, home: Plmn) {
  const candidates = new Set([...ROAMING_PARTNERS, ...plan.roamingPlmns]);
  return [...candidates]
    .filter((code) => code !== plmnCode(home) && plmnAllowedByPlan(plan, code))
    .sort()
    .map(parsePlmnCode);
}

/** A valid 15-digit IMEI (TAC + serial + Luhn) derived from a key, for SIMs whose device IMEI is unknown. */
export function imeiFor(key: string, tac = '35693803'): string {
  const body = tac + String(hash32(`imei/${key}`) % 1_000_000).padStart(6, '0');
  return body + String(luhnDigit(body));
}

const SYNTHETIC_PARTS: Partial<Record<DeviceClass, { wear: string[]; consumables: string[] }>> = {
  machine: { wear: ['spindle-bearing', 'seal-kit', 'drive-belt'], consumables: ['coolant'] },
  vending: { wear: ['coin-mech'], consumables: ['cola', 'water', 'snacks', 'coffee-beans'] },
  router: { wear: [], consumables: [] },
};
const SYNTHETIC_PLANS: Record<DeviceClass, { apn: string; sms: boolean; voice: boolean; zones: string[] }> = {
  meter: { apn: 'amr.sim', sms: false, voice: false, zones: [] },
  tracker: { apn: 'fleet.sim', sms: true, voice: false, zones: ['EU_EEA'] },
  router: { apn: 'corp.sim', sms: true, voice: false, zones: [] },
  machine: { apn: 'iot.sim', sms: false, voice: false, zones: [] },
  vending: { apn: 'iot.sim', sms: true, voice: true, zones: [] },
};
export const SYNTHETIC_HOME: Plmn = { mcc: '240', mnc: '07' };

/**
 * N members without a database: ICCIDs 894609 9 + seed (3 digits) + serial (9 digits) + Luhn, so two runs with
 * different seeds never collide, and SIMs of the demo (894607…) are never hit. Every member has a device.
 */
export function syntheticFleet(n: number, seed: number, mix: Mix = DEFAULT_MIX): FleetMember[] {
  const out: FleetMember[] = [];
  const s3 = String(seed % 1000).padStart(3, '0');
  for (let i = 0; i < n; i++) {
    const serial = String(i).padStart(9, '0');
    const body = `8946099${s3}${serial}`;
    const iccid = body + String(luhnDigit(body));
    const deviceClass = classByHash(mix, iccid, seed);
    const plan = SYNTHETIC_PLANS[deviceClass];
    const parts = SYNTHETIC_PARTS[deviceClass];
    out.push({
      iccid,
      imsi: `${plmnCode(SYNTHETIC_HOME)}9${s3}${String(i).padStart(6, '0')}`,
      imei: imeiFor(iccid),
      homePlmn: SYNTHETIC_HOME,
      apn: plan.apn,
      planServices: { data: true, sms: plan.sms, voice: plan.voice },
      deviceClass,
      deviceId: `sim-${deviceClass}-${s3}-${serial.slice(3)}`,
      wearParts: parts?.wear ?? [],
      consumables: parts?.consumables ?? [],
      roamingPlmns: roamingPool({ roamingPlmns: [], roamingZones: plan.zones }, SYNTHETIC_HOME),
    });
  }
  return out;
}
