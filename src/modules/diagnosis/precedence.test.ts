import { describe, expect, it } from 'vitest';
import type { DiagnosisEvent, DiagnosisInput } from './diagnosis.model.ts';
import { MAX_EVENTS } from './diagnosis.model.ts';
import { cell, ev, fleet, HOME, HOUR, healthyEvents, input, NOW, repeat, VISITED } from './diagnosis.testkit.ts';
import { diagnose } from './engine.ts';

const run = (over: Partial<DiagnosisInput>) => diagnose(input(over));

describe('precedence', () => {
  it('a SIM not active wins over an APN typo', () => {
    const d = run({
      sim: { ...input().sim, state: 'DEACTIVATED' },
      events: repeat(3, 3, 6, 'session_rejected', { apn: 'iot.ism', cause: 27 }),
    });
    expect(d.rootCause.code).toBe('sim_not_active');
    expect(d.otherFindings.map((f) => f.code)).toContain('apn_typo');
  });

  it('an APN typo wins over a roaming partner failure', () => {
    const events = [
      ...repeat(4, 3, 6, 'session_rejected', { apn: 'iot.ism', cause: 27, plmn: VISITED }),
      ...repeat(3, 40, 5, 'attach_rejected', { cause: 13, plmn: VISITED }),
    ];
    expect(run({ events }).rootCause.code).toBe('apn_typo');
  });

  it('a fleet-wide APN failure wins over the device looking silent', () => {
    const events = [...repeat(2, 200, 60, 'session_rejected', { cause: 34 }), ...healthyEvents(24, 330)];
    const f = fleet(
      [{ plmn: HOME, sessions: cell(200, 30, 50, 5) }],
      [{ apn: 'iot.sim', sessions: cell(200, 0, 50, 5) }],
    );
    const d = run({ events, fleet: { ...f, period: { from: new Date(NOW.getTime() - 6 * HOUR), to: NOW } } });
    expect(d.rootCause.code).toBe('apn_gateway_outage');
    expect(d.otherFindings.map((f) => f.code)).toContain('device_silent');
  });

  it('an error wins over a warning whatever the order of the list', () => {
    const events = [
      ...repeat(4, 3, 6, 'session_rejected', { apn: 'iot.ism', cause: 27 }),
      ev(60, 'attach', { imei: '862345678901238' }),
    ];
    const base = input({ events });
    const d = diagnose({
      ...base,
      networkState: { ...base.networkState!, imei: '862345678901238', imeiChangedAt: new Date(NOW.getTime() - HOUR) },
    });
    expect(d.rootCause.code).toBe('apn_typo');
    expect(d.otherFindings).toContainEqual({ code: 'imei_changed', verdict: 'warning', check: 'identity.imei' });
  });

  it('a fixed typo is history: the SIM works now, so healthy; the typo stays a warning check for the agent', () => {
    const events = [
      ...healthyEvents(1, 2),
      ...repeat(5, 70, 6, 'session_rejected', { apn: 'iot.ism', cause: 27 }),
      ev(120, 'attach'),
    ];
    const d = run({ events });
    expect(d.rootCause).toMatchObject({ code: 'healthy', verdict: 'ok' });
    expect(d.checks.find((c) => c.check === 'data_session.apn' && c.verdict === 'warning')).toBeDefined();
    expect(d.rootCause.summary.agent).toContain('Notes:');
  });
});

describe('cost', () => {
  it('stays linear and fast at the event cap', () => {
    const events: DiagnosisEvent[] = [];
    for (let i = 0; events.length < MAX_EVENTS; i++) {
      events.push(
        ev(
          i * 2,
          i % 7 === 0 ? 'session_rejected' : 'session_update',
          i % 7 === 0 ? { cause: 38, plmn: i % 3 ? HOME : VISITED } : {},
        ),
      );
    }
    const base = input({
      events,
      fleet: fleet([{ plmn: HOME }, { plmn: VISITED }], [{ apn: 'iot.sim', sessions: cell(10, 10) }]),
    });
    diagnose(base);
    const t = performance.now();
    for (let i = 0; i < 20; i++) diagnose(base);
    expect((performance.now() - t) / 20).toBeLessThan(20);
  });
});
