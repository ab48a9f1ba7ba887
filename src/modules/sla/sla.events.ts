/**
 * What the SLA module announces (docs/EVENTS.md; src/platform/events): instants its timers found due, for the
 * modules that tell the customer (mail). Ordered by case, like the cases module's own events.
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

export const SlaEvents = {
  /**
   * A P1/P2 case's periodic customer update fell due with no public update since: the customer is to hear where
   * the case stands. Repeats every update interval while nobody updates (the agent's SLA still counts the miss).
   */
  customerUpdateDue: defineEvent({
    name: 'sla.customer_update_due',
    version: 1,
    producer: 'sla',
    description:
      "A P1 or P2 case's periodic customer update fell due and no one gave one: repeated each update interval " +
      'until a public update is given or the case leaves the running states.',
    payload: z.object({
      caseId: z.number().int().positive(),
      dueAt: z.iso.datetime().describe('The instant the update was due'),
      nextUpdateBy: z.iso.datetime().describe('When the next one falls due if nobody updates the case'),
    }),
  }),
  /** A resolved case is a working day from closing by itself: the customer may still say it is not fixed. */
  verificationReminderDue: defineEvent({
    name: 'sla.verification_reminder_due',
    version: 1,
    producer: 'sla',
    description:
      'A resolved case closes itself in one working day (its verification period): the customer is reminded that ' +
      'a reply keeps it open. Not sent for a verification period of less than two working days.',
    payload: z.object({
      caseId: z.number().int().positive(),
      resolvedAt: z.iso.datetime(),
      closesAt: z.iso.datetime().describe('When the verification period ends and the case closes'),
    }),
  }),
} as const;
