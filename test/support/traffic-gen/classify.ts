/**
 * Reads one SIM's simulated events back and decides its ground truth, refusing scenarios whose events do not
 * say clearly what happened (a fault without its symptom, a SIM caught by two outages, a healthy SIM whose last
 * attempt failed). A refused scenario is re-rolled with other draws.
 */
import { HOUR, iso, MINUTE } from './clock.ts';
import type { SimEvent } from './device.ts';
import { type Expectation, FAULT_ROLES } from './faults.ts';
import type { Outage, Subscriber } from './network.ts';
import type { HealthyDetails, HealthyNote, TruthEntry } from './truth.ts';
import type { Crossing } from './usage.ts';

export interface ClassifyInput {
  iccid: string;
  events: readonly SimEvent[];
  expect: Expectation;
  sub: Subscriber;
  from: number;
  to: number;
  usualGapMs: number;
  includedDataMb: number;
  crossing?: Crossing | undefined;
}

export type Classified = { ok: true; truth: TruthEntry } | { ok: false; why: string };

/** Events that show the SIM registered and able to communicate. */
const REGISTERED = new Set(['attach', 'session_start', 'session_update', 'sms_mo', 'voice']);
/** Events that show data getting through. */
const DATA = new Set(['session_start', 'session_update']);
const INF = Number.POSITIVE_INFINITY;

const isRefusal = (e: SimEvent) => e.ev.type === 'attach_rejected' || e.ev.type === 'session_rejected';
const cureOf = (r: SimEvent) => (r.ev.type === 'attach_rejected' ? REGISTERED : DATA);
const plmnOf = (e: SimEvent) => `${e.ev.network?.mcc ?? ''}${e.ev.network?.mnc ?? ''}`;

function worksAfter(events: readonly SimEvent[], r: SimEvent, within = INF): boolean {
  const cure = cureOf(r);
  return events.some((e) => e.ms > r.ms && e.ms <= r.ms + within && cure.has(e.ev.type));
}

const fail = (why: string): Classified => ({ ok: false, why });

function maxGap(events: readonly SimEvent[]): number {
  let gap = 0;
  for (let i = 1; i < events.length; i++) gap = Math.max(gap, (events[i]?.ms ?? 0) - (events[i - 1]?.ms ?? 0));
  return gap;
}

export function classify(x: ClassifyInput): Classified {
  const refusals = x.events.filter(isRefusal);
  const ongoing = refusals.filter((r) => r.outage?.end === INF);
  if (FAULT_ROLES.has(x.expect.key)) {
    if (ongoing.length > 0) return fail('a faulty SIM met an outage still going on at the end');
    return x.expect.key === 'device_silent' ? silent(x, refusals) : fault(x, refusals);
  }
  return healthyOrOutage(x, refusals, ongoing);
}

function silent(x: ClassifyInput, refusals: SimEvent[]): Classified {
  const first = x.events[0];
  const last = x.events.at(-1);
  if (!first || !last || x.events.length < 3) return fail('too little history before the device died');
  if (refusals.length > 0) return fail('a dying device must not have been refused');
  const usual = Math.max(x.usualGapMs, maxGap(x.events));
  const quiet = x.to - last.ms;
  if (quiet < Math.max(12 * HOUR, 1.5 * usual)) return fail('silence too short');
  if (last.ms - first.ms < 3 * HOUR) return fail('history too short');
  return {
    ok: true,
    truth: {
      iccid: x.iccid,
      category: 'device_silent',
      details: {
        lastSeen: iso(last.ms),
        usualIntervalMinutes: Math.round(usual / MINUTE),
        silentMinutes: Math.floor(quiet / MINUTE),
      },
    },
  };
}

function fault(x: ClassifyInput, refusals: SimEvent[]): Classified {
  const { expect, events, iccid } = x;
  const mine = refusals.filter((r) => r.mechanism === expect.mechanism);
  const first = mine[0];
  if (!first) return fail('the fault never showed');
  const cure = cureOf(first);
  if (events.some((e) => e.ms > first.ms && cure.has(e.ev.type))) return fail('worked again after the fault');
  if (refusals.some((r) => r.mechanism !== expect.mechanism && !worksAfter(events, r))) {
    return fail('an unrelated refusal was never cured');
  }
  const side =
    first.ev.type === 'attach_rejected' ? ['attach', 'attach_rejected'] : ['session_start', 'session_rejected'];
  const lastTry = events.filter((e) => side.includes(e.ev.type)).at(-1);
  if (lastTry?.mechanism !== expect.mechanism) return fail('the last attempt was refused for another reason');
  const cause = first.ev.cause ?? 0;
  const workedBefore = (pred: (e: SimEvent) => boolean = () => true) =>
    events.some((e) => e.ms < first.ms && REGISTERED.has(e.ev.type) && pred(e));
  switch (expect.key) {
    case 'apn_typo':
      if (first.ev.apn !== expect.typo) return fail('refused on another APN');
      return {
        ok: true,
        truth: {
          iccid,
          category: 'apn_typo',
          details: { apn: expect.typo ?? '', rightApn: expect.rightApn ?? '', since: iso(first.ms), cause },
        },
      };
    case 'plmn_not_allowed':
      if (plmnOf(first) !== expect.plmn) return fail('refused on another PLMN');
      if (!workedBefore((e) => plmnOf(e) !== expect.plmn)) return fail('never worked before travelling');
      return {
        ok: true,
        truth: {
          iccid,
          category: 'plmn_not_allowed',
          details: { plmn: expect.plmn ?? '', since: iso(first.ms), cause },
        },
      };
    case 'sim_not_active': {
      const before = expect.deactivatedBeforeWindow === true;
      if (!before && !workedBefore()) return fail('never worked before the deactivation');
      return {
        ok: true,
        truth: {
          iccid,
          category: 'sim_not_active',
          details: { since: before ? null : iso(x.sub.deactivatedFrom), firstRefusedAt: iso(first.ms), cause },
        },
      };
    }
    case 'sim_blocked_by_limit': {
      const c = x.crossing;
      if (!c || first.ms <= c.crossedAt) return fail('no crossing before the refusals');
      return {
        ok: true,
        truth: {
          iccid,
          category: 'sim_blocked_by_limit',
          details: {
            crossedAt: iso(c.crossedAt),
            includedDataMb: x.includedDataMb,
            usageBytesAtCrossing: c.usageAtCrossing,
            cause,
          },
        },
      };
    }
    case 'imei_changed': {
      const changed = events.find((e) => e.imei === expect.newImei);
      const rule = x.sub.imeiRule;
      if (!changed || !rule || first.ms < changed.ms) return fail('no IMEI change before the refusals');
      if (!events.some((e) => e.ms < changed.ms && REGISTERED.has(e.ev.type))) return fail('old device never worked');
      return {
        ok: true,
        truth: {
          iccid,
          category: 'imei_changed',
          details: {
            oldImei: expect.oldImei ?? '',
            newImei: expect.newImei ?? '',
            changedAt: iso(changed.ms),
            refusedAt: rule.at,
            cause,
          },
        },
      };
    }
    default:
      return fail(`no fault check for ${expect.key}`);
  }
}

function healthyOrOutage(x: ClassifyInput, refusals: SimEvent[], ongoing: SimEvent[]): Classified {
  const { expect, events, iccid } = x;
  const met = new Set(ongoing.map((r) => r.outage));
  if (met.size > 1) return fail('met two outages');
  const firstO = ongoing[0];
  if (firstO?.outage) {
    if (expect.key !== 'healthy' && expect.key !== 'expose') return fail('a look-alike met an outage');
    if (worksAfter(events, firstO)) return fail('worked during an outage it had met');
    if (refusals.some((r) => r.ms < firstO.ms && !worksAfter(events, r))) return fail('an earlier refusal never cured');
    return outageTruth(iccid, firstO.outage, firstO);
  }
  const notes = new Set<HealthyNote>();
  for (const r of refusals) {
    if (r.mechanism === 'noise') notes.add('transient_refusals');
    else if (r.mechanism === 'plmn_policy') notes.add('steered_to_allowed_plmn');
    else if (r.mechanism === 'outage') notes.add('recovered_after_outage');
    else return fail(`a healthy SIM refused by ${r.mechanism}`);
    if (!worksAfter(events, r, r.mechanism === 'outage' ? INF : 75 * MINUTE)) return fail('a refusal was not cured');
  }
  if (expect.key === 'noise' && !notes.has('transient_refusals')) return fail('no transient refusal happened');
  if (expect.key === 'expose' && !refusals.some((r) => r.outage === expect.outage)) return fail('missed the outage');
  const details: HealthyDetails = { notes: [], usualIntervalMinutes: Math.round(x.usualGapMs / MINUTE) };
  if (x.crossing) {
    notes.add('limit_crossed_kept_working');
    details.limitCrossedAt = iso(x.crossing.crossedAt);
    if (!events.some((e) => e.ms > (x.crossing?.crossedAt ?? INF) && DATA.has(e.ev.type))) {
      return fail('no data after crossing the allowance');
    }
  } else if (expect.key === 'limit_cross') return fail('no crossing');
  if (expect.newImei) {
    const changed = events.find((e) => e.imei === expect.newImei);
    if (!changed || !events.some((e) => e.ms > changed.ms && REGISTERED.has(e.ev.type))) {
      return fail('the new device never worked');
    }
    notes.add('imei_changed_unlocked');
    details.imeiChange = { oldImei: expect.oldImei ?? '', newImei: expect.newImei, changedAt: iso(changed.ms) };
  }
  const last = events.at(-1);
  if (!last) notes.add('no_traffic_in_window');
  else if (x.to - last.ms >= Math.max(12 * HOUR, 1.5 * x.usualGapMs)) return fail('a healthy device looks dead');
  details.notes = [...notes].sort();
  return { ok: true, truth: { iccid, category: 'healthy', details } };
}

function outageTruth(iccid: string, o: Outage, first: SimEvent): Classified {
  const common = { outageStart: iso(o.start), firstRefusedAt: iso(first.ms), cause: first.ev.cause ?? 0 };
  if (o.kind === 'apn_gateway') {
    return { ok: true, truth: { iccid, category: 'apn_gateway_outage', details: { apn: o.apn ?? '', ...common } } };
  }
  const details = { plmn: o.plmn ?? '', ...common };
  if (o.kind === 'home_network') return { ok: true, truth: { iccid, category: 'network_outage', details } };
  return { ok: true, truth: { iccid, category: 'roaming_partner_outage', details } };
}
