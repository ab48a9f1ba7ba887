/** Hand-built diagnosis inputs for the unit tests: a healthy SIM by default, bent one way per test. */
import type {
  DiagnosisCommunicationPlan,
  DiagnosisEvent,
  DiagnosisFleet,
  DiagnosisInput,
  DiagnosisRatePlan,
  FleetCell,
  FleetPlmnHealth,
} from './diagnosis.model.ts';

export const NOW = new Date('2025-03-10T12:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Tele2 Sweden: the SIMs' home network (IMSIs start with it). */
export const HOME = '24007';
/** Vodafone Italia (EU: allowed by the EU_EEA zone). */
export const VISITED = '22210';
/** Verizon (US: outside EU_EEA). */
export const FAR = '311480';
export const IMSI = '240070000000001';
export const IMEI = '356938035643809';

export const commPlan = (over: Partial<DiagnosisCommunicationPlan> = {}): DiagnosisCommunicationPlan => ({
  name: 'IoT Europe',
  apns: ['iot.sim'],
  dataEnabled: true,
  smsEnabled: false,
  voiceEnabled: false,
  csdEnabled: false,
  allowedRats: ['4G', 'LTE-M', 'NB-IoT'],
  roamingPlmns: [],
  roamingZones: ['EU_EEA'],
  ...over,
});

export const ratePlan = (over: Partial<DiagnosisRatePlan> = {}): DiagnosisRatePlan => ({
  name: 'IoT 100 MB',
  currency: 'EUR',
  includedDataMb: 100,
  includedSms: 10,
  includedVoiceMin: 0,
  pooling: 'per_sim',
  overageDataPerMb: 0.05,
  overageAction: 'charge',
  overageThrottleKbps: null,
  testDataMb: 5,
  testSms: 10,
  testVoiceMin: 0,
  testDays: 30,
  ...over,
});

let seq = 0;
/** An event `minutesAgo` before NOW, in the home network on the plan's APN unless told otherwise. */
export function ev(
  minutesAgo: number,
  type: DiagnosisEvent['type'],
  over: Partial<DiagnosisEvent> = {},
): DiagnosisEvent {
  const session = type.startsWith('session');
  return {
    id: `e${++seq}`,
    ts: new Date(NOW.getTime() - minutesAgo * MIN),
    type,
    imsi: IMSI,
    imei: IMEI,
    plmn: HOME,
    rat: 'LTE-M',
    apn: session ? 'iot.sim' : null,
    sessionId: session && type !== 'session_rejected' ? `s${Math.floor(minutesAgo)}` : null,
    cause: null,
    status: type === 'sms_mt' ? 'delivered' : null,
    seconds: type === 'voice' ? 60 : null,
    ...over,
  };
}

/** A working device: attached 24 h ago, a one-minute session every 30 minutes since, the last 10 minutes ago. */
export function healthyEvents(hours = 24, lastMinutesAgo = 10): DiagnosisEvent[] {
  const out: DiagnosisEvent[] = [];
  for (let m = lastMinutesAgo; m < hours * 60; m += 30) out.push(ev(m, 'session_end'), ev(m + 1, 'session_start'));
  out.push(ev(hours * 60 + 1, 'attach'));
  return out;
}

export const newestFirst = (events: DiagnosisEvent[]) => [...events].sort((a, b) => b.ts.getTime() - a.ts.getTime());

export function input(over: Partial<DiagnosisInput> = {}): DiagnosisInput {
  const events = newestFirst(over.events ? [...over.events] : healthyEvents());
  const newest = events[0];
  return {
    now: NOW,
    window: { from: new Date(NOW.getTime() - 24 * HOUR), to: NOW },
    sim: {
      iccid: '89460700000000000018',
      imsis: [{ imsi: IMSI, isCurrent: true }],
      msisdn: '46700000001',
      imei: IMEI,
      imeiLock: null,
      state: 'ACTIVATED',
      stateChangedAt: new Date('2025-01-01T00:00:00Z'),
      language: 'en',
    },
    communicationPlan: commPlan(),
    ratePlan: ratePlan(),
    usage: {
      bytes: 5 * 1024 * 1024,
      sms: 0,
      voiceSeconds: 0,
      period: { from: new Date('2025-03-01T00:00:00Z'), to: NOW },
    },
    testUsage: null,
    networkState: newest
      ? {
          status: newest.type === 'session_start' ? 'ONLINE' : 'ATTACHED',
          lastEventAt: newest.ts,
          lastEventType: newest.type,
          plmn: newest.plmn,
          rat: newest.rat,
          apn: newest.apn,
          sessionId: null,
          sessionStartedAt: null,
          lastRejectType: null,
          lastRejectCause: null,
          lastRejectAt: null,
          imsi: IMSI,
          imei: newest.imei,
          imeiChangedAt: null,
        }
      : null,
    eventsTruncated: false,
    sessions: [],
    imeiHistory: [{ imei: IMEI, firstSeenAt: new Date('2025-01-02T00:00:00Z'), lastSeenAt: NOW }],
    activity: { days: 14, activeHours: 300, typicalGapMs: HOUR, longestGapMs: 2 * HOUR },
    fleet: null,
    ...over,
    events,
  };
}

export const cell = (
  rejected: number,
  accepted: number,
  failingSims: number | null = null,
  failingTenants: number | null = null,
): FleetCell => ({
  rejected,
  accepted,
  failingSims,
  failingTenants,
});
const quiet = cell(0, 0);

export function fleet(
  plmns: (Partial<FleetPlmnHealth> & { plmn: string })[],
  apns: { apn: string; sessions: FleetCell; failingSince?: Date }[] = [],
): DiagnosisFleet {
  return {
    period: { from: new Date(NOW.getTime() - HOUR), to: NOW },
    plmns: plmns.map((p) => ({ attach: quiet, sessions: quiet, failingSince: null, ...p })),
    apns: apns.map((a) => ({ failingSince: null, ...a })),
  };
}

/** `n` events of one kind, one every `every` minutes, the newest `from` minutes ago. */
export const repeat = (
  n: number,
  from: number,
  every: number,
  type: DiagnosisEvent['type'],
  over: Partial<DiagnosisEvent> = {},
) => Array.from({ length: n }, (_, i) => ev(from + i * every, type, over));
