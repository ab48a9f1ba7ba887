import type { z } from 'zod';
import type { MailDetail, MailSummary, MailTemplateView, OutboundView } from './mail.schemas.ts';
import type { OutboundRow, TemplateView } from './mail-outbox.ts';
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
    html: m.htmlBody,
    parseWarning: m.parseWarning,
    duplicateOf: m.duplicateOf,
    headers: x.headers,
  };
}

export function presentOutbound(m: OutboundRow & { caseNumber: string }): z.infer<typeof OutboundView> {
  return {
    id: m.id,
    caseNumber: m.caseNumber,
    entryId: m.entryId,
    kind: m.kind as z.infer<typeof OutboundView>['kind'],
    automatic: m.automatic,
    to: m.toAddress,
    toName: m.toName,
    language: m.language as z.infer<typeof OutboundView>['language'],
    subject: m.subject,
    text: m.textBody,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    state: m.state as z.infer<typeof OutboundView>['state'],
    attempts: m.attempts,
    lastError: m.lastError,
    relayResponse: m.relayResponse,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
  };
}

export function presentTemplate(t: TemplateView): z.infer<typeof MailTemplateView> {
  return { ...t, updatedAt: t.updatedAt?.toISOString() ?? null };
}
