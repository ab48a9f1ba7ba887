/**
 * Checks written from the contract text and the truth definitions, not from iotops: a strict reading of ingest
 * contract v1 for network events, session bookkeeping, and a re-derivation of every SIM's truth from its events.
 */
import { EVENT_TYPES, type Generated, type NetworkEvent } from './truth.ts';

const HOUR = 3_600_000;
const MB = 1_000_000;
const MIB = 1_048_576;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RATS = new Set(['2G', '3G', '4G', '5G', 'NB-IoT', 'LTE-M']);
const FIELDS = new Set([
  'id',
  'ts',
  'iccid',
  'imsi',
  'imei',
  'type',
  'network',
  'rat',
  'apn',
  'session_id',
  'ip',
  'bytes_up',
  'bytes_down',
  'cause',
  'status',
  'seconds',
]);

const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const digits = (v: unknown, lo: number, hi: number) =>
  typeof v === 'string' && new RegExp(`^\\d{${lo},${hi}}$`).test(v);

/** Returns what is wrong with one network event; empty when it matches the contract. */
export function contractErrors(e: Record<string, unknown>): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(e)) if (!FIELDS.has(k)) errs.push(`unknown field ${k}`);
  if (e.id !== undefined && (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 128)) errs.push('id');
  if (typeof e.ts !== 'string' || !RFC3339.test(e.ts) || Number.isNaN(Date.parse(e.ts))) errs.push('ts');
  if (!digits(e.iccid, 19, 20)) errs.push('iccid');
  if (e.imsi !== undefined && !digits(e.imsi, 14, 15)) errs.push('imsi');
  if (e.imei !== undefined && !digits(e.imei, 14, 16)) errs.push('imei');
  const type = e.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    errs.push('type');
    return errs;
  }
  if (e.rat !== undefined && !RATS.has(String(e.rat))) errs.push('rat');
  const net = e.network as { mcc?: unknown; mnc?: unknown } | undefined;
  if (net !== undefined) {
    if (typeof net !== 'object' || net === null || !digits(net.mcc, 3, 3) || !digits(net.mnc, 2, 3))
      errs.push('network');
  } else if (type.startsWith('attach') || type.startsWith('session')) errs.push('network missing');
  if (type.startsWith('session')) {
    if (typeof e.apn !== 'string' || e.apn.length === 0) errs.push('apn');
    if (typeof e.session_id !== 'string' || e.session_id.length === 0) errs.push('session_id');
  }
  if (type === 'session_start' && (typeof e.ip !== 'string' || e.ip.length === 0)) errs.push('ip');
  if (type === 'session_update' || type === 'session_end') {
    if (!isCount(e.bytes_up) || !isCount(e.bytes_down)) errs.push('bytes');
  }
  if (type.endsWith('_rejected') && !(typeof e.cause === 'number' && Number.isInteger(e.cause))) errs.push('cause');
  if (type === 'sms_mt' && e.status !== 'delivered' && e.status !== 'failed') errs.push('status');
  if (type === 'voice' && !isCount(e.seconds)) errs.push('seconds');
  return errs;
}

const at = (ts: string) => Date.parse(ts);
const plmnOf = (e: NetworkEvent) => (e.network ? e.network.mcc + e.network.mnc : '');
const REGISTERED = new Set(['attach', 'session_start', 'session_update', 'sms_mo', 'voice']);
const DATA = new Set(['session_start', 'session_update']);
const isRefusal = (e: NetworkEvent) => e.type === 'attach_rejected' || e.type === 'session_rejected';

export function luhnValid(s: string): boolean {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = s.charCodeAt(s.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function bySim(events: NetworkEvent[]): Map<string, NetworkEvent[]> {
  const m = new Map<string, NetworkEvent[]>();
  for (const e of events) {
    const list = m.get(e.iccid) ?? [];
    list.push(e);
    m.set(e.iccid, list);
  }
  return m;
}

/** Sum over sessions of the latest cumulative bytes at or before `until`; optionally only sessions opened since. */
function usage(evs: NetworkEvent[], until: number, openedSince?: number): number {
  const opened = new Map<string, number>();
  const last = new Map<string, number>();
  for (const e of evs) {
    if (at(e.ts) > until) break;
    const sid = e.session_id ?? '';
    if (e.type === 'session_start') opened.set(sid, at(e.ts));
    if (e.type === 'session_update' || e.type === 'session_end') last.set(sid, (e.bytes_up ?? 0) + (e.bytes_down ?? 0));
  }
  let sum = 0;
  for (const [sid, v] of last) if (openedSince === undefined || (opened.get(sid) ?? -1) >= openedSince) sum += v;
  return sum;
}

const lastOf = (evs: NetworkEvent[], types: string[]) => evs.filter((e) => types.includes(e.type)).at(-1);

/** Re-derives, from the events alone, that each SIM's truth is what the events show. */
export function truthProblems(g: Generated, to: number): string[] {
  const problems: string[] = [];
  const events = bySim(g.events);
  const home = g.fleet.homePlmn.code;
  const monthStart = Date.UTC(new Date(to).getUTCFullYear(), new Date(to).getUTCMonth(), 1);
  for (const t of g.truth) {
    const evs = events.get(t.iccid) ?? [];
    const sim = g.fleet.sims.find((s) => s.iccid === t.iccid);
    const plan = g.fleet.communicationPlans.find((p) => p.key === sim?.communicationPlanKey);
    const rate = g.fleet.ratePlans.find((r) => r.key === sim?.ratePlanKey);
    const bad = (why: string) => problems.push(`${t.iccid} ${t.category}: ${why}`);
    if (!sim || !plan || !rate) {
      bad('not in the fleet');
      continue;
    }
    if ((sim.state === 'DEACTIVATED') !== (t.category === 'sim_not_active')) bad('catalog state disagrees');
    const after = (ms: number, types: Set<string>) => evs.some((e) => at(e.ts) > ms && types.has(e.type));
    switch (t.category) {
      case 'apn_typo': {
        const rej = evs.filter((e) => e.type === 'session_rejected' && e.cause === 27);
        if (rej.length === 0 || rej.some((e) => e.apn !== t.details.apn)) bad('no ESM #27 on the typo');
        if (plan.apns.some((a) => a.toLowerCase() === t.details.apn.toLowerCase())) bad('the typo is allowed');
        if (!plan.apns.includes(t.details.rightApn)) bad('rightApn is not a plan APN');
        if (sim.deviceApn !== t.details.apn) bad('deviceApn is not the typo');
        if (lastOf(evs, ['session_start', 'session_rejected'])?.cause !== 27) bad('works at the end');
        break;
      }
      case 'plmn_not_allowed': {
        const since = at(t.details.since);
        const rej = evs.filter((e) => e.type === 'attach_rejected' && plmnOf(e) === t.details.plmn);
        if (rej.length === 0 || rej.some((e) => e.cause !== 11 && e.cause !== 13)) bad('no EMM #11/#13 there');
        if (t.details.plmn === home || plan.roamingPlmns.includes(t.details.plmn)) bad('the PLMN is allowed');
        if (!evs.some((e) => at(e.ts) < since && REGISTERED.has(e.type) && plmnOf(e) !== t.details.plmn)) {
          bad('never worked before');
        }
        if (after(since, REGISTERED)) bad('registered again');
        break;
      }
      case 'sim_not_active': {
        const rej = evs.filter((e) => e.type === 'attach_rejected' && (e.cause === 7 || e.cause === 8));
        if (rej.length === 0) bad('no EMM #7/#8');
        if (after(at(t.details.firstRefusedAt), REGISTERED)) bad('registered again');
        break;
      }
      case 'sim_blocked_by_limit': {
        const crossed = at(t.details.crossedAt);
        if (rate.pooling !== 'per_sim' || rate.overageAction.action !== 'block') bad('not on a per-SIM block plan');
        if (rate.includedDataMb !== t.details.includedDataMb) bad('allowance differs from the rate plan');
        if (usage(evs, crossed - 1) >= t.details.includedDataMb * MB) bad('already over the allowance before');
        if (usage(evs, crossed, monthStart) < t.details.includedDataMb * MIB) {
          bad('usage at the crossing does not reach the allowance');
        }
        const rej = evs.filter((e) => e.type === 'session_rejected' && at(e.ts) > crossed);
        if (rej.length === 0 || rej.some((e) => e.cause !== 33 && e.cause !== 29)) bad('no ESM #33/#29 after');
        if (after(crossed, DATA)) bad('data after the crossing');
        break;
      }
      case 'imei_changed': {
        const changed = at(t.details.changedAt);
        const same = (a: string | undefined, b: string) => a === undefined || a.slice(0, 14) === b.slice(0, 14);
        if (!plan.imeiLock) bad('plan has no IMEI lock');
        if (sim.imei !== t.details.oldImei) bad('oldImei is not the catalog IMEI');
        if (evs.some((e) => at(e.ts) < changed && !same(e.imei, t.details.oldImei))) bad('new IMEI before the change');
        if (evs.some((e) => at(e.ts) >= changed && !same(e.imei, t.details.newImei))) bad('old IMEI after the change');
        const kind = t.details.refusedAt === 'attach' ? 'attach_rejected' : 'session_rejected';
        if (!evs.some((e) => e.type === kind && e.cause === t.details.cause && at(e.ts) >= changed)) bad('not refused');
        if (after(changed, t.details.refusedAt === 'attach' ? REGISTERED : DATA)) bad('works in the new device');
        break;
      }
      case 'device_silent': {
        const last = evs.at(-1);
        if (!last || last.ts !== t.details.lastSeen) bad('lastSeen is not the last event');
        if (evs.some(isRefusal)) bad('was refused');
        let gap = 0;
        for (let i = 1; i < evs.length; i++) gap = Math.max(gap, at(evs[i]?.ts ?? '') - at(evs[i - 1]?.ts ?? ''));
        const quiet = to - at(t.details.lastSeen);
        if (quiet < 12 * HOUR || quiet < 1.5 * gap) bad('not silent long enough');
        break;
      }
      case 'roaming_partner_outage':
      case 'network_outage': {
        const o = g.outages.find((x) => x.plmn === t.details.plmn && x.end === null);
        if (!o?.affectedIccids.includes(t.iccid)) bad('no ongoing outage lists it');
        if ((t.category === 'network_outage') !== (t.details.plmn === home)) bad('home/visited mix-up');
        const rej = evs.filter((e) => e.type === 'attach_rejected' && plmnOf(e) === t.details.plmn);
        if (!rej.some((e) => e.cause === t.details.cause && at(e.ts) >= at(t.details.outageStart))) bad('no refusal');
        if (after(at(t.details.firstRefusedAt), REGISTERED)) bad('registered during the outage');
        break;
      }
      case 'apn_gateway_outage': {
        const rej = evs.filter((e) => e.type === 'session_rejected' && e.apn?.toLowerCase() === t.details.apn);
        if (!rej.some((e) => (e.cause === 26 || e.cause === 38) && at(e.ts) >= at(t.details.outageStart))) {
          bad('no ESM #26/#38 on the APN');
        }
        if (after(at(t.details.firstRefusedAt), DATA)) bad('data during the outage');
        break;
      }
      case 'healthy': {
        for (const r of evs.filter(isRefusal)) {
          if (!after(at(r.ts), r.type === 'attach_rejected' ? REGISTERED : DATA)) bad(`refusal at ${r.ts} never cured`);
        }
        const total = usage(evs, to);
        if (rate.pooling === 'per_sim' && rate.overageAction.action === 'block' && total >= rate.includedDataMb * MB) {
          bad('over a blocking allowance yet healthy');
        }
        if (t.details.notes.includes('limit_crossed_kept_working') && total < rate.includedDataMb * MIB) {
          bad('said to cross its allowance but does not');
        }
        break;
      }
    }
  }
  return problems;
}

/** Sessions: one start at most, nothing after the end, cumulative bytes that never go down, ids of one SIM. */
export function sessionProblems(events: NetworkEvent[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const [iccid, evs] of bySim(events)) {
    const seen = new Map<string, { started: boolean; up: number; down: number; closed: boolean }>();
    for (const e of evs) {
      if (!e.type.startsWith('session') || !e.session_id) continue;
      if ((owner.get(e.session_id) ?? iccid) !== iccid) problems.push(`${e.session_id} shared by two SIMs`);
      owner.set(e.session_id, iccid);
      const s = seen.get(e.session_id) ?? { started: false, up: 0, down: 0, closed: false };
      if (s.closed) problems.push(`${e.id}: event after the session ended`);
      if (e.type === 'session_start') {
        if (s.started || s.up > 0) problems.push(`${e.id}: second start`);
        s.started = true;
      }
      if (e.type === 'session_update' || e.type === 'session_end') {
        if ((e.bytes_up ?? 0) < s.up || (e.bytes_down ?? 0) < s.down) problems.push(`${e.id}: bytes went down`);
        s.up = e.bytes_up ?? 0;
        s.down = e.bytes_down ?? 0;
      }
      if (e.type === 'session_end' || e.type === 'session_rejected') s.closed = true;
      seen.set(e.session_id, s);
    }
  }
  return problems;
}
