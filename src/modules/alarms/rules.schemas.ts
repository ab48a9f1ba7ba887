import { z } from 'zod';
import { ALARM_SEVERITIES } from './alarms.schemas.ts';
import { isTimeZone, WEEKDAYS } from './rules.ts';

export const RULE_KINDS = [
  'silence',
  'refusal_burst',
  'fleet_refusals',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

const ids = (what: string) =>
  z.array(z.number().int().positive()).max(1000).optional().describe(`Only SIMs of these ${what}`);
// An APN as the network writes it (3GPP TS 23.003 §9.1: labels of letters, digits and hyphens).
const apn = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
    message: 'must be labels of letters, digits and hyphens separated by dots (e.g. iot.example.com)',
  });

export const RuleScopeSchema = z
  .object({
    accountIds: ids('accounts'),
    communicationPlanIds: ids('communication plans'),
    ratePlanIds: ids('rate plans'),
    apns: z.array(apn).max(100).optional().describe('Only SIMs whose last session used one of these APNs'),
    plmns: z
      .array(z.string().regex(/^\d{5,6}$/, { message: 'must be MCC+MNC, 5 or 6 digits (e.g. 26201)' }))
      .max(500)
      .optional()
      .describe('Only SIMs last seen on one of these networks'),
    deviceModelIds: ids('device models (of the device the SIM is in)'),
  })
  .strict()
  .describe('Which SIMs: every field given must hold; none given takes every SIM in')
  .meta({ id: 'AlarmRuleScope' });

const silenceParamsShape = {
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

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM, 00:00 to 23:59' });
export const ScheduleSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
    from: hhmm,
    to: hhmm.describe('Not after `from`: the window runs past midnight (22:00–06:00)'),
    timeZone: z.string().max(64).refine(isTimeZone, { message: 'must be an IANA time zone (e.g. Europe/Berlin)' }),
  })
  .strict()
  .refine((s) => s.from !== s.to, { message: 'from and to must differ', path: ['to'] })
  .describe('When the rule may raise alarms; a silence due outside it waits for its next start')
  .meta({ id: 'AlarmRuleSchedule' });

export const EscalationSchema = z
  .object({
    afterMinutes: z.number().int().min(1).max(43_200).describe('Minutes past the threshold'),
    severity: z.enum(ALARM_SEVERITIES),
  })
  .strict()
  .describe('Raise the severity while the silence lasts')
  .meta({ id: 'AlarmRuleEscalation' });

const name = z.string().trim().min(1).max(100);
const openCase = z
  .boolean()
  .describe(
    "Open a case (channel monitoring) for the alarm's account with its SIMs, or add them to the one open for the " +
      'same cause; the customer is told by e-mail in their language',
  );
const remindMinutes = z
  .number()
  .int()
  .min(5)
  .max(10_080)
  .nullable()
  .describe('Remind the desk of an alarm nobody acknowledged every this many minutes (null: never)');
const ATTEMPTS = ['attach', 'session'] as const;
const attempts = z
  .array(z.enum(ATTEMPTS))
  .min(1)
  .max(2)
  .describe('attach: attach_rejected (EMM causes); session: session_rejected (ESM causes)');
const refusalParamsShape = {
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
};
export const REFUSAL_DEFAULTS = {
  count: 3,
  windowMinutes: 15,
  causes: [] as number[],
  attempts: ['attach', 'session'] as ('attach' | 'session')[],
  clearMinutes: 15,
  streak: 3 as number | null,
  streakHours: 6,
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
  })
  .strict()
  .meta({ id: 'AlarmRuleRefusalBurstParams' });
const fleetParamsShape = {
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

const usageDropParamsShape = {
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

const usageDriftParamsShape = {
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

const thresholdParamsShape = {
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

const common = {
  name,
  enabled: z.boolean().default(true),
  scope: RuleScopeSchema.default({}),
  severity: z.enum(ALARM_SEVERITIES).default('major'),
  escalation: EscalationSchema.nullable().default(null),
  schedule: ScheduleSchema.nullable().default(null),
  openCase: openCase.default(false),
  remindMinutes: remindMinutes.default(null),
};
export const CreateRuleBody = z
  .discriminatedUnion('kind', [
    z
      .object({
        ...common,
        kind: z.literal('silence').describe('No event for factor × the usual interval + grace'),
        params: SilenceParamsSchema.default(SILENCE_DEFAULTS),
      })
      .strict()
      .meta({ id: 'CreateSilenceRuleRequest' }),
    z
      .object({
        ...common,
        kind: z.literal('refusal_burst').describe('A SIM refused `count` times within the window (by cause)'),
        params: RefusalParamsSchema.default(REFUSAL_DEFAULTS),
      })
      .strict()
      .meta({ id: 'CreateRefusalBurstRuleRequest' }),
    z
      .object({
        ...common,
        kind: z
          .literal('fleet_refusals')
          .describe(
            "A network (PLMN) or APN refusing many SIMs against its own baseline (the diagnosis' fleet rule); " +
              'scope: plmns and apns only',
          ),
        params: FleetParamsSchema.default(FLEET_DEFAULTS),
      })
      .strict()
      .meta({ id: 'CreateFleetRuleRequest' }),
    z
      .object({
        ...common,
        kind: z
          .literal('usage_drop')
          .describe("A SIM's data volume fell well below its usual for the same hours of the week (median with MAD)"),
        params: UsageDropParamsSchema.default(USAGE_DROP_DEFAULTS),
      })
      .strict()
      .meta({ id: 'CreateUsageDropRuleRequest' }),
    z
      .object({
        ...common,
        kind: z
          .literal('usage_drift')
          .describe("A SIM's daily data volume drifting away from its learned mean (an EWMA control chart)"),
        params: UsageDriftParamsSchema.default(USAGE_DRIFT_DEFAULTS),
      })
      .strict()
      .meta({ id: 'CreateUsageDriftRuleRequest' }),
    z
      .object({
        ...common,
        kind: z
          .literal('telemetry_threshold')
          .describe(
            "A device's telemetry metric beyond a threshold for N reports in a row and/or a duration; scope: " +
              'accountIds and deviceModelIds only; no case yet',
          ),
        params: ThresholdParamsSchema,
      })
      .strict()
      .meta({ id: 'CreateTelemetryThresholdRuleRequest' }),
  ])
  .meta({ id: 'CreateAlarmRuleRequest' });
export type CreateRuleInput = z.infer<typeof CreateRuleBody>;

/** Every kind's parameters, each optional: a change is checked against the rule's own kind (rules.service.ts). */
const anyParamsShape = {
  // First, so the silence rule's wider learnWeeks (from 1) is the one a change is read with before its kind's check.
  ...usageDropParamsShape,
  ...usageDriftParamsShape,
  ...thresholdParamsShape,
  ...silenceParamsShape,
  ...refusalParamsShape,
  ...fleetParamsShape,
};
export const PARAMS_OF_KIND = {
  silence: SilenceParamsSchema,
  refusal_burst: RefusalParamsSchema,
  fleet_refusals: FleetParamsSchema,
  usage_drop: UsageDropParamsSchema,
  usage_drift: UsageDriftParamsSchema,
  telemetry_threshold: ThresholdParamsSchema,
} as const;

export const UpdateRuleBody = z
  .object({
    name: name.optional(),
    enabled: z.boolean().optional(),
    scope: RuleScopeSchema.optional(),
    params: z
      .object(anyParamsShape)
      .partial()
      .strict()
      .optional()
      .describe("Only the parameters to change, of the rule's kind"),
    severity: z.enum(ALARM_SEVERITIES).optional(),
    escalation: EscalationSchema.nullable().optional(),
    schedule: ScheduleSchema.nullable().optional(),
    openCase: openCase.optional(),
    remindMinutes: remindMinutes.optional(),
  })
  .strict()
  .meta({ id: 'UpdateAlarmRuleRequest' });
export type UpdateRuleInput = z.infer<typeof UpdateRuleBody>;

export const RuleIdParams = z.object({ id: z.coerce.number().int().positive() });

export const RuleView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(RULE_KINDS),
    enabled: z.boolean(),
    scope: RuleScopeSchema,
    params: z
      .object(anyParamsShape)
      .partial()
      .describe("The kind's parameters (silence: factor, graceMinutes, …; refusal_burst: count, windowMinutes, …)")
      .meta({ id: 'AlarmRuleParamsView' }),
    severity: z.enum(ALARM_SEVERITIES),
    escalation: EscalationSchema.nullable(),
    // As stored, not re-validated: a rule whose schedule went bad (and was disabled for it) must still be shown.
    schedule: z
      .object({ days: z.array(z.enum(WEEKDAYS)), from: z.string(), to: z.string(), timeZone: z.string() })
      .nullable()
      .meta({ id: 'AlarmRuleScheduleView' }),
    openCase: z.boolean(),
    remindMinutes: z.number().int().nullable(),
    lastError: z
      .string()
      .nullable()
      .describe('Why the rule was disabled: it threw while applied (null: it never did, or was enabled since)'),
    failedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'AlarmRule' });
export const RuleList = z.object({ items: z.array(RuleView) }).meta({ id: 'AlarmRuleList' });

export const BacktestQuery = z.object({
  days: z.coerce.number().int().min(1).max(14).default(7).describe('How many days back (default 7)'),
});
export const BacktestView = z
  .object({
    from: z.string(),
    to: z.string(),
    simsConsidered: z
      .number()
      .int()
      .describe('SIMs read to find those in scope (at most 5,000, the first by id: a sample beyond)'),
    sampled: z.boolean().describe('true: the scope holds more SIMs than were read; the figures are for those read'),
    simsInScope: z.number().int().describe('Of those read, SIMs this rule would govern (more specific rules aside)'),
    fired: z.number().int().describe('Alarms the rule would have raised in the window'),
    simsFired: z.number().int().describe('SIMs it would have raised them on'),
    byDay: z.array(z.object({ day: z.string(), fired: z.number().int() })),
    sims: z
      .array(
        z.object({
          iccid: z.string(),
          fired: z.number().int(),
          firstAt: z.string(),
          longestSilenceMinutes: z.number().int().nullable().describe('Silence rules: the longest silence that fired'),
          thresholdMinutes: z.number().int().nullable().describe('Silence rules: the threshold at the first alarm'),
          refusals: z.number().int().nullable().describe('Refusal-burst rules: the most refusals in one burst'),
          deepestDropPercent: z
            .number()
            .int()
            .nullable()
            .describe('Usage-drop rules: the deepest drop below the usual at an alarm (percent)'),
          largestDriftPercent: z
            .number()
            .int()
            .nullable()
            .describe('Usage-drift rules: the largest drift from the mean at an alarm (percent, negative: down)'),
        }),
      )
      .describe('The SIMs it fired on, most alarms first (at most 50)'),
  })
  .meta({ id: 'AlarmRuleBacktest' });
export type Backtest = z.infer<typeof BacktestView>;
