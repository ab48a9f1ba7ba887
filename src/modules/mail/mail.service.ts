/**
 * The mail desk's store: an inbound message is written with its `mail.received` event in one transaction, and
 * only then is the sender told it was accepted (smtp-intake.ts). Then the `mail.intake` subscriber parses it and
 * threads it into cases (mail-thread.ts).
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/context.ts';
import { emit } from '../../platform/events/emit.ts';
import { MailEvents } from './mail.events.ts';
import { mailMessages } from './mail.tables.ts';
import { parseMail } from './mail-parse.ts';
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

export function createMailService(ctx: Pick<Ctx, 'database'>, deps: Omit<MailThreadDeps, 'parse'>) {
  const db = ctx.database.db;
  const threader = mailThreader(db, { ...deps, parse: (id) => service.parse(id) });
  const service = {
    /** Puts a parsed message on its case, on a new case or in triage (mail-thread.ts); once per message. */
    thread: threader.thread,

    /** Stores the message and announces it; resolves once both are committed. */
    async accept(m: InboundMail): Promise<{ id: number }> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(mailMessages)
          .values({
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
          })
          .returning({ id: mailMessages.id });
        await emit(tx, MailEvents.received, { mailId: row!.id, queue: m.queue }, { dedupeKey: `mail:${row!.id}` });
        return { id: row!.id };
      });
    },

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
     * Reads a stored message (mail-parse.ts) and keeps what threading needs on its row; a Message-ID already
     * stored marks it a duplicate of the first. Run once per message by the `mail.parse` subscriber; running it
     * again gives the same row.
     */
    async parse(mailId: number): Promise<void> {
      const [m] = await db
        .select({ raw: mailMessages.raw, envelopeFrom: mailMessages.envelopeFrom })
        .from(mailMessages)
        .where(eq(mailMessages.id, mailId));
      if (!m) return;
      const p = await parseMail(m.raw, m.envelopeFrom);
      await db
        .update(mailMessages)
        .set({ ...p, parsedAt: new Date() })
        .where(eq(mailMessages.id, mailId));
      if (p.messageId === null) return;
      // Every copy but the first is its duplicate, whichever copy is parsed last (parses run in parallel): the
      // statement that runs after both rows carry the Message-ID sees them both.
      await db.execute(sql`
        update ${mailMessages} set duplicate_of = (select min(id) from ${mailMessages} f where f.message_id = ${p.messageId})
        where message_id = ${p.messageId}
          and id > (select min(id) from ${mailMessages} f where f.message_id = ${p.messageId})`);
    },
  };
  return service;
}
