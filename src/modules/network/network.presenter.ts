import type { z } from 'zod';
import { displayIccid } from '../sims/identifiers.ts';
import { describeCause } from './causes.ts';
import type { EventRow } from './network.repo.ts';
import type { FailingView, NetworkStateView, SessionView, TraceEventView } from './network.schemas.ts';
import type { NetworkService } from './network.service.ts';
import { networkOf } from './window.ts';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const int = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

/** The ingest contract's wire shape: absent fields are left out, as a producer would. */
export function presentEvent(r: EventRow): z.infer<typeof TraceEventView> {
  const out: z.infer<typeof TraceEventView> = {
    ts: iso(r.ts)!,
    iccid: displayIccid(r.iccid),
    type: r.type as z.infer<typeof TraceEventView>['type'],
    receivedAt: iso(r.received_at)!,
  };
  const set = <K extends keyof typeof out>(k: K, v: (typeof out)[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('id', str(r.event_id));
  set('imsi', str(r.imsi));
  set('imei', str(r.imei));
  set('network', networkOf(r.plmn) ?? undefined);
  set('rat', str(r.rat));
  set('apn', str(r.apn));
  set('session_id', str(r.session_id));
  set('ip', str(r.ip));
  set('bytes_up', int(r.bytes_up));
  set('bytes_down', int(r.bytes_down));
  set('cause', int(r.cause));
  set('status', str(r.status));
  set('seconds', int(r.seconds));
  if (r.cause !== null) set('causeMeaning', describeCause(r.type, r.cause).meaning);
  return out;
}

export function presentSession(r: Row): z.infer<typeof SessionView> {
  return {
    sessionId: String(r.session_id),
    network: networkOf((r.plmn as string | null) ?? null),
    apn: (r.apn as string | null) ?? null,
    rat: (r.rat as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    lastSeenAt: iso(r.last_seen_at)!,
    open: r.ended_at === null,
    bytesUp: Number(r.bytes_up),
    bytesDown: Number(r.bytes_down),
  };
}

export const presentUsage = (r: Row) => ({
  at: iso(r.at)!,
  bytesUp: Number(r.bytes_up),
  bytesDown: Number(r.bytes_down),
  smsMo: Number(r.sms_mo),
  smsMt: Number(r.sms_mt),
  voiceSeconds: Number(r.voice_seconds),
});

export function presentState(v: Awaited<ReturnType<NetworkService['state']>>): z.infer<typeof NetworkStateView> {
  const s = v.state;
  const imeiHistory = v.imeis.map((h) => ({
    imei: h.imei,
    firstSeenAt: iso(h.first_seen_at)!,
    lastSeenAt: iso(h.last_seen_at)!,
  }));
  const iccid = displayIccid(v.iccid);
  if (!s)
    return {
      iccid,
      status: null,
      reason: 'No network event received for this SIM yet',
      lastSeenAt: null,
      lastEventType: null,
      network: null,
      apn: null,
      rat: null,
      ip: null,
      imsi: null,
      openSession: null,
      lastReject: null,
      imei: null,
      imeiChangedAt: null,
      imeiHistory,
    };
  const rejectType = s.last_reject_type as string | null;
  return {
    iccid,
    status: s.status as NonNullable<z.infer<typeof NetworkStateView>['status']>,
    reason: null,
    lastSeenAt: iso(s.last_event_at),
    lastEventType: s.last_event_type as string,
    network: networkOf(s.plmn as string | null),
    apn: s.apn as string | null,
    rat: s.rat as string | null,
    ip: s.ip as string | null,
    imsi: s.imsi as string | null,
    openSession:
      s.session_id === null
        ? null
        : {
            sessionId: s.session_id as string,
            startedAt: iso(s.session_started_at),
            bytesUp: Number(s.session_bytes_up ?? 0),
            bytesDown: Number(s.session_bytes_down ?? 0),
          },
    lastReject:
      rejectType === null
        ? null
        : {
            type: rejectType,
            at: iso(s.last_reject_at)!,
            cause: s.last_reject_cause === null ? null : describeCause(rejectType, Number(s.last_reject_cause)),
            // The state keeps the newest PLMN; when the reject is the newest event, that is where it happened.
            network: iso(s.last_event_at) === iso(s.last_reject_at) ? networkOf(s.plmn as string | null) : null,
          },
    imei: s.imei as string | null,
    imeiChangedAt: iso(s.imei_changed_at),
    imeiHistory,
  };
}

export function presentFailing(v: Awaited<ReturnType<NetworkService['failing']>>): z.infer<typeof FailingView> {
  return {
    since: v.since.toISOString(),
    items: v.items.map((r) => ({
      plmn: r.plmn,
      network: networkOf(r.plmn),
      apn: r.apn,
      rejectType: r.reject_type,
      cause: r.cause === null ? null : describeCause(r.reject_type, r.cause),
      sims: r.sims,
      stillFailing: r.still_failing,
      tenants: r.tenants,
      lastAt: iso(r.last_at)!,
    })),
  };
}

export const presentFleetKey = (k: string) => (k === '' ? null : k);
