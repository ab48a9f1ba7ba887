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
  /** Threading put it somewhere: on a case (joined, or a new one), in triage, or dropped as a duplicate. */
  threaded: defineEvent({
    name: 'mail.threaded',
    version: 1,
    producer: 'mail',
    description:
      'An inbound e-mail was threaded: onto a case (by reference, token, subject tag or partner ticket), onto a new ' +
      'case, into triage, or dropped as a duplicate. In the transaction that wrote it.',
    payload: z.object({
      mailId: z.number().int().positive(),
      caseId: z.number().int().positive().nullable().describe('The case it is on; null in triage or as a duplicate'),
      rule: z.string().describe('reference | token | subject_tag | partner_ticket | new_case | triage | duplicate'),
    }),
  }),
} as const;
