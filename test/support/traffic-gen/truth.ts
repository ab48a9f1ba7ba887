/**
 * Shapes the generator hands to a test: the fleet to register, the network events (ingest contract v1) and the
 * ground truth per SIM. Written from the public contract and 3GPP, not from iotops's own code.
 */

/** Root causes a correct SIM diagnosis must tell apart. A SIM has exactly one. */
export const CATEGORIES = [
  'healthy',
  'apn_typo',
  'plmn_not_allowed',
  'sim_not_active',
  'sim_blocked_by_limit',
  'imei_changed',
  'device_silent',
  'roaming_partner_outage',
  'network_outage',
  'apn_gateway_outage',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Categories injected on single SIMs (the outages come from the network, not from the SIM). */
export const PER_SIM_FAULTS = [
  'apn_typo',
  'plmn_not_allowed',
  'sim_not_active',
  'sim_blocked_by_limit',
  'imei_changed',
  'device_silent',
] as const satisfies readonly Category[];

export const OUTAGE_CATEGORIES = [
  'roaming_partner_outage',
  'network_outage',
  'apn_gateway_outage',
] as const satisfies readonly Category[];

export const DEVICE_KINDS = [
  'smart_meter',
  'asset_tracker',
  'router',
  'vending_machine',
  'industrial_machine',
  'alarm_panel',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type Rat = '2G' | '3G' | '4G' | '5G' | 'NB-IoT' | 'LTE-M';

export const EVENT_TYPES = [
  'attach',
  'attach_rejected',
  'detach',
  'session_start',
  'session_update',
  'session_end',
  'session_rejected',
  'sms_mo',
  'sms_mt',
  'voice',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One network event exactly as contract v1 puts it on the wire. */
export interface NetworkEvent {
  id: string;
  ts: string;
  iccid: string;
  type: EventType;
  imsi?: string;
  imei?: string;
  network?: { mcc: string; mnc: string };
  rat?: Rat;
  apn?: string;
  session_id?: string;
  ip?: string;
  bytes_up?: number;
  bytes_down?: number;
  cause?: number;
  status?: 'delivered' | 'failed';
  seconds?: number;
}

export interface FleetAccount {
  key: string;
  name: string;
}

export interface FleetCommunicationPlan {
  key: string;
  accountKey: string;
  /** APNs the plan allows (network identifiers compare case-insensitively). */
  apns: string[];
  /** Visited PLMNs ("MCC+MNC") the plan allows; the home PLMN is always allowed and not listed. */
  roamingPlmns: string[];
  services: { data: boolean; sms: boolean };
  /** When true the SIM only works in the device whose IMEI the catalog records. */
  imeiLock: boolean;
}

export type OverageAction = { action: 'block' } | { action: 'throttle'; rateKbps: number } | { action: 'charge' };

export interface FleetRatePlan {
  key: string;
  accountKey: string;
  /** Monthly allowance; per SIM, or for the whole plan when pooled. */
  includedDataMb: number;
  pooling: 'per_sim' | 'pooled';
  overageAction: OverageAction;
}

export interface FleetSim {
  /** 20 digits: 89, country 46, issuer, serial, Luhn check digit (ITU E.118). */
  iccid: string;
  /** Home IMSI; its first five digits are the home MCC+MNC. */
  imsi: string;
  /** Further IMSIs of a multi-IMSI SIM (used on some visited networks). */
  secondaryImsis: string[];
  msisdn: string;
  /** The IMEI the catalog records (15 digits, Luhn). */
  imei: string;
  accountKey: string;
  communicationPlanKey: string;
  ratePlanKey: string;
  state: 'ACTIVATED' | 'DEACTIVATED';
  deviceKind: DeviceKind;
  /** The APN string the device is configured with (case may differ from the plan's). */
  deviceApn: string;
}

export interface PlmnRef {
  code: string;
  mcc: string;
  mnc: string;
  country: string;
}

export interface Fleet {
  homePlmn: PlmnRef;
  roamingPartners: PlmnRef[];
  accounts: FleetAccount[];
  communicationPlans: FleetCommunicationPlan[];
  ratePlans: FleetRatePlan[];
  sims: FleetSim[];
}

/** What a healthy SIM went through that a naive diagnosis might mistake for a fault. */
export type HealthyNote =
  | 'transient_refusals'
  | 'steered_to_allowed_plmn'
  | 'recovered_after_outage'
  | 'imei_changed_unlocked'
  | 'limit_crossed_kept_working'
  | 'no_traffic_in_window';

export interface HealthyDetails {
  notes: HealthyNote[];
  /** The device's usual longest gap between contacts (night or heartbeat period included). */
  usualIntervalMinutes: number;
  imeiChange?: { oldImei: string; newImei: string; changedAt: string };
  limitCrossedAt?: string;
}

export interface OutageDetails {
  plmn: string;
  outageStart: string;
  firstRefusedAt: string;
  cause: number;
}

export type TruthEntry =
  | { iccid: string; category: 'healthy'; details: HealthyDetails }
  | { iccid: string; category: 'apn_typo'; details: { apn: string; rightApn: string; since: string; cause: number } }
  | { iccid: string; category: 'plmn_not_allowed'; details: { plmn: string; since: string; cause: number } }
  | {
      iccid: string;
      category: 'sim_not_active';
      /** `since` is null when the SIM was already deactivated before the window. */
      details: { since: string | null; firstRefusedAt: string; cause: number };
    }
  | {
      iccid: string;
      category: 'sim_blocked_by_limit';
      details: { crossedAt: string; includedDataMb: number; usageBytesAtCrossing: number; cause: number };
    }
  | {
      iccid: string;
      category: 'imei_changed';
      details: { oldImei: string; newImei: string; changedAt: string; refusedAt: 'attach' | 'session'; cause: number };
    }
  | {
      iccid: string;
      category: 'device_silent';
      details: { lastSeen: string; usualIntervalMinutes: number; silentMinutes: number };
    }
  | { iccid: string; category: 'roaming_partner_outage'; details: OutageDetails }
  | { iccid: string; category: 'network_outage'; details: OutageDetails }
  | {
      iccid: string;
      category: 'apn_gateway_outage';
      details: { apn: string; outageStart: string; firstRefusedAt: string; cause: number };
    };

/** Network-side ground truth: every outage the generator injected, including ones that ended. */
export interface OutageTruth {
  id: string;
  kind: 'roaming_partner' | 'home_network' | 'apn_gateway';
  plmn?: string;
  apn?: string;
  start: string;
  /** null: still going on at `to`. */
  end: string | null;
  cause: number;
  /** SIMs whose truth category is this outage. */
  affectedIccids: string[];
}

export interface Quirks {
  /** Visited MMEs report IMEISV (16 digits) or a 14-digit IMEI; some PGW records carry no IMEI. Default true. */
  imeiForms?: boolean;
  /** Multi-IMSI SIMs use a local IMSI in the US (310 410). Default true. */
  multiImsi?: boolean;
}

export interface GenerateOptions {
  seed: number | string;
  from: Date;
  to: Date;
  /** Fleet size; default 400. */
  sims?: number;
  quirks?: Quirks;
}

export interface Generated {
  fleet: Fleet;
  /** Sorted by `ts`; ids are `tg-<seed>-<n>`. */
  events: NetworkEvent[];
  /** One entry per SIM of the fleet, in fleet order. */
  truth: TruthEntry[];
  outages: OutageTruth[];
}
