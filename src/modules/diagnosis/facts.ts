/**
 * One pass over the window's events (newest first) into the facts every layer reads: reject groups, what worked
 * and where, identities seen, services used, gaps. The layers never loop over events themselves, so a diagnosis is
 * linear in the number of events (and bounded by MAX_EVENTS).
 */
import type { NetworkEventType } from '../ingest/contract.ts';
import { apnKey } from './apn-match.ts';
import { countsForFleet } from './cause-families.ts';
import type { DiagnosisEvent, DiagnosisInput } from './diagnosis.model.ts';

/** Events alike (same type, PLMN, APN and cause): counted once, shown by their newest and first occurrence. */
export type EventGroup = {
  type: NetworkEventType;
  plmn: string | null;
  /** As the device spelled it in the newest event of the group. */
  apn: string | null;
  apnKey: string | null;
  cause: number | null;
  count: number;
  newest: DiagnosisEvent;
  oldest: DiagnosisEvent;
};

export type Seen = { count: number; newest: DiagnosisEvent; oldest: DiagnosisEvent };

/** Own attempts counted against the fleet's, so "others failing" excludes this SIM. */
export type OwnCounts = { rejected: number; accepted: number };

export type EventFacts = {
  count: number;
  newest: DiagnosisEvent | null;
  oldest: DiagnosisEvent | null;
  byType: Record<NetworkEventType, number>;
  /** attach_rejected and session_rejected groups, newest group first. */
  rejects: EventGroup[];
  /** Accepted attaches per PLMN ('' when the event had none). */
  attaches: Map<string, EventGroup>;
  /** Session events proving a working session (start, update, end) per APN key. */
  sessionsOk: Map<string, EventGroup>;
  lastAttachOkAt: number | null;
  lastSessionOkAt: number | null;
  /**
   * When the SIM demonstrably worked, oldest first: accepted registrations, working sessions, SMS sent or delivered,
   * calls. A refusal followed by any of these (sessions and data, for a refused session) is recovered.
   */
  workedAt: number[];
  /** Of those, the working sessions only (start, update, end), oldest first. */
  sessionWorkedAt: number[];
  /** Every PLMN, IMSI, IMEI and RAT seen on any event. */
  plmns: Map<string, Seen>;
  imsis: Map<string, Seen>;
  /** Keyed by device (deviceOf: the IMEI and IMEISV of one device are one). */
  imeis: Map<string, Seen>;
  rats: Map<string, Seen>;
  sms: { mo: EventGroup | null; mt: EventGroup | null; mtFailed: number };
  voice: { group: EventGroup | null; seconds: number };
  /** Own attempts in the fleet's period, by `plmn:attach|X`, `plmn:session|X`, `apn:session|x`. */
  own: Map<string, OwnCounts>;
  /** Gaps (ms) between contacts: bursts of events separated by more than CONTACT_GAP_MS. */
  contactGapsMs: number[];
};

/**
 * The device an IMEI names: its TAC and serial number (the first 14 digits). Networks report the same device as a
 * 15-digit IMEI (with its check digit), a 16-digit IMEISV (with a software version) or 14 digits without either.
 */
export const deviceOf = (imei: string) => imei.slice(0, 14);

/** Events closer than this belong to one contact (a session's start, updates and end; an attach and its session). */
export const CONTACT_GAP_MS = 5 * 60_000;

const emptyByType = (): Record<NetworkEventType, number> => ({
  attach: 0,
  attach_rejected: 0,
  detach: 0,
  session_start: 0,
  session_update: 0,
  session_end: 0,
  session_rejected: 0,
  sms_mo: 0,
  sms_mt: 0,
  voice: 0,
});

const newGroup = (e: DiagnosisEvent): EventGroup => ({
  type: e.type,
  plmn: e.plmn,
  apn: e.apn,
  apnKey: e.apn === null ? null : apnKey(e.apn),
  cause: e.cause,
  count: 0,
  newest: e,
  oldest: e,
});

/** Events arrive newest first: the first one seen of a group is its newest, the last its oldest. */
function add<K>(map: Map<K, EventGroup>, key: K, e: DiagnosisEvent): EventGroup {
  let g = map.get(key);
  if (!g) {
    g = newGroup(e);
    map.set(key, g);
  }
  g.count++;
  g.oldest = e;
  return g;
}

function tally(map: Map<string, Seen>, key: string, e: DiagnosisEvent) {
  const v = map.get(key);
  if (v) {
    v.count++;
    v.oldest = e;
  } else map.set(key, { count: 1, newest: e, oldest: e });
}

function ownCount(own: Map<string, OwnCounts>, key: string, rejected: boolean) {
  let c = own.get(key);
  if (!c) {
    c = { rejected: 0, accepted: 0 };
    own.set(key, c);
  }
  if (rejected) c.rejected++;
  else c.accepted++;
}

const SESSION_OK: ReadonlySet<NetworkEventType> = new Set(['session_start', 'session_update', 'session_end']);

export function gatherFacts(input: Pick<DiagnosisInput, 'events' | 'fleet'>): EventFacts {
  const f: EventFacts = {
    count: input.events.length,
    newest: input.events[0] ?? null,
    oldest: input.events[input.events.length - 1] ?? null,
    byType: emptyByType(),
    rejects: [],
    attaches: new Map(),
    sessionsOk: new Map(),
    lastAttachOkAt: null,
    lastSessionOkAt: null,
    workedAt: [],
    sessionWorkedAt: [],
    plmns: new Map(),
    imsis: new Map(),
    imeis: new Map(),
    rats: new Map(),
    sms: { mo: null, mt: null, mtFailed: 0 },
    voice: { group: null, seconds: 0 },
    own: new Map(),
    contactGapsMs: [],
  };
  const rejectGroups = new Map<string, EventGroup>();
  const smsGroups = new Map<string, EventGroup>();
  const fleetFrom = input.fleet?.period.from.getTime() ?? null;
  let previousTs: number | null = null;
  for (const e of input.events) {
    const ts = e.ts.getTime();
    f.byType[e.type]++;
    if (previousTs !== null && previousTs - ts > CONTACT_GAP_MS) f.contactGapsMs.push(previousTs - ts);
    previousTs = ts;
    if (e.plmn !== null) tally(f.plmns, e.plmn, e);
    if (e.imsi !== null) tally(f.imsis, e.imsi, e);
    if (e.imei !== null) tally(f.imeis, deviceOf(e.imei), e);
    if (e.rat !== null) tally(f.rats, e.rat, e);
    const key = e.apn === null ? '' : apnKey(e.apn);
    if (e.type === 'attach_rejected' || e.type === 'session_rejected') {
      add(rejectGroups, `${e.type}|${e.plmn ?? ''}|${key}|${e.cause ?? ''}`, e);
    } else if (e.type === 'attach') {
      add(f.attaches, e.plmn ?? '', e);
      f.lastAttachOkAt ??= ts;
      f.workedAt.push(ts);
    } else if (SESSION_OK.has(e.type)) {
      add(f.sessionsOk, key, e);
      f.lastSessionOkAt ??= ts;
      f.workedAt.push(ts);
      f.sessionWorkedAt.push(ts);
    } else if (e.type === 'sms_mo' || e.type === 'sms_mt') {
      add(smsGroups, e.type, e);
      if (e.type === 'sms_mt' && e.status === 'failed') f.sms.mtFailed++;
      else f.workedAt.push(ts);
    } else if (e.type === 'voice') {
      f.workedAt.push(ts);
      f.voice.group ??= newGroup(e);
      f.voice.group.count++;
      f.voice.group.oldest = e;
      f.voice.seconds += e.seconds ?? 0;
    }
    if (fleetFrom !== null && ts >= fleetFrom) countOwn(f.own, e, key);
  }
  f.rejects = [...rejectGroups.values()];
  // Collected newest first; searched oldest first.
  f.workedAt.reverse();
  f.sessionWorkedAt.reverse();
  f.sms.mo = smsGroups.get('sms_mo') ?? null;
  f.sms.mt = smsGroups.get('sms_mt') ?? null;
  return f;
}

function countOwn(own: Map<string, OwnCounts>, e: DiagnosisEvent, apn: string) {
  // The fleet's counts leave out refusals that only speak of the SIM (cause-families.ts): so do the SIM's own.
  if (!countsForFleet(e.type, e.cause)) return;
  if (e.type === 'attach' || e.type === 'attach_rejected') {
    if (e.plmn !== null) ownCount(own, `plmn:attach|${e.plmn}`, e.type === 'attach_rejected');
  } else if (e.type === 'session_start' || e.type === 'session_rejected') {
    const rejected = e.type === 'session_rejected';
    if (e.plmn !== null) ownCount(own, `plmn:session|${e.plmn}`, rejected);
    if (apn !== '') ownCount(own, `apn:session|${apn}`, rejected);
  }
}

/**
 * When the SIM worked again after this group's newest refusal, or null: for a refused registration, any later
 * sign of a registered SIM (an accepted attach, a working session, an SMS, a call — a device that stays attached
 * never attaches again); for a refused session, a later working session (anywhere).
 */
export function recoveredAt(f: EventFacts, g: EventGroup): number | null {
  const times = g.type === 'attach_rejected' ? f.workedAt : f.sessionWorkedAt;
  const after = g.newest.ts.getTime();
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > after) hi = mid;
    else lo = mid + 1;
  }
  return lo < times.length ? times[lo]! : null;
}

/** Did the SIM work again after this group's newest refusal (recoveredAt)? */
export function recovered(f: EventFacts, g: EventGroup): boolean {
  return recoveredAt(f, g) !== null;
}

/** The p-th percentile (0–1) of numbers, nearest-rank; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
