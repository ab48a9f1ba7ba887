/**
 * The parameters of each kind of alarm rule, with their defaults (rules.schemas.ts builds the rule bodies from them).
 * Each field says what it does in the API's words: the console's editor and the OpenAPI document show it.
 */
import { z } from 'zod';

export const silenceParamsShape = {
  factor: z
    .number()
    .min(1)
    .max(20)
    .describe("How many times the SIM's usual interval (for the hour of the week it went quiet in) a silence may last"),
  graceMinutes: z.number().int().min(0).max(10_080).describe('Added to it; also the floor'),
  noRhythmMinutes: z
    .number()
    .int()
    .min(10)
    .max(43_200)
    .describe('The threshold of a SIM without a learned rhythm (too few active hours)'),
  learnWeeks: z.number().int().min(1).max(8).describe('Weeks of hourly usage the rhythm is learned from'),
};
export const SILENCE_DEFAULTS = { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 } as const;
export const SilenceParamsSchema = z
  .object({
    factor: silenceParamsShape.factor.default(SILENCE_DEFAULTS.factor),
    graceMinutes: silenceParamsShape.graceMinutes.default(SILENCE_DEFAULTS.graceMinutes),
    noRhythmMinutes: silenceParamsShape.noRhythmMinutes.default(SILENCE_DEFAULTS.noRhythmMinutes),
    learnWeeks: silenceParamsShape.learnWeeks.default(SILENCE_DEFAULTS.learnWeeks),
  })
  .strict()
  .meta({ id: 'AlarmRuleSilenceParams' });

const ATTEMPTS = ['attach', 'session'] as const;
const attempts = z
  .array(z.enum(ATTEMPTS))
  .min(1)
  .max(2)
  .describe('attach: attach_rejected (EMM causes); session: session_rejected (ESM causes)');
export const refusalParamsShape = {
  count: z.number().int().min(1).max(1000).describe('Refusals within the window that make a burst'),
  windowMinutes: z.number().int().min(1).max(1440),
  causes: z
    .array(z.number().int().min(0).max(255))
    .max(50)
    .describe('Only these causes (EMM for attach, ESM for session refusals); empty: any'),
  attempts,
  clearMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .describe('Cleared once the SIM has been accepted again and refused no more for this long (hysteresis)'),
  streak: z
    .number()
    .int()
    .min(2)
    .max(100)
    .nullable()
    .describe(
      'Also a burst: refused this many times in a row with no accepted attempt of the same kind between (an attach ' +
        'for attach refusals, a session start for session refusals) — a device refused for a cause no retry cures ' +
        'backs off to tens of minutes and never fills the window. Null: off',
    ),
  streakHours: z.number().int().min(1).max(72).describe('How far back a streak is looked for'),
  permanentStreak: z
    .number()
    .int()
    .min(2)
    .max(100)
    .nullable()
    .describe(
      'Also a burst: refused this many times in a row for the same cause no retry cures, on the same network, with ' +
        'no accepted attempt of the same kind between (EMM 2, 3, 5, 6, 7, 8, 11 for attach; ESM 8, 27, 29, 33 for ' +
        'session refusals: unknown or barred SIM, device not accepted, PLMN not allowed, APN unknown, not ' +
        'subscribed) — found sooner than by `streak`. Looked for within streakHours. Null: off',
    ),
};
export const REFUSAL_DEFAULTS = {
  count: 3,
  windowMinutes: 15,
  causes: [] as number[],
  attempts: ['attach', 'session'] as ('attach' | 'session')[],
  clearMinutes: 15,
  streak: 3 as number | null,
  streakHours: 6,
  permanentStreak: 2 as number | null,
};
export const RefusalParamsSchema = z
  .object({
    count: refusalParamsShape.count.default(REFUSAL_DEFAULTS.count),
    windowMinutes: refusalParamsShape.windowMinutes.default(REFUSAL_DEFAULTS.windowMinutes),
    causes: refusalParamsShape.causes.default([]),
    attempts: refusalParamsShape.attempts.default(['attach', 'session']),
    clearMinutes: refusalParamsShape.clearMinutes.default(REFUSAL_DEFAULTS.clearMinutes),
    streak: refusalParamsShape.streak.default(REFUSAL_DEFAULTS.streak),
    streakHours: refusalParamsShape.streakHours.default(REFUSAL_DEFAULTS.streakHours),
    permanentStreak: refusalParamsShape.permanentStreak.default(REFUSAL_DEFAULTS.permanentStreak),
  })
  .strict()
  .meta({ id: 'AlarmRuleRefusalBurstParams' });
export const fleetParamsShape = {
  attempts,
  clearMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .describe('Cleared once the network or APN has been out of the failing list for this long (hysteresis)'),
};
export const FLEET_DEFAULTS = { attempts: ['attach', 'session'] as ('attach' | 'session')[], clearMinutes: 10 };
export const FleetParamsSchema = z
  .object({
    attempts: fleetParamsShape.attempts.default(['attach', 'session']),
    clearMinutes: fleetParamsShape.clearMinutes.default(FLEET_DEFAULTS.clearMinutes),
  })
  .strict()
  .meta({ id: 'AlarmRuleFleetParams' });

export const usageDropParamsShape = {
  dropPercent: z
    .number()
    .int()
    .min(10)
    .max(100)
    .describe(
      "The last `hours` complete hours carried at least this much less data than the SIM's usual for the same hours " +
        'of the week (the median of the last learnWeeks weeks; a week without usage counts as none). Cleared once back ' +
        'above the usual less half of it (hysteresis)',
    ),
  k: z
    .number()
    .min(0)
    .max(10)
    .describe(
      'And below the usual by more than k robust deviations (k × 1.4826 × the median absolute deviation of the weeks): ' +
        'a SIM whose weeks vary a lot is not news for an ordinary low week',
    ),
  hours: z.number().int().min(1).max(24).describe('Complete hours judged together, judged every hour'),
  learnWeeks: z.number().int().min(2).max(8).describe('Weeks of hourly usage the usual is the median of'),
  minUsualKb: z
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .describe('SIMs whose usual volume over those hours is below this many kB are not judged (too little to tell)'),
};
export const USAGE_DROP_DEFAULTS = { dropPercent: 50, k: 3, hours: 3, learnWeeks: 4, minUsualKb: 100 } as const;
export const UsageDropParamsSchema = z
  .object({
    dropPercent: usageDropParamsShape.dropPercent.default(USAGE_DROP_DEFAULTS.dropPercent),
    k: usageDropParamsShape.k.default(USAGE_DROP_DEFAULTS.k),
    hours: usageDropParamsShape.hours.default(USAGE_DROP_DEFAULTS.hours),
    learnWeeks: usageDropParamsShape.learnWeeks.default(USAGE_DROP_DEFAULTS.learnWeeks),
    minUsualKb: usageDropParamsShape.minUsualKb.default(USAGE_DROP_DEFAULTS.minUsualKb),
  })
  .strict()
  .meta({ id: 'AlarmRuleUsageDropParams' });

export const usageDriftParamsShape = {
  lambda: z
    .number()
    .min(0.05)
    .max(1)
    .describe("The EWMA's weight of the newest day (small: slow drifts, smoothed; 1: the last day alone)"),
  limit: z
    .number()
    .min(1)
    .max(6)
    .describe("Control limits at the learned mean ± this many of the EWMA's standard deviations"),
  days: z.number().int().min(1).max(30).describe('The newest complete UTC days the EWMA runs over'),
  learnDays: z
    .number()
    .int()
    .min(7)
    .max(60)
    .describe(
      'The days before them the mean and standard deviation are learned from (a day without usage counts as none)',
    ),
  direction: z.enum(['up', 'down', 'both']).describe('up: drifting above its usual (a bill to come); down: below'),
  minChangePercent: z
    .number()
    .int()
    .min(5)
    .max(1000)
    .describe('And away from the mean by at least this much: a SIM of very steady days is not news for a small change'),
  minUsualKb: z
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .describe('SIMs whose learned mean is below this many kB a day are not judged (too little to tell)'),
};
export const USAGE_DRIFT_DEFAULTS = {
  lambda: 0.3,
  limit: 3,
  days: 7,
  learnDays: 28,
  direction: 'both' as 'up' | 'down' | 'both',
  minChangePercent: 25,
  minUsualKb: 100,
};
export const UsageDriftParamsSchema = z
  .object({
    lambda: usageDriftParamsShape.lambda.default(USAGE_DRIFT_DEFAULTS.lambda),
    limit: usageDriftParamsShape.limit.default(USAGE_DRIFT_DEFAULTS.limit),
    days: usageDriftParamsShape.days.default(USAGE_DRIFT_DEFAULTS.days),
    learnDays: usageDriftParamsShape.learnDays.default(USAGE_DRIFT_DEFAULTS.learnDays),
    direction: usageDriftParamsShape.direction.default(USAGE_DRIFT_DEFAULTS.direction),
    minChangePercent: usageDriftParamsShape.minChangePercent.default(USAGE_DRIFT_DEFAULTS.minChangePercent),
    minUsualKb: usageDriftParamsShape.minUsualKb.default(USAGE_DRIFT_DEFAULTS.minUsualKb),
  })
  .strict()
  .meta({ id: 'AlarmRuleUsageDriftParams' });

export const thresholdParamsShape = {
  metric: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .describe('The telemetry metric, as devices send it (e.g. temperature_c, wear_pct.brake_pad, link_util_pct)'),
  above: z.number().finite().nullable().describe('Beyond when a value is above this (null: no upper bound)'),
  below: z.number().finite().nullable().describe('Beyond when a value is below this (null: no lower bound)'),
  repeats: z
    .number()
    .int()
    .min(1)
    .max(100)
    .describe('Raised when this many reports in a row are beyond (a single spike is not news)'),
  durationMinutes: z
    .number()
    .int()
    .min(0)
    .max(10_080)
    .describe('…and have been beyond for at least this long: from the first of the run to the newest (0: no duration)'),
  hysteresis: z
    .number()
    .min(0)
    .describe('Cleared once a report is back inside by this margin (above 90, hysteresis 5: cleared at 85 or less)'),
};
export const THRESHOLD_DEFAULTS = { repeats: 3, durationMinutes: 0, hysteresis: 0 };
export const ThresholdParamsSchema = z
  .object({
    metric: thresholdParamsShape.metric,
    above: thresholdParamsShape.above.default(null),
    below: thresholdParamsShape.below.default(null),
    repeats: thresholdParamsShape.repeats.default(THRESHOLD_DEFAULTS.repeats),
    durationMinutes: thresholdParamsShape.durationMinutes.default(THRESHOLD_DEFAULTS.durationMinutes),
    hysteresis: thresholdParamsShape.hysteresis.default(THRESHOLD_DEFAULTS.hysteresis),
  })
  .strict()
  .refine((p) => p.above !== null || p.below !== null, {
    message: 'give above, below or both (a value beyond either is beyond)',
    path: ['above'],
  })
  .refine((p) => p.above === null || p.below === null || p.below < p.above, {
    message: 'below must be less than above (the band between them is inside)',
    path: ['below'],
  })
  .meta({ id: 'AlarmRuleTelemetryThresholdParams' });
