/**
 * The SMTP intake (mail role): accepts mail for the desk's addresses and answers 250 only once the message is
 * stored (mail.service.ts `accept`), so a sender told 250 never loses it; a failure to store is a 451 (try again),
 * which senders retry. Unknown recipients get 550 at RCPT, a message over MAIL_MAX_BYTES 552, as the sender goes.
 * STARTTLS when SMTP_TLS_CERT/KEY are set. No AUTH: this is a desk's inbound MX, not a relay.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../../config.ts';
import type { Logger } from '../../platform/log.ts';
import type { MailService } from './mail.service.ts';

type SmtpError = Error & { responseCode?: number };
const smtpError = (code: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode: code });

/** The queue of a recipient address: `support+C-2026-000123@desk.example` is `support@desk.example`'s. */
export function queueOf(addresses: ReadonlyMap<string, string>, address: string): string | undefined {
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = lower.slice(0, at).split('+')[0];
  return addresses.get(`${local}${lower.slice(at)}`);
}

export type SmtpIntake = { port: number; close(): Promise<void> };

export async function startSmtpIntake(
  deps: { mail: MailService; log: Logger },
  config: Pick<Config, 'host' | 'smtpPort' | 'mailAddresses' | 'mailMaxBytes' | 'smtpTls'>,
): Promise<SmtpIntake> {
  const tls = config.smtpTls;
  const server = new SMTPServer({
    name: 'iotops',
    banner: 'iotops mail intake',
    size: config.mailMaxBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: readFileSync(tls.key), cert: readFileSync(tls.cert) } : {}),
    logger: false,
    onRcptTo(address, _session, cb) {
      if (queueOf(config.mailAddresses, address.address) === undefined)
        return cb(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
      cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        // Past the limit nothing more is kept; smtp-server marks the stream sizeExceeded and reads it to its end.
        if (!stream.sizeExceeded) chunks.push(c);
      });
      stream.on('error', (e) => cb(e));
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(552, `5.3.4 Message larger than ${config.mailMaxBytes} bytes`));
        const to = session.envelope.rcptTo.map((r) => r.address);
        const queue = queueOf(config.mailAddresses, to[0] ?? '') ?? 'support';
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        deps.mail
          .accept({
            transport: 'smtp',
            envelopeFrom: from,
            envelopeTo: to,
            queue,
            remoteAddress: session.remoteAddress ?? null,
            raw: Buffer.concat(chunks),
          })
          .then(
            ({ id }) => cb(null, `2.0.0 Stored as #${id}`),
            (e: unknown) => {
              deps.log.error({ err: e }, 'an inbound mail could not be stored: 451 sent, the sender will retry');
              cb(smtpError(451, '4.3.0 Temporary failure storing the message, try again later'));
            },
          );
      });
    },
  });
  server.on('error', (e) => deps.log.warn({ err: e }, 'SMTP intake connection error'));
  // SMTP is lockstep: each short reply waits for the sender's next command. With Nagle's algorithm a reply can sit
  // behind the peer's delayed ACK (~40 ms a command), which capped one connection at ~20 mails/s (bench:mail).
  server.server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.server.once('error', onError);
    server.listen(config.smtpPort, config.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
