/**
 * Threshold rules on device telemetry: beyond for N reports in a row and/or a duration raises, a single spike does
 * not, a report back inside by the margin clears — through the real ingest and its batch event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateRuleBody } from './rules.schemas.ts';
import { judgeThreshold, type Reading, type ThresholdParams, thresholdFires } from './telemetry-thresholds.ts';

const MIN = 60_000;
const P: ThresholdParams = {
  metric: 'temperature_c',
  above: 8,
  below: null,
  repeats: 3,
  durationMinutes: 0,
  hysteresis: 1,
};
/** Values at one a minute, oldest first in the call, newest first as the rule reads them. */
const series = (...values: number[]): Reading[] =>
  values.map((value, i) => ({ ts: new Date(i * MIN), value })).reverse();

describe('telemetry thresholds (pure)', () => {
  it('raises after N reports in a row beyond, not on a spike; holds in the margin; clears inside it', () => {
    expect(judgeThreshold(P, series(5, 9, 5, 9, 9)).state).toBe('hold');
    expect(judgeThreshold(P, series(5, 9, 9, 9))).toMatchObject({ state: 'beyond', run: 3, runSince: new Date(MIN) });
    // Back to 7.5: not beyond, but within the margin of 1 — an alarm stays; at 7 it clears.
    expect(judgeThreshold(P, series(9, 9, 9, 7.5)).state).toBe('hold');
    expect(judgeThreshold(P, series(9, 9, 9, 7)).state).toBe('inside');
  });

  it('with a duration, the run must also have lasted that long; a band is beyond on either side', () => {
    const long = { ...P, repeats: 1, durationMinutes: 10 };
    expect(judgeThreshold(long, series(9, 9, 9, 9, 9)).state).toBe('hold');
    expect(judgeThreshold(long, series(...Array(11).fill(9))).state).toBe('beyond');
    const band = { ...P, above: 8, below: 2, repeats: 2 };
    expect(judgeThreshold(band, series(5, 1, 0.5)).state).toBe('beyond');
    expect(judgeThreshold(band, series(1, 1, 5)).state).toBe('inside');
  });

  it('the backtest replays report by report: one alarm per run beyond, again after a clear, none held in the margin', () => {
    const at = (...values: number[]) => values.map((value, i) => ({ ts: new Date(i * MIN), value }));
    // Beyond from the 2nd report (raised at the 4th), held at 7.5, beyond again (no new alarm: never cleared), then
    // cleared at 6 and beyond for three more: a second alarm.
    const readings = at(5, 9, 9, 9, 9, 7.5, 9, 9, 9, 6, 10, 10, 10);
    expect(thresholdFires({ params: P, schedule: null }, readings, 0, 60 * MIN)).toEqual([
      { at: 3 * MIN, value: 9 },
      { at: 12 * MIN, value: 10 },
    ]);
    // Only the window's alarms are counted (the first raised before it).
    expect(thresholdFires({ params: P, schedule: null }, readings, 5 * MIN, 60 * MIN)).toHaveLength(1);
  });

  it('validates at save: a bound is needed, the band must be a band, the field is named', () => {
    const none = CreateRuleBody.safeParse({ name: 'x', kind: 'telemetry_threshold', params: { metric: 't' } });
    expect(none.error?.issues.map((i) => i.path.join('.'))).toEqual(['params.above']);
    const inverted = CreateRuleBody.safeParse({
      name: 'x',
      kind: 'telemetry_threshold',
      params: { metric: 't', above: 2, below: 8 },
    });
    expect(inverted.error?.issues.map((i) => i.path.join('.'))).toEqual(['params.below']);
    expect(
      CreateRuleBody.parse({ name: 'x', kind: 'telemetry_threshold', params: { metric: 't', above: 1 } }).params,
    ).toEqual({ metric: 't', above: 1, below: null, repeats: 3, durationMinutes: 0, hysteresis: 0 });
  });
});

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const staff = cliPrincipal('telemetry-threshold-test');

describe('telemetry thresholds (live)', () => {
  it('a fridge too warm for three reports raises, counts, clears; another metric and device are left alone', async () => {
    const t = await makeTenant(h.services);
    const model = await h.services.devices.createModel(staff, {
      name: `Fridge ${uniq()}`,
      kind: 'other',
      wearParts: [],
      consumables: [],
    });
    const { device: fridge } = await h.services.devices.create(staff, {
      externalId: `fridge-${uniq()}`,
      name: 'Fridge 1',
      accountId: t.child.id,
      modelId: model.id,
    });
    const { device: other } = await h.services.devices.create(staff, {
      externalId: `fridge-${uniq()}`,
      accountId: t.root.id,
      modelId: model.id,
    });
    const rule = await h.services.alarms.rules.create(staff, {
      ...CreateRuleBody.parse({ name: `Fridge warm ${t.child.id}`, kind: 'telemetry_threshold', params: P }),
      scope: { accountIds: [t.child.id], deviceModelIds: [model.id] },
      severity: 'major',
    });
    const t0 = Date.now() - 30 * MIN;
    const send = async (device: { externalId: string }, values: [number, Record<string, number>][]) => {
      const lines = values.map(([m, metrics], i) => ({
        line: i + 1,
        value: { id: uniq(), ts: new Date(t0 + m * MIN).toISOString(), deviceId: device.externalId, metrics },
      }));
      expect(await h.services.ingest.acceptTelemetry(lines, { transport: 'http', credentialId: null })).toMatchObject({
        accepted: lines.length,
      });
      await h.services.ingest.drained();
      await h.runJobs();
    };
    const alarms = () =>
      h.ctx.database.query<{
        originator_type: string;
        originator_id: string;
        count: number;
        cleared_at: Date | null;
        details: Record<string, unknown>;
      }>(
        `select originator_type, originator_id, count, cleared_at, details from alarms where type = 'telemetry_threshold'
           and tenant_id = $1 order by id`,
        [fridge.tenantId],
      );

    // A spike, then two warm reports: not yet. The door-open metric beyond anything is no rule's.
    await send(fridge, [
      [0, { temperature_c: 4 }],
      [1, { temperature_c: 12 }],
      [2, { temperature_c: 4, door_open_s: 999 }],
      [3, { temperature_c: 9 }],
      [4, { temperature_c: 9.5 }],
    ]);
    // The other device (outside the rule's account) warm for long: nothing.
    await send(other, [
      [0, { temperature_c: 20 }],
      [1, { temperature_c: 20 }],
      [2, { temperature_c: 20 }],
      [3, { temperature_c: 20 }],
    ]);
    expect(await alarms()).toEqual([]);
    await send(fridge, [[5, { temperature_c: 10 }]]);
    const [raised] = await alarms();
    expect(raised).toMatchObject({
      originator_type: 'device',
      originator_id: `${fridge.id}:temperature_c`,
      count: 1,
      cleared_at: null,
      details: {
        ruleId: rule.id,
        rule: rule.name,
        deviceId: fridge.id,
        deviceName: 'Fridge 1',
        metric: 'temperature_c',
        value: 10,
        valueAt: new Date(t0 + 5 * MIN).toISOString(),
        above: 8,
        below: null,
        reportsBeyond: 3,
        beyondSince: new Date(t0 + 3 * MIN).toISOString(),
      },
    });
    // Still warm: counted up. The same report again (a duplicate): nothing.
    await send(fridge, [[6, { temperature_c: 11 }]]);
    expect((await alarms())[0]).toMatchObject({ count: 2, details: expect.objectContaining({ value: 11 }) });
    // Cooling: 7.5 is inside the threshold but within the margin — held; 6.5 clears it.
    await send(fridge, [[7, { temperature_c: 7.5 }]]);
    expect((await alarms())[0]).toMatchObject({ count: 2, cleared_at: null });
    await send(fridge, [[8, { temperature_c: 6.5 }]]);
    expect((await alarms())[0]).toMatchObject({ details: expect.objectContaining({ clearedBy: 'telemetry' }) });
    expect((await alarms())[0]!.cleared_at).not.toBeNull();
    // The backtest replays the fridge's reports (the other device is outside the scope): one alarm, 11 its farthest.
    const bt = await h.services.alarms.rules.backtestSaved(staff, rule.id, 1);
    expect(bt).toMatchObject({ fired: 1, simsFired: 1, simsConsidered: 1, sampled: false, sims: [] });
    expect(bt.devices).toEqual([
      {
        deviceId: fridge.id,
        name: 'Fridge 1',
        fired: 1,
        firstAt: new Date(t0 + 5 * MIN).toISOString(),
        farthestValue: 10,
      },
    ]);
    // The staff list shows it (what the device's customers see: device-alarms.customer.test.ts).
    const staffList = await h.services.alarms.list(staff, {
      status: 'any',
      type: 'telemetry_threshold',
      limit: 10,
    } as never);
    expect(staffList.items.map((a) => a.originatorId)).toContain(`${fridge.id}:temperature_c`);
  });

  it('refuses SIM scopes and cases for a telemetry rule, naming the field', async () => {
    const err = await h.services.alarms.rules
      .create(staff, {
        ...CreateRuleBody.parse({ name: `Bad ${uniq()}`, kind: 'telemetry_threshold', params: P }),
        scope: { apns: ['iot.example'] },
        openCase: true,
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      details: [expect.objectContaining({ field: 'scope.apns' }), expect.objectContaining({ field: 'openCase' })],
    });
  });
});
