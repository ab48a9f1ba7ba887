/**
 * A scenario resolved against one fleet and one simulated start: every fault gets absolute times, its members
 * (picked deterministically for count/fraction targets) and its parameters, plus the ground-truth lines that say
 * what was injected where. The engine asks `FaultBook` which faults touch a member at an instant.
 */
import type { DeviceClass, FleetMember } from './fleet.ts';
import { hash32, rng } from './rng.ts';
import { type Fault, type FaultType, pathText, type ScenarioProblem, type Target, type When } from './scenario.ts';

export type ActiveFault = Fault & { index: number; from: number; to: number | null };
export type GroundTruth = {
  fault: FaultType;
  iccid?: string;
  deviceId?: string;
  plmn?: string;
  apn?: string;
  from: string;
  to: string | null;
  expected: Record<string, unknown>;
  /** Set when a network command started this line (a subscription withdrawn by a state change). */
  causedBy?: Record<string, unknown>;
  /** Set when a network action ended the fault before its scheduled end (`to` is then that instant). */
  clearedBy?: Record<string, unknown>;
};

/** A fault a network action ended for one member (e.g. a configuration SMS fixing an APN typo), and when. */
export type Clearance = { fault: ActiveFault; iccid: string; at: number; by: Record<string, unknown> };

/** The ground truth with the clearances applied: the member's line of that fault ends then, naming the action. */
export function withClearances(truth: readonly GroundTruth[], cleared: readonly Clearance[]): GroundTruth[] {
  return truth.map((line) => {
    const c = cleared.find(
      (x) => x.iccid === line.iccid && x.fault.type === line.fault && iso(x.fault.from) === line.from,
    );
    return c ? { ...line, to: iso(c.at), clearedBy: { ...c.by, at: iso(c.at) } } : line;
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
export const isActive = (f: { from: number; to: number | null }, t: number) =>
  t >= f.from && (f.to === null || t < f.to);

/** Sessions mode default 38 "network failure": the visited network cannot reach the home gateway (GTP). */
export const roamingCause = (f: Extract<Fault, { type: 'roaming_outage' }>) =>
  f.cause ?? (f.mode === 'attach' ? 13 : 38);

/**
 * A plausible typo of an APN: two neighbouring letters swapped, or one letter replaced by its keyboard
 * neighbour. Never equal to the right APN case-insensitively (APNs compare that way, so a case change is no typo).
 */
export function apnTypo(apn: string, seed: number, iccid = ''): string {
  const r = rng(hash32(`typo/${seed}/${iccid}/${apn}`));
  const letters = [...apn].map((c, i) => (/[a-z]/i.test(c) ? i : -1)).filter((i) => i >= 0);
  const swaps = letters.filter(
    (i) => /[a-z]/i.test(apn[i + 1] ?? '') && apn[i]!.toLowerCase() !== apn[i + 1]!.toLowerCase(),
  );
  if (swaps.length > 0 && r.chance(0.5)) {
    const i = r.pick(swaps);
    return apn.slice(0, i) + apn[i + 1] + apn[i] + apn.slice(i + 2);
  }
  const rows = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
  const i = letters.length > 0 ? r.pick(letters) : apn.length - 1;
  const c = apn[i]!.toLowerCase();
  const row = rows.find((w) => w.includes(c)) ?? 'abc';
  const k = row.indexOf(c);
  const near = row[k + 1] ?? row[k - 1] ?? 'x';
  return apn.slice(0, i) + near + apn.slice(i + 1);
}

/** Which members a fault type can sensibly hit (used for count/fraction picks and to check explicit targets). */
function eligible(f: Fault, m: FleetMember): string | null {
  switch (f.type) {
    case 'sms_while_off':
      return m.planServices.sms ? 'its plan has SMS on; the fault needs a plan with SMS off' : null;
    case 'wear_degrading':
      if (!m.deviceId) return 'it has no device (telemetry needs one)';
      if (m.wearParts.length === 0) return 'its device model names no wear parts';
      return f.part !== undefined && !m.wearParts.includes(f.part) ? `its device has no wear part "${f.part}"` : null;
    case 'stock_draining':
      if (!m.deviceId) return 'it has no device (telemetry needs one)';
      if (m.consumables.length === 0) return 'its device model names no consumables';
      return f.item !== undefined && !m.consumables.includes(f.item)
        ? `its device has no consumable "${f.item}"`
        : null;
    case 'link_saturating':
      return !m.deviceId
        ? 'it has no device (telemetry needs one)'
        : m.deviceClass !== 'router'
          ? 'it is not a router'
          : null;
    default:
      return null;
  }
}

const DEFAULT_CLASS: Partial<Record<FaultType, DeviceClass>> = {
  wear_degrading: 'machine',
  link_saturating: 'router',
  stock_draining: 'vending',
};
const NETWORK_WIDE: Partial<Record<FaultType, 'plmn' | 'apn'>> = { roaming_outage: 'plmn', apn_outage: 'apn' };

export type Resolved = { faults: ActiveFault[]; membersOf: Map<number, FleetMember[]>; truth: GroundTruth[] };

/** Resolves every fault; collects every problem (path, value, reason) instead of stopping at the first. */
export function resolveScenario(
  faults: readonly Fault[],
  fleet: readonly FleetMember[],
  opts: { seed: number; start: number },
): { ok: true; resolved: Resolved } | { ok: false; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const at = (w: When) => ('at' in w ? w.at : opts.start + w.relativeMs);
  const byIccid = new Map(fleet.map((m) => [m.iccid.slice(0, 19), m]));
  const byDevice = new Map(fleet.filter((m) => m.deviceId).map((m) => [m.deviceId!, m]));
  const out: Resolved = { faults: [], membersOf: new Map(), truth: [] };
  faults.forEach((f, index) => {
    const path = (...k: (string | number)[]) => pathText(['faults', index, ...k]);
    const from = at(f.start);
    const to = f.end === undefined ? null : at(f.end);
    if (to !== null && to <= from)
      problems.push({ path: path('end'), value: iso(to), reason: `must be after start (${iso(from)})` });
    const wide = NETWORK_WIDE[f.type];
    const t: Target = f.target;
    if (wide && t[wide] === undefined) {
      problems.push({
        path: path('target'),
        value: undefined,
        reason: `${f.type} targets a ${wide}: give target.${wide}`,
      });
      return;
    }
    if (!wide && (t.plmn !== undefined || t.apn !== undefined)) {
      const key = t.plmn !== undefined ? 'plmn' : 'apn';
      problems.push({
        path: path('target', key),
        value: t[key],
        reason: `${f.type} targets SIMs or devices, not a ${key}`,
      });
      return;
    }
    const fault: ActiveFault = { ...f, index, from, to };
    let members: FleetMember[] = [];
    if (t.iccid !== undefined || t.deviceId !== undefined) {
      const m = t.iccid !== undefined ? byIccid.get(t.iccid.slice(0, 19)) : byDevice.get(t.deviceId!);
      const key = t.iccid !== undefined ? 'iccid' : 'deviceId';
      if (!m) {
        problems.push({ path: path('target', key), value: t[key], reason: 'is not in the simulated fleet' });
        return;
      }
      const why = eligible(f, m);
      if (why) {
        problems.push({ path: path('target', key), value: t[key], reason: `${f.type}: ${why}` });
        return;
      }
      members = [m];
    } else if (t.count !== undefined || t.fraction !== undefined) {
      const cls = t.class ?? DEFAULT_CLASS[f.type];
      const pool = fleet
        .filter((m) => (cls === undefined || m.deviceClass === cls) && eligible(f, m) === null)
        .map((m) => ({ m, k: hash32(`${opts.seed}/fault/${index}/${m.iccid}`) }))
        .sort((a, b) => a.k - b.k || (a.m.iccid < b.m.iccid ? -1 : 1));
      const n = t.count ?? Math.max(1, Math.round(t.fraction! * pool.length));
      if (pool.length === 0) {
        problems.push({
          path: path('target'),
          value: undefined,
          reason: `no member of the fleet fits ${f.type}${cls ? ` (class ${cls})` : ''}`,
        });
        return;
      }
      members = pool.slice(0, n).map((p) => p.m);
    } else if (t.apn !== undefined) {
      members = fleet.filter((m) => m.apn.toLowerCase() === t.apn!.toLowerCase());
    }
    out.faults.push(fault);
    out.membersOf.set(index, members);
    const window = { from: iso(from), to: to === null ? null : iso(to) };
    if (t.plmn !== undefined) {
      out.truth.push({
        fault: f.type,
        plmn: t.plmn,
        ...window,
        expected: {
          mode: (f as { mode: string }).mode,
          cause: roamingCause(f as never),
          affected: 'SIMs listed on their own lines as they hit it',
        },
      });
      return;
    }
    for (const m of members)
      out.truth.push({ fault: f.type, ...truthIds(f, m), ...window, expected: expectedOf(fault, m, opts.seed) });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, resolved: out };
}

function truthIds(f: Fault, m: FleetMember) {
  return {
    iccid: m.iccid,
    ...(m.deviceId ? { deviceId: m.deviceId } : {}),
    ...(f.type === 'apn_outage' || f.type === 'apn_typo' ? { apn: m.apn } : {}),
  };
}

/** What the fault looks like on the wire for this member: the evidence a diagnosis should find. */
export function expectedOf(f: ActiveFault, m: FleetMember, seed: number): Record<string, unknown> {
  switch (f.type) {
    case 'apn_typo':
      return { apn: m.apn, typo: apnTypo(m.apn, seed, m.iccid), event: 'session_rejected', cause: 27 };
    case 'roaming_outage':
      return { mode: f.mode, cause: roamingCause(f) };
    case 'sim_deactivated':
      return { event: 'attach_rejected', cause: f.cause };
    case 'sim_limit_blocked':
      return { limitBytes: f.limitBytes, event: 'session_rejected', cause: f.cause };
    case 'apn_outage':
      return { event: 'session_rejected', cause: f.cause };
    case 'imei_swap':
      return { imei: m.imei, newImei: swappedImei(f, m, seed) };
    case 'device_silent':
      return { events: 'none' };
    case 'sms_while_off':
      return { event: 'sms_mo', planSms: false, everyMs: f.every };
    case 'wear_degrading':
      return {
        part: f.part ?? m.wearParts[0],
        metric: `wear_pct.${f.part ?? m.wearParts[0]}`,
        reachPct: f.reachPct,
        reachAt: iso(f.from + f.over),
      };
    case 'link_saturating':
      return { metric: 'link_utilization_pct', range: [95, 100] };
    case 'stock_draining': {
      const item = f.item ?? m.consumables[0];
      return { item, metric: `stock_level_pct.${item}`, reachPct: 0, reachAt: iso(f.from + f.over) };
    }
  }
}

/** The other device's IMEI: given, or a valid one with another TAC derived from the ICCID. */
export function swappedImei(f: Extract<Fault, { type: 'imei_swap' }>, m: FleetMember, seed: number): string {
  if (f.newImei) return f.newImei;
  const body = `86${String(hash32(`${seed}/swap/${m.iccid}`) % 1e12).padStart(12, '0')}`;
  let sum = 0;
  for (let i = body.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = body.charCodeAt(i) - 48;
    if (dbl) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** Per-member lookup of the faults that touch it, plus the network-wide ones by PLMN and APN. */
export class FaultBook {
  readonly byMember = new Map<string, ActiveFault[]>();
  readonly byPlmn = new Map<string, ActiveFault[]>();
  readonly byApn = new Map<string, ActiveFault[]>();
  readonly resolved: Resolved;
  constructor(resolved: Resolved) {
    this.resolved = resolved;
    for (const f of resolved.faults) {
      if (f.target.plmn !== undefined) push(this.byPlmn, f.target.plmn, f);
      else if (f.target.apn !== undefined) push(this.byApn, f.target.apn.toLowerCase(), f);
      else for (const m of resolved.membersOf.get(f.index) ?? []) push(this.byMember, m.iccid, f);
    }
  }
  /** Faults of this member active at t, of one type. */
  own<T extends FaultType>(m: FleetMember, type: T, t: number): Extract<ActiveFault, { type: T }> | undefined {
    return this.byMember.get(m.iccid)?.find((f) => f.type === type && isActive(f, t)) as never;
  }
  inPlmn(plmn: string, t: number) {
    return this.byPlmn.get(plmn)?.find((f) => isActive(f, t)) as
      | Extract<ActiveFault, { type: 'roaming_outage' }>
      | undefined;
  }
  onApn(apn: string, t: number) {
    return this.byApn.get(apn.toLowerCase())?.find((f) => isActive(f, t)) as
      | Extract<ActiveFault, { type: 'apn_outage' }>
      | undefined;
  }
  /** Fault edges (starts and ends) of a member after t: the engine wakes the member then, so faults show at once. */
  nextEdge(m: FleetMember, t: number): number {
    let next = Number.POSITIVE_INFINITY;
    const edges = [...(this.byMember.get(m.iccid) ?? []), ...(this.byApn.get(m.apn.toLowerCase()) ?? [])];
    for (const f of edges) {
      if (f.from > t && f.from < next) next = f.from;
      if (f.to !== null && f.to > t && f.to < next) next = f.to;
    }
    return next;
  }
  /** PLMNs of roaming outages: trackers include them in their itinerary so the outage is actually met. */
  outagePlmns(): string[] {
    return [...this.byPlmn.keys()];
  }
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V) {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}
