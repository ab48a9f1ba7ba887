/**
 * What the alarms module announces (docs/EVENTS.md; src/platform/events): an alarm raised by its condition, and an
 * alarm cleared (by its condition or by hand). A repeat of an active alarm (its count) announces nothing.
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

const AlarmRef = {
  alarmId: z.number().int().positive(),
  simId: z.number().int().positive(),
  tenantId: z.number().int().positive(),
  accountId: z.number().int().positive(),
  type: z.string().describe('silence'),
  severity: z.string(),
};

export const AlarmEvents = {
  raised: defineEvent({
    name: 'alarms.raised',
    version: 1,
    producer: 'alarms',
    description: "A SIM's alarm was raised at the instant its condition became true (a silence: at its due time).",
    payload: z.object({
      ...AlarmRef,
      at: z.iso.datetime({ offset: true }),
      details: z.record(z.string(), z.unknown()).describe('The alarm details (silence: dueAt, lastEventAt, …)'),
    }),
  }),
  cleared: defineEvent({
    name: 'alarms.cleared',
    version: 1,
    producer: 'alarms',
    description:
      'An active alarm was cleared: by its condition (the SIM talked again, left service), because the SIM moved to ' +
      'another account (what it does now is the new account’s: a new alarm there, if any) or by hand.',
    payload: z.object({
      ...AlarmRef,
      at: z.iso.datetime({ offset: true }),
      by: z.enum(['traffic', 'out_of_service', 'moved', 'user']),
    }),
  }),
} as const;

/**
 * The details a customer may see of their alarm's event (webhooks): the facts of the condition, never the rule that
 * raised it or the desk's bookkeeping (ruleId, rule, case claims). An allowlist, so a key added to the details
 * later stays staff-only until it is named here (alarms.presenter.ts words the same facts for the portal).
 */
const CUSTOMER_DETAILS = [
  'dueAt',
  'lastEventAt',
  'lastEventType',
  'thresholdMinutes',
  'silentMinutes',
  'refusals',
  'condition',
  'windowMinutes',
  'acceptedAt',
  'firstAt',
  'lastAt',
  'lastType',
  'cause',
  'causeLabel',
  'plmn',
  'apn',
  'windowFrom',
  'windowTo',
  'hours',
  'observedBytes',
  'usualBytes',
  'dropPercent',
  'days',
  'direction',
  'meanBytesPerDay',
  'ewmaBytesPerDay',
  'changePercent',
] as const;
export const customerAlarmDetails = (details: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(CUSTOMER_DETAILS.filter((k) => k in details).map((k) => [k, details[k]]));
