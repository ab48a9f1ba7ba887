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
  /** A case was opened (any channel, a follow-up, a major case's child). */
  opened: defineEvent({
    name: 'cases.opened',
    version: 1,
    producer: 'cases',
    description: 'A case was opened: on any channel, as a follow-up of a closed one, or as a major case’s child.',
    payload: CaseRef,
  }),
  /** Its state moved (by anyone: agent, customer reply, verification period). */
  stateChanged: defineEvent({
    name: 'cases.state_changed',
    version: 1,
    producer: 'cases',
    description: 'A case moved from one state to another (agent, customer reply, verification period, major case).',
    payload: CaseRef.extend({ from: z.string(), to: z.string() }),
  }),
  /** A timeline entry the customer sees was written by a person (a public note, reply, call summary, message). */
  publicEntry: defineEvent({
    name: 'cases.public_entry',
    version: 1,
    producer: 'cases',
    description: 'A timeline entry the customer sees was added by a person: a public update, reply or message.',
    payload: CaseRef.extend({
      entryId: z.number().int().positive(),
      // What a subscriber often decides on alone (the mail desk mails only the provider's words): no read needed.
      kind: z.string().optional().describe('The entry kind: email_in, email_out, portal_message, note, …'),
      authorSide: z.string().optional().describe('Who wrote it: staff or customer'),
    }),
  }),
} as const;

export const caseOrderingKey = (caseId: number) => `case:${caseId}`;
