import { describe, expect, it } from 'vitest';
import { configSmsText } from '../network-actions/config-sms.ts';
import { deviceApnFromSms, type SimCommand } from './commands.ts';
import { Engine, type SimRecord } from './engine.ts';
import { resolveScenario, withClearances } from './faults.ts';
import { type FleetMember, syntheticFleet } from './fleet.ts';
import type { NetworkWire } from './network.ts';
import type { Fault } from './scenario.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const start = Date.parse('2026-03-02T00:00:00Z');
const SEED = 11;
const fleet = syntheticFleet(40, SEED, { meter: 0, tracker: 0, router: 1, machine: 0, vending: 0 });

function engineWith(faults: Fault[], members: readonly FleetMember[] = fleet) {
  const r = resolveScenario(faults, members, { seed: SEED, start });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { engine: new Engine({ fleet: members, seed: SEED, start, resolved: r.resolved }), resolved: r.resolved };
}
const network = (rs: SimRecord[], iccid: string): NetworkWire[] =>
  rs.flatMap((r) => (r.kind === 'network' && r.key === iccid ? [r.body] : []));
const types = (es: NetworkWire[]) => es.map((e) => e.type);
const sinceAt = (es: NetworkWire[], t: number) => es.filter((e) => Date.parse(e.ts) >= t);

describe('simulator: network commands', () => {
  const m = fleet[0]!;

  it('the device reads the APN from the configuration SMS iotops sends', () => {
    expect(deviceApnFromSms(configSmsText('iot.example'))).toBe('iot.example');
    expect(deviceApnFromSms('hello there')).toBeNull();
  });

  it('connectivity reset: session ends with the detach, then a fresh attach and a new session within a minute', () => {
    const { engine } = engineWith([]);
    const at = start + 3 * HOUR; // routers hold long sessions: one is open by then
    const before = network(engine.until(at - 1), m.iccid);
    expect(before.at(-1)?.type).toMatch(/session_(start|update)/);
    engine.command({ id: 1, iccid: m.iccid, kind: 'cancel_location' }, at);
    engine.command({ id: 2, iccid: m.iccid, kind: 'delete_session' }, at);
    const next = sinceAt(network(engine.until(at + 5 * MIN), m.iccid), at);
    expect(types(next).slice(0, 3)).toEqual(['detach', 'attach', 'session_start']);
    expect(Date.parse(next[2]!.ts) - at).toBeLessThan(MIN);
    expect(next[2]!.session_id).not.toBe(before.at(-1)!.session_id);
  });

  it('is deterministic: the same commands at the same instants give the same records', () => {
    const go = () => {
      const { engine } = engineWith([]);
      engine.until(start + 2 * HOUR);
      engine.command({ id: 1, iccid: m.iccid, kind: 'cancel_location' }, start + 2 * HOUR + 1);
      return engine.until(start + 4 * HOUR);
    };
    expect(go()).toEqual(go());
  });

  it('a command for another fleet answers false and changes nothing', () => {
    const { engine } = engineWith([]);
    expect(engine.command({ id: 1, iccid: '89460990000000000000', kind: 'cancel_location' }, start)).toBe(false);
  });

  it('configuration SMS with the right APN clears an apn_typo: delivered, then sessions on the right APN; ground truth says when and by what', () => {
    const { engine, resolved } = engineWith([
      { type: 'apn_typo', target: { iccid: m.iccid }, start: { relativeMs: HOUR } } as Fault,
    ]);
    // A router's session lasts hours: the typo shows once the one open at +1h has ended.
    const at = start + 20 * HOUR;
    const before = network(engine.until(at - 1), m.iccid);
    const rejected = before.filter((e) => e.type === 'session_rejected');
    expect(rejected.length).toBeGreaterThan(2);
    expect(rejected.every((e) => e.cause === 27 && e.apn !== m.apn)).toBe(true);

    const sms: SimCommand = { id: 9, iccid: m.iccid, kind: 'sms', text: configSmsText(m.apn) };
    engine.command(sms, at);
    const next = sinceAt(network(engine.until(at + 6 * HOUR), m.iccid), at);
    expect(next[0]).toMatchObject({ type: 'sms_mt', status: 'delivered' });
    const sessions = next.filter((e) => e.type.startsWith('session_'));
    expect(sessions[0]).toMatchObject({ type: 'session_start', apn: m.apn });
    expect(sessions.filter((e) => e.type === 'session_rejected')).toEqual([]);

    const truth = withClearances(resolved.truth, engine.cleared);
    expect(truth.find((l) => l.iccid === m.iccid && l.fault === 'apn_typo')).toMatchObject({
      to: new Date(at).toISOString(),
      clearedBy: { command: 9, kind: 'sms', apn: m.apn, at: new Date(at).toISOString() },
    });
  });

  it('a configuration SMS with another wrong APN does not clear it (the device then asks for that APN)', () => {
    const { engine } = engineWith([
      { type: 'apn_typo', target: { iccid: m.iccid }, start: { relativeMs: HOUR } } as Fault,
    ]);
    const at = start + 20 * HOUR;
    engine.until(at - 1);
    engine.command({ id: 3, iccid: m.iccid, kind: 'sms', text: configSmsText('wrong.apn') }, at);
    const next = sinceAt(network(engine.until(at + 3 * HOUR), m.iccid), at);
    const rejects = next.filter((e) => e.type === 'session_rejected');
    expect(rejects.length).toBeGreaterThan(0);
    expect(rejects.every((e) => e.apn === 'wrong.apn' && e.cause === 27)).toBe(true);
    expect(engine.cleared).toEqual([]);
  });

  it('subscription withdrawn (non-active state): detach, then attach refused with cause 8 until active again', () => {
    const { engine } = engineWith([]);
    const at = start + 3 * HOUR;
    engine.until(at - 1);
    engine.command({ id: 4, iccid: m.iccid, kind: 'subscription', active: false }, at);
    const next = sinceAt(network(engine.until(at + 12 * HOUR), m.iccid), at);
    expect(next[0]!.type).toBe('detach');
    const rest = next.slice(1);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((e) => e.type === 'attach_rejected' && e.cause === 8)).toBe(true);
    expect(engine.discovered).toContainEqual(
      expect.objectContaining({ fault: 'sim_deactivated', iccid: m.iccid, to: null, causedBy: expect.anything() }),
    );

    const back = at + 12 * HOUR + 1;
    engine.command({ id: 5, iccid: m.iccid, kind: 'subscription', active: true }, back);
    const later = sinceAt(network(engine.until(back + 3 * HOUR), m.iccid), back);
    expect(types(later)).toContain('attach');
    expect(engine.discovered.find((l) => l.iccid === m.iccid)?.to).toBe(new Date(back).toISOString());
  });
});
