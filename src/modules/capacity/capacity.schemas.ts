import { z } from 'zod';

export const LIST_SORTS = ['daysToSaturation', 'currentP95'] as const;

export const ListLinksQuery = z.object({
  sort: z
    .enum(LIST_SORTS)
    .default('daysToSaturation')
    .describe(
      'daysToSaturation: the soonest first (the default); currentP95: the busiest first. Links without one last',
    ),
  accountId: z.coerce.number().int().positive().optional().describe('This account and its subtree'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});
export type ListLinksInput = z.infer<typeof ListLinksQuery>;

export const LinkIdParams = z.object({
  deviceId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe("The link's device id"),
});
export const LinkQuery = z.object({
  days: z.coerce.number().int().min(1).max(90).default(28).describe('Days of forecast to return, today included'),
});

const DayPoint = z.object({ day: z.iso.date(), p95Pct: z.number() });

export const CapacityPlanView = z
  .object({
    factor: z.number().describe('How many times the current speed the forecast demand needs (at a 70 % p95)'),
    orderedKbps: z.number().nullable().describe('The speed ordered; null when the contracted speed is not recorded'),
    nowKbps: z
      .number()
      .nullable()
      .describe('The speed set now on the current equipment (its most, when a hardware change is needed)'),
    hardwareChange: z.boolean().nullable().describe("null: the model's maxLinkKbps is not recorded"),
    steps: z.array(z.string()).describe('The staged plan in words'),
  })
  .meta({ id: 'CapacityPlan' });

export const CapacityLinkView = z
  .object({
    deviceId: z.number().int(),
    externalId: z.string(),
    name: z.string().nullable(),
    accountId: z.number().int(),
    accountName: z.string().nullable(),
    accountNumber: z.string().nullable(),
    modelName: z.string(),
    status: z
      .enum(['ok', 'insufficient_history'])
      .describe('insufficient_history: too few days measured for a trend and a weekly pattern (reason says)'),
    reason: z.string().nullable(),
    historyDays: z.number().int().describe('Days with enough hours measured'),
    currentP95Pct: z.number().nullable().describe('p95 link utilisation over the last 7 days'),
    trendPctPerWeek: z.number().nullable().describe('Percentage points per week (Theil–Sen on the daily p95)'),
    daysToSaturation: z
      .number()
      .nullable()
      .describe('Until the start of the first day whose p95 is forecast at the saturation level; 0: saturated now'),
    saturationDay: z.iso.date().nullable(),
    withinLeadTime: z.boolean().describe('It saturates before a capacity order could be fulfilled: an upgrade is due'),
    peakDemandPct: z.number().nullable().describe('The highest daily p95 expected within 90 days, beyond 100 % if so'),
    saturationPct: z.number().describe('The level judged against'),
    linkKbps: z.number().int().nullable().describe('The contracted speed (the device’s linkKbps)'),
    maxLinkKbps: z.number().int().nullable().describe('The most its device model carries'),
    plan: CapacityPlanView.nullable().describe('The staged upgrade, when it saturates within the horizon'),
    proposal: z
      .object({ caseNumber: z.string(), state: z.enum(['open', 'ended']) })
      .nullable()
      .describe('The newest upgrade proposal (an order case) for this link'),
    computedAt: z.string(),
  })
  .meta({ id: 'CapacityLink' });

export const CapacityLinkPage = z
  .object({
    items: z.array(CapacityLinkView),
    nextCursor: z.string().nullable(),
    leadTimeDays: z.number().describe('CAPACITY_LEAD_TIME_DAYS: a link saturating sooner gets a proposal'),
  })
  .meta({ id: 'CapacityLinkPage' });

export const CapacityLinkDetail = CapacityLinkView.extend({
  history: z.array(DayPoint).describe('Daily p95 measured (days with enough hours), oldest first'),
  forecast: z.array(DayPoint).describe('Daily p95 forecast from the day of computedAt on'),
  leadTimeDays: z.number(),
}).meta({ id: 'CapacityLinkDetail' });
