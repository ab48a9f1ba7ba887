/** What the mail desk does when a message arrives, and when a case changes in a way its customer is told of (docs/EVENTS.md). */
import { z } from 'zod';
import { defineMultiSubscriber, defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import { MailEvents } from './mail.events.ts';
import type { MailService } from './mail.service.ts';
import type { mailComposer } from './mail-compose.ts';

const CaseEventPayload = z.object({
  caseId: z.number().int().positive(),
  entryId: z.number().int().positive().optional(),
  to: z.string().optional(),
});

export function mailSubscribers(deps: {
  mail: Pick<MailService, 'parse' | 'thread'>;
  composer: ReturnType<typeof mailComposer>;
}): Subscriber[] {
  return [
    defineMultiSubscriber({
      name: 'mail.compose',
      module: 'mail',
      description:
        "Mails the case's contacts, each in its language: case received, an agent's reply or public update, " +
        'waiting for you, resolved, closed (queued for the relay, or held in the outbox without one).',
      on: [CaseEvents.opened, CaseEvents.stateChanged, CaseEvents.publicEntry],
      // Per case in order: "received" goes before the first reply.
      ordered: true,
      handle: async (event) => {
        const p = CaseEventPayload.parse(event.payload);
        await deps.composer.compose(
          event,
          p.caseId,
          (f) =>
            event.name === CaseEvents.opened.name
              ? { event: 'opened', channel: f.case.channel, isMajor: f.case.isMajor }
              : event.name === CaseEvents.stateChanged.name
                ? { event: 'state_changed', to: p.to ?? '' }
                : f.entry
                  ? { event: 'public_entry', kind: f.entry.kind, authorSide: f.entry.authorSide }
                  : null,
          p.entryId,
        );
      },
    }),
    defineSubscriber({
      name: 'mail.intake',
      module: 'mail',
      description:
        'Reads the stored message (sender, subject, Message-ID and references, text, attachments, auto-reply or ' +
        'bounce) and threads it: onto its case, onto a new case, or into triage; a repeated Message-ID is dropped.',
      on: MailEvents.received,
      handle: async (e) => {
        // One job, two steps that each survive a retry: parsing rewrites the same columns, threading skips a
        // threaded mail.
        await deps.mail.parse(e.mailId);
        await deps.mail.thread(e.mailId);
      },
    }),
  ];
}
