/**
 * The backtest of a telemetry-threshold rule (issue 17.1, "backtest before save"): its metric's values on the first
 * BACKTEST_MAX_DEVICES devices of its scope (by id; beyond, the answer says it is a sample), replayed report by report
 * as ingest judges them (thresholdFires). Read a few devices at a time: a week of minute telemetry is ~10,000 values
 * a device.
 */
import type { Backtest } from './rules.schemas.ts';
import { type DevicePlace, lookbackMs, type ThresholdRule, thresholdFires } from './telemetry-thresholds.ts';

/** Devices a telemetry backtest reads at most. */
export const BACKTEST_MAX_DEVICES = 500;
/** Devices whose values are read in one statement. */
const CHUNK = 25;

export type DeviceBacktestDeps = {
  devicesWhere: (
    q: { accountIds?: readonly number[] | undefined; deviceModelIds?: readonly number[] | undefined },
    limit: number,
  ) => Promise<number[]>;
  seriesOf: (
    deviceIds: readonly number[],
    metric: string,
    since: Date,
    until: Date,
  ) => Promise<{ deviceId: number; ts: Date; value: number }[]>;
  devicePlaces: (ids: readonly number[]) => Promise<Map<number, DevicePlace>>;
};

export async function backtestDevices(
  deps: DeviceBacktestDeps,
  rule: Pick<ThresholdRule, 'scope' | 'params' | 'schedule'>,
  from: number,
  to: number,
): Promise<Backtest> {
  const ids = await deps.devicesWhere(rule.scope, BACKTEST_MAX_DEVICES + 1);
  const considered = ids.slice(0, BACKTEST_MAX_DEVICES);
  const fires = new Map<number, { at: number; value: number }[]>();
  const since = new Date(from - lookbackMs(rule.params));
  for (let i = 0; i < considered.length; i += CHUNK) {
    const chunk = considered.slice(i, i + CHUNK);
    const values = await deps.seriesOf(chunk, rule.params.metric, since, new Date(to));
    const byDevice = new Map<number, { ts: Date; value: number }[]>();
    for (const v of values) byDevice.set(v.deviceId, [...(byDevice.get(v.deviceId) ?? []), v]);
    for (const [id, list] of byDevice) {
      const f = thresholdFires(rule, list, from, to);
      if (f.length > 0) fires.set(id, f);
    }
  }
  const byDay = new Map<string, number>();
  for (const list of fires.values())
    for (const f of list) {
      const day = new Date(f.at).toISOString().slice(0, 10);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
  const top = [...fires.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, 50);
  const places = await deps.devicePlaces(top.map(([id]) => id));
  const { above, below } = rule.params;
  // The value farthest beyond the threshold at an alarm (the highest above, the lowest below).
  const farthest = (list: { value: number }[]) =>
    list.reduce((best, f) => {
      const d = (x: number) => Math.max(above === null ? 0 : x - above, below === null ? 0 : below - x);
      return d(f.value) > d(best) ? f.value : best;
    }, list[0]!.value);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    simsConsidered: considered.length,
    sampled: ids.length > BACKTEST_MAX_DEVICES,
    simsInScope: considered.length,
    fired: [...fires.values()].reduce((a, l) => a + l.length, 0),
    simsFired: fires.size,
    byDay: [...byDay.entries()].sort().map(([day, fired]) => ({ day, fired })),
    sims: [],
    devices: top.map(([id, list]) => ({
      deviceId: id,
      name: places.get(id)?.name ?? null,
      fired: list.length,
      firstAt: new Date(list[0]!.at).toISOString(),
      farthestValue: farthest(list),
    })),
  };
}
