/**
 * Sends one outbound mail through the relay (SMTP_URL, nodemailer), as the `mail.send` job: a temporary failure
 * throws, and the job queue retries with backoff; a permanent refusal of the recipient (5xx at RCPT) fails the mail
 * for good and flags the contact's address as bounced (the desk stops writing to it); a mail not `queued` any more
 * (sent by an earlier attempt whose job was retried) is left alone. Automatic mail says so (RFC 3834), so that
 * well-behaved auto-responders do not answer it.
 */
import { eq, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/log.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { mailOutbound } from './mail.tables.ts';

type SmtpFailure = Error & { responseCode?: number; command?: string; response?: string };

/** A 5xx answer to the recipient or the message: retrying will not help. */
const permanent = (e: SmtpFailure) =>
  typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;

/**
 * The relay's URL with a connection pool unless it names its own: a burst of notices (an outage's status mail to
 * every contact) goes over a few kept-open connections instead of a TCP and SMTP handshake per mail. A connection the
 * relay closes while idle is dropped from the pool and the next mail opens a new one.
 */
export function relayUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '3');
  return url.toString();
}

export function mailSender(
  db: Db,
  deps: {
    accounts: Pick<AccountsService, 'flagBouncedEmail'>;
    smtpUrl: string | undefined;
    fromName: string;
    log: Logger;
    now?: () => Date;
  },
) {
  const clock = deps.now ?? (() => new Date());
  let transport: Transporter | undefined;
  const relay = () => {
    if (!deps.smtpUrl) throw new Error('no relay configured (SMTP_URL)');
    transport ??= nodemailer.createTransport(relayUrl(deps.smtpUrl));
    return transport;
  };

  return {
    async send(outboundId: number): Promise<void> {
      const [m] = await db.select().from(mailOutbound).where(eq(mailOutbound.id, outboundId));
      if (m?.state !== 'queued') return;
      await db
        .update(mailOutbound)
        .set({ attempts: sql`${mailOutbound.attempts} + 1` })
        .where(eq(mailOutbound.id, outboundId));
      try {
        const info = await relay().sendMail({
          from: { name: deps.fromName, address: m.fromAddress },
          to: m.toName ? { name: m.toName, address: m.toAddress } : m.toAddress,
          replyTo: m.replyTo,
          subject: m.subject,
          text: m.textBody,
          messageId: m.messageId,
          ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
          ...(m.references.length > 0 ? { references: m.references } : {}),
          headers: m.automatic
            ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', Precedence: 'auto_reply' }
            : { 'X-Auto-Response-Suppress': 'OOF, AutoReply' },
        });
        await db
          .update(mailOutbound)
          .set({ state: 'sent', sentAt: clock(), relayResponse: String(info.response).slice(0, 500), lastError: null })
          .where(eq(mailOutbound.id, outboundId));
      } catch (err) {
        const e = err as SmtpFailure;
        const why = `${e.responseCode ?? ''} ${e.response ?? e.message}`.trim().slice(0, 500);
        if (permanent(e)) {
          await db.update(mailOutbound).set({ state: 'failed', lastError: why }).where(eq(mailOutbound.id, outboundId));
          // Refused at RCPT: the address does not exist (a hard bounce at send time).
          if (e.command === 'RCPT TO') await deps.accounts.flagBouncedEmail(m.toAddress, clock());
          deps.log.warn({ outboundId, to: m.toAddress, why }, 'outbound mail refused for good');
          return;
        }
        await db.update(mailOutbound).set({ lastError: why }).where(eq(mailOutbound.id, outboundId));
        throw err;
      }
    },

    /** The job ran out of attempts: the outbox says failed, with the last error. */
    async giveUp(outboundId: number, reason: string): Promise<void> {
      await db
        .update(mailOutbound)
        .set({ state: 'failed', lastError: sql`coalesce(${mailOutbound.lastError}, ${reason.slice(0, 500)})` })
        .where(sql`${mailOutbound.id} = ${outboundId} and ${mailOutbound.state} = 'queued'`);
    },

    close(): void {
      transport?.close();
    },
  };
}
