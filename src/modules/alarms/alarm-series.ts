/**
 * An alarm's chart (issue 17, point 6): the traffic around it, so one sees "it talked every 30 min, then nothing for
 * 4 h, alarm at +X". A SIM's alarm draws the SIM's own events; a fleet alarm (originator plmn/apn) that network's or
 * APN's events over the fleet. The events belong to ingest's tables: they are read through the network module's
 * service (the `SeriesReads` port, wired in services.ts), never from here.
 */
import type { Principal } from '../../platform/auth.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import {
  type AlarmSeries,
  type AlarmSeriesInput,
  SERIES_BUCKET_MINUTES as BUCKETS,
  SERIES_MAX_BUCKETS as MAX_BUCKETS,
  SERIES_MAX_SPAN_DAYS as MAX_SPAN_DAYS,
  REFUSAL_TYPES,
} from './alarm-series.schemas.ts';
import { AlarmSeriesErrors as E } from './alarms.errors.ts';
import type { AlarmRow, AlarmsService } from './alarms.service.ts';

export type SeriesRow = { at: Date; type: string; events: number; bytes: number | null };
type Window = { from: Date; to: Date; bucketMinutes: number };
/** What the chart reads from the network's side (network.service.ts simSeries / fleetSeries). */
export type SeriesReads = {
  simSeries: (q: Window & { iccid: string }) => Promise<SeriesRow[]>;
  fleetSeries: (q: Window & { kind: 'plmn' | 'apn'; key: string }) => Promise<SeriesRow[]>;
};
export type AlarmSeriesDeps = { alarms: Pick<AlarmsService, 'get' | 'iccidsFor'>; reads: SeriesReads };

const MIN = 60_000;
const HOUR = 60 * MIN;
/** How much of the traffic before the condition began the default window shows: enough to see the SIM's rhythm. */
export const LEAD_MS = 6 * HOUR;
/** And after the alarm cleared: enough to see that the traffic came back. */
export const TRAIL_MS = HOUR;
/** The default bucket is the smallest giving at most this many bars. */
const TARGET_BUCKETS = 200;
/** Buckets start on multiples of their width from this instant (UTC midnight), as in network/series.repo.ts. */
const ORIGIN = Date.UTC(2000, 0, 1);

const floorTo = (t: number, ms: number) => ORIGIN + Math.floor((t - ORIGIN) / ms) * ms;
const ceilTo = (t: number, ms: number) => ORIGIN + Math.ceil((t - ORIGIN) / ms) * ms;
/** An instant the details hold, when it is one. */
const instant = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
};

/** When the condition began: a silence at its last event, a burst at its first refusal, a fleet failure "since". */
export function conditionStart(a: Pick<AlarmRow, 'firstSeenAt' | 'details'>): number {
  const d = a.details;
  const began = instant(d.lastEventAt) ?? instant(d.firstAt) ?? instant(d.since);
  return Math.min(a.firstSeenAt.getTime(), began ?? Number.POSITIVE_INFINITY);
}

/**
 * The window and bucket: defaults from the alarm, the caller's choice checked (each rejection names its field).
 * Both ends are aligned on the bucket, outwards, so every bucket is whole.
 */
export function seriesWindow(
  a: Pick<AlarmRow, 'firstSeenAt' | 'clearedAt' | 'details'>,
  q: AlarmSeriesInput,
  now: number,
): Window {
  const maxSpan = MAX_SPAN_DAYS * 24 * HOUR;
  let to = q.to !== undefined ? Date.parse(q.to) : Math.min(now, (a.clearedAt?.getTime() ?? now) + TRAIL_MS);
  let from = q.from !== undefined ? Date.parse(q.from) : conditionStart(a) - LEAD_MS;
  // A default end before a given start (or the reverse) follows the given end; a long-lasting alarm's default window
  // keeps its beginning, where the story is.
  if (q.to === undefined && to <= from) to = Math.min(from + maxSpan, Math.max(now, from + HOUR));
  if (q.from === undefined && from >= to) from = to - LEAD_MS;
  if (q.from === undefined && q.to === undefined && to - from > maxSpan) to = from + maxSpan;
  if (from >= to)
    throw invalid(E.windowInvalid, `from (${new Date(from).toISOString()}) is not before to`, [
      { field: 'from', value: q.from ?? new Date(from).toISOString(), reason: 'must be before to' },
      { field: 'to', value: q.to ?? new Date(to).toISOString(), reason: 'must be after from' },
    ]);
  if (to - from > maxSpan)
    throw invalid(
      E.windowInvalid,
      `The window is ${((to - from) / (24 * HOUR)).toFixed(1)} days; at most ${MAX_SPAN_DAYS}`,
      [
        {
          field: q.from !== undefined ? 'from' : 'to',
          value: q.from ?? q.to,
          reason: `span over ${MAX_SPAN_DAYS} days`,
        },
      ],
    );
  const bucketMinutes =
    q.bucketMinutes ?? BUCKETS.find((b) => (to - from) / (b * MIN) <= TARGET_BUCKETS) ?? BUCKETS[BUCKETS.length - 1]!;
  const width = bucketMinutes * MIN;
  const start = floorTo(from, width);
  const end = Math.max(ceilTo(to, width), start + width);
  const count = (end - start) / width;
  if (count > MAX_BUCKETS)
    throw invalid(E.bucketTooSmall, `${count} buckets of ${bucketMinutes} minutes: at most ${MAX_BUCKETS}`, [
      {
        field: 'bucketMinutes',
        value: bucketMinutes,
        reason: `gives ${count} buckets over this window; at most ${MAX_BUCKETS} (choose a wider bucket or window)`,
      },
    ]);
  return { from: new Date(start), to: new Date(end), bucketMinutes };
}

/** Every bucket of the window, empty ones too (a silence is a run of empty buckets), with its counts. */
export function bucketize(rows: readonly SeriesRow[], w: Window, withBytes: boolean): AlarmSeries['buckets'] {
  const width = w.bucketMinutes * MIN;
  const out: AlarmSeries['buckets'] = [];
  for (let t = w.from.getTime(); t < w.to.getTime(); t += width)
    out.push({ at: new Date(t).toISOString(), accepted: 0, refused: 0, byType: {}, bytes: withBytes ? 0 : null });
  for (const r of rows) {
    const b = out[Math.floor((new Date(r.at).getTime() - w.from.getTime()) / width)];
    if (!b) continue;
    const byType = b.byType as Record<string, number>;
    byType[r.type] = (byType[r.type] ?? 0) + r.events;
    if (REFUSAL_TYPES.includes(r.type)) b.refused += r.events;
    else b.accepted += r.events;
    if (withBytes) b.bytes = (b.bytes ?? 0) + (r.bytes ?? 0);
  }
  return out;
}

export function createAlarmSeries(deps: AlarmSeriesDeps, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  return {
    /** Staff only, as the alarm itself (its get answers 403 to a customer, 404 to an unknown id). */
    async series(p: Principal, id: number, q: AlarmSeriesInput): Promise<AlarmSeries> {
      const a = await deps.alarms.get(p, id);
      const w = seriesWindow(a, q, now());
      let scope: AlarmSeries['scope'];
      let subject: string;
      let rows: SeriesRow[];
      if (a.originatorType === 'sim') {
        const iccid = (await deps.alarms.iccidsFor([a])).get(Number(a.originatorId));
        if (iccid === undefined)
          throw notFound(E.unavailable, `The SIM of alarm ${id} no longer exists: its events went with it`, [
            { field: 'id', value: id, reason: 'SIM deleted' },
          ]);
        scope = 'sim';
        subject = iccid;
        rows = await deps.reads.simSeries({ ...w, iccid: iccid.slice(0, 19) });
      } else if (a.originatorType === 'plmn' || a.originatorType === 'apn') {
        scope = a.originatorType;
        subject = a.originatorId;
        rows = await deps.reads.fleetSeries({ ...w, kind: a.originatorType, key: a.originatorId });
      } else {
        throw invalid(E.unavailable, `Alarm ${id} is about a ${a.originatorType}, which has no traffic`, [
          { field: 'id', value: id, reason: `a ${a.type} alarm has no series (only SIM, network and APN alarms)` },
        ]);
      }
      const buckets = bucketize(rows, w, scope === 'sim');
      const d = a.details;
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      return {
        alarmId: a.id,
        scope,
        subject,
        from: w.from.toISOString(),
        to: w.to.toISOString(),
        bucketMinutes: w.bucketMinutes,
        buckets,
        totals: {
          accepted: buckets.reduce((s, b) => s + b.accepted, 0),
          refused: buckets.reduce((s, b) => s + b.refused, 0),
          bytes: scope === 'sim' ? buckets.reduce((s, b) => s + (b.bytes ?? 0), 0) : null,
        },
        marks: {
          firstSeenAt: a.firstSeenAt.toISOString(),
          lastSeenAt: a.lastSeenAt.toISOString(),
          clearedAt: a.clearedAt?.toISOString() ?? null,
          lastEventAt: a.type === 'silence' ? iso(instant(d.lastEventAt)) : null,
          dueAt: a.type === 'silence' ? iso(instant(d.dueAt)) : null,
          thresholdMinutes:
            a.type === 'silence' && typeof d.thresholdMinutes === 'number' && Number.isFinite(d.thresholdMinutes)
              ? d.thresholdMinutes
              : null,
        },
      };
    },
  };
}

export type AlarmSeriesService = ReturnType<typeof createAlarmSeries>;
