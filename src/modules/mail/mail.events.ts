import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

export const MailReceived = z.object({
  mailId: z.number().int().positive().describe('The stored message (mail_messages)'),
  queue: z.string().describe('The queue its recipient address belongs to'),
});

export const MailEvents = {
  /** A message was stored (before its 250): parsing and threading react to it. */
  received: defineEvent({
    name: 'mail.received',
    version: 1,
    producer: 'mail',
    description:
      'An inbound e-mail was stored, raw, in the transaction that the SMTP 250 (or the IMAP flag) waited for. ' +
      'Unordered; a message is announced once.',
    payload: MailReceived,
  }),
} as const;
