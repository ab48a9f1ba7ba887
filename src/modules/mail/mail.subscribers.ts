/** What the mail desk does when a message arrives, and when a case changes in a way its customer is told of (docs/EVENTS.md). */
import { z } from 'zod';
import { type DeliveredEvent, defineMultiSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import { SlaEvents } from '../sla/sla.events.ts';
import { MailEvents, MailReceived } from './mail.events.ts';
import type { MailService } from './mail.service.ts';
import { decideOutbound, type mailComposer, type OutboundTrigger } from './mail-compose.ts';

const CaseEventPayload = z.object({
  caseId: z.number().int().positive(),
  entryId: z.number().int().positive().optional(),
  kind: z.string().optional(),
  authorSide: z.string().optional(),
  to: z.string().optional(),
  nextUpdateBy: z.iso.datetime().optional(),
  closesAt: z.iso.datetime().optional(),
});

export function mailSubscribers(deps: {
  mail: Pick<MailService, 'parse' | 'thread' | 'threadMany'>;
  composer: ReturnType<typeof mailComposer>;
}): Subscriber[] {
  /** One case event: the mail it calls for, if any (mail-compose.ts). */
  async function compose(event: DeliveredEvent): Promise<void> {
    const p = CaseEventPayload.parse(event.payload);
    // Most events call for no mail (a customer's own words, a move back to open): decided from the event alone,
    // without reading the case.
    if (
      (event.name === CaseEvents.publicEntry.name &&
        p.kind !== undefined &&
        p.authorSide !== undefined &&
        decideOutbound({ event: 'public_entry', kind: p.kind, authorSide: p.authorSide }) === null) ||
      (event.name === CaseEvents.stateChanged.name &&
        decideOutbound({ event: 'state_changed', to: p.to ?? '' }) === null)
    )
      return;
    const dates = {
      ...(p.nextUpdateBy ? { nextUpdateBy: new Date(p.nextUpdateBy) } : {}),
      ...(p.closesAt ? { closesOn: new Date(p.closesAt) } : {}),
    };
    await deps.composer.compose(
      event,
      p.caseId,
      (f): OutboundTrigger | null => {
        switch (event.name) {
          case CaseEvents.opened.name:
            return { event: 'opened', channel: f.case.channel, isMajor: f.case.isMajor };
          case CaseEvents.stateChanged.name:
            return { event: 'state_changed', to: p.to ?? '' };
          case SlaEvents.customerUpdateDue.name:
            return { event: 'customer_update_due' };
          case SlaEvents.verificationReminderDue.name:
            return { event: 'verification_reminder_due' };
          default:
            return f.entry ? { event: 'public_entry', kind: f.entry.kind, authorSide: f.entry.authorSide } : null;
        }
      },
      p.entryId,
      dates,
    );
  }

  return [
    defineMultiSubscriber({
      name: 'mail.compose',
      module: 'mail',
      description:
        "Mails the case's contacts, each in its language: case received, an agent's reply or public update, " +
        'waiting for you, resolved, closed, the P1/P2 status update when one fell due unwritten, and the reminder ' +
        'before a resolved case closes (queued for the relay, or held in the outbox without one).',
      on: [
        CaseEvents.opened,
        CaseEvents.stateChanged,
        CaseEvents.publicEntry,
        SlaEvents.customerUpdateDue,
        SlaEvents.verificationReminderDue,
      ],
      // Per case in order: "received" goes before the first reply.
      ordered: true,
      handle: (event) => compose(event),
      // Several of one claim in their order (per case, as claimed): one job update for all of them.
      handleMany: async (events) => {
        for (const event of events) await compose(event);
      },
    }),
    defineMultiSubscriber({
      name: 'mail.intake',
      module: 'mail',
      description:
        'Reads the stored message (sender, subject, Message-ID and references, text, attachments, auto-reply or ' +
        'bounce) and threads it: onto its case, onto a new case, or into triage; a repeated Message-ID is dropped.',
      on: [MailEvents.received],
      handle: async (e) => {
        // One job, two steps that each survive a retry: parsing rewrites the same columns, threading skips a
        // threaded mail.
        const { mailId } = MailReceived.parse(e.payload);
        await deps.mail.parse(mailId);
        await deps.mail.thread(mailId);
      },
      // A burst: parsed together (one transaction), then threaded oldest first, so a reply finds its parent's case.
      handleMany: async (events) => {
        const ids = events.map((e) => MailReceived.parse(e.payload).mailId).sort((a, b) => a - b);
        await deps.mail.parse(ids);
        await deps.mail.threadMany(ids);
      },
    }),
  ];
}
