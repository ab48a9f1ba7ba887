/**
 * Gathers one SIM's DiagnosisInput, SQL only. Two statements, run concurrently (two pool connections on
 * PostgreSQL; PGlite queues them on its one): the window's events (the trace index (iccid, ts, event_id), newest
 * first, at most MAX_EVENTS + 1 to tell truncation), and everything else keyed by the SIM as scalar subqueries of
 * one row — language, IMSIs, plans, network state, IMEI history, sessions, usage, active hours — each an index
 * probe or a short primary-key range. One round trip instead of nine keeps a diagnosis' fixed cost (parse, plan,
 * protocol) low; the fleet comes from the cached snapshot (fleet-health.ts), never from the roll-up.
 * `tenantId` given = a customer's read: rows written while the SIM belonged to someone else stay invisible (as in
 * the trace).
 */
import type { Database } from '../../platform/db/client.ts';
import type { Language } from '../accounts/accounts.schemas.ts';
import type { NetworkEventType } from '../ingest/contract.ts';
import type { NetworkStatus } from '../ingest/network-effects.ts';
import type { SimState } from '../sims/lifecycle.ts';
import { activityPatternFromHours } from './checks/activity.ts';
import {
  type DiagnosisCommunicationPlan,
  type DiagnosisEvent,
  type DiagnosisInput,
  type DiagnosisNetworkState,
  type DiagnosisRatePlan,
  MAX_EVENTS,
  type UsageTotals,
} from './diagnosis.model.ts';

/** What the SIMs module's `locate` answers, narrowed to what a diagnosis reads. */
export type SimRef = {
  id: number;
  accountId: number;
  iccid: string;
  msisdn: string | null;
  imei: string | null;
  /** The SIM's own IMEI lock (its communication plan's is read with the plan). */
  imeiLock: boolean;
  state: string;
  stateChangedAt: Date;
  communicationPlanId: number | null;
  ratePlanId: number | null;
};

/** Days of active hours the SIM's rhythm is learnt from. */
export const ACTIVITY_DAYS = 14;
const DAY = 86_400_000;

type Json<T> = T | null;
type ContextRow = {
  language: string | null;
  imsis: { imsi: string; c: boolean }[];
  cp: Json<{
    name: string;
    apns: string[];
    data_enabled: boolean;
    sms_enabled: boolean;
    voice_enabled: boolean;
    csd_enabled: boolean;
    allowed_rats: string[];
    roaming_plmns: string[];
    roaming_zones: string[];
    imei_lock: boolean;
  }>;
  rp: Json<{
    name: string;
    currency: string;
    included_data_mb: number;
    included_sms: number;
    included_voice_min: number;
    pooling: string;
    overage_data_per_mb: number;
    overage_action: string;
    overage_throttle_kbps: number | null;
    test_data_mb: number;
    test_sms: number;
    test_voice_min: number;
    test_days: number;
  }>;
  st: Json<Record<string, string | number | null>>;
  imeis: { imei: string; f: string; l: string }[];
  sessions: {
    session_id: string;
    plmn: string | null;
    apn: string | null;
    started_at: string | null;
    ended_at: string | null;
    last_seen_at: string;
    bytes_up: number;
    bytes_down: number;
  }[];
  hours: number[] | null;
  usage: { b: number; s: number; v: number };
  test_usage: { b: number; s: number; v: number } | null;
  crossed: string | null;
};

/**
 * Usage sums since `$since` (bytes up + down, SMS MO + MT, voice seconds). Per day the hourly rows are the truth
 * where there are any (the daily roll-up overwrites a day from them once a day; a late record can leave a partial
 * daily row before that), the daily row otherwise — the rule the usage trace follows (network.repo.ts).
 */
const usageSums = (since: string, tenant: string) => `(select json_build_object(
    'b', coalesce(sum(b), 0)::float8, 's', coalesce(sum(s), 0)::int, 'v', coalesce(sum(v), 0)::int)
  from (select bytes_up + bytes_down as b, sms_mo + sms_mt as s, voice_seconds as v
          from sim_usage_hourly where sim_id = $1 and hour >= date_trunc('hour', ${since}, 'UTC')${tenant}
        union all
        select bytes_up + bytes_down, sms_mo + sms_mt, voice_seconds
          from sim_usage_daily d where sim_id = $1 and day >= date_trunc('day', ${since}, 'UTC')${tenant}
           and not exists (select 1 from sim_usage_hourly h
                            where h.sim_id = d.sim_id and h.hour >= d.day and h.hour < d.day + interval '1 day')) u)`;

/**
 * When this month's data passed the rate plan's per-SIM allowance: the first hour (or, where only the daily roll-up
 * is left, day) at which the running total reaches it; null when it has not, or the plan pools or includes none.
 */
const limitCrossing = (tenant: string) => `(select min(t) from (
    select t, sum(b) over (order by t) as cum from (
      select hour as t, bytes_up + bytes_down as b
        from sim_usage_hourly where sim_id = $1 and hour >= date_trunc('hour', $5::timestamptz, 'UTC')${tenant}
      union all
      select day, bytes_up + bytes_down
        from sim_usage_daily d where sim_id = $1 and day >= date_trunc('day', $5::timestamptz, 'UTC')${tenant}
         and not exists (select 1 from sim_usage_hourly h
                          where h.sim_id = d.sim_id and h.hour >= d.day and h.hour < d.day + interval '1 day')) u) c
  where cum >= (select included_data_mb::float8 * 1048576 from rate_plans
                 where id = $4 and pooling = 'per_sim' and included_data_mb > 0))`;

function contextSql(tenant: string | null, testSince: string | null): string {
  // $1 sim, $2 account, $3 communication plan, $4 rate plan, $5 month start, $6 activity from, $7 window from; the
  // tenant (customers) and the test-usage start (TEST_READY) follow when needed (an unused parameter is an error).
  const t = tenant === null ? '' : ` and tenant_id = ${tenant}`;
  return `select
    (select language from accounts where id = $2) as language,
    (select coalesce(json_agg(json_build_object('imsi', imsi, 'c', is_current) order by position), '[]'::json)
       from sim_imsis where sim_id = $1) as imsis,
    (select row_to_json(c) from (select name, apns, data_enabled, sms_enabled, voice_enabled, csd_enabled,
            allowed_rats, roaming_plmns, roaming_zones, imei_lock from communication_plans where id = $3) c) as cp,
    (select row_to_json(r) from (select name, currency, included_data_mb, included_sms, included_voice_min, pooling,
            overage_data_per_mb::float8 as overage_data_per_mb, overage_action, overage_throttle_kbps, test_data_mb,
            test_sms, test_voice_min, test_days
       from rate_plans where id = $4) r) as rp,
    (select row_to_json(s) from (select status, last_event_at, last_event_type, plmn, rat, apn, session_id,
            session_started_at, last_reject_type, last_reject_cause, last_reject_at, imsi, imei, imei_changed_at
       from sim_network_state where sim_id = $1${t}) s) as st,
    (select coalesce(json_agg(json_build_object('imei', imei, 'f', first_seen_at, 'l', last_seen_at)), '[]'::json)
       from sim_imei_history where sim_id = $1) as imeis,
    (select coalesce(json_agg(x), '[]'::json) from (select session_id, plmn, apn, started_at, ended_at, last_seen_at,
            bytes_up, bytes_down from data_sessions where sim_id = $1 and last_seen_at >= $7${t}) x) as sessions,
    (select array_agg(extract(epoch from hour)::float8) from sim_usage_hourly where sim_id = $1 and hour >= $6${t})
       as hours,
    ${usageSums('$5::timestamptz', t)} as usage,
    ${limitCrossing(t)} as crossed,
    ${testSince === null ? 'null::json' : usageSums(`${testSince}::timestamptz`, t)} as test_usage`;
}

const date = (v: string | number | null | undefined) => (v === null || v === undefined ? null : new Date(v));
const totals = (u: { b: number; s: number; v: number }): UsageTotals => ({
  bytes: Number(u.b),
  sms: u.s,
  voiceSeconds: u.v,
});

function networkState(st: Record<string, string | number | null>): DiagnosisNetworkState {
  const s = (k: string) => (st[k] === null || st[k] === undefined ? null : String(st[k]));
  return {
    status: st.status as NetworkStatus,
    lastEventAt: new Date(st.last_event_at as string),
    lastEventType: st.last_event_type as NetworkEventType,
    plmn: s('plmn'),
    rat: s('rat'),
    apn: s('apn'),
    sessionId: s('session_id'),
    sessionStartedAt: date(st.session_started_at),
    lastRejectType: s('last_reject_type'),
    lastRejectCause: st.last_reject_cause === null ? null : Number(st.last_reject_cause),
    lastRejectAt: date(st.last_reject_at),
    imsi: s('imsi'),
    imei: s('imei'),
    imeiChangedAt: date(st.imei_changed_at),
  };
}

type EventDbRow = {
  event_id: string | null;
  ts: Date;
  type: NetworkEventType;
  imsi: string | null;
  imei: string | null;
  plmn: string | null;
  rat: string | null;
  apn: string | null;
  session_id: string | null;
  cause: number | null;
  status: string | null;
  seconds: number | null;
};

export function diagnosisRepo(database: Database) {
  return {
    /** Each SIM's hours with usage since `since` (epoch ms), for the silence watch's thresholds (one statement). */
    async activeHoursOf(simIds: readonly number[], since: Date): Promise<Map<number, number[]>> {
      if (simIds.length === 0) return new Map();
      const rows = await database.query<{ sim_id: string; hours: number[] }>(
        `select sim_id::text, array_agg(extract(epoch from hour)::float8 * 1000) as hours
           from sim_usage_hourly where sim_id = any($1::bigint[]) and hour >= $2 group by sim_id`,
        [simIds, since],
      );
      return new Map(rows.map((r) => [Number(r.sim_id), r.hours.map(Number)]));
    },
    /** The window's events, newest first: MAX_EVENTS + 1 rows tell whether the window held more. */
    events(q: { iccid: string; from: Date; to: Date; tenantId?: number | undefined }) {
      const params: unknown[] = [q.iccid, q.from, q.to, MAX_EVENTS + 1];
      const tenant = q.tenantId === undefined ? '' : ' and tenant_id = $5';
      if (q.tenantId !== undefined) params.push(q.tenantId);
      return database.query<EventDbRow>(
        `select event_id, ts, type, imsi, imei, plmn, rat, apn, session_id, cause, status, seconds
           from network_events where iccid = $1 and ts >= $2 and ts <= $3${tenant}
          order by ts desc limit $4`,
        params,
      );
    },

    async context(q: {
      sim: SimRef;
      now: Date;
      from: Date;
      monthStart: Date;
      tenantId?: number | undefined;
    }): Promise<ContextRow> {
      const testUsage = q.sim.state === 'TEST_READY';
      const params: unknown[] = [
        q.sim.id,
        q.sim.accountId,
        q.sim.communicationPlanId,
        q.sim.ratePlanId,
        q.monthStart,
        new Date(q.now.getTime() - ACTIVITY_DAYS * DAY),
        q.from,
      ];
      const add = (v: unknown) => `$${params.push(v)}`;
      const tenant = q.tenantId === undefined ? null : add(q.tenantId);
      const testSince = testUsage ? add(q.sim.stateChangedAt) : null;
      const [row] = await database.query<ContextRow>(contextSql(tenant, testSince), params);
      return row!;
    },

    /** Both reads at once, assembled into the engine's input (fleet added by the caller). */
    async gather(q: {
      sim: SimRef;
      displayIccid: string;
      now: Date;
      window: { from: Date; to: Date };
      tenantId?: number | undefined;
    }): Promise<Omit<DiagnosisInput, 'fleet'>> {
      const monthStart = new Date(Date.UTC(q.now.getUTCFullYear(), q.now.getUTCMonth(), 1));
      const [events, c] = await Promise.all([
        this.events({ iccid: q.sim.iccid, ...q.window, tenantId: q.tenantId }),
        this.context({ sim: q.sim, now: q.now, from: q.window.from, monthStart, tenantId: q.tenantId }),
      ]);
      const truncated = events.length > MAX_EVENTS;
      return {
        now: q.now,
        window: q.window,
        sim: {
          iccid: q.displayIccid,
          imsis: c.imsis.map((i) => ({ imsi: i.imsi, isCurrent: i.c })),
          msisdn: q.sim.msisdn,
          imei: q.sim.imei,
          imeiLock: q.sim.imeiLock ? 'sim' : c.cp?.imei_lock ? 'plan' : null,
          state: q.sim.state as SimState,
          stateChangedAt: q.sim.stateChangedAt,
          language: (c.language ?? 'en') as Language,
        },
        communicationPlan: c.cp === null ? null : communicationPlan(c.cp),
        ratePlan: c.rp === null ? null : ratePlan(c.rp),
        usage: { ...totals(c.usage), period: { from: monthStart, to: q.now }, limitCrossedAt: date(c.crossed) },
        testUsage: c.test_usage === null ? null : totals(c.test_usage),
        networkState: c.st === null ? null : networkState(c.st),
        events: (truncated ? events.slice(0, MAX_EVENTS) : events).map(toEvent),
        eventsTruncated: truncated,
        sessions: c.sessions.map((s) => ({
          sessionId: s.session_id,
          plmn: s.plmn,
          apn: s.apn,
          startedAt: date(s.started_at),
          endedAt: date(s.ended_at),
          lastSeenAt: new Date(s.last_seen_at),
          bytesUp: Number(s.bytes_up),
          bytesDown: Number(s.bytes_down),
        })),
        imeiHistory: c.imeis.map((i) => ({ imei: i.imei, firstSeenAt: new Date(i.f), lastSeenAt: new Date(i.l) })),
        activity: activityPatternFromHours(
          (c.hours ?? []).map((s) => s * 1000),
          ACTIVITY_DAYS,
        ),
      };
    },
  };
}

const toEvent = (r: EventDbRow): DiagnosisEvent => ({
  id: r.event_id,
  ts: new Date(r.ts),
  type: r.type,
  imsi: r.imsi,
  imei: r.imei,
  plmn: r.plmn,
  rat: r.rat as DiagnosisEvent['rat'],
  apn: r.apn,
  sessionId: r.session_id,
  cause: r.cause,
  status: r.status as DiagnosisEvent['status'],
  seconds: r.seconds,
});

const communicationPlan = (p: NonNullable<ContextRow['cp']>): DiagnosisCommunicationPlan => ({
  name: p.name,
  apns: p.apns,
  dataEnabled: p.data_enabled,
  smsEnabled: p.sms_enabled,
  voiceEnabled: p.voice_enabled,
  csdEnabled: p.csd_enabled,
  allowedRats: p.allowed_rats,
  roamingPlmns: p.roaming_plmns,
  roamingZones: p.roaming_zones,
});

const ratePlan = (p: NonNullable<ContextRow['rp']>): DiagnosisRatePlan => ({
  name: p.name,
  currency: p.currency,
  includedDataMb: Number(p.included_data_mb),
  includedSms: p.included_sms,
  includedVoiceMin: p.included_voice_min,
  pooling: p.pooling === 'pooled' ? 'pooled' : 'per_sim',
  overageDataPerMb: Number(p.overage_data_per_mb),
  overageAction: p.overage_action === 'block' || p.overage_action === 'throttle' ? p.overage_action : 'charge',
  overageThrottleKbps: p.overage_throttle_kbps,
  testDataMb: p.test_data_mb,
  testSms: p.test_sms,
  testVoiceMin: p.test_voice_min,
  testDays: p.test_days,
});
