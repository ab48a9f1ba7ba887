import type { z } from 'zod';
import type { MailDetail, MailSummary } from './mail.schemas.ts';
import type { MailWithCases } from './mail-triage.ts';

type Summary = z.infer<typeof MailSummary>;

export function presentMail({ mail: m, caseNumber, namedCaseNumber }: MailWithCases): Summary {
  return {
    id: m.id,
    receivedAt: m.receivedAt.toISOString(),
    transport: m.transport === 'imap' ? 'imap' : 'smtp',
    queue: m.queue,
    from: m.fromAddress,
    fromName: m.fromName,
    subject: m.subject,
    snippet: (m.textBody ?? '').replace(/\s+/g, ' ').trim().slice(0, 200),
    attachmentCount: m.attachmentCount ?? 0,
    automatic: m.automatic,
    threadRule: m.threadRule,
    triageReason: (m.triageReason as Summary['triageReason']) ?? null,
    caseNumber,
    namedCaseNumber,
  };
}

export function presentMailDetail(
  x: MailWithCases & { headers: { name: string; value: string }[] },
): z.infer<typeof MailDetail> {
  const m = x.mail;
  return {
    ...presentMail(x),
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references ?? [],
    envelopeFrom: m.envelopeFrom,
    envelopeTo: m.envelopeTo,
    recipients: m.recipients ?? [],
    size: m.size,
    sha256: m.sha256,
    text: m.textBody,
    parseWarning: m.parseWarning,
    duplicateOf: m.duplicateOf,
    headers: x.headers,
  };
}
