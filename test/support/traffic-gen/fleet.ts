/**
 * The fleet: PLMNs, accounts, communication and rate plans, and the SIMs with the device each sits in. Plain data
 * a test registers in iotops; the per-SIM extras (`SimBase`) stay inside the generator.
 */
import type { Rng } from './random.ts';
import type {
  DeviceKind,
  Fleet,
  FleetAccount,
  FleetCommunicationPlan,
  FleetRatePlan,
  FleetSim,
  PlmnRef,
} from './truth.ts';

export interface PlmnInfo extends PlmnRef {
  /** UTC offset of the country in standard time; drives opening hours and nightly uploads. */
  tz: number;
  partner: boolean;
}

function plmn(code: string, country: string, tz: number, partner: boolean): PlmnInfo {
  return { code, mcc: code.slice(0, 3), mnc: code.slice(3), country, tz, partner };
}

export const HOME_PLMN = '24001';

export const PLMNS: ReadonlyMap<string, PlmnInfo> = new Map(
  [
    plmn(HOME_PLMN, 'SE', 1, false),
    plmn('26201', 'DE', 1, true),
    plmn('26202', 'DE', 1, true),
    plmn('20801', 'FR', 1, true),
    plmn('23415', 'GB', 0, true),
    plmn('24491', 'FI', 2, true),
    plmn('23801', 'DK', 1, true),
    plmn('24201', 'NO', 1, true),
    plmn('310410', 'US', -6, true),
    // No roaming agreement: any attach there is refused by the home HSS.
    plmn('20408', 'NL', 1, false),
    plmn('21407', 'ES', 1, false),
    plmn('22210', 'IT', 1, false),
  ].map((p) => [p.code, p]),
);

export function plmnInfo(code: string): PlmnInfo {
  const p = PLMNS.get(code);
  if (!p) throw new RangeError(`unknown PLMN ${code}`);
  return p;
}

export const ACCOUNTS: FleetAccount[] = [
  { key: 'nordgrid', name: 'NordGrid Energi AB' },
  { key: 'logix', name: 'Logix Freight AB' },
  { key: 'coolbox', name: 'CoolBox Vending AB' },
  { key: 'fabrik', name: 'Fabrik Industri AB' },
  { key: 'citysafe', name: 'CitySafe Larm AB' },
];

const ACCOUNT_WEIGHTS: [string, number][] = [
  ['nordgrid', 0.28],
  ['logix', 0.25],
  ['coolbox', 0.17],
  ['fabrik', 0.15],
  ['citysafe', 0.15],
];

const data = { data: true, sms: false };
const dataSms = { data: true, sms: true };
const EU_ROUTE = ['26201', '26202', '20801', '23415', '24491', '23801', '24201'];
const NORDIC = ['24491', '24201', '23801'];

export const COMMUNICATION_PLANS: FleetCommunicationPlan[] = [
  cp('ng-meter', 'nordgrid', ['meter.nordgrid'], [], dataSms, true),
  cp('ng-meter-fi', 'nordgrid', ['meter.nordgrid'], ['24491'], dataSms, false),
  cp('ng-gw', 'nordgrid', ['scada.nordgrid', 'iot.northwind.net'], [], data, true),
  cp('lx-eu', 'logix', ['gps.logix.eu'], EU_ROUTE, dataSms, false),
  cp('lx-nordic', 'logix', ['gps.logix.eu', 'iot.northwind.net'], NORDIC, dataSms, true),
  cp('cb-se', 'coolbox', ['vend.coolbox'], [], data, false),
  cp('cb-eu', 'coolbox', ['vend.coolbox', 'iot.northwind.net'], ['26201', '20801'], data, true),
  cp('fb-plant', 'fabrik', ['plant.fabrik.de', 'iot.northwind.net'], ['26202', '310410'], data, true),
  cp('fb-remote', 'fabrik', ['iot.northwind.net'], ['26201', '23415', '310410', '20801'], data, false),
  cp('cs-alarm', 'citysafe', ['alarm.citysafe.se'], [], dataSms, true),
  cp('cs-mobile', 'citysafe', ['alarm.citysafe.se', 'iot.northwind.net'], [...NORDIC, '26201'], dataSms, false),
];

function cp(
  key: string,
  accountKey: string,
  apns: string[],
  roamingPlmns: string[],
  services: { data: boolean; sms: boolean },
  imeiLock: boolean,
): FleetCommunicationPlan {
  return { key, accountKey, apns, roamingPlmns, services: { ...services }, imeiLock };
}

export const RATE_PLANS: FleetRatePlan[] = [
  {
    key: 'ng-meter-2',
    accountKey: 'nordgrid',
    includedDataMb: 2,
    pooling: 'per_sim',
    overageAction: { action: 'block' },
  },
  {
    key: 'ng-gw-pool',
    accountKey: 'nordgrid',
    includedDataMb: 60000,
    pooling: 'pooled',
    overageAction: { action: 'charge' },
  },
  { key: 'lx-10', accountKey: 'logix', includedDataMb: 10, pooling: 'per_sim', overageAction: { action: 'block' } },
  {
    key: 'lx-25-throttle',
    accountKey: 'logix',
    includedDataMb: 25,
    pooling: 'per_sim',
    overageAction: { action: 'throttle', rateKbps: 64 },
  },
  {
    key: 'lx-pool',
    accountKey: 'logix',
    includedDataMb: 80000,
    pooling: 'pooled',
    overageAction: { action: 'charge' },
  },
  { key: 'cb-5', accountKey: 'coolbox', includedDataMb: 5, pooling: 'per_sim', overageAction: { action: 'block' } },
  {
    key: 'cb-pool',
    accountKey: 'coolbox',
    includedDataMb: 40000,
    pooling: 'pooled',
    overageAction: { action: 'block' },
  },
  { key: 'fb-500', accountKey: 'fabrik', includedDataMb: 500, pooling: 'per_sim', overageAction: { action: 'charge' } },
  {
    key: 'fb-2000',
    accountKey: 'fabrik',
    includedDataMb: 2000,
    pooling: 'per_sim',
    overageAction: { action: 'block' },
  },
  { key: 'cs-1', accountKey: 'citysafe', includedDataMb: 1, pooling: 'per_sim', overageAction: { action: 'block' } },
  {
    key: 'cs-50-throttle',
    accountKey: 'citysafe',
    includedDataMb: 50,
    pooling: 'per_sim',
    overageAction: { action: 'throttle', rateKbps: 128 },
  },
  {
    key: 'cs-pool',
    accountKey: 'citysafe',
    includedDataMb: 50000,
    pooling: 'pooled',
    overageAction: { action: 'charge' },
  },
];

/**
 * How each IMEI-locked plan is enforced on this network: by the EIR check at attach (EMM #6 illegal ME) or by the
 * PGW's AAA at session set-up (ESM #29 user authentication failed).
 */
export const IMEI_RULES: Readonly<Record<string, { at: 'attach' | 'session'; cause: number }>> = {
  'ng-meter': { at: 'attach', cause: 6 },
  'ng-gw': { at: 'session', cause: 29 },
  'lx-nordic': { at: 'attach', cause: 6 },
  'cb-eu': { at: 'session', cause: 29 },
  'fb-plant': { at: 'attach', cause: 6 },
  'cs-alarm': { at: 'session', cause: 29 },
};

export interface Profile {
  account: string;
  kind: DeviceKind;
  plan: string;
  rate: string;
  /** Where a static device is deployed (a partner PLMN means permanent roaming). */
  bases: readonly string[];
  /** PLMNs a moving device travels between (home included implicitly). */
  travel?: readonly string[];
  weight: number;
}

const P = (
  account: string,
  kind: DeviceKind,
  plan: string,
  rate: string,
  bases: string[],
  weight: number,
  travel?: string[],
): Profile =>
  travel ? { account, kind, plan, rate, bases, travel, weight } : { account, kind, plan, rate, bases, weight };

export const PROFILES: Profile[] = [
  P('nordgrid', 'smart_meter', 'ng-meter', 'ng-meter-2', [HOME_PLMN], 0.62),
  P('nordgrid', 'smart_meter', 'ng-meter-fi', 'ng-meter-2', ['24491'], 0.13),
  P('nordgrid', 'router', 'ng-gw', 'ng-gw-pool', [HOME_PLMN], 0.15),
  P('nordgrid', 'alarm_panel', 'ng-meter', 'ng-meter-2', [HOME_PLMN], 0.1),
  P('logix', 'asset_tracker', 'lx-eu', 'lx-10', [HOME_PLMN], 0.45, EU_ROUTE),
  P('logix', 'asset_tracker', 'lx-nordic', 'lx-25-throttle', [HOME_PLMN], 0.3, NORDIC),
  P('logix', 'asset_tracker', 'lx-nordic', 'lx-10', [HOME_PLMN], 0.1),
  P('logix', 'router', 'lx-eu', 'lx-pool', [HOME_PLMN], 0.15),
  P('coolbox', 'vending_machine', 'cb-se', 'cb-5', [HOME_PLMN], 0.55),
  P('coolbox', 'vending_machine', 'cb-eu', 'cb-5', ['26201', '20801'], 0.3),
  P('coolbox', 'router', 'cb-se', 'cb-pool', [HOME_PLMN], 0.15),
  P('fabrik', 'industrial_machine', 'fb-plant', 'fb-500', [HOME_PLMN], 0.4),
  P('fabrik', 'industrial_machine', 'fb-plant', 'fb-500', ['26202', '310410'], 0.25),
  P('fabrik', 'router', 'fb-remote', 'fb-2000', [HOME_PLMN, '26201', '23415'], 0.35),
  P('citysafe', 'alarm_panel', 'cs-alarm', 'cs-1', [HOME_PLMN], 0.45),
  P('citysafe', 'asset_tracker', 'cs-mobile', 'cs-50-throttle', [HOME_PLMN], 0.25, [...NORDIC, '26201']),
  P('citysafe', 'router', 'cs-mobile', 'cs-pool', [HOME_PLMN], 0.15),
  P('citysafe', 'alarm_panel', 'cs-mobile', 'cs-50-throttle', ['24201'], 0.15),
];

/** Type allocation codes by device kind (a few module vendors each). */
const TACS: Record<DeviceKind, readonly string[]> = {
  smart_meter: ['86436905', '35845011', '86021204'],
  asset_tracker: ['35907811', '86758204'],
  router: ['35246510', '86069104', '35598112'],
  vending_machine: ['35311809', '86412303'],
  industrial_machine: ['35495612', '86280306'],
  alarm_panel: ['86973203', '35170708'],
};

/** Luhn check digit for a digit string (ITU E.118 ICCID, GSMA IMEI). */
export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function makeImei(rng: Rng, kind: DeviceKind, taken: Set<string>): string {
  for (;;) {
    const body = rng.pick(TACS[kind]) + rng.digits(6);
    if (taken.has(body)) continue;
    taken.add(body);
    return body + luhnDigit(body);
  }
}

export interface SimBase {
  index: number;
  sim: FleetSim;
  profile: Profile;
  plan: FleetCommunicationPlan;
  rate: FleetRatePlan;
  /** Where the device starts (and stays, unless it travels). */
  base: string;
  /** The local IMSI a multi-IMSI SIM uses on this PLMN. */
  altImsi?: { plmn: string; imsi: string };
  /** IMEISV software version the module reports next to its IMEI. */
  svn: string;
  /** The PGW that records this SIM's sessions leaves the IMEI out of interim and stop records. */
  pgwOmitsImei: boolean;
}

function caseVariant(rng: Rng, apn: string): string {
  if (!rng.chance(0.12)) return apn;
  return rng.chance(0.5)
    ? apn.toUpperCase()
    : apn
        .split('.')
        .map((l) => l.charAt(0).toUpperCase() + l.slice(1))
        .join('.');
}

export function buildFleet(
  rng: Rng,
  n: number,
  multiImsi: boolean,
): { fleet: Fleet; bases: SimBase[]; imeis: Set<string> } {
  const imeis = new Set<string>();
  const serialBase = 1_000_000_000_000 + rng.int(0, 8_000_000_000) * 100;
  const msinBase = rng.int(1_000_000, 8_000_000) * 1000;
  const msisdnBase = rng.int(100_000, 800_000);
  const bases: SimBase[] = [];
  for (let index = 0; index < n; index++) {
    const account = rng.weighted(ACCOUNT_WEIGHTS);
    const profile = rng.weighted(PROFILES.filter((p) => p.account === account).map((p) => [p, p.weight] as const));
    const plan = COMMUNICATION_PLANS.find((c) => c.key === profile.plan);
    const rate = RATE_PLANS.find((r) => r.key === profile.rate);
    if (!plan || !rate) throw new Error(`profile ${profile.plan}/${profile.rate} names an unknown plan`);
    const iccidBody = `894601${String(serialBase + index).padStart(13, '0')}`;
    const imsi = `${HOME_PLMN}${String(msinBase + index).padStart(10, '0')}`;
    const usable = plan.roamingPlmns.includes('310410') && multiImsi;
    const altImsi = usable
      ? {
          plmn: '310410',
          imsi: `310410${String(msinBase + index)
            .slice(-9)
            .padStart(9, '0')}`,
        }
      : undefined;
    const apn = plan.apns.length > 1 && rng.chance(0.25) ? (plan.apns[1] as string) : (plan.apns[0] as string);
    const sim: FleetSim = {
      iccid: iccidBody + luhnDigit(iccidBody),
      imsi,
      secondaryImsis: altImsi ? [altImsi.imsi] : [],
      msisdn: `46719${String(msisdnBase + index).padStart(6, '0')}`,
      imei: makeImei(rng, profile.kind, imeis),
      accountKey: account,
      communicationPlanKey: plan.key,
      ratePlanKey: rate.key,
      state: 'ACTIVATED',
      deviceKind: profile.kind,
      deviceApn: caseVariant(rng, apn),
    };
    const base = rng.pick(profile.bases);
    const b: SimBase = {
      index,
      sim,
      profile,
      plan,
      rate,
      base,
      svn: String(rng.int(1, 98)).padStart(2, '0'),
      pgwOmitsImei: rng.chance(0.5),
    };
    if (altImsi) b.altImsi = altImsi;
    bases.push(b);
  }
  const partners = [...PLMNS.values()].filter((p) => p.partner);
  const home = plmnInfo(HOME_PLMN);
  const ref = (p: PlmnInfo): PlmnRef => ({ code: p.code, mcc: p.mcc, mnc: p.mnc, country: p.country });
  const fleet: Fleet = {
    homePlmn: ref(home),
    roamingPartners: partners.map(ref),
    accounts: ACCOUNTS.map((a) => ({ ...a })),
    communicationPlans: COMMUNICATION_PLANS.map((c) => ({
      ...c,
      apns: [...c.apns],
      roamingPlmns: [...c.roamingPlmns],
    })),
    ratePlans: RATE_PLANS.map((r) => ({ ...r, overageAction: { ...r.overageAction } })),
    sims: bases.map((b) => b.sim),
  };
  return { fleet, bases, imeis };
}
