import { z } from 'zod';
import { VIP_TIERS } from '../accounts/accounts.schemas.ts';
import { CASE_TYPES, PRIORITIES } from '../cases/priority.ts';
import {
  CalendarDefinition,
  CalendarTimeZone,
  ClosedDates,
  HOLIDAY_TYPES,
  HolidaySource,
  WeeklyHours,
} from './calendar.ts';

export const SLA_METRICS = ['first_response', 'periodic_update', 'resolution'] as const;
export const SLA_STATUSES = ['running', 'paused', 'met', 'breached', 'stopped'] as const;
export const PAUSE_STATES = ['pending_customer', 'pending_provider'] as const;

export const IdParams = z.object({ id: z.coerce.number().int().positive() });

/** POST body: a whole calendar definition (calendar.ts validates hours, zone and holiday source). */
export const CreateCalendarBody = CalendarDefinition;
export type CreateCalendarInput = z.infer<typeof CreateCalendarBody>;

export const UpdateCalendarBody = z
  .object({
    name: z.string().min(1).max(100),
    timeZone: CalendarTimeZone,
    weeklyHours: WeeklyHours,
    holidays: HolidaySource.nullable().describe('null removes the holiday source'),
    closedDates: ClosedDates,
  })
  .partial()
  .meta({ id: 'UpdateSlaCalendarRequest' });
export type UpdateCalendarInput = z.infer<typeof UpdateCalendarBody>;

const Interval = z.tuple([z.string(), z.string()]);
export const CalendarView = z
  .object({
    id: z.number().int(),
    key: z.string().nullable().describe('Set on seeded built-in calendars'),
    name: z.string(),
    builtIn: z.boolean(),
    timeZone: z.string(),
    weeklyHours: z.record(z.string(), z.array(Interval)),
    holidays: z
      .object({
        country: z.string(),
        state: z.string().optional(),
        region: z.string().optional(),
        closedTypes: z.array(z.enum(HOLIDAY_TYPES)),
      })
      .nullable(),
    closedDates: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SlaCalendar' });
export const CalendarList = z.object({ items: z.array(CalendarView) }).meta({ id: 'SlaCalendarList' });

/** Business minutes; a year of minutes is the ceiling. */
const Minutes = z.number().int().positive().max(525_600);
const nonEmpty = <T extends z.ZodType>(t: T, max = 50) => z.array(t).min(1).max(max).optional();
/** Accounts one policy names: a contract's accounts, not a fleet (each is checked when the policy is saved). */
const MAX_POLICY_ACCOUNTS = 1000;

export const PolicyMatch = z
  .object({
    caseTypes: nonEmpty(z.enum(CASE_TYPES)),
    priorities: nonEmpty(z.enum(PRIORITIES)),
    vipTiers: nonEmpty(z.enum(VIP_TIERS)),
    accountIds: nonEmpty(z.number().int().positive(), MAX_POLICY_ACCOUNTS).describe(
      'Accounts under contract: a case matches through its own account or its enterprise (root) account',
    ),
  })
  .describe(
    'Omitted criteria match anything; the most specific matching policy wins (account > type > priority > tier)',
  )
  .meta({ id: 'SlaPolicyMatch' });

export const PolicyTargets = z
  .object({
    firstResponseMinutes: Minutes,
    periodicUpdateMinutes: Minutes.describe('A public update at least every N business minutes while open'),
    resolutionMinutes: Minutes,
  })
  .meta({ id: 'SlaPolicyTargets' });
export type PolicyTargetsInput = z.infer<typeof PolicyTargets>;

export const CreatePolicyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    match: PolicyMatch.default({}),
    calendarId: z.number().int().positive(),
    targets: PolicyTargets,
    pauseStates: z.array(z.enum(PAUSE_STATES)).max(PAUSE_STATES.length).default(['pending_customer']),
    verificationWorkingDays: z.number().int().min(0).max(30).default(3),
  })
  .meta({ id: 'CreateSlaPolicyRequest' });
export type CreatePolicyInput = z.infer<typeof CreatePolicyBody>;

export const UpdatePolicyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    match: PolicyMatch,
    calendarId: z.number().int().positive(),
    targets: PolicyTargets.partial(),
    pauseStates: z.array(z.enum(PAUSE_STATES)).max(PAUSE_STATES.length),
    verificationWorkingDays: z.number().int().min(0).max(30),
  })
  .partial()
  .meta({ id: 'UpdateSlaPolicyRequest' });
export type UpdatePolicyInput = z.infer<typeof UpdatePolicyBody>;

export const PolicyView = z
  .object({
    id: z.number().int(),
    key: z.string().nullable(),
    name: z.string(),
    builtIn: z.boolean(),
    match: z.object({
      caseTypes: z.array(z.string()).nullable(),
      priorities: z.array(z.string()).nullable(),
      vipTiers: z.array(z.string()).nullable(),
      accountIds: z.array(z.number().int()).nullable(),
    }),
    calendarId: z.number().int(),
    targets: PolicyTargets,
    pauseStates: z.array(z.string()),
    verificationWorkingDays: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SlaPolicyView' });
export const PolicyList = z.object({ items: z.array(PolicyView) }).meta({ id: 'SlaPolicyList' });

export const SlaMetricView = z
  .object({
    metric: z.enum(SLA_METRICS),
    targetMinutes: z.number().int(),
    elapsedMinutes: z.number().int().describe('Business minutes the clock has run (whole minutes, rounded down)'),
    remainingMinutes: z.number().int().describe('Negative once breached'),
    dueAt: z
      .string()
      .nullable()
      .describe('When the target is reached if the current state continues; null when paused or stopped short'),
    warn75At: z.string().nullable(),
    warn90At: z.string().nullable(),
    status: z.enum(SLA_STATUSES),
  })
  .meta({ id: 'SlaMetric' });
export type SlaMetricView = z.infer<typeof SlaMetricView>;

export const CaseSlaView = z
  .object({
    caseNumber: z.string(),
    state: z.string(),
    computedAt: z.string(),
    policy: z
      .object({
        id: z.number().int(),
        name: z.string(),
        calendarId: z.number().int(),
        calendarName: z.string(),
        calendarTimeZone: z
          .string()
          .describe("The calendar's IANA time zone: its working hours are wall-clock times there"),
      })
      .nullable()
      .describe('null when no policy matches (then metrics is empty)'),
    metrics: z.array(SlaMetricView),
  })
  .meta({ id: 'CaseSla' });
