/**
 * The mail desk's store: an inbound message is written with its `mail.received` event in one transaction, and
 * only then is the sender told it was accepted (smtp-intake.ts). Then the `mail.intake` subscriber parses it and
 * threads it into cases (mail-thread.ts).
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { emitMany } from '../../platform/events/emit.ts';
import { MailEvents } from './mail.events.ts';
import { mailMessages } from './mail.tables.ts';
import { type ParsedMail, parseMail } from './mail-parse.ts';
import { type MailThreadDeps, mailThreader } from './mail-thread.ts';

export type InboundMail = {
  transport: 'smtp' | 'imap';
  envelopeFrom: string;
  envelopeTo: readonly string[];
  queue: string;
  remoteAddress: string | null;
  raw: Buffer;
};

export type MailService = ReturnType<typeof createMailService>;

/** The Message-ID header of a raw message (its header block only, folded lines joined); null when there is none. */
export function headerMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const unfolded = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const id = /^message-id:\s*(<[^<>\s]{1,996}>)/im.exec(unfolded)?.[1];
  return id && !id.includes('\u0000') ? id : null;
}

/** Where each parsed field goes: its column and type (every field of ParsedMail, or this does not compile). */
const PARSED_COLUMNS = {
  messageId: 'message_id text',
  inReplyTo: 'in_reply_to text',
  references: 'references text[]',
  fromAddress: 'from_address text',
  fromName: 'from_name text',
  recipients: 'recipients text[]',
  subject: 'subject text',
  textBody: 'text_body text',
  htmlBody: 'html_body text',
  attachmentCount: 'attachment_count int',
  automatic: 'automatic text',
  bouncedRecipients: 'bounced_recipients text[]',
  senderAuth: 'sender_auth text',
  parseWarning: 'parse_warning text',
} satisfies Record<keyof ParsedMail, string>;

/** At most this many mails, and this many bytes of them, in one store transaction. */
const STORE_BATCH = 64;
const STORE_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Stores mails with their `mail.received` events, many in one transaction: the rows in arrival order (their ids
 * follow it), then one event each.
 */
async function storeMany(db: Db, ms: readonly InboundMail[]): Promise<number[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .insert(mailMessages)
      .values(
        ms.map((m) => ({
          transport: m.transport,
          envelopeFrom: m.envelopeFrom,
          envelopeTo: [...m.envelopeTo],
          queue: m.queue,
          remoteAddress: m.remoteAddress,
          size: m.raw.length,
          sha256: createHash('sha256').update(m.raw).digest('hex'),
          raw: m.raw,
          // Known at once (parsing comes later): a reply parsed first finds this mail by it and threads it first.
          messageId: headerMessageId(m.raw),
        })),
      )
      .returning({ id: mailMessages.id });
    // Identity values are drawn in the order of the VALUES list.
    const ids = rows.map((r) => r.id).sort((a, b) => a - b);
    await emitMany(
      tx,
      MailEvents.received,
      ids.map((id, i) => ({ payload: { mailId: id, queue: ms[i]!.queue }, dedupeKey: `mail:${id}` })),
    );
    return ids;
  });
}

/**
 * The store's queue: one transaction at a time; whatever arrived meanwhile goes in the next (up to STORE_BATCH).
 * A batch that fails is tried again mail by mail, so one bad mail's 451 is not its neighbours'.
 */
function groupCommit(db: Db) {
  type Waiting = { m: InboundMail; resolve: (id: number) => void; reject: (e: unknown) => void };
  const waiting: Waiting[] = [];
  let draining = false;

  async function store(batch: Waiting[]): Promise<void> {
    try {
      const ids = await storeMany(
        db,
        batch.map((w) => w.m),
      );
      for (const [i, w] of batch.entries()) w.resolve(ids[i]!);
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      for (const w of batch) await store([w]);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (waiting.length > 0) {
        let n = 0;
        let bytes = 0;
        while (n < waiting.length && n < STORE_BATCH) {
          bytes += waiting[n]!.m.raw.length;
          if (n > 0 && bytes > STORE_BATCH_BYTES) break;
          n++;
        }
        await store(waiting.splice(0, n));
      }
    } finally {
      draining = false;
    }
  }

  return (m: InboundMail) =>
    new Promise<number>((resolve, reject) => {
      waiting.push({ m, resolve, reject });
      if (!draining) void drain();
    });
}

export function createMailService(ctx: Pick<Ctx, 'database'>, deps: Omit<MailThreadDeps, 'parse'>) {
  const db = ctx.database.db;
  const enqueue = groupCommit(db);
  const threader = mailThreader(db, { ...deps, parse: (id) => service.parse(id) });
  const service = {
    /** Puts a parsed message on its case, on a new case or in triage (mail-thread.ts); once per message. */
    thread: threader.thread,
    /** Threads several parsed mails, oldest first (mail-thread.ts). */
    threadMany: threader.threadMany,

    /**
     * Stores the message and announces it; resolves once both are committed. Mails arriving while a store
     * transaction commits wait and go in the next one together (group commit: one commit for many senders).
     */
    accept: (m: InboundMail): Promise<{ id: number }> => enqueue(m).then((id) => ({ id })),

    /**
     * Whether these exact bytes were already stored from a polled mailbox: the IMAP poller stores a message before
     * it flags it \Seen, so after a crash between the two it finds the message unseen again and must not store it
     * twice (imap-poller.ts).
     */
    async storedImapSha(sha256: string): Promise<boolean> {
      const [row] = await db
        .select({ id: mailMessages.id })
        .from(mailMessages)
        .where(and(eq(mailMessages.transport, 'imap'), eq(mailMessages.sha256, sha256)))
        .limit(1);
      return row !== undefined;
    },

    /**
     * Reads stored messages (mail-parse.ts) and keeps what threading needs on their rows, in one transaction; a
     * Message-ID already stored marks each later copy a duplicate of the first. Run by the `mail.intake`
     * subscriber; running it again gives the same rows.
     */
    async parse(mailIds: number | readonly number[]): Promise<void> {
      const ids = typeof mailIds === 'number' ? [mailIds] : [...mailIds];
      if (ids.length === 0) return;
      const rows = await db
        .select({ id: mailMessages.id, raw: mailMessages.raw, envelopeFrom: mailMessages.envelopeFrom })
        .from(mailMessages)
        .where(inArray(mailMessages.id, ids));
      const parsed: { id: number; p: Awaited<ReturnType<typeof parseMail>> }[] = [];
      for (const m of rows) parsed.push({ id: m.id, p: await parseMail(m.raw, m.envelopeFrom) });
      const messageIds = [...new Set(parsed.flatMap(({ p }) => (p.messageId === null ? [] : [p.messageId])))];
      await db.transaction(async (tx) => {
        const at = new Date().toISOString();
        // One statement for the burst; JSON arrays become the text[] columns.
        const keys = Object.keys(PARSED_COLUMNS) as (keyof ParsedMail)[];
        const set = keys.map((k) => `"${PARSED_COLUMNS[k].split(' ')[0]}" = v."${k}"`).join(', ');
        const shape = keys.map((k) => `"${k}" ${PARSED_COLUMNS[k].split(' ')[1]}`).join(', ');
        await tx.execute(sql`
          update ${mailMessages} m set parsed_at = ${at}::timestamptz, ${sql.raw(set)}
            from jsonb_to_recordset(${JSON.stringify(parsed.map(({ id, p }) => ({ ...p, id })))}::jsonb)
                 as v(id bigint, ${sql.raw(shape)})
           where m.id = v.id`);
        if (messageIds.length === 0) return;
        // Every copy but the first is its duplicate, whichever copy is parsed last (parses run in parallel): the
        // statement that runs after both rows carry the Message-ID sees them both.
        await tx.execute(sql`
          update ${mailMessages} m set duplicate_of = f.first
            from (select message_id, min(id) as first from ${mailMessages}
                   where message_id in (select jsonb_array_elements_text(${JSON.stringify(messageIds)}::jsonb))
                   group by message_id) f
           where m.message_id = f.message_id and m.id > f.first`);
      });
    },
  };
  return service;
}
