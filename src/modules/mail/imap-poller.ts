/**
 * The IMAP poller (mail role, when IMAP_URL is set): for a desk whose mail lands in a mailbox it does not run
 * itself (a hosted mailbox, a provider's shared inbox) rather than at the SMTP intake. Every message not yet
 * \Seen is stored (mail.service.ts `accept`) and only then flagged \Seen, so a crash between the two leaves it
 * unseen to be found again — never lost — and the sha256 check below keeps that second find from storing it twice.
 * New mail is noticed by IDLE (imapflow's `exists` event) and, for a server without IDLE or an IDLE that went
 * quiet, by a search every IMAP_POLL_SECONDS; a dropped connection is opened again with backoff.
 */
import { createHash } from 'node:crypto';
import { type FetchMessageObject, ImapFlow } from 'imapflow';
import { z } from 'zod';
import type { Config, ImapMailbox } from '../../config.ts';
import type { Logger } from '../../platform/log.ts';
import type { MailService } from './mail.service.ts';
import { queueOf } from './smtp-intake.ts';

export type ImapPoller = { close(): Promise<void> };

export type ImapPollerConfig = Pick<Config, 'imapAddress' | 'imapPollSeconds' | 'mailAddresses' | 'mailMaxBytes'> & {
  imapMailbox: ImapMailbox;
};

const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 60_000;
/** IDLE starts this long after the last command: soon, but not between two commands of one round. */
const IDLE_AFTER_MS = 1000;
/** How long close() lets a round's IMAP command hang before cutting the connection under it. */
const CLOSE_GRACE_MS = 10_000;

/** An envelope sender as the headers give it: an address, or '' for the null reverse-path of a bounce. */
const EnvelopeSender = z.union([
  z.literal(''),
  z
    .string()
    .max(320)
    .regex(/^[^\s<>@\p{Cc}]+@[^\s<>@\p{Cc}]+$/u),
]);

/**
 * The envelope sender of a delivered message: the Return-Path its final delivery wrote (`<>` for a bounce),
 * else the From address, else '' — what the SMTP intake would have had as MAIL FROM.
 */
export function envelopeSenderOf(returnPathHeader: Buffer | undefined, fromAddress: string | undefined): string {
  const unfolded = (returnPathHeader?.toString('latin1') ?? '').replace(/\r?\n[ \t]+/g, ' ');
  const value = /^return-path:[ \t]*(.*)$/im.exec(unfolded)?.[1]?.trim();
  if (value !== undefined) {
    const path = EnvelopeSender.safeParse(/^<(.*)>$/.exec(value)?.[1]?.trim() ?? value);
    if (path.success) return path.data;
  }
  const from = EnvelopeSender.safeParse(fromAddress?.trim() ?? '');
  return from.success ? from.data : '';
}

const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

export function startImapPoller(deps: { mail: MailService; log: Logger }, config: ImapPollerConfig): ImapPoller {
  const box = config.imapMailbox;
  const log = deps.log.child({
    imap: `${box.secure ? 'imaps' : 'imap'}://${box.user}@${box.host}:${box.port}/${box.mailbox}`,
  });
  const address = config.imapAddress ?? config.mailAddresses.keys().next().value ?? '';
  const queue = queueOf(config.mailAddresses, address) ?? 'support';
  const pollMs = config.imapPollSeconds * 1000;

  let closed = false;
  /** The connection being opened or open; `ready` once logged in. */
  let client: ImapFlow | null = null;
  let ready = false;
  let backoffMs = RECONNECT_FIRST_MS;
  let reconnectTimer: NodeJS.Timeout | null = null;
  /** The round under way, and whether new mail was announced during it (one more round then). */
  let round: Promise<void> | null = null;
  let again = false;

  function connect() {
    reconnectTimer = null;
    if (closed) return;
    const c = new ImapFlow({
      host: box.host,
      port: box.port,
      secure: box.secure,
      auth: { user: box.user, pass: box.pass },
      clientInfo: { name: 'iotops' },
      logger: false,
      autoIdleDelay: IDLE_AFTER_MS,
      // The polls keep the connection busy at least every poll interval, so a peer silent for two of them is
      // gone (a NAT that dropped the connection): imapflow then fails it and we connect again.
      socketTimeout: Math.max(30_000, 2 * pollMs),
    });
    client = c;
    ready = false;
    let lost = false;
    const onLost = (e?: unknown) => {
      if (lost) return;
      lost = true;
      if (client === c) {
        client = null;
        ready = false;
      }
      if (closed) return;
      log.warn({ err: e, retryInMs: backoffMs }, 'IMAP mailbox connection lost; connecting again');
      reconnectTimer = setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, RECONNECT_MAX_MS);
    };
    // At most once per connection, and the connection closes after it: 'close' follows and says why.
    let error: unknown;
    c.on('error', (e) => {
      error = e;
    });
    c.on('close', () => onLost(error));
    c.on('exists', () => wake());
    c.connect().then(
      () => {
        if (client !== c) return;
        ready = true;
        if (!c.secureConnection && !/^(127\.|::1$|localhost$)/.test(box.host))
          log.warn('the IMAP server offered no STARTTLS: the password crossed the network in cleartext (use imaps://)');
        log.info('IMAP mailbox connected');
        wake();
      },
      (e: unknown) => onLost(e),
    );
  }

  /** A round now, or right after the one under way. */
  function wake() {
    if (closed) return;
    if (round) {
      again = true;
      return;
    }
    round = (async () => {
      do {
        again = false;
        const c = client;
        if (!c || !ready) return;
        try {
          await storeUnseen(c);
          // A full round on this connection: the server is really back, the next drop starts the backoff anew.
          backoffMs = RECONNECT_FIRST_MS;
        } catch (e) {
          if (!closed) log.error({ err: e }, 'IMAP round failed; the unseen mail waits for the next one');
        }
      } while (again && !closed);
    })().finally(() => {
      round = null;
    });
  }

  /** One round: every unseen message stored, then flagged \Seen, oldest first. */
  async function storeUnseen(c: ImapFlow) {
    // Held for the round: no IDLE is started between its commands, and no other mailbox is selected.
    const lock = await c.getMailboxLock(box.mailbox);
    try {
      const uids = (await c.search({ seen: false }, { uid: true })) || [];
      if (uids.length === 0) return;
      // Sizes and senders first: an oversized message is never downloaded.
      const heads = await c.fetchAll(
        uids,
        { uid: true, size: true, envelope: true, headers: ['return-path'] },
        { uid: true },
      );
      heads.sort((a, b) => a.uid - b.uid);
      let failed = 0;
      for (const head of heads) {
        if (closed) return;
        if (!(await storeOne(c, head))) failed++;
      }
      if (failed > 0) log.error({ failed }, 'IMAP messages could not be stored; left unseen for the next round');
    } finally {
      lock.release();
    }
  }

  /** Stores one message and flags it \Seen; false when storing failed (it stays unseen). */
  async function storeOne(c: ImapFlow, head: FetchMessageObject): Promise<boolean> {
    const uid = String(head.uid);
    if ((head.size ?? 0) > config.mailMaxBytes) return refuseOversized(c, head.uid, head.size ?? 0);
    const full = await c.fetchOne(uid, { uid: true, source: true }, { uid: true });
    const raw = full === false ? undefined : full.source;
    if (!raw) return true; // expunged meanwhile by another client: nothing to store
    // The size the server announced is its own count; the bytes decide.
    if (raw.length > config.mailMaxBytes) return refuseOversized(c, head.uid, raw.length);
    // Thrown when the database is unreachable: the round stops, every message stays unseen for the next one.
    if (!(await deps.mail.storedImapSha(sha256(raw)))) {
      try {
        await deps.mail.accept({
          transport: 'imap',
          envelopeFrom: envelopeSenderOf(head.headers, head.envelope?.from?.[0]?.address),
          envelopeTo: [address],
          queue,
          remoteAddress: null,
          raw,
        });
      } catch (e) {
        log.error({ err: e, uid: head.uid }, 'an IMAP message could not be stored');
        return false;
      }
    }
    await c.messageFlagsAdd(uid, ['\\Seen'], { uid: true });
    return true;
  }

  /** Past MAIL_MAX_BYTES: nothing stored, flagged for a person to see in the mailbox, and \Seen so never again. */
  async function refuseOversized(c: ImapFlow, uid: number, size: number): Promise<boolean> {
    await c.messageFlagsAdd(String(uid), ['\\Flagged', '\\Seen'], { uid: true });
    log.warn(
      { uid, size, max: config.mailMaxBytes },
      'an IMAP message larger than MAIL_MAX_BYTES was not stored; it is flagged in the mailbox',
    );
    return true;
  }

  const pollTimer = setInterval(wake, pollMs);
  connect();

  return {
    async close() {
      closed = true;
      clearInterval(pollTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const c = client;
      client = null;
      if (round) {
        // A round stops after the message in hand; a command hanging on a dead server is cut after the grace.
        const cut = setTimeout(() => c?.close(), CLOSE_GRACE_MS);
        await round;
        clearTimeout(cut);
      }
      if (!c) return;
      if (ready) await c.logout().catch(() => c.close());
      else c.close();
    },
  };
}
