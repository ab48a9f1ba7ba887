/**
 * Scores raised alarms against injected faults (issue 17, point 7): recall, time-to-detect, "in time" (before the
 * customer would notice), precision and false alarms on healthy SIMs. Pure: the test reads the truth, the events and
 * the alarms table and hands them in.
 */

export type Place = { kind: 'plmn' | 'apn'; key: string };
export type SimAlarmType = 'silence' | 'refusal_burst';

export type Fault = {
  /** The table's row: the generator's fault type (prefixed `network:` for an outage as a whole). */
  type: string;
  /** The SIM it hit: its ICCID's 19-digit body (absent for an outage as a whole). */
  sim?: string;
  /** The network or APN whose fleet alarm detects it (outages, and the SIMs they hit). */
  place?: Place;
  onset: number;
  /** When it ended (null: still on at the end of the replay). */
  end: number | null;
  /** Alarm types on the SIM that detect it; empty with no place: no alarm kind watches for it. */
  expectSim: readonly SimAlarmType[];
  /** Detected in time when detected before this (the device's second missed upload); null: unknown. */
  deadline: number | null;
};

export type RaisedAlarm = {
  id: number;
  type: string;
  originatorType: string;
  /** A SIM's: its ICCID's 19-digit body (the test maps the alarm's SIM id), else the PLMN or APN. */
  originatorId: string;
  firstSeenAt: number;
  clearedAt: number | null;
};

/** A healthy SIM's alarm inside such a window is no false alarm (a SIM refused while an outage that ended was on). */
export type Justified = { sim: string; from: number; to: number };

const MIN = 60_000;
/** An alarm raised or still standing this long after its fault ended is the fault's (clear hysteresis, rechecks). */
const AFTER_END_MS = 30 * MIN;

const detects = (f: Fault, a: RaisedAlarm): boolean => {
  if (a.originatorType === 'sim')
    return f.sim !== undefined && a.originatorId === f.sim && f.expectSim.includes(a.type as SimAlarmType);
  return (
    f.place !== undefined &&
    a.type.startsWith('fleet_') &&
    a.originatorType === f.place.kind &&
    a.originatorId.toLowerCase() === f.place.key.toLowerCase()
  );
};
/** The alarm stands at some point of the fault: raised before it ended, not cleared before it began. */
const overlaps = (from: number, to: number | null, a: RaisedAlarm) =>
  a.firstSeenAt < (to ?? Number.POSITIVE_INFINITY) + AFTER_END_MS && (a.clearedAt ?? Number.POSITIVE_INFINITY) > from;

export type Outcome = Fault & { detectedAt: number | null; by: string | null };

/** When the fault was first announced: the first detecting alarm standing at or after its onset. */
export function outcomeOf(f: Fault, alarms: readonly RaisedAlarm[]): Outcome {
  let at: number | null = null;
  let by: string | null = null;
  for (const a of alarms) {
    if (!detects(f, a) || !overlaps(f.onset, f.end, a)) continue;
    const t = Math.max(a.firstSeenAt, f.onset);
    if (at === null || t < at) {
      at = t;
      by = a.type;
    }
  }
  return { ...f, detectedAt: at, by };
}

/**
 * The device's usual interval at the time of day of `at`, from its own contacts before it (ms, sorted): contacts
 * within 2 minutes of each other are one (a session's start and end); the median gap between contacts that began
 * within 2 hours of that time of day on any day, or of all gaps when fewer than 3 such; null below 3 gaps.
 */
export function usualInterval(contacts: readonly number[], at: number): number | null {
  const starts: number[] = [];
  for (const t of contacts)
    if (t <= at && (starts.length === 0 || t - starts[starts.length - 1]! > 2 * MIN)) starts.push(t);
  const gaps: { at: number; gap: number }[] = [];
  for (let i = 1; i < starts.length; i++) gaps.push({ at: starts[i - 1]!, gap: starts[i]! - starts[i - 1]! });
  if (gaps.length < 3) return null;
  const day = 24 * 60 * MIN;
  const tod = (t: number) => ((t % day) + day) % day;
  const near = gaps.filter((g) => {
    const d = Math.abs(tod(g.at) - tod(at));
    return Math.min(d, day - d) <= 2 * 60 * MIN;
  });
  return median((near.length >= 3 ? near : gaps).map((g) => g.gap));
}

/**
 * "Before the customer would notice": before the device's second missed upload, i.e. its last contact at or before
 * the onset + twice its usual interval then. Null when it had no contact before, or too few to know its rhythm.
 */
export function deadlineOf(contacts: readonly number[], onset: number): number | null {
  let anchor: number | undefined;
  for (const t of contacts) if (t <= onset) anchor = t;
  if (anchor === undefined) return null;
  const usual = usualInterval(contacts, anchor);
  return usual === null ? null : anchor + 2 * usual;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export type Row = {
  type: string;
  expected: string;
  faults: number;
  detected: number;
  withDeadline: number;
  inTime: number;
  medianMin: number;
  p90Min: number;
};
export type Score = {
  outcomes: Outcome[];
  rows: Row[];
  /** Over the faults an alarm kind watches for. */
  total: Row;
  /** Faults no alarm kind watches for, by type. */
  unwatched: Map<string, number>;
  alarms: { all: number; true: number; byType: Map<string, { all: number; true: number }> };
  healthy: {
    sims: number;
    simDays: number;
    falseAlarms: RaisedAlarm[];
    justified: number;
    per10kSimDays: number;
    /** From the end of the first replayed day on: the rhythm had a day to be learned. */
    afterFirstDay: { falseAlarms: number; simDays: number; per10kSimDays: number };
  };
};

const expectedText = (f: Fault) =>
  [...f.expectSim, ...(f.place ? [`fleet on ${f.place.kind}`] : [])].join(' or ') || 'none';

function rowOf(type: string, expected: string, os: readonly Outcome[]): Row {
  const ttd = os.filter((o) => o.detectedAt !== null).map((o) => (o.detectedAt! - o.onset) / MIN);
  const dl = os.filter((o) => o.deadline !== null);
  return {
    type,
    expected,
    faults: os.length,
    detected: ttd.length,
    withDeadline: dl.length,
    inTime: dl.filter((o) => o.detectedAt !== null && o.detectedAt <= o.deadline!).length,
    medianMin: median(ttd),
    p90Min: quantile(ttd, 0.9),
  };
}

export function score(input: {
  faults: readonly Fault[];
  alarms: readonly RaisedAlarm[];
  /** SIMs the truth calls healthy that talked during the replay (ICCID bodies). */
  healthySims: ReadonlySet<string>;
  justified: readonly Justified[];
  from: number;
  to: number;
}): Score {
  const watched = input.faults.filter((f) => f.expectSim.length > 0 || f.place !== undefined);
  const unwatched = new Map<string, number>();
  for (const f of input.faults) if (!watched.includes(f)) unwatched.set(f.type, (unwatched.get(f.type) ?? 0) + 1);
  const outcomes = watched.map((f) => outcomeOf(f, input.alarms));
  const byType = new Map<string, Outcome[]>();
  for (const o of outcomes) byType.set(o.type, [...(byType.get(o.type) ?? []), o]);
  const rows = [...byType]
    .sort(([a], [b]) =>
      a.startsWith('network:') === b.startsWith('network:') ? (a < b ? -1 : 1) : a.startsWith('network:') ? 1 : -1,
    )
    .map(([type, os]) => rowOf(type, expectedText(os[0]!), os));

  const alarmStats = { all: 0, true: 0, byType: new Map<string, { all: number; true: number }>() };
  const falseAlarms: RaisedAlarm[] = [];
  let justified = 0;
  for (const a of input.alarms) {
    const ok = input.faults.some((f) => detects(f, a) && overlaps(f.onset, f.end, a));
    const kind = a.type.startsWith('fleet_') ? `${a.type} (${a.originatorType})` : a.type;
    const s = alarmStats.byType.get(kind) ?? alarmStats.byType.set(kind, { all: 0, true: 0 }).get(kind)!;
    alarmStats.all++;
    s.all++;
    if (ok) {
      alarmStats.true++;
      s.true++;
      continue;
    }
    if (a.originatorType !== 'sim' || !input.healthySims.has(a.originatorId)) continue;
    const inOutage = input.justified.some(
      (j) => j.sim === a.originatorId && a.firstSeenAt >= j.from && a.firstSeenAt < j.to + AFTER_END_MS,
    );
    if (inOutage) {
      justified++;
      alarmStats.true++;
      s.true++;
    } else falseAlarms.push(a);
  }
  const days = (input.to - input.from) / (24 * 60 * MIN);
  const sims = input.healthySims.size;
  const firstDayEnd = input.from + 24 * 60 * MIN;
  const late = falseAlarms.filter((a) => a.firstSeenAt >= firstDayEnd).length;
  return {
    outcomes,
    rows,
    total: rowOf('all', '', outcomes),
    unwatched,
    alarms: alarmStats,
    healthy: {
      sims,
      simDays: sims * days,
      falseAlarms,
      justified,
      per10kSimDays: (10_000 * falseAlarms.length) / (sims * days),
      afterFirstDay: {
        falseAlarms: late,
        simDays: sims * (days - 1),
        per10kSimDays: (10_000 * late) / (sims * (days - 1)),
      },
    },
  };
}

const pct = (n: number, d: number) => (d === 0 ? '   –  ' : `${((100 * n) / d).toFixed(0).padStart(4)} %`);
const mins = (x: number) => (Number.isNaN(x) ? '     –' : `${x.toFixed(x < 10 ? 1 : 0).padStart(6)}`);

/** The score as a fixed-width table (the test prints it; docs/PERFORMANCE.md records it). */
export function table(title: string, s: Score): string {
  const head = `  ${'fault type'.padEnd(30)} ${'faults'.padStart(6)} ${'detected'.padStart(9)} ${'in time'.padStart(13)} ${'median'.padStart(7)} ${'p90'.padStart(7)}  expected alarm`;
  const line = (r: Row) =>
    `  ${r.type.padEnd(30)} ${String(r.faults).padStart(6)} ${`${r.detected}`.padStart(4)} ${pct(r.detected, r.faults)} ${`${r.inTime}/${r.withDeadline}`.padStart(7)} ${pct(r.inTime, r.withDeadline)} ${mins(r.medianMin)} ${mins(r.p90Min)}  ${r.expected}`;
  const t = s.total;
  const h = s.healthy;
  const byType = [...s.alarms.byType].map(([k, v]) => `${k} ${v.true}/${v.all}`).join(', ');
  return [
    title,
    head,
    ...s.rows.map(line),
    line({ ...t, type: 'all watched faults', expected: '' }),
    `  (minutes of simulated time from onset to the first alarm; in time = before the device's second missed upload, of the faults whose device had a rhythm to tell)`,
    `  not watched by any alarm kind: ${[...s.unwatched].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
    `  recall ${pct(t.detected, t.faults).trim()} (${t.detected}/${t.faults}); in time ${pct(t.inTime, t.withDeadline).trim()} of those with a deadline, ${pct(t.inTime, t.faults + [...s.unwatched.values()].reduce((a, n) => a + n, 0)).trim()} of all injected; median time-to-detect ${mins(t.medianMin).trim()} min`,
    `  precision ${pct(s.alarms.true, s.alarms.all).trim()} (${s.alarms.true}/${s.alarms.all} alarms on a matching fault; ${byType || 'no alarms'})`,
    `  false alarms on healthy SIMs: ${h.falseAlarms.length} over ${h.simDays.toFixed(0)} SIM-days (${h.sims} SIMs) = ${h.per10kSimDays.toFixed(1)} per 10,000 SIM-days; after the first day ${h.afterFirstDay.falseAlarms} = ${h.afterFirstDay.per10kSimDays.toFixed(1)}${h.justified > 0 ? `; ${h.justified} more on SIMs refused during an outage that ended (not counted)` : ''}`,
  ].join('\n');
}
