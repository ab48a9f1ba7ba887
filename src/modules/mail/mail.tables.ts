import { sql } from 'drizzle-orm';
import { primaryKey } from 'drizzle-orm/pg-core';
import {
  bigint,
  boolean,
  bytea,
  index,
  integer,
  pgTable,
  text,
  timestamptz,
  uniqueIndex,
} from '../../platform/db/columns.ts';

/**
 * Every message the desk received, as it arrived (the raw RFC 5322 bytes, the .eml), stored before the sender is
 * told 250: nothing accepted is lost, and parsing and threading (which may fail, or improve) read it from here.
 */
export const mailMessages = pgTable(
  'mail_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** How it came: 'smtp' (the intake) or 'imap' (a polled mailbox). */
    transport: text('transport').notNull(),
    /** SMTP envelope: MAIL FROM (empty for a bounce: the null reverse-path) and the accepted RCPT TO addresses. */
    envelopeFrom: text('envelope_from').notNull(),
    envelopeTo: text('envelope_to').array().notNull(),
    /** The queue of the first accepted recipient (MAIL_ADDRESSES), where a new case from it goes. */
    queue: text('queue').notNull(),
    remoteAddress: text('remote_address'),
    size: integer('size').notNull(),
    /** Hex SHA-256 of the raw bytes. */
    sha256: text('sha256').notNull(),
    raw: bytea('raw').notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    // What parsing found (mail-parse.ts; null until parsed). Threading reads these, never the raw bytes again.
    parsedAt: timestamptz('parsed_at'),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references').array(),
    fromAddress: text('from_address'),
    fromName: text('from_name'),
    recipients: text('recipients').array(),
    subject: text('subject'),
    textBody: text('text_body'),
    /** The HTML part, sanitized at parse (mail-parse.ts sanitizeMailHtml): what the console may show. */
    htmlBody: text('html_body'),
    attachmentCount: integer('attachment_count'),
    /** An auto-reply, a bounce or list mail (RFC 3834 and the de-facto headers): recorded, never answered. */
    automatic: text('automatic'),
    /** A delivery report's hard-bounced recipients (mail-parse.ts hardBouncesOf): their contacts are flagged. */
    bouncedRecipients: text('bounced_recipients').array(),
    /** The receiving MX said the From address is forged (mail-parse.ts senderAuthFailure): 'dmarc=fail', 'spf=fail'. */
    senderAuth: text('sender_auth'),
    /** Why parsing was partial (malformed MIME, nesting too deep…): the raw message is kept whatever it says. */
    parseWarning: text('parse_warning'),
    /** The first stored message with the same Message-ID: this one is a duplicate (a sender's retry, a loop). */
    duplicateOf: bigint('duplicate_of', { mode: 'number' }),
    // Where threading put it (mail-threading.ts; null until threaded). Ids into the cases and accounts modules.
    threadedAt: timestamptz('threaded_at'),
    /** reference | token | subject_tag | partner_ticket | new_case | duplicate | triage | assigned | dismissed */
    threadRule: text('thread_rule'),
    /** The case it is on (the follow-up, when a late reply opened one). */
    caseId: bigint('case_id', { mode: 'number' }),
    /** The sender as a contact, once known. */
    contactId: bigint('contact_id', { mode: 'number' }),
    /** In triage (thread_rule 'triage'): why it waits for an agent (mail-threading.ts TriageReason). */
    triageReason: text('triage_reason'),
    /** A case the mail named but was not let onto (another account's): the agent sees the link. */
    refusedCaseId: bigint('refused_case_id', { mode: 'number' }),
    /** Who took it out of triage (assigned or dismissed), when, and why. */
    handledBy: text('handled_by'),
    handledAt: timestamptz('handled_at'),
    handledNote: text('handled_note'),
  },
  (t) => [
    index('mail_messages_received_idx').on(t.receivedAt),
    index('mail_messages_message_id_idx').on(t.messageId),
    index('mail_messages_case_idx').on(t.caseId),
    // The triage queue: what waits for an agent, oldest first.
    index('mail_messages_triage_idx').on(t.receivedAt, t.id).where(sql`thread_rule = 'triage'`),
    // The IMAP poller asks, for every unseen message, whether its bytes are already stored (mail.service.ts).
    index('mail_messages_imap_sha_idx').on(t.sha256).where(sql`transport = 'imap'`),
    // The per-sender hourly limit counts a sender's recent mail.
    index('mail_messages_sender_idx').on(t.fromAddress, t.receivedAt),
  ],
);

/**
 * Every mail the desk sends (mail-compose.ts writes it, mail-send.ts sends it): one row per recipient, with the
 * headers that make replies thread back (Message-ID, In-Reply-To, References, the subject tag and body token).
 * Its state is what the outbox shows: queued → sent, or failed (retries exhausted, or refused for good);
 * held when no relay is configured (SMTP_URL); suppressed when a guard stopped it (a bounced address, a loop).
 */
export const mailOutbound = pgTable(
  'mail_outbound',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** Ids into the cases and accounts modules. */
    caseId: bigint('case_id', { mode: 'number' }).notNull(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    contactId: bigint('contact_id', { mode: 'number' }),
    /** MAIL_KINDS (mail-templates.ts): agent_reply, public_update, case_received, status_update, … */
    kind: text('kind').notNull(),
    /** Automatic (no person wrote it): sent with Auto-Submitted: auto-replied, rate-limited per recipient. */
    automatic: boolean('automatic').notNull(),
    /** What caused it: `<event id>:<contact id>`, so a retried subscriber job never sends twice. */
    sourceKey: text('source_key').notNull(),
    /** The case entry it carries (an agent's reply or public update); null for automatic notices. */
    entryId: bigint('entry_id', { mode: 'number' }),
    toAddress: text('to_address').notNull(),
    toName: text('to_name'),
    language: text('language').notNull(),
    fromAddress: text('from_address').notNull(),
    replyTo: text('reply_to').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull(),
    /** queued | sent | failed | held | suppressed */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The relay's answer to the accepted message (250 …). */
    relayResponse: text('relay_response'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    sentAt: timestamptz('sent_at'),
  },
  (t) => [
    uniqueIndex('mail_outbound_source_uq').on(t.sourceKey),
    index('mail_outbound_case_idx').on(t.caseId, t.id),
    index('mail_outbound_message_id_idx').on(t.messageId),
    // The outbox: newest first, by state.
    index('mail_outbound_state_idx').on(t.state, t.id),
    // The per-recipient limit of automatic mail counts a recipient's recent ones.
    index('mail_outbound_recipient_idx').on(t.toAddress, t.createdAt),
  ],
);

/** An admin's wording of one automatic or framing mail in one language; without a row the built-in text is used. */
export const mailTemplates = pgTable(
  'mail_templates',
  {
    kind: text('kind').notNull(),
    language: text('language').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.language] })],
);
