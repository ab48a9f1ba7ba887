/**
 * Activity: is the SIM silent, judged against its own rhythm? A meter that reports twice a day is not silent
 * after three hours; a tracker is. The rhythm is the gaps between active hours over the last days
 * (`activityPatternFromHours`, fed from `sim_usage_hourly`), else the gaps between contacts in the window.
 * Silent means: longer than SILENT_WARN_FACTOR × the usual (95th percentile) gap → warning, longer than
 * SILENT_ERROR_FACTOR × it and than 1.5 × the longest gap ever seen → error; never below the floors (a router's
 * usual gap of a minute does not make a 10-minute pause news).
 */
import type { ActivityPattern, Finding, LayerResult } from '../diagnosis.model.ts';
import { percentile } from '../facts.ts';
import { type Ctx, check, config, HOUR_MS, iso, when } from './common.ts';

export const SILENT_WARN_FACTOR = 2;
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
  return {
    days,
    activeHours: ts.length,
    typicalGapMs: enough ? percentile(gaps, 0.95) : null,
    longestGapMs: enough ? Math.max(...gaps) : null,
  };
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

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
  const warnAt = typical === null ? NO_PATTERN_WARN_MS : Math.max(SILENT_WARN_FACTOR * typical, SILENT_WARN_FLOOR_MS);
  const errorAt =
    typical === null
      ? NO_PATTERN_ERROR_MS
      : Math.max(SILENT_ERROR_FACTOR * typical, 1.5 * (longest ?? 0), SILENT_ERROR_FLOOR_MS, warnAt);
  const usual =
    typical === null ? 'no usual rhythm known yet' : `usually a gap of at most ${hours(typical)} h (${source})`;
  const evidence = [
    config('lastEventAt', iso(lastAt)),
    ...(input.activity ? [config('activity', input.activity)] : []),
  ];
  const detail = `Last event at ${when(lastAt)} (${input.networkState?.lastEventType ?? facts.newest?.type}), ${hours(silentFor)} h ago; ${usual}.`;
  if (silentFor < warnAt) {
    return { checks: [check('activity', 'last_seen', 'ok', 'Active', detail, evidence)], findings };
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
