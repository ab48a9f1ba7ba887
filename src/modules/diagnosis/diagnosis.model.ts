/**
 * Connectivity diagnosis (issue 5), the pure part: what one diagnosis of one SIM needs (`DiagnosisInput`, a
 * snapshot a repo gathers with a handful of indexed reads) and what it answers (`Diagnosis`). No database here:
 * the engine is a function of its input, so it is tested with hand-built snapshots and runs in well under a
 * millisecond for a capped event list.
 *
 * Shapes follow Cisco Control Center's diagnostics (traffic-light tests per layer, each with the fix), Soracom's
 * diagnostic insights (category + severity + related data) and emnify/1NCE's connectivity reset as the action —
 * plus what they lack: the evidence behind every verdict (event ids, configuration values, fleet figures), the
 * fleet correlation ("is it us or you?") and one root cause in words for the agent and for the customer.
 */
import type { Language } from '../accounts/accounts.schemas.ts';
import type { NetworkEvent, NetworkEventType } from '../ingest/contract.ts';
import type { NetworkStatus } from '../ingest/network-effects.ts';
import type { SimState } from '../sims/lifecycle.ts';

// ── Input ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** Most events a diagnosis reads (newest first): a misconfigured device retries every few minutes, so 2000 events
 * cover days of retries; the engine is linear in this list. */
export const MAX_EVENTS = 2000;

/** One network event as stored in `network_events` (the contract's normalised record without the SIM's keys). */
export type DiagnosisEvent = Pick<
  NetworkEvent,
  'id' | 'ts' | 'type' | 'imsi' | 'imei' | 'plmn' | 'rat' | 'apn' | 'sessionId' | 'cause' | 'status' | 'seconds'
>;

export type DiagnosisSim = {
  /** As the API shows it (20 digits with the Luhn digit), echoed in the result. */
  iccid: string;
  /** Every IMSI of the SIM (`sim_imsis`); the home PLMN is the one an IMSI starts with. */
  imsis: readonly { imsi: string; isCurrent: boolean }[];
  msisdn: string | null;
  /** The IMEI on record for the SIM (`sims.imei`, set by import or API), if any. */
  imei: string | null;
  /** IMEI lock: the network refuses the SIM in any device but `imei` — set on the SIM itself, or by its plan. */
  imeiLock: 'sim' | 'plan' | null;
  state: SimState;
  stateChangedAt: Date;
  /** The owning account's language: the customer summary is written in it (all six are produced anyway). */
  language: Language;
};

export type DiagnosisCommunicationPlan = {
  name: string;
  /** As stored (lower case); compared case-insensitively anyway. */
  apns: readonly string[];
  dataEnabled: boolean;
  smsEnabled: boolean;
  voiceEnabled: boolean;
  csdEnabled: boolean;
  allowedRats: readonly string[];
  /** Visited PLMNs allowed besides the zones (MCC+MNC); the home network is always allowed. */
  roamingPlmns: readonly string[];
  /** Zone codes (catalog.zones.ts); a PLMN serving a country of one of them is allowed. */
  roamingZones: readonly string[];
};

export type DiagnosisRatePlan = {
  name: string;
  currency: string;
  /** 0 = no data included (everything is overage, or the plan is SMS-only). MB = 2^20 bytes. */
  includedDataMb: number;
  includedSms: number;
  includedVoiceMin: number;
  /** per_sim: the allowance is this SIM's; pooled: shared by the account's SIMs (no per-SIM verdict). */
  pooling: 'per_sim' | 'pooled';
  /** Price per MB beyond the allowance (numeric column as a number); 0 = no overage price set. */
  overageDataPerMb: number;
  /** What the network does once the allowance is used up: charge (data goes on), block, or throttle. */
  overageAction: 'charge' | 'block' | 'throttle';
  overageThrottleKbps: number | null;
  /** TEST_READY allowances; 0 = not limited. */
  testDataMb: number;
  testSms: number;
  testVoiceMin: number;
  testDays: number;
};

/** Usage totals (bytes up + down, SMS MO + MT, voice seconds). */
export type UsageTotals = { bytes: number; sms: number; voiceSeconds: number };

/** The SIM's row of `sim_network_state` (null when no event was ever applied). */
export type DiagnosisNetworkState = {
  status: NetworkStatus;
  lastEventAt: Date;
  lastEventType: NetworkEventType;
  plmn: string | null;
  rat: string | null;
  apn: string | null;
  sessionId: string | null;
  sessionStartedAt: Date | null;
  lastRejectType: string | null;
  lastRejectCause: number | null;
  lastRejectAt: Date | null;
  imsi: string | null;
  imei: string | null;
  imeiChangedAt: Date | null;
};

/** A row of `data_sessions` touching the window. */
export type DiagnosisSession = {
  sessionId: string;
  plmn: string | null;
  apn: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  lastSeenAt: Date;
  bytesUp: number;
  bytesDown: number;
};

/**
 * The SIM's usual rhythm, against which silence is judged. Computed from the hours with usage over the last days
 * (`activityPatternFromHours`, fed by `sim_usage_hourly`): a meter that reports twice a day is not "silent" after
 * 3 hours, a tracker is.
 */
export type ActivityPattern = {
  /** Days looked back. */
  days: number;
  /** Hours with any usage in those days. */
  activeHours: number;
  /** 95th percentile of the gaps between consecutive active hours (ms); null with fewer than 3 active hours. */
  typicalGapMs: number | null;
  /** The longest such gap (ms); null as above. */
  longestGapMs: number | null;
  /**
   * The day's rhythm: for each UTC hour of the day, on how many distinct days the SIM was active in it, and on how
   * many days it was active at all. A vending machine is quiet every night; its night is not silence.
   */
  byHourOfDay?: readonly number[];
  activeDays?: number;
  /** Mean and standard deviation of the pauses between contacts (gaps over an hour, ms); absent below two. */
  meanGapMs?: number;
  sdGapMs?: number;
};

/** Counts of one kind of attempt at one PLMN or APN, over the fleet (all tenants), in `fleet.period`. */
export type FleetCell = {
  rejected: number;
  accepted: number;
  /** Distinct SIMs refused (this one included); null when the repo cannot tell (the roll-up counts events). */
  failingSims: number | null;
  /** Distinct tenants refused (this one included); null when unknown. */
  failingTenants: number | null;
  /** The group's refused share of attempts in the day before the period; null with too few attempts to say. */
  baselineShare?: number | null;
};

export type FleetPlmnHealth = {
  plmn: string;
  /** attach_rejected vs attach. */
  attach: FleetCell;
  /** session_rejected vs session_start, over all APNs. */
  sessions: FleetCell;
  /** Start of the current run of rejects at this PLMN (the first 5-minute bucket of it), if any: the earlier of: */
  failingSince: Date | null;
  /** …its registrations' run, and its data sessions' run (an incident explains refusals of its kind inside it). */
  attachFailingSince?: Date | null;
  sessionFailingSince?: Date | null;
};

export type FleetApnHealth = {
  /** Lower case. */
  apn: string;
  /** session_rejected vs session_start, over all PLMNs. */
  sessions: FleetCell;
  failingSince: Date | null;
};

/** Fleet health for the PLMNs and APNs this SIM touched in the window (others are not needed). */
export type DiagnosisFleet = {
  period: { from: Date; to: Date };
  plmns: readonly FleetPlmnHealth[];
  apns: readonly FleetApnHealth[];
};

export type DiagnosisInput = {
  now: Date;
  window: { from: Date; to: Date };
  sim: DiagnosisSim;
  communicationPlan: DiagnosisCommunicationPlan | null;
  ratePlan: DiagnosisRatePlan | null;
  /**
   * This billing period (calendar month, UTC) up to now; `limitCrossedAt`: when the running total reached a per-SIM
   * allowance (hour precision), null when it has not.
   */
  usage: (UsageTotals & { period: { from: Date; to: Date }; limitCrossedAt?: Date | null }) | null;
  /** Usage since the SIM entered TEST_READY (only asked for when it is TEST_READY). */
  testUsage: UsageTotals | null;
  networkState: DiagnosisNetworkState | null;
  /** The window's events, newest first, at most MAX_EVENTS. */
  events: readonly DiagnosisEvent[];
  /** True when the window held more events than were read. */
  eventsTruncated: boolean;
  sessions: readonly DiagnosisSession[];
  /** `sim_imei_history`, any order. */
  imeiHistory: readonly { imei: string; firstSeenAt: Date; lastSeenAt: Date }[];
  activity: ActivityPattern | null;
  /** Null when fleet health was not gathered (the fleet checks answer unknown). */
  fleet: DiagnosisFleet | null;
};

// ── Result ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const LAYERS = [
  'identity',
  'provisioning',
  'policy',
  'registration',
  'data_session',
  'services',
  'activity',
] as const;
export type Layer = (typeof LAYERS)[number];

export const VERDICTS = ['ok', 'warning', 'error', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type Evidence =
  | {
      kind: 'event';
      /** The newest event of the group (its id may be null: the contract's id is optional). */
      id: string | null;
      ts: string;
      type: NetworkEventType;
      plmn?: string;
      apn?: string;
      cause?: number;
      causeName?: string;
      /** How many events alike in the window, and the first of them. */
      count?: number;
      firstTs?: string;
    }
  | { kind: 'config'; field: string; value: unknown }
  | {
      kind: 'fleet';
      scope: 'plmn' | 'apn';
      key: string;
      attempt: 'attach' | 'session';
      rejected: number;
      accepted: number;
      failingSims: number | null;
      failingTenants: number | null;
      since: string | null;
    }
  | { kind: 'usage'; metric: 'data_bytes' | 'sms' | 'voice_seconds' | 'test_days'; used: number; limit: number };

export type DiagnosisAction =
  /** Cancel location + delete the data session: the device registers afresh and re-reads its profile. */
  | { kind: 'connectivity_reset'; params: Record<string, never> }
  | { kind: 'change_state'; params: { to: SimState } }
  | {
      kind: 'change_plan';
      params: { plan: 'communication'; field: 'apns' | 'roamingPlmns'; add: string };
    }
  | {
      kind: 'change_plan';
      params: { plan: 'communication'; field: 'dataEnabled' | 'smsEnabled' | 'voiceEnabled'; value: boolean };
    }
  /** A configuration (OTA/device-management) SMS setting the device's APN. */
  | { kind: 'send_config_sms'; params: { apn: string } };

export type DiagnosisCheck = {
  layer: Layer;
  /** Stable code, `layer.name` (e.g. `data_session.apn_in_plan`). */
  check: string;
  verdict: Verdict;
  title: string;
  /** For the agent, with the values. */
  detail: string;
  evidence: Evidence[];
  fix?: string;
  action?: DiagnosisAction;
};

/**
 * Root causes, a closed list, in precedence order (first wins among findings of the same verdict; an error always
 * beats a warning). Administrative facts first (they explain every symptom after them), then configuration facts
 * (plan APNs, allowed networks), then the fleet (many SIMs failing at one PLMN/APN is the network, not the device),
 * then single-SIM network refusals, then the device's own behaviour.
 */
export const ROOT_CAUSES = [
  'sim_not_active',
  'test_allowance_used',
  'subscription_refused',
  // A SIM IMEI-locked to another device: the lock explains refusals that look like identity (EMM #6 "illegal ME"),
  // limits or credentials.
  'imei_changed',
  'identity_rejected',
  'quota_exhausted',
  'sim_blocked_by_limit',
  'data_not_in_plan',
  'plmn_not_allowed',
  'apn_typo',
  'apn_not_in_plan',
  'roaming_partner_outage',
  'network_outage',
  'apn_gateway_outage',
  'registration_rejected',
  'session_rejected',
  // Refused for a network-side reason where no other SIM was seen: neither the network nor the device can be named.
  'unexplained',
  'device_silent',
  'service_not_in_plan',
  'healthy',
  'no_events_yet',
] as const;
export type RootCauseCode = (typeof ROOT_CAUSES)[number];

export type Confidence = 'high' | 'medium' | 'low';

export type FleetIncident = {
  kind: 'plmn' | 'apn';
  key: string;
  since: string | null;
  attempt: 'attach' | 'session';
  /** Share of attempts refused there (0–1), this SIM's own excluded. */
  rejectShare: number;
  failingSims: number | null;
  failingTenants: number | null;
};

/**
 * The concrete values a summary names. One bag for every cause (each cause uses a documented few), so the six
 * languages share one renderer per cause.
 */
export type SummaryFacts = {
  apn?: string;
  rightApn?: string;
  planApns?: readonly string[];
  plan?: string;
  plmn?: string;
  /** "Telia (24001, SE)" — from the PLMN reference; the code when unknown. */
  network?: string;
  since?: string;
  until?: string;
  cause?: number;
  causeName?: string;
  state?: SimState;
  service?: 'data' | 'sms' | 'voice';
  oldImei?: string;
  newImei?: string;
  /** The SIM is IMEI-locked to oldImei: the network refuses it in the new device. */
  imeiLocked?: boolean;
  lastSeen?: string;
  silentHours?: number;
  usualGapHours?: number;
  usedMb?: number;
  limitMb?: number;
  /** The attempt kind refused (registration or data session). */
  attempt?: 'attach' | 'session';
  /** Many SIMs fail at the same network or APN (a fleet incident): customers hear "several customers". */
  fleetWide?: boolean;
  /** The failure stopped: it is history, not the present. */
  recovered?: boolean;
  eventCount?: number;
};

export type RootCause = {
  code: RootCauseCode;
  verdict: Verdict;
  confidence: Confidence;
  /** The check that raised it. */
  check: string | null;
  facts: SummaryFacts;
  summary: { agent: string; customer: Record<Language, string> };
  fix?: string;
  action?: DiagnosisAction;
  fleetIncident?: FleetIncident;
};

export type Diagnosis = {
  iccid: string;
  at: string;
  window: { from: string; to: string };
  checks: DiagnosisCheck[];
  rootCause: RootCause;
  /** Lower-precedence findings, for the agent ("also: the IMEI changed"). */
  otherFindings: { code: RootCauseCode; verdict: Verdict; check: string }[];
  /** The window held more events than were read (the oldest were left out). */
  eventsTruncated: boolean;
};

/** What a check nominates as a possible root cause (internal to the engine, exported for layer tests). */
export type Finding = {
  code: RootCauseCode;
  verdict: 'error' | 'warning';
  confidence: Confidence;
  check: string;
  /** The raising check's detail; the engine fills it in (each finding follows its check in the layer's list). */
  detail?: string;
  facts: SummaryFacts;
  fix?: string;
  action?: DiagnosisAction;
  fleetIncident?: FleetIncident;
};

export type LayerResult = { checks: DiagnosisCheck[]; findings: Finding[] };
