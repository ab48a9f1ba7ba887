import { z } from 'zod';
import { ALARM_SEVERITIES } from './alarms.schemas.ts';
import {
  FLEET_DEFAULTS,
  FleetParamsSchema,
  fleetParamsShape,
  REFUSAL_DEFAULTS,
  RefusalParamsSchema,
  refusalParamsShape,
  SILENCE_DEFAULTS,
  SilenceParamsSchema,
  silenceParamsShape,
  ThresholdParamsSchema,
  thresholdParamsShape,
  USAGE_DRIFT_DEFAULTS,
  USAGE_DROP_DEFAULTS,
  UsageDriftParamsSchema,
  UsageDropParamsSchema,
  usageDriftParamsShape,
  usageDropParamsShape,
} from './rule-params.schemas.ts';
import { isTimeZone, WEEKDAYS } from './rules.ts';

export * from './rule-params.schemas.ts';

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
      .describe(
        'SIMs read to find those in scope (at most 5,000, the first by id: a sample beyond); for a telemetry rule, ' +
          'the devices of its scope read (at most 500)',
      ),
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
      .describe('The SIMs it fired on, most alarms first (at most 50); empty for a telemetry rule'),
    devices: z
      .array(
        z.object({
          deviceId: z.number().int(),
          name: z.string().nullable(),
          fired: z.number().int(),
          firstAt: z.string(),
          farthestValue: z.number().describe('The value farthest beyond the threshold at an alarm'),
        }),
      )
      .describe('Telemetry rules: the devices it fired on, most alarms first (at most 50); empty for SIM rules'),
  })
  .meta({ id: 'AlarmRuleBacktest' });
export type Backtest = z.infer<typeof BacktestView>;
