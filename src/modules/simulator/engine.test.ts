import { describe, expect, it } from 'vitest';
import { NETWORK_EVENT_TYPES, parseNetworkEvent, parseTelemetry } from '../ingest/contract.ts';
import { Engine, type SimRecord } from './engine.ts';
import { resolveScenario } from './faults.ts';
import { DEVICE_CLASSES, type FleetMember, syntheticFleet } from './fleet.ts';
import type { NetworkWire } from './network.ts';
import { type Fault, parseScenario } from './scenario.ts';

const HOUR = 3_600_000;
const start = Date.parse('2026-03-02T00:00:00Z'); // a Monday
const SEED = 7;
const fleet = syntheticFleet(120, SEED);

function run(faults: Fault[], hours = 48, members: readonly FleetMember[] = fleet) {
  const r = resolveScenario(faults, members, { seed: SEED, start });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const engine = new Engine({ fleet: members, seed: SEED, start, resolved: r.resolved });
  return { records: engine.until(start + hours * HOUR), truth: [...r.resolved.truth, ...engine.discovered] };
}

const network = (rs: SimRecord[], iccid?: string) =>
  rs.flatMap((r) => (r.kind === 'network' && (iccid === undefined || r.key === iccid) ? [r.body] : []));
const telemetry = (rs: SimRecord[], deviceId: string) =>
  rs.flatMap((r) => (r.kind === 'telemetry' && r.key === deviceId ? [r.body] : []));

/** Every record through the parser iotops uses, as it would arrive over MQTT (topic key) and HTTP (body only). */
function expectAllConform(rs: SimRecord[]) {
  for (const r of rs) {
    const wire = JSON.parse(JSON.stringify(r.body)) as unknown;
    const viaMqtt =
      r.kind === 'network'
        ? parseNetworkEvent(wire, { topicIccid: r.key })
        : parseTelemetry(wire, { topicDeviceId: r.key });
    const viaHttp = r.kind === 'network' ? parseNetworkEvent(wire) : parseTelemetry(wire);
    if (!viaMqtt.ok || !viaHttp.ok)
      expect.fail(`${JSON.stringify(r.body)} → ${JSON.stringify(viaMqtt.ok ? viaHttp : viaMqtt)}`);
  }
}

const everyFault = parseScenario(
  JSON.stringify({
    faults: [
      { type: 'apn_typo', target: { count: 2, class: 'meter' }, start: '+1h' },
      { type: 'roaming_outage', target: { plmn: '22201' }, start: '+1h', end: '+30h' },
      { type: 'roaming_outage', target: { plmn: '26202' }, start: '+1h', end: '+30h', mode: 'sessions' },
      { type: 'sim_deactivated', target: { count: 1, class: 'tracker' }, start: '+2h' },
      { type: 'sim_limit_blocked', target: { count: 1, class: 'router' }, start: '+1h', limitBytes: 5_000_000 },
      { type: 'apn_outage', target: { apn: 'iot.sim' }, start: '+10h', end: '+12h' },
      { type: 'imei_swap', target: { count: 1, class: 'vending' }, start: '+3h' },
      { type: 'device_silent', target: { count: 1, class: 'machine' }, start: '+4h' },
      { type: 'sms_while_off', target: { count: 1, class: 'meter' }, start: '+1h', every: '30m' },
      { type: 'wear_degrading', target: { count: 1 }, start: '+2h', over: '12h' },
      { type: 'link_saturating', target: { count: 1 }, start: '+9h', end: '+15h' },
      { type: 'stock_draining', target: { count: 1 }, start: '+1h', over: '10h' },
    ],
  }),
);

describe('simulator engine', () => {
  it('every record of every device class, with every fault injected, passes the ingest contract parser', () => {
    const { records } = run(everyFault.faults);
    expect(new Set(fleet.map((m) => m.deviceClass))).toEqual(new Set(DEVICE_CLASSES));
    const types = new Set(network(records).map((e) => e.type));
    // Every contract type but voice, which only SIMs whose plan has voice make (this fleet's may not).
    for (const t of NETWORK_EVENT_TYPES.filter((x) => x !== 'voice')) expect(types).toContain(t);
    expectAllConform(records);
    expect(new Set(records.map((r) => r.body.id)).size).toBe(records.length);
  });

  it('is deterministic: same seed, start and fleet give the same records and ids; ts never goes back', () => {
    const a = run(everyFault.faults, 12).records;
    const b = run(everyFault.faults, 12).records;
    expect(b).toEqual(a);
    for (let i = 1; i < a.length; i++) expect(a[i]!.body.ts >= a[i - 1]!.body.ts).toBe(true);
    const other = new Engine({ fleet, seed: 8, start, resolved: { faults: [], membersOf: new Map(), truth: [] } });
    expect(other.until(start + 12 * HOUR)).not.toEqual(a);
  });

  it('draws daily patterns per class: meters few small sessions, trackers roam, routers heavy with link utilisation', () => {
    const { records } = run([], 48);
    const byClass = (cls: string) => fleet.filter((m) => m.deviceClass === cls);
    const ends = (ms: FleetMember[]) =>
      ms.flatMap((m) => network(records, m.iccid).filter((e) => e.type === 'session_end'));
    const meterEnds = ends(byClass('meter'));
    const meterPerDay = meterEnds.length / byClass('meter').length / 2;
    expect(meterPerDay).toBeGreaterThan(1);
    expect(meterPerDay).toBeLessThan(12);
    expect(Math.max(...meterEnds.map((e) => e.bytes_up! + e.bytes_down!))).toBeLessThan(100_000);
    const trackerPerDay = ends(byClass('tracker')).length / byClass('tracker').length / 2;
    expect(trackerPerDay).toBeGreaterThan(meterPerDay * 2);
    const visited = new Set(
      byClass('tracker').flatMap((m) =>
        network(records, m.iccid).flatMap((e) => (e.type === 'attach' ? [`${e.network!.mcc}${e.network!.mnc}`] : [])),
      ),
    );
    expect(visited.size).toBeGreaterThan(3);
    const routerBytes = ends(byClass('router')).concat(
      byClass('router').flatMap((m) => network(records, m.iccid).filter((e) => e.type === 'session_update')),
    );
    expect(Math.max(...routerBytes.map((e) => e.bytes_down!))).toBeGreaterThan(100_000_000);
    const router = byClass('router')[0]!;
    const util = telemetry(records, router.deviceId!).map((t) => t.metrics.link_utilization_pct!);
    expect(util.length).toBeGreaterThan(500); // every 5 min for 2 days
    expect(Math.min(...util)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...util)).toBeLessThanOrEqual(90);
  });

  it('machines: wear only rises and production only grows; vending: stock drains and is refilled', () => {
    const { records } = run([], 72);
    const machine = fleet.find((m) => m.deviceClass === 'machine')!;
    const series = telemetry(records, machine.deviceId!);
    for (const part of machine.wearParts) {
      const w = series.map((t) => t.metrics[`wear_pct.${part}`]!);
      for (let i = 1; i < w.length; i++) expect(w[i]!).toBeGreaterThanOrEqual(w[i - 1]!);
    }
    const units = series.map((t) => t.metrics.production_units!);
    for (let i = 1; i < units.length; i++) expect(units[i]!).toBeGreaterThanOrEqual(units[i - 1]!);
    expect(units.at(-1)!).toBeGreaterThan(units[0]!);
    const vending = fleet.filter((m) => m.deviceClass === 'vending');
    const levels = vending.flatMap((m) =>
      telemetry(records, m.deviceId!).flatMap((t) => m.consumables.map((c) => t.metrics[`stock_level_pct.${c}`]!)),
    );
    expect(Math.min(...levels)).toBeLessThan(20);
    const refills = vending.some((m) =>
      m.consumables.some((c) => {
        const s = telemetry(records, m.deviceId!).map((t) => t.metrics[`stock_level_pct.${c}`]!);
        return s.some((v, i) => i > 0 && v === 100 && s[i - 1]! < 50);
      }),
    );
    expect(refills).toBe(true);
  });
});

describe('injected faults on the wire', () => {
  const { records, truth } = run(everyFault.faults);
  const line = (fault: string) => truth.find((t) => t.fault === fault && t.iccid)!;
  const since = (es: NetworkWire[], t: string) => es.filter((e) => e.ts >= t);

  it('APN typo: session_rejected cause 27 with a one-letter misspelling of the right APN', () => {
    const g = line('apn_typo');
    const rejects = network(records, g.iccid).filter((e) => e.type === 'session_rejected');
    expect(rejects.length).toBeGreaterThan(3);
    const typo = g.expected.typo as string;
    expect(typo.toLowerCase()).not.toBe(g.apn!.toLowerCase());
    expect(typo).toHaveLength(g.apn!.length);
    for (const e of rejects) expect(e).toMatchObject({ cause: 27, apn: typo });
    expect(since(network(records, g.iccid), g.from).filter((e) => e.type === 'session_start')).toEqual([]);
  });

  it('roaming outage: attach rejected (13) in that PLMN, sessions rejected (38) in the other; the affected SIMs are in the ground truth', () => {
    const attachHits = truth.filter((t) => t.fault === 'roaming_outage' && t.plmn === '22201' && t.iccid);
    expect(attachHits.length).toBeGreaterThan(0);
    for (const h of attachHits) {
      const e = network(records, h.iccid).find((x) => x.type === 'attach_rejected' && x.ts === h.from)!;
      expect(e).toMatchObject({ cause: 13, network: { mcc: '222', mnc: '01' } });
    }
    const sessionHits = truth.filter((t) => t.fault === 'roaming_outage' && t.plmn === '26202' && t.iccid);
    expect(sessionHits.length).toBeGreaterThan(0);
    const e = network(records, sessionHits[0]!.iccid).find((x) => x.type === 'session_rejected')!;
    expect(e).toMatchObject({ cause: 38, network: { mcc: '262', mnc: '02' } });
    const inOutage = network(records).filter(
      (x) => x.type === 'attach' && x.network?.mcc === '222' && x.network.mnc === '01',
    );
    const window = truth.find((t) => t.fault === 'roaming_outage' && t.plmn === '22201' && !t.iccid)!;
    expect(inOutage.filter((x) => x.ts >= window.from && x.ts < window.to!)).toEqual([]);
  });

  it('SIM deactivated: detached, then every attach rejected with EMM cause 8', () => {
    const g = line('sim_deactivated');
    const es = since(network(records, g.iccid), g.from);
    expect(es[0]!.type).toBe('detach');
    const rest = es.slice(1);
    expect(rest.length).toBeGreaterThan(3);
    for (const e of rest) expect(e).toMatchObject({ type: 'attach_rejected', cause: 8 });
  });

  it('SIM blocked by its limit: the session is cut at the limit, then sessions are rejected with ESM cause 29', () => {
    const g = line('sim_limit_blocked');
    const es = since(network(records, g.iccid), g.from);
    const firstReject = es.findIndex((e) => e.type === 'session_rejected');
    expect(firstReject).toBeGreaterThan(0);
    expect(es[firstReject - 1]!.type).toBe('session_end');
    for (const e of es.slice(firstReject)) expect(e).toMatchObject({ type: 'session_rejected', cause: 29 });
  });

  it('APN outage: every SIM on the APN that tries in the window is rejected with cause 34, and only then', () => {
    const g = truth.filter((t) => t.fault === 'apn_outage');
    expect(g.length).toBe(fleet.filter((m) => m.apn === 'iot.sim').length);
    const rejected = network(records).filter((e) => e.type === 'session_rejected' && e.cause === 34);
    expect(rejected.length).toBeGreaterThan(5);
    for (const e of rejected) {
      expect(e.apn).toBe('iot.sim');
      expect(e.ts >= g[0]!.from && e.ts < g[0]!.to!).toBe(true);
    }
  });

  it('IMEI swap: the SIM detaches and comes back with the other IMEI', () => {
    const g = line('imei_swap');
    const es = network(records, g.iccid);
    const before = es.filter((e) => e.ts < g.from);
    const afterSwap = since(es, g.from);
    expect(new Set(before.map((e) => e.imei))).toEqual(new Set([g.expected.imei]));
    expect(afterSwap.length).toBeGreaterThan(2);
    expect(afterSwap.find((e) => e.type === 'attach')!.imei).toBe(g.expected.newImei);
  });

  it('device silent: no network event and no telemetry after its start', () => {
    const g = line('device_silent');
    expect(network(records, g.iccid).filter((e) => e.ts >= g.from)).toEqual([]);
    expect(telemetry(records, g.deviceId!).filter((t) => t.ts >= g.from)).toEqual([]);
    expect(network(records, g.iccid).length).toBeGreaterThan(0);
  });

  it('SMS while the plan has SMS off: sms_mo from a SIM whose plan has no SMS', () => {
    const g = line('sms_while_off');
    expect(fleet.find((m) => m.iccid === g.iccid)!.planServices.sms).toBe(false);
    expect(network(records, g.iccid).filter((e) => e.type === 'sms_mo').length).toBeGreaterThan(20);
  });

  it('wear degrading reaches 100 % (fault_code set), the link saturates at 95–100 %, the stock drains to 0', () => {
    const w = line('wear_degrading');
    const wear = telemetry(records, w.deviceId!);
    expect(wear.at(-1)!.metrics[w.expected.metric as string]).toBe(100);
    expect(wear.at(-1)!.metrics.fault_code).toBe(1);
    const l = line('link_saturating');
    const util = telemetry(records, l.deviceId!).filter((t) => t.ts >= l.from && t.ts < l.to!);
    expect(util.length).toBeGreaterThan(50);
    for (const t of util) expect(t.metrics.link_utilization_pct).toBeGreaterThanOrEqual(95);
    const s = line('stock_draining');
    const stock = telemetry(records, s.deviceId!).filter((t) => t.ts >= (s.expected.reachAt as string));
    expect(stock.length).toBeGreaterThan(0);
    for (const t of stock) expect(t.metrics[s.expected.metric as string]).toBe(0);
  });
});
