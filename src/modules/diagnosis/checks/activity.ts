/**
 * Activity: is the SIM silent, judged against its own rhythm? A meter that reports twice a day is not silent
 * after three hours; a tracker is. The rhythm is the gaps between active hours over the last days
 * (`activityPatternFromHours`, fed from `sim_usage_hourly`), else the gaps between contacts in the window.
 * Silent means: longer than SILENT_WARN_FACTOR × the usual (95th percentile) gap, than the longest gap seen and
 * than the mean gap + SILENT_SD_FACTOR standard deviations (a device reporting at random pauses long now and then) →
 * warning, longer than SILENT_ERROR_FACTOR × it and than 1.5 × the longest gap → error; never below the floors (a
 * router's usual gap of a minute does not make a 10-minute pause news), and never while every hour of the silence is
 * one the device is quiet in on most days (a vending machine's night, `usuallyQuiet`), nor, for an irregular reporter,
 * while its days make such a pause at that time of day plausible (`pauseChance`).
 */
import type { ActivityPattern, Finding, LayerResult } from '../diagnosis.model.ts';
import { percentile } from '../facts.ts';
import { type Ctx, check, config, HOUR_MS, iso, when } from './common.ts';

export const SILENT_WARN_FACTOR = 1.5;
export const SILENT_ERROR_FACTOR = 3;
export const SILENT_WARN_FLOOR_MS = HOUR_MS;
export const SILENT_ERROR_FLOOR_MS = 2 * HOUR_MS;
/** Without any rhythm (a new SIM, two contacts), a day's silence is worth a look, three days an error. */
export const NO_PATTERN_WARN_MS = 24 * HOUR_MS;
export const NO_PATTERN_ERROR_MS = 72 * HOUR_MS;

/** The rhythm from the hours with usage (any order, e.g. `select hour from sim_usage_hourly where sim_id = $1 and hour >= $2`). */
export function activityPatternFromHours(hours: readonly (Date | number)[], days: number): ActivityPattern {
  const ts = hours.map((h) => new Date(h).getTime()).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < ts.length; i++) gaps.push(ts[i]! - ts[i - 1]!);
  const enough = ts.length >= 3;
  const byHourOfDay = new Array<number>(24).fill(0);
  const activeDays = new Set<number>();
  // Active hours are distinct hours: each adds one day to its hour of the day.
  for (const t of ts) {
    byHourOfDay[new Date(t).getUTCHours()]!++;
    activeDays.add(Math.floor(t / (24 * HOUR_MS)));
  }
  return {
    days,
    activeHours: ts.length,
    typicalGapMs: enough ? percentile(gaps, 0.95) : null,
    longestGapMs: enough ? Math.max(...gaps) : null,
    byHourOfDay,
    activeDays: activeDays.size,
    // The spread is that of the pauses between contacts: a session running over an hour's end makes two active
    // hours in a row, a 1-hour "gap" that is no pause.
    ...spread(gaps.filter((g) => g > HOUR_MS)),
  };
}

/** Mean and standard deviation of the pauses: a regular device's are tight, a random reporter's as wide as its mean. */
function spread(gaps: readonly number[]): { meanGapMs?: number; sdGapMs?: number } {
  if (gaps.length < 2) return {};
  const mean = gaps.reduce((a, g) => a + g, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  return { meanGapMs: mean, sdGapMs: sd };
}

/** Standard deviations above its mean gap a silence must reach: a device that reports at random has long pauses. */
export const SILENT_SD_FACTOR = 4;

/** A device active on at most this share of its days in an hour of the day is usually quiet then. */
export const QUIET_HOUR_SHARE = 1 / 3;
/** Days of rhythm before the time of day counts. */
export const QUIET_MIN_DAYS = 2;

/**
 * Is the device usually quiet through the whole of this silence — every hour of the day from the one after its last
 * event to now is one it was active in on at most QUIET_HOUR_SHARE of its days? A silence of a day or more never is.
 */
export function usuallyQuiet(p: ActivityPattern | null, lastAt: number, now: number): boolean {
  const silence = silenceByHour(p, lastAt, now, 'up_to_now');
  return silence?.activeOn.every((days) => days <= QUIET_HOUR_SHARE * silence.days) === true;
}

/**
 * For each hour of the silence (from the one after the last event; `whole`: to the last whole hour, `up_to_now`: to
 * the current one), on how many of its `days` the device was active in that hour of the day. Null without a day's
 * rhythm (QUIET_MIN_DAYS), or for a silence of a day or more (every hour is in it).
 */
function silenceByHour(
  p: ActivityPattern | null,
  lastAt: number,
  now: number,
  until: 'whole' | 'up_to_now',
): { activeOn: number[]; days: number } | null {
  if (!p?.byHourOfDay || p.activeDays === undefined || p.activeDays < QUIET_MIN_DAYS) return null;
  const from = Math.floor(lastAt / HOUR_MS) + 1;
  const to = Math.floor(now / HOUR_MS) - (until === 'whole' ? 1 : 0);
  if (to - from + 1 >= 24) return null;
  const activeOn: number[] = [];
  for (let h = from; h <= to; h++) activeOn.push(p.byHourOfDay[h % 24]!);
  return { activeOn, days: p.activeDays };
}

/** A device whose gaps vary less than this share of their mean reports like clockwork: a missed beat is news. */
export const REGULAR_CV = 0.5;
/** A pause a live irregular device has at least this chance of at this time of day is no silence. */
export const PLAUSIBLE_PAUSE = 0.05;

/**
 * The chance that a live device is silent through every whole hour from its last event to now, by the share of its
 * days it was active in each hour of the day (shrunk toward quiet with few days: c / (days + 1)). Null without a
 * day's rhythm, or for a silence of a day or more.
 */
export function pauseChance(p: ActivityPattern | null, lastAt: number, now: number): number | null {
  const silence = silenceByHour(p, lastAt, now, 'whole');
  return silence === null
    ? null
    : silence.activeOn.reduce((chance, days) => chance * (1 - days / (silence.days + 1)), 1);
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

/**
 * How long a silence may last before it is worth a warning: longer than its usual gap by half (an upload missed),
 * than any gap it had before, and than a random reporter's long pauses (mean + SILENT_SD_FACTOR standard deviations
 * of its gaps); a day without any rhythm. The alarms' silence watch (issue 17) is due at the same instant.
 */
export function silentAfterMs(
  typical: number | null,
  longest: number | null,
  a: Pick<ActivityPattern, 'meanGapMs' | 'sdGapMs'> | null,
): number {
  if (typical === null) return NO_PATTERN_WARN_MS;
  const randomPause =
    a?.meanGapMs !== undefined && a.sdGapMs !== undefined ? a.meanGapMs + SILENT_SD_FACTOR * a.sdGapMs : 0;
  return Math.max(SILENT_WARN_FACTOR * typical, longest ?? 0, randomPause, SILENT_WARN_FLOOR_MS);
}

export function activityChecks({ input, facts }: Ctx): LayerResult {
  const findings: Finding[] = [];
  const lastAt = Math.max(facts.newest?.ts.getTime() ?? 0, input.networkState?.lastEventAt.getTime() ?? 0);
  if (lastAt === 0)
    return {
      checks: [check('activity', 'last_seen', 'unknown', 'Activity', 'No network events received yet.')],
      findings,
    };
  let typical = input.activity?.typicalGapMs ?? null;
  let longest = input.activity?.longestGapMs ?? null;
  let source = input.activity ? `active hours over the last ${input.activity.days} days` : '';
  if (typical === null && facts.contactGapsMs.length >= 2) {
    typical = percentile(facts.contactGapsMs, 0.95);
    longest = Math.max(...facts.contactGapsMs);
    source = 'contacts in the window';
  }
  const silentFor = input.now.getTime() - lastAt;
  const a = input.activity;
  const warnAt = silentAfterMs(typical, longest, a);
  const errorAt =
    typical === null
      ? NO_PATTERN_ERROR_MS
      : Math.max(SILENT_ERROR_FACTOR * typical, 1.5 * (longest ?? 0), SILENT_ERROR_FLOOR_MS, warnAt);
  const usual =
    typical === null
      ? 'no usual rhythm known yet'
      : `usually a gap of at most ${hours(typical)} h, the longest ${hours(longest ?? typical)} h (${source})`;
  const evidence = [
    config('lastEventAt', iso(lastAt)),
    ...(input.activity ? [config('activity', input.activity)] : []),
  ];
  const detail = `Last event at ${when(lastAt)} (${input.networkState?.lastEventType ?? facts.newest?.type}), ${hours(silentFor)} h ago; ${usual}.`;
  if (silentFor < warnAt) {
    return { checks: [check('activity', 'last_seen', 'ok', 'Active', detail, evidence)], findings };
  }
  if (usuallyQuiet(input.activity, lastAt, input.now.getTime())) {
    const quiet = `${detail} On most days it is quiet at this time of day too (${input.activity!.activeDays} days of rhythm).`;
    return { checks: [check('activity', 'last_seen', 'ok', 'Quiet as usual', quiet, evidence)], findings };
  }
  // An irregular reporter (its gaps as wide as their mean) is silent only when its days make such a pause at this
  // time of day unlikely; a regular one's missed beat is news whatever the hour.
  const regular = a?.meanGapMs !== undefined && a.sdGapMs !== undefined && a.sdGapMs <= REGULAR_CV * a.meanGapMs;
  const chance = regular ? null : pauseChance(input.activity, lastAt, input.now.getTime());
  if (chance !== null && chance >= PLAUSIBLE_PAUSE) {
    const quiet = `${detail} Its rhythm is irregular, and on its days a pause this long at this time of day happens (${Math.round(chance * 100)} %).`;
    return { checks: [check('activity', 'last_seen', 'ok', 'Pause as usual', quiet, evidence)], findings };
  }
  const verdict = silentFor >= errorAt ? 'error' : 'warning';
  const fix =
    'The device has stopped talking to the network: check its power and antenna, restart it; a connectivity reset makes it register afresh when it is back.';
  const action = { kind: 'connectivity_reset', params: {} } as const;
  findings.push({
    code: 'device_silent',
    verdict,
    confidence: typical === null ? 'low' : verdict === 'error' ? 'high' : 'medium',
    check: 'activity.last_seen',
    facts: {
      lastSeen: when(lastAt),
      silentHours: hours(silentFor),
      ...(typical === null ? {} : { usualGapHours: hours(typical) }),
    },
    fix,
    action,
  });
  return {
    checks: [
      check('activity', 'last_seen', verdict, 'Silent', `${detail} Silent for longer than usual.`, evidence, {
        fix,
        action,
      }),
    ],
    findings,
  };
}
