/**
 * Seeded SLA policies and the default business calendar, as data.
 *
 * Why these values: in the field incidents take 9.3 working days on average, information
 * requests 7.1, service requests 9.3 and orders 12, and critical faults must be restored within
 * 4 h around the clock. The defaults keep that 4 h restore rule on the 24×7 calendar and set
 * every other resolution target well under today's averages (≤ 5 working days even for P4), so
 * the reports show progress against the field figures rather than restating them.
 *
 * Units: business minutes in the policy's calendar. The default business calendar is open
 * 08:00–17:00 on weekdays, so one working day = 540 minutes.
 *
 * Periodic update ("keep the customer informed"): the case must get a public update at
 * least every N business minutes while open; the caller runs that clock from the latest
 * public update (or the case start) with the same state history.
 */
import { z } from 'zod';
import { VIP_TIERS } from '../accounts/accounts.schemas.ts';
import { CASE_TYPES, type CaseType, PRIORITIES, type Priority, type VipTier } from '../cases/priority.ts';
import type { CalendarDefinitionInput } from './calendar.ts';

export const WORKING_DAY_MINUTES = 540;

export const DEFAULT_BUSINESS_CALENDAR: CalendarDefinitionInput = {
  name: 'Business hours (Stockholm)',
  timeZone: 'Europe/Stockholm',
  weeklyHours: {
    mon: [['08:00', '17:00']],
    tue: [['08:00', '17:00']],
    wed: [['08:00', '17:00']],
    thu: [['08:00', '17:00']],
    fri: [['08:00', '17:00']],
  },
  // Swedish eves (midsummer, Christmas, New Year) are 'bank' days in date-holidays: the desk is closed.
  holidays: { country: 'SE', closedTypes: ['public', 'bank'] },
};

const Minutes = z.number().int().positive();

export const SlaPolicy = z
  .object({
    key: z.string().regex(/^[a-z0-9_-]{1,64}$/),
    name: z.string().min(1).max(200),
    /** Empty or missing criteria match everything; the most specific matching policy wins. */
    match: z
      .object({
        caseTypes: z.array(z.enum(CASE_TYPES)).optional(),
        priorities: z.array(z.enum(PRIORITIES)).optional(),
        vipTiers: z.array(z.enum(VIP_TIERS)).optional(),
        contractIds: z.array(z.string().min(1)).optional(),
      })
      .default({}),
    /** '24x7' or the key of a stored calendar ('business' = DEFAULT_BUSINESS_CALENDAR or the account's). */
    calendar: z.string().min(1),
    targets: z.object({
      firstResponseMinutes: Minutes,
      periodicUpdateMinutes: Minutes,
      resolutionMinutes: Minutes,
    }),
    pauseStates: z.array(z.enum(['pending_customer', 'pending_provider'])).default(['pending_customer']),
    verificationWorkingDays: z.number().int().min(0).max(30).default(3),
  })
  .meta({ id: 'SlaPolicy' });
export type SlaPolicy = z.infer<typeof SlaPolicy>;

const bh = (
  key: string,
  name: string,
  priorities: Priority[],
  firstResponseMinutes: number,
  periodicUpdateMinutes: number,
  resolutionMinutes: number,
): SlaPolicy => ({
  key,
  name,
  match: { priorities },
  calendar: 'business',
  targets: { firstResponseMinutes, periodicUpdateMinutes, resolutionMinutes },
  pauseStates: ['pending_customer'],
  verificationWorkingDays: 3,
});

export const DEFAULT_SLA_POLICIES: readonly SlaPolicy[] = [
  {
    key: 'p1-incident-24x7',
    name: 'Critical incident: restore within 4 h, 24/7',
    match: { caseTypes: ['incident'], priorities: ['P1'] },
    calendar: '24x7',
    // 15 min to acknowledge, hourly public updates, restore within 4 h (the field rule).
    targets: { firstResponseMinutes: 15, periodicUpdateMinutes: 60, resolutionMinutes: 240 },
    pauseStates: ['pending_customer'],
    verificationWorkingDays: 3,
  },
  // P1 that is not an incident (e.g. a blocking order for a platinum customer): same day.
  bh('p1-business', 'P1 (non-incident), business hours', ['P1'], 30, 120, WORKING_DAY_MINUTES),
  bh('p2-business', 'P2, business hours', ['P2'], 60, 240, 2 * WORKING_DAY_MINUTES),
  bh('p3-business', 'P3, business hours', ['P3'], 240, WORKING_DAY_MINUTES, 3 * WORKING_DAY_MINUTES),
  bh(
    'p4-business',
    'P4, business hours',
    ['P4'],
    WORKING_DAY_MINUTES,
    3 * WORKING_DAY_MINUTES,
    5 * WORKING_DAY_MINUTES,
  ),
];

export type PolicyContext = { caseType: CaseType; priority: Priority; vipTier: VipTier; contractId?: string };

function specificity(p: SlaPolicy, ctx: PolicyContext): number | null {
  const m = p.match;
  let score = 0;
  const check = <T>(list: readonly T[] | undefined, value: T | undefined, weight: number): boolean => {
    if (!list || list.length === 0) return true;
    if (value === undefined || !list.includes(value)) return false;
    score += weight;
    return true;
  };
  // A contract outranks everything; then type, priority and tier.
  if (!check(m.contractIds, ctx.contractId, 8)) return null;
  if (!check(m.caseTypes, ctx.caseType, 4)) return null;
  if (!check(m.priorities, ctx.priority, 2)) return null;
  if (!check(m.vipTiers, ctx.vipTier, 1)) return null;
  return score;
}

/** The most specific matching policy (earlier wins a tie); undefined when none matches. */
export function matchPolicy(policies: readonly SlaPolicy[], ctx: PolicyContext): SlaPolicy | undefined {
  let best: SlaPolicy | undefined;
  let bestScore = -1;
  for (const p of policies) {
    const s = specificity(p, ctx);
    if (s !== null && s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}
