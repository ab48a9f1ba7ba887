import { z } from 'zod';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import { MAIL_KINDS, PLACEHOLDERS } from './mail-templates.ts';

export const MailIdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const TriageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  // The last mail id of the previous page: at most 15 digits, an exact number and a bigint.
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'a cursor from this list')
    .optional(),
});

export const TRIAGE_REASONS = [
  'unknown_sender',
  'ambiguous_sender',
  'automatic',
  'rate_limited',
  'partner_ticket_unknown',
  'sender_unverified',
] as const;

export const MailSummary = z
  .object({
    id: z.number().int(),
    receivedAt: z.string().describe('When it was stored (ISO 8601)'),
    transport: z.enum(['smtp', 'imap']),
    queue: z.string(),
    from: z.string().nullable().describe('The From address (lower case); null when the mail had none usable'),
    fromName: z.string().nullable(),
    subject: z.string().nullable(),
    snippet: z.string().describe('The first 200 characters of its text'),
    attachmentCount: z.number().int(),
    automatic: z.string().nullable().describe('auto-reply | bounce | bulk; null for a person’s mail'),
    threadRule: z
      .string()
      .nullable()
      .describe(
        'reference | token | subject_tag | partner_ticket | new_case | triage | duplicate | assigned | dismissed; null until threaded',
      ),
    triageReason: z.enum(TRIAGE_REASONS).nullable().describe('Why it waits in triage'),
    caseNumber: z.string().nullable().describe('The case it is on'),
    namedCaseNumber: z
      .string()
      .nullable()
      .describe('A case the mail named (header, token or tag) but was not let onto: its sender is not its contact'),
  })
  .meta({ id: 'MailSummary' });

export const TriagePage = z
  .object({
    items: z.array(MailSummary),
    nextCursor: z.string().nullable(),
    total: z.number().int().describe('How many mails wait in triage in all, on every page'),
  })
  .meta({ id: 'MailTriagePage' });

export const MailDetail = MailSummary.extend({
  messageId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  envelopeFrom: z.string().describe('SMTP MAIL FROM; empty for a bounce'),
  envelopeTo: z.array(z.string()),
  recipients: z.array(z.string()).describe('To, Cc and delivery headers'),
  size: z.number().int(),
  sha256: z.string(),
  text: z.string().nullable().describe('The text as read (HTML reduced to text); the raw message is at …/raw'),
  html: z
    .string()
    .nullable()
    .describe(
      'Its HTML part, sanitized (formatting, tables and links; no script, style, form or image); show it sandboxed',
    ),
  parseWarning: z.string().nullable(),
  duplicateOf: z.number().int().nullable(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).describe('Every header line, as received'),
}).meta({ id: 'MailDetail' });

/** Out of triage: onto an existing case, or onto a new case of an account (the sender becomes its contact). */
export const AssignMailBody = z
  .union([
    z
      .object({
        caseNumber: z
          .string()
          .regex(/^C-\d{4}-\d{6}$/, 'a case number such as C-2026-000123')
          .describe('Put the mail on this case'),
        visibility: z
          .enum(['public', 'internal'])
          .default('internal')
          .describe('public: the customer sees it in the case; internal (default): staff only'),
      })
      .strict(),
    z
      .object({
        accountId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('Open a case on this account'),
      })
      .strict(),
  ])
  .meta({ id: 'AssignMailRequest' });
export type AssignMailInput = z.infer<typeof AssignMailBody>;

export const DismissMailBody = z
  .object({ note: z.string().trim().max(500).optional().describe('Why (spam, a newsletter…), kept with the mail') })
  .strict()
  .meta({ id: 'DismissMailRequest' });

export const OUTBOUND_STATES = ['queued', 'sent', 'failed', 'held', 'suppressed'] as const;

export const OutboxQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'a cursor from this list')
    .optional(),
  state: z.enum(OUTBOUND_STATES).optional(),
  caseNumber: z
    .string()
    .regex(/^C-\d{4}-\d{6}$/, 'a case number such as C-2026-000123')
    .optional(),
});

export const OutboundView = z
  .object({
    id: z.number().int(),
    caseNumber: z.string(),
    entryId: z
      .number()
      .int()
      .nullable()
      .describe('The timeline entry it carries (an agent’s reply or public update); null for automatic notices'),
    kind: z.enum(MAIL_KINDS),
    automatic: z.boolean().describe('Sent by iotops on its own (Auto-Submitted: auto-replied)'),
    to: z.string(),
    toName: z.string().nullable(),
    language: z.enum(LANGUAGES),
    subject: z.string(),
    text: z.string(),
    messageId: z.string(),
    inReplyTo: z.string().nullable(),
    state: z
      .enum(OUTBOUND_STATES)
      .describe('queued → sent; failed (refused or out of retries); held (no relay); suppressed (a guard)'),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('The relay’s last refusal, or why a guard suppressed it'),
    relayResponse: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'OutboundMail' });

export const OutboxPage = z
  .object({ items: z.array(OutboundView), nextCursor: z.string().nullable() })
  .meta({ id: 'OutboundMailPage' });

export const OutboundIdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const TemplateParams = z.object({ kind: z.enum(MAIL_KINDS), language: z.enum(LANGUAGES) });

export const MailTemplateView = z
  .object({
    kind: z.enum(MAIL_KINDS),
    language: z.enum(LANGUAGES),
    subject: z.string(),
    body: z.string(),
    custom: z.boolean().describe("An admin's wording; false: the built-in text"),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'MailTemplate' });

export const MailTemplateList = z
  .object({
    items: z.array(MailTemplateView),
    placeholders: z
      .array(z.object({ name: z.enum(PLACEHOLDERS), meaning: z.string() }))
      .describe('What a template may use, as {{name}}; any other is refused at save'),
  })
  .meta({ id: 'MailTemplateList' });

export const SaveTemplateBody = z
  .object({
    subject: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .regex(/^[^\r\n]*$/, 'one line')
      .describe('The subject after the [C-…] tag; placeholders {{caseNumber}} {{caseSubject}} {{contactName}}'),
    body: z.string().trim().min(1).max(20_000).describe('Plain text; {{message}} places what the agent wrote'),
  })
  .strict()
  .meta({ id: 'SaveMailTemplateRequest' });
