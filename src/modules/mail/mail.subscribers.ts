/** What the mail desk does when a message arrives (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { MailEvents } from './mail.events.ts';
import type { MailService } from './mail.service.ts';

export function mailSubscribers(deps: { mail: Pick<MailService, 'parse' | 'thread'> }): Subscriber[] {
  return [
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
