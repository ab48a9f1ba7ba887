/**
 * The mail desk's store: an inbound message is written with its `mail.received` event in one transaction, and
 * only then is the sender told it was accepted (smtp-intake.ts). Parsing, threading into cases and outbound mail
 * build on this (issue 15; not done yet).
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { emit } from '../../platform/events/emit.ts';
import { MailEvents } from './mail.events.ts';
import { mailMessages } from './mail.tables.ts';

export type InboundMail = {
  transport: 'smtp' | 'imap';
  envelopeFrom: string;
  envelopeTo: readonly string[];
  queue: string;
  remoteAddress: string | null;
  raw: Buffer;
};

export type MailService = ReturnType<typeof createMailService>;

export function createMailService(ctx: Pick<Ctx, 'database'>) {
  const db = ctx.database.db;
  return {
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
          })
          .returning({ id: mailMessages.id });
        await emit(tx, MailEvents.received, { mailId: row!.id, queue: m.queue }, { dedupeKey: `mail:${row!.id}` });
        return { id: row!.id };
      });
    },
  };
}
