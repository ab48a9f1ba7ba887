/**
 * What the cases module announces (docs/EVENTS.md; src/platform/events). Ordered by case: `case:<id>`.
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

const CaseRef = z.object({ caseId: z.number().int().positive() });

export const CaseEvents = {
  /**
   * Every committed change of a case lands in its timeline, and leaves this event (one per case and transaction):
   * state, priority, assignment, public updates — what the SLA clocks read.
   */
  changed: defineEvent({
    name: 'cases.changed',
    version: 1,
    producer: 'cases',
    description:
      'A case changed (one per case and transaction): its state, priority, assignment or timeline. Not for the ' +
      "SLA module's own warning and breach entries.",
    payload: CaseRef,
  }),
  /** The affected SIMs were set (at creation or changed), in the transaction that set them. */
  simsSet: defineEvent({
    name: 'cases.sims_set',
    version: 1,
    producer: 'cases',
    description:
      "A case's affected SIMs were set: at creation with SIMs, or changed later (one per case and transaction).",
    payload: CaseRef,
  }),
} as const;

export const caseOrderingKey = (caseId: number) => `case:${caseId}`;
