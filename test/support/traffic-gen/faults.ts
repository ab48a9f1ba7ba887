/**
 * What goes wrong with single SIMs, the healthy look-alikes (transient refusals, IMEI swaps on unlocked plans,
 * overage on throttle or charge plans), and which SIMs are sent to meet the network's outages.
 */
import { HOUR, MINUTE, monthStartUtc } from './clock.ts';
import type { InitialState, Job, Wake } from './device.ts';
import { HOME_PLMN, IMEI_RULES, makeImei, PLMNS, type SimBase } from './fleet.ts';
import { type Mechanism, newSubscriber, type Outage, plmnAllowed, type Subscriber } from './network.ts';
import type { Rng } from './random.ts';
import type { Rhythm } from './rhythms.ts';
import { makeTypo } from './typo.ts';

export type RoleKey =
  | 'apn_typo'
  | 'plmn_not_allowed'
  | 'sim_not_active'
  | 'sim_blocked_by_limit'
  | 'imei_changed'
  | 'device_silent'
  | 'limit_cross'
  | 'imei_swap'
  | 'noise'
  | 'expose'
  | 'healthy';

export const FAULT_ROLES: ReadonlySet<RoleKey> = new Set([
  'apn_typo',
  'plmn_not_allowed',
  'sim_not_active',
  'sim_blocked_by_limit',
  'imei_changed',
  'device_silent',
]);

export interface Role {
  key: RoleKey;
  target: number;
  /** SIM indexes to try in order, interleaved across accounts so a fault never sits in one customer only. */
  candidates: number[];
  outage?: Outage;
}

/** What the SIM was set up to show; the classifier checks the events really show it. */
export interface Expectation {
  key: RoleKey;
  mechanism?: Mechanism;
  plmn?: string;
  typo?: string;
  rightApn?: string;
  oldImei?: string;
  newImei?: string;
  outage?: Outage;
  deactivatedBeforeWindow?: boolean;
}

export interface Scenario {
  wakes: Wake[];
  initial: InitialState;
  sub: Subscriber;
  expect: Expectation;
  catalog: { state: 'ACTIVATED' | 'DEACTIVATED'; deviceApn: string };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Visited PLMNs a tracker could drive into where its plan allows no network at all. */
export function forbiddenFor(b: SimBase, outages: readonly Outage[]): string[] {
  const busy = new Set(outages.map((o) => o.plmn));
  return [...PLMNS.values()]
    .filter((p) => p.mcc !== '310' && p.code !== HOME_PLMN && !busy.has(p.code))
    .filter((p) => ![...PLMNS.values()].some((q) => q.mcc === p.mcc && plmnAllowed(b.plan, q.code)))
    .map((p) => p.code);
}

const STATIC_KINDS = new Set(['smart_meter', 'vending_machine', 'industrial_machine', 'alarm_panel', 'router']);

function canMeet(b: SimBase, o: Outage): boolean {
  if (!o.plmn || !plmnAllowed(b.plan, o.plmn)) return false;
  if (b.profile.travel) return o.plmn !== HOME_PLMN && b.profile.travel.includes(o.plmn);
  return STATIC_KINDS.has(b.profile.kind) && b.base === o.plmn;
}

function spreadByAccount(rng: Rng, list: SimBase[]): number[] {
  const groups = new Map<string, SimBase[]>();
  for (const b of rng.shuffle(list)) {
    const g = groups.get(b.sim.accountKey) ?? [];
    g.push(b);
    groups.set(b.sim.accountKey, g);
  }
  const queues = rng.shuffle([...groups.values()]);
  const out: number[] = [];
  for (let k = 0; out.length < list.length; k++) {
    for (const q of queues) {
      const b = q[k];
      if (b) out.push(b.index);
    }
  }
  return out;
}

export function planRoles(rng: Rng, from: number, to: number, bases: SimBase[], outages: Outage[]): Role[] {
  const n = bases.length;
  const w = to - from;
  const scaled = (k: number) => Math.max(n >= 25 ? 1 : 0, Math.round((k * n) / 400));
  const monthSpan = to - Math.max(from, monthStartUtc(to));
  const roles: Role[] = [];
  const add = (key: RoleKey, k: number, feasible: boolean, pred: (b: SimBase) => boolean, outage?: Outage) => {
    if (!feasible) return;
    const role: Role = { key, target: scaled(k), candidates: spreadByAccount(rng, bases.filter(pred)) };
    if (outage) role.outage = outage;
    roles.push(role);
  };
  const perSim = (b: SimBase) => b.rate.pooling === 'per_sim';
  add('sim_blocked_by_limit', 8, monthSpan >= 4 * HOUR, (b) => perSim(b) && b.rate.overageAction.action === 'block');
  add('imei_changed', 8, w >= 3 * HOUR, (b) => b.plan.imeiLock);
  add(
    'plmn_not_allowed',
    8,
    w >= 4 * HOUR,
    (b) => b.profile.kind === 'asset_tracker' && forbiddenFor(b, outages).length > 0,
  );
  add('device_silent', 10, w >= 16 * HOUR, (b) => {
    if (b.profile.kind === 'alarm_panel') return false;
    return b.profile.kind !== 'smart_meter' || w >= 48 * HOUR;
  });
  add('sim_not_active', 8, true, () => true);
  add('apn_typo', 12, true, () => true);
  add('limit_cross', 6, monthSpan >= 4 * HOUR, (b) => perSim(b) && b.rate.overageAction.action !== 'block');
  add('imei_swap', 5, w >= 3 * HOUR, (b) => !b.plan.imeiLock);
  add('noise', 8, w >= 8 * HOUR, () => true);
  for (const o of outages) {
    const ongoing = o.end === Number.POSITIVE_INFINITY;
    if (o.kind === 'apn_gateway') {
      add('expose', ongoing ? 4 : 3, true, (b) => b.sim.deviceApn.toLowerCase() === o.apn, o);
      continue;
    }
    add('expose', o.kind === 'home_network' ? 5 : ongoing ? 6 : 4, true, (b) => canMeet(b, o), o);
  }
  return roles;
}

/** Onsets spread so a long window sees long histories and the last hours still get fresh faults. */
function pickOnset(rng: Rng, lo: number, hi: number, from: number, to: number): number | undefined {
  if (lo > hi) return undefined;
  const w = to - from;
  const r = rng.next();
  const at =
    r < 0.4
      ? from + w * rng.float(0.05, 0.35)
      : r < 0.7
        ? from + w * rng.float(0.35, 0.75)
        : to - rng.float(0.75 * HOUR, Math.max(HOUR, Math.min(6 * HOUR, 0.25 * w)));
  return clamp(at, lo, hi);
}

export function applyRole(
  rng: Rng,
  role: Role,
  b: SimBase,
  rhythm: Rhythm,
  from: number,
  to: number,
  outages: readonly Outage[],
  imeis: Set<string>,
): Scenario | undefined {
  const sub = newSubscriber(b.plan, b.sim.imei);
  const rule = IMEI_RULES[b.plan.key];
  if (b.plan.imeiLock && rule) sub.imeiRule = rule;
  const initial: InitialState = { ...rhythm.initial, apn: b.sim.deviceApn, imei: b.sim.imei };
  let wakes = [...rhythm.wakes];
  const catalog: Scenario['catalog'] = { state: 'ACTIVATED', deviceApn: b.sim.deviceApn };
  const expect: Expectation = { key: role.key };
  const lo = from + HOUR;
  const hi = to - 45 * MINUTE;
  const w = to - from;
  switch (role.key) {
    case 'apn_typo': {
      const right = b.plan.apns.find((a) => a.toLowerCase() === b.sim.deviceApn.toLowerCase()) ?? b.plan.apns[0];
      if (!right) return undefined;
      const typo = makeTypo(rng, right, b.plan.apns);
      expect.mechanism = 'apn_unknown';
      expect.typo = typo;
      expect.rightApn = right;
      catalog.deviceApn = typo;
      // Either the device was installed with the typo, or a configuration push brought it in.
      if (rng.chance(0.4)) {
        initial.apn = typo;
        // No PDN connection on an unknown APN can already be open.
        delete initial.sessionAgeMs;
      } else {
        const at = pickOnset(rng, lo, hi, from, to);
        if (at === undefined) return undefined;
        wakes.push({ at, job: { kind: 'reconfigure', apn: typo } });
      }
      break;
    }
    case 'plmn_not_allowed': {
      const options = forbiddenFor(b, outages);
      if (options.length === 0) return undefined;
      const plmn = rng.pick(options);
      sub.plmnRefusalCause = rng.chance(0.8) ? 11 : 13;
      const at = pickOnset(rng, from + 2 * HOUR, hi, from, to);
      if (at === undefined) return undefined;
      wakes = wakes.filter((x) => x.job.kind !== 'move');
      initial.plmn = HOME_PLMN;
      wakes.push({ at, job: { kind: 'move', plmn } });
      expect.mechanism = 'plmn_policy';
      expect.plmn = plmn;
      break;
    }
    case 'sim_not_active': {
      sub.notActiveCause = rng.chance(0.7) ? 8 : 7;
      catalog.state = 'DEACTIVATED';
      expect.mechanism = 'state';
      if (rng.chance(0.4)) {
        sub.deactivatedFrom = Number.NEGATIVE_INFINITY;
        expect.deactivatedBeforeWindow = true;
        initial.attached = false;
        initial.off = false;
        delete initial.sessionAgeMs;
        wakes.push({ at: from + rng.float(1, 90) * MINUTE, job: { kind: 'attach' } });
      } else {
        const at = pickOnset(rng, lo, hi, from, to);
        if (at === undefined) return undefined;
        wakes.push({ at, job: { kind: 'deactivate' } });
      }
      break;
    }
    case 'sim_blocked_by_limit':
    case 'limit_cross': {
      const durS = (rhythm.traits.longSession ? rng.int(60, 120) : rng.int(20, 60)) * 60;
      const earliest = Math.max(from, monthStartUtc(to)) + durS * 1000 + 10 * MINUTE;
      const at = pickOnset(rng, Math.max(lo, earliest), to - HOUR, from, to);
      if (at === undefined) return undefined;
      const block = role.key === 'sim_blocked_by_limit';
      if (block) {
        sub.quotaCause = rng.chance(0.8) ? 33 : 29;
        expect.mechanism = 'quota';
      }
      wakes.push({ at: at - durS * 1000, job: { kind: 'bulk', crossAt: at, block, durS } });
      break;
    }
    case 'imei_changed':
    case 'imei_swap': {
      const at = pickOnset(rng, lo, hi, from, to);
      if (at === undefined) return undefined;
      const newImei = makeImei(rng, b.profile.kind, imeis);
      wakes.push({ at, job: { kind: 'swap', imei: newImei } });
      expect.oldImei = b.sim.imei;
      expect.newImei = newImei;
      if (role.key === 'imei_changed') {
        if (!sub.imeiRule) return undefined;
        expect.mechanism = 'imei_lock';
      }
      break;
    }
    case 'device_silent': {
      const implicit = rng.chance(0.4) ? rng.int(54, 70) * 60 : undefined;
      const silence = Math.max(12 * HOUR, 1.5 * rhythm.declaredGapMs) + rng.float(0.5, 3) * HOUR;
      const at = to - silence - (implicit ?? 0) * 1000;
      if (at - from < Math.max(3 * HOUR, rhythm.declaredGapMs)) return undefined;
      wakes.push({ at, job: implicit === undefined ? { kind: 'die' } : { kind: 'die', implicitAfterS: implicit } });
      break;
    }
    case 'noise': {
      const reattaches = wakes.some((x) => (x.job.kind === 'burst' && x.job.detachAfter) || x.job.kind === 'power_off');
      for (let k = rng.int(1, 2); k > 0; k--) {
        const at = rng.float(from + 0.1 * w, to - 6 * HOUR);
        if (rhythm.traits.longSession) {
          if (rng.chance(0.5)) wakes.push({ at, job: { kind: 'registered_refusal', cause: 15 } });
          else {
            sub.noise.push({ at, on: 'attach', cause: rng.pick([15, 17]), used: false });
            wakes.push({ at, job: { kind: 'reattach' } });
          }
        } else if (reattaches && rng.chance(0.7)) {
          sub.noise.push({ at, on: 'attach', cause: rng.pick([15, 17]), used: false });
        } else sub.noise.push({ at, on: 'session', cause: 26, used: false });
      }
      break;
    }
    case 'expose': {
      const o = role.outage;
      if (!o) return undefined;
      const start = Math.max(o.start, from) + 5 * MINUTE;
      const end = Math.min(o.end, to) - 10 * MINUTE;
      if (end <= start) return undefined;
      const at = rng.float(start, end);
      expect.outage = o;
      if (o.apn) {
        // Traffic that needs a new session right then (a router's PGW timer, a sale, a reading).
        const job: Job = rhythm.traits.longSession
          ? { kind: 'session_reset' }
          : {
              kind: 'burst',
              durS: rng.int(5, 30),
              up: rng.int(300, 3000),
              down: rng.int(200, 2000),
              detachAfter: false,
            };
        wakes.push({ at, job });
      } else if (!o.plmn) return undefined;
      else if (b.profile.travel) {
        wakes = wakes.filter((x) => !(x.job.kind === 'move' && x.at >= at - 2 * HOUR && x.at < Math.min(o.end, to)));
        wakes.push({ at, job: { kind: 'move', plmn: o.plmn } });
      } else wakes.push({ at, job: { kind: 'reattach' } });
      break;
    }
    case 'healthy':
      break;
  }
  wakes.sort((x, y) => x.at - y.at);
  return { wakes, initial, sub, expect, catalog };
}
