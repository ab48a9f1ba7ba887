/** What the mail desk does when a message arrives (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { MailEvents } from './mail.events.ts';
import type { MailService } from './mail.service.ts';

export function mailSubscribers(deps: { mail: Pick<MailService, 'parse'> }): Subscriber[] {
  return [
    defineSubscriber({
      name: 'mail.parse',
      module: 'mail',
      description:
        'Reads the stored message: sender, subject, Message-ID and references, text, attachments, auto-reply or bounce; marks a repeated Message-ID a duplicate.',
      on: MailEvents.received,
      handle: async (e) => {
        await deps.mail.parse(e.mailId);
      },
    }),
  ];
}
