import { sql } from 'drizzle-orm';
import { bigint, bytea, index, integer, pgTable, text, timestamptz } from '../../platform/db/columns.ts';

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
    attachmentCount: integer('attachment_count'),
    /** An auto-reply, a bounce or list mail (RFC 3834 and the de-facto headers): recorded, never answered. */
    automatic: text('automatic'),
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
