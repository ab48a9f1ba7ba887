/**
 * What a batch of network events does to the derived tables, as pure functions: the SIM's network state, its
 * data sessions and the usage deltas they imply, the IMEI history and the fleet roll-up. The writer
 * (ingest.writer.ts) reads the current rows, calls these, and writes the results in the batch's transaction.
 *
 * Ordering: records may arrive out of order and `ts` decides. The state only moves forward (an event older than
 * the state's newest is stored but changes nothing); session counters are cumulative, so a late report with a
 * smaller counter adds no usage.
 */
import type { NetworkEvent } from './contract.ts';

export type SimRef = { simId: number; tenantId: number; accountId: number };

export const NETWORK_STATUSES = ['ATTACHED', 'ONLINE', 'OFFLINE', 'BLOCKED'] as const;
export type NetworkStatus = (typeof NETWORK_STATUSES)[number];

/**
 * EMM causes by which the network refuses the subscriber itself (TS 24.301 §9.9.3.9: 3 illegal UE, 6 illegal
 * ME, 7 EPS services not allowed, 8 EPS and non-EPS services not allowed): the SIM is barred, not just out of
 * coverage, so its state is BLOCKED rather than OFFLINE.
 */
export const BARRING_EMM_CAUSES: ReadonlySet<number> = new Set([3, 6, 7, 8]);

export type StateRow = SimRef & {
  status: NetworkStatus;
  lastEventAt: Date;
  lastEventType: string;
  plmn: string | null;
  rat: string | null;
  apn: string | null;
  ip: string | null;
  sessionId: string | null;
  sessionStartedAt: Date | null;
  lastRejectType: string | null;
  lastRejectCause: number | null;
  lastRejectAt: Date | null;
  imsi: string | null;
  imei: string | null;
  imeiChangedAt: Date | null;
};

export const byTs = (a: NetworkEvent, b: NetworkEvent) => a.ts.getTime() - b.ts.getTime();

/** The state after `events` (one SIM's, sorted by ts); null when none of them is newer than the state. */
export function nextState(
  current: StateRow | undefined,
  ref: SimRef,
  events: readonly NetworkEvent[],
): StateRow | null {
  let s: StateRow | undefined = current ? { ...current, ...ref } : undefined;
  let changed = false;
  for (const e of events) {
    if (s && e.ts.getTime() < s.lastEventAt.getTime()) continue;
    s ??= {
      ...ref,
      status: 'OFFLINE',
      lastEventAt: e.ts,
      lastEventType: e.type,
      plmn: null,
      rat: null,
      apn: null,
      ip: null,
      sessionId: null,
      sessionStartedAt: null,
      lastRejectType: null,
      lastRejectCause: null,
      lastRejectAt: null,
      imsi: null,
      imei: null,
      imeiChangedAt: null,
    };
    applyEvent(s, e);
    changed = true;
  }
  return changed && s ? s : null;
}

function applyEvent(s: StateRow, e: NetworkEvent): void {
  s.lastEventAt = e.ts;
  s.lastEventType = e.type;
  if (e.plmn !== null) s.plmn = e.plmn;
  if (e.rat !== null) s.rat = e.rat;
  if (e.imsi !== null) s.imsi = e.imsi;
  if (e.imei !== null && e.imei !== s.imei) {
    if (s.imei !== null) s.imeiChangedAt = e.ts;
    s.imei = e.imei;
  }
  const closeSession = () => {
    s.sessionId = null;
    s.sessionStartedAt = null;
    s.ip = null;
  };
  switch (e.type) {
    case 'attach':
      // A (re-)registration tears down what was open before it.
      s.status = 'ATTACHED';
      closeSession();
      break;
    case 'attach_rejected':
      s.status = e.cause !== null && BARRING_EMM_CAUSES.has(e.cause) ? 'BLOCKED' : 'OFFLINE';
      closeSession();
      break;
    case 'detach':
      s.status = 'OFFLINE';
      closeSession();
      break;
    case 'session_start':
      s.status = 'ONLINE';
      s.sessionId = e.sessionId;
      s.sessionStartedAt = e.ts;
      s.apn = e.apn;
      s.ip = e.ip;
      break;
    case 'session_update':
      s.status = 'ONLINE';
      if (s.sessionId === null) s.sessionId = e.sessionId;
      s.apn = e.apn;
      break;
    case 'session_end':
      if (s.sessionId === null || s.sessionId === e.sessionId) {
        s.status = 'ATTACHED';
        closeSession();
      }
      break;
    case 'session_rejected':
      s.apn = e.apn;
      if (s.sessionId === null) s.status = 'ATTACHED';
      break;
    default:
      // SMS and calls need a registration: a SIM seen offline is attached again.
      if (s.status === 'OFFLINE' || s.status === 'BLOCKED') s.status = 'ATTACHED';
  }
  if (e.type === 'attach_rejected' || e.type === 'session_rejected') {
    s.lastRejectType = e.type;
    s.lastRejectCause = e.cause;
    s.lastRejectAt = e.ts;
  }
}

export type SessionRow = SimRef & {
  sessionId: string;
  plmn: string | null;
  apn: string | null;
  rat: string | null;
  ip: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  lastSeenAt: Date;
  bytesUp: number;
  bytesDown: number;
};

/** Bytes a report adds over what was already counted, at the report's time. */
export type UsageDelta = { ts: Date; bytesUp: number; bytesDown: number };

/** One session's row after `events` (its own, sorted by ts) and the usage they add. */
export function nextSession(
  current: SessionRow | undefined,
  ref: SimRef,
  sessionId: string,
  events: readonly NetworkEvent[],
): { row: SessionRow; deltas: UsageDelta[] } {
  const first = events[0];
  if (!first) throw new Error('nextSession needs at least one event');
  const row: SessionRow = current
    ? { ...current, ...ref }
    : {
        ...ref,
        sessionId,
        plmn: null,
        apn: null,
        rat: null,
        ip: null,
        startedAt: null,
        endedAt: null,
        lastSeenAt: first.ts,
        bytesUp: 0,
        bytesDown: 0,
      };
  const deltas: UsageDelta[] = [];
  for (const e of events) {
    if (e.type === 'session_start') {
      if (row.startedAt === null || e.ts < row.startedAt) row.startedAt = e.ts;
      if (e.ip !== null) row.ip = e.ip;
    }
    if (e.type === 'session_end' && (row.endedAt === null || e.ts > row.endedAt)) row.endedAt = e.ts;
    row.plmn ??= e.plmn;
    row.apn ??= e.apn;
    row.rat ??= e.rat;
    if (e.ts > row.lastSeenAt) row.lastSeenAt = e.ts;
    const up = Math.max(0, (e.bytesUp ?? 0) - row.bytesUp);
    const down = Math.max(0, (e.bytesDown ?? 0) - row.bytesDown);
    if (up > 0 || down > 0) {
      deltas.push({ ts: e.ts, bytesUp: up, bytesDown: down });
      row.bytesUp += up;
      row.bytesDown += down;
    }
  }
  return { row, deltas };
}

export type UsageRow = SimRef & {
  /** Start of the UTC hour or day. */
  at: Date;
  bytesUp: number;
  bytesDown: number;
  smsMo: number;
  smsMt: number;
  voiceSeconds: number;
};

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const floorTo = (d: Date, unit: number) => new Date(Math.floor(d.getTime() / unit) * unit);

/** Usage rows per (SIM, hour) and (SIM, day) from session deltas and SMS/voice events. */
export class UsageAccumulator {
  readonly hourly = new Map<string, UsageRow>();
  readonly daily = new Map<string, UsageRow>();

  private add(ref: SimRef, ts: Date, f: (u: UsageRow) => void) {
    for (const [map, unit] of [
      [this.hourly, HOUR],
      [this.daily, DAY],
    ] as const) {
      const at = floorTo(ts, unit);
      const key = `${ref.simId}:${at.getTime()}`;
      let u = map.get(key);
      if (!u) {
        u = { ...ref, at, bytesUp: 0, bytesDown: 0, smsMo: 0, smsMt: 0, voiceSeconds: 0 };
        map.set(key, u);
      }
      f(u);
    }
  }

  bytes(ref: SimRef, d: UsageDelta) {
    this.add(ref, d.ts, (u) => {
      u.bytesUp += d.bytesUp;
      u.bytesDown += d.bytesDown;
    });
  }

  event(ref: SimRef, e: NetworkEvent) {
    if (e.type === 'sms_mo') this.add(ref, e.ts, (u) => u.smsMo++);
    else if (e.type === 'sms_mt' && e.status === 'delivered') this.add(ref, e.ts, (u) => u.smsMt++);
    else if (e.type === 'voice') this.add(ref, e.ts, (u) => (u.voiceSeconds += e.seconds ?? 0));
  }
}

export const ROLLUP_BUCKET_MS = 5 * 60_000;
export type RollupRow = {
  bucket: Date;
  tenantId: number;
  type: string;
  plmn: string;
  apn: string;
  cause: number;
  events: number;
};

/** Events per 5-minute bucket, tenant (0 = orphan), type, PLMN, APN (lower-cased: APNs compare so) and cause. */
export function rollup(events: readonly { e: NetworkEvent; tenantId: number | null }[]): RollupRow[] {
  const out = new Map<string, RollupRow>();
  for (const { e, tenantId } of events) {
    const bucket = floorTo(e.ts, ROLLUP_BUCKET_MS);
    const row = {
      bucket,
      tenantId: tenantId ?? 0,
      type: e.type,
      plmn: e.plmn ?? '',
      apn: (e.apn ?? '').toLowerCase(),
      cause: e.cause ?? -1,
    };
    const key = `${bucket.getTime()}|${row.tenantId}|${row.type}|${row.plmn}|${row.apn}|${row.cause}`;
    const r = out.get(key);
    if (r) r.events++;
    else out.set(key, { ...row, events: 1 });
  }
  return [...out.values()];
}
