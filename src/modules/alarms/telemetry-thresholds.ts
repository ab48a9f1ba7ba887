/**
 * Threshold rules on device telemetry (issue 17.1, "threshold with duration or N repeats"): a machine's metric —
 * a cabinet's temperature, a wear part's wear, a tank's stock level, a link's utilisation — beyond its threshold for
 * `repeats` reports in a row and, with `durationMinutes`, for at least that long. A single spike is not news: the
 * rule waits for the run (ThingsBoard's "duration" and "repeating" conditions, in one rule). Evaluated when ingest
 * stores telemetry of registered devices (its batch event names them): each (device, metric) series' newest values
 * read by the series index. One active alarm per device and metric (originator `device`, id `<deviceId>:<metric>`),
 * counted up per batch while beyond, cleared with hysteresis once a report is back inside by the rule's margin.
 * Rules are per metric: each series is governed by the most specific rule of its metric whose scope takes the device
 * in (accountIds, deviceModelIds). Staff and the device's customer see these alarms (the customer as typed facts,
 * alarms.presenter.ts); no webhook reaches a customer for them yet and they open no case. The backtest (rules.backtest.ts) replays `thresholdFires` on the first
 * BACKTEST_MAX_DEVICES devices of the scope.
 */
import type { Database } from '../../platform/db/client.ts';
import { inSchedule, type RuleScope, ruleFor, type Schedule, severityAfter } from './rules.ts';

export type ThresholdParams = {
  metric: string;
  above: number | null;
  below: number | null;
  repeats: number;
  durationMinutes: number;
  hysteresis: number;
};
export type ThresholdRule = {
  id: number;
  name: string;
  scope: RuleScope;
  params: ThresholdParams;
  severity: string;
  escalation: { afterMinutes: number; severity: string } | null;
  schedule: Schedule | null;
};
export type Reading = { ts: Date; value: number };
export type DevicePlace = { id: number; tenantId: number; accountId: number; modelId: number; name: string | null };
export type ThresholdVerdict = {
  state: 'beyond' | 'hold' | 'inside';
  /** The run of reports beyond, newest first (empty when the newest is inside). */
  run: number;
  runSince: Date | null;
};

/** How far back a series is read: a week for runs of sparse reports, or the duration and an hour more. */
/** A device alarm's originator id: one alarm per device and metric. */
export const deviceOriginatorId = (deviceId: number, metric: string) => `${deviceId}:${metric}`;
/** The device of a device alarm's originator id. */
export const deviceIdOf = (originatorId: string) => Number.parseInt(originatorId, 10);

export const lookbackMs = (p: ThresholdParams) => Math.max(7 * 86_400_000, (p.durationMinutes + 60) * 60_000);
/** Values read per series: the repeats, or (with a duration) enough for a long run of frequent reports. */
export const perSeries = (p: ThresholdParams) => (p.durationMinutes > 0 ? 2000 : p.repeats);

const isBeyond = (p: ThresholdParams, v: number) =>
  (p.above !== null && v > p.above) || (p.below !== null && v < p.below);
/** Inside by the hysteresis margin: what clears an alarm. */
const isClear = (p: ThresholdParams, v: number) =>
  (p.above === null || v <= p.above - p.hysteresis) && (p.below === null || v >= p.below + p.hysteresis);

/** A series' state from its newest values (newest first). */
export function judgeThreshold(p: ThresholdParams, newestFirst: readonly Reading[]): ThresholdVerdict {
  let run = 0;
  while (run < newestFirst.length && isBeyond(p, newestFirst[run]!.value)) run++;
  const newest = newestFirst[0];
  if (!newest) return { state: 'hold', run: 0, runSince: null };
  const runSince = run > 0 ? newestFirst[run - 1]!.ts : null;
  const long = runSince !== null && newest.ts.getTime() - runSince.getTime() >= p.durationMinutes * 60_000;
  if (run >= p.repeats && long) return { state: 'beyond', run, runSince };
  return { state: isClear(p, newest.value) ? 'inside' : 'hold', run, runSince };
}

/**
 * The alarms the rule would have raised between `from` and `to` on one series (any order): each report judged as
 * ingest judges it on arrival — the run of reports beyond up to it, its length and how long it lasted — in one pass;
 * an alarm where a series not in one goes beyond (inside the schedule), ended where a report clears it.
 */
export function thresholdFires(
  rule: { params: ThresholdParams; schedule: Schedule | null },
  readings: readonly Reading[],
  from: number,
  to: number,
): { at: number; value: number }[] {
  const p = rule.params;
  const sorted = [...readings].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const out: { at: number; value: number }[] = [];
  let active = false;
  let run = 0;
  let runSince = 0;
  for (const r of sorted) {
    const t = r.ts.getTime();
    if (isBeyond(p, r.value)) {
      if (run === 0) runSince = t;
      run++;
    } else run = 0;
    if (run >= p.repeats && t - runSince >= p.durationMinutes * 60_000) {
      if (active) continue;
      active = true;
      if (t >= from && t < to && (rule.schedule === null || inSchedule(rule.schedule, t)))
        out.push({ at: t, value: r.value });
    } else if (run === 0 && isClear(p, r.value)) active = false;
  }
  return out;
}

export type ThresholdDeps = {
  database: Database;
  rules: () => Promise<ThresholdRule[]>;
  devicePlaces: (ids: readonly number[]) => Promise<Map<number, DevicePlace>>;
  newestValues: (q: {
    deviceIds: readonly number[];
    metrics: readonly string[];
    since: Date;
    perSeries: number;
  }) => Promise<{ deviceId: number; metric: string; ts: Date; value: number }[]>;
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

export function telemetryThresholds(deps: ThresholdDeps) {
  const { database } = deps;

  /** Ingest stored telemetry of these devices: raise, count up, hold or clear their series' alarms. */
  async function onTelemetry(deviceIds: readonly number[], now: Date) {
    const out = { raised: 0, repeated: 0, cleared: 0 };
    if (deviceIds.length === 0) return out;
    const rules = await deps.rules();
    if (rules.length === 0) return out;
    const byMetric = new Map<string, ThresholdRule[]>();
    for (const r of rules) byMetric.set(r.params.metric, [...(byMetric.get(r.params.metric) ?? []), r]);
    const places = await deps.devicePlaces(deviceIds);
    const ids = [...places.keys()];
    const failed = new Map<number, unknown>();
    type Found = { key: string; place: DevicePlace; rule: ThresholdRule; v: ThresholdVerdict; newest: Reading };
    const found: Found[] = [];
    const inside: string[] = [];
    for (const [metric, metricRules] of byMetric) {
      const longest = metricRules.reduce((a, r) => Math.max(a, lookbackMs(r.params)), 0);
      const values = await deps.newestValues({
        deviceIds: ids,
        metrics: [metric],
        since: new Date(now.getTime() - longest),
        perSeries: Math.max(...metricRules.map((r) => perSeries(r.params))),
      });
      const series = new Map<number, Reading[]>();
      for (const x of values) series.set(x.deviceId, [...(series.get(x.deviceId) ?? []), x]);
      for (const [deviceId, list] of series) {
        const place = places.get(deviceId)!;
        const rule = ruleFor(metricRules, {
          accountId: place.accountId,
          communicationPlanId: null,
          ratePlanId: null,
          apn: null,
          plmn: null,
          deviceModelId: place.modelId,
        });
        if (!rule || failed.has(rule.id)) continue;
        list.sort((a, b) => b.ts.getTime() - a.ts.getTime());
        let v: ThresholdVerdict;
        try {
          v = judgeThreshold(rule.params, list);
        } catch (e) {
          failed.set(rule.id, e);
          continue;
        }
        const key = deviceOriginatorId(deviceId, metric);
        if (v.state === 'beyond') found.push({ key, place, rule, v, newest: list[0]! });
        else if (v.state === 'inside') inside.push(key);
      }
    }
    if (found.length + inside.length > 0)
      await database.rawTransaction(async (tx) => {
        for (const f of found) {
          const details = {
            ruleId: f.rule.id,
            rule: f.rule.name,
            deviceId: f.place.id,
            deviceName: f.place.name,
            metric: f.rule.params.metric,
            value: f.newest.value,
            valueAt: f.newest.ts.toISOString(),
            above: f.rule.params.above,
            below: f.rule.params.below,
            reportsBeyond: f.v.run,
            beyondSince: f.v.runSince?.toISOString() ?? null,
          };
          const [a] = await tx.query<{ id: string; fresh: boolean; severity: string; first_seen_at: Date }>(
            `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                                 last_seen_at, details, rule_id)
             select $1, $2, 'device', $3, 'telemetry_threshold', $4, $5, $5, $6::jsonb, $7
              where $8 or exists (select 1 from alarms where cleared_at is null and originator_type = 'device'
                                     and originator_id = $3 and type = 'telemetry_threshold')
             on conflict (originator_type, originator_id, type) where cleared_at is null
             do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at,
                           details = alarms.details || (excluded.details - 'beyondSince')
               where (alarms.details->>'valueAt')::timestamptz < (excluded.details->>'valueAt')::timestamptz
             returning id::text, (xmax = 0) as fresh, severity, first_seen_at`,
            [
              f.place.tenantId,
              f.place.accountId,
              f.key,
              f.rule.severity,
              now,
              JSON.stringify(details),
              f.rule.id,
              f.rule.schedule === null || inSchedule(f.rule.schedule, now.getTime()),
            ],
          );
          if (!a) continue;
          if (a.fresh) {
            out.raised++;
            continue;
          }
          out.repeated++;
          const severity = severityAfter(f.rule, now.getTime() - new Date(a.first_seen_at).getTime());
          if (severity !== a.severity)
            await tx.query('update alarms set severity = $2 where id = $1', [a.id, severity]);
        }
        if (inside.length === 0) return;
        const done = await tx.query<{ id: string }>(
          `update alarms set cleared_at = $2, details = details || '{"clearedBy": "telemetry"}'::jsonb
            where cleared_at is null and originator_type = 'device' and type = 'telemetry_threshold'
              and originator_id = any($1::text[])
            returning id::text`,
          [inside, now],
        );
        out.cleared = done.length;
      });
    for (const [ruleId, e] of failed) await deps.onRuleError(ruleId, e);
    return out;
  }

  return { onTelemetry };
}
