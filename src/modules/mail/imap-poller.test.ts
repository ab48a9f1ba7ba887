import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, dovecotMissing, startDovecot } from '../../../test/support/dovecot.ts';
import { type Harness, harness, uniq } from '../../../test/support/harness.ts';
import { envelopeSenderOf, type ImapPollerConfig, startImapPoller } from './imap-poller.ts';
import type { MailService } from './mail.service.ts';

/**
 * The IMAP poller against a real Dovecot, with mail appended by another IMAP client as a delivery would put it
 * there. What must never happen: a message flagged \Seen that was not stored, the same message stored twice
 * after a crash, an oversized message looping, a message lost while the database is down.
 */
let h: Harness;
let dovecot: Dovecot;
/** The other client: delivers mail into the mailboxes and looks at their flags. */
let other: ImapFlow;
const addresses = new Map([
  ['support@desk.test', 'support'],
  ['billing@desk.test', 'billing'],
]);

const CRLF = '\r\n';
function message(marker: string, headers: string[] = [], body = `Hello ${marker}`): Buffer {
  return Buffer.from(
    [
      'From: Ann Meter <ann@meters.example>',
      'To: support@desk.test',
      `Subject: Meters ${marker}`,
      'Date: Sun, 06 Dec 2026 07:00:00 +0100',
      `Message-ID: <${marker}@meters.example>`,
      ...headers,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join(CRLF),
  );
}

/** A mailbox of the test's own on the server, so tests never see each other's mail. */
async function mailbox(): Promise<string> {
  const name = `T${uniq()}`;
  await other.mailboxCreate(name);
  return name;
}

async function deliver(box: string, raw: Buffer, flags: string[] = []): Promise<number> {
  const r = await other.append(box, raw, flags);
  if (!r || r.uid === undefined) throw new Error('APPEND gave no UID');
  return r.uid;
}

async function flagsOf(box: string, uid: number): Promise<string[]> {
  const lock = await other.getMailboxLock(box);
  try {
    const m = await other.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
    return m ? [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort() : [];
  } finally {
    lock.release();
  }
}

type Stored = { id: number; transport: string; envelopeFrom: string; envelopeTo: string[]; queue: string; raw: Buffer };
const stored = (marker: string) =>
  h.ctx.database.query<Stored>(
    `select id::int as id, transport, envelope_from as "envelopeFrom", envelope_to as "envelopeTo", queue, raw
       from mail_messages where position($1::bytea in raw) > 0 order by id`,
    [Buffer.from(marker)],
  );

function poller(box: string, over: Partial<ImapPollerConfig> = {}, mail: MailService = h.services.mail) {
  return startImapPoller(
    { mail, log: h.ctx.log },
    {
      imapMailbox: {
        secure: false,
        host: '127.0.0.1',
        port: dovecot.port,
        user: dovecot.user,
        pass: dovecot.pass,
        mailbox: box,
      },
      imapAddress: undefined,
      // Never within a test: what arrives while it runs is noticed by IDLE.
      imapPollSeconds: 3600,
      mailAddresses: addresses,
      mailMaxBytes: 64 * 1024,
      ...over,
    },
  );
}

async function connectOther() {
  other = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.pass },
    logger: false,
  });
  // A kicked connection reports here; its commands fail on their own.
  other.on('error', () => {});
  await other.connect();
}

const suite = dovecotMissing ? describe.skip : describe;

// Generous: a test waits on several conditions in a row, on a loaded machine.
suite(`IMAP poller against Dovecot${dovecotMissing ? ` (skipped: ${dovecotMissing})` : ''}`, {
  timeout: 120_000,
}, () => {
  beforeAll(async () => {
    h = await harness();
    dovecot = await startDovecot();
    await connectOther();
  });
  afterAll(async () => {
    try {
      await other?.logout().catch(() => other.close());
    } finally {
      await dovecot?.stop();
      await h?.close();
    }
  });

  it('stores every unseen message byte for byte with its envelope, then flags it \\Seen; a seen one is left alone', async () => {
    const box = await mailbox();
    const [a, b, c] = [`a-${uniq()}`, `b-${uniq()}`, `c-${uniq()}`];
    const rawA = message(a, ['Return-Path: <bounces+ann=meters.example@lists.meters.example>']);
    const rawB = message(b);
    const rawC = message(c, [], 'Die Zähler senden nicht 🚚');
    const uidA = await deliver(box, rawA);
    const uidB = await deliver(box, rawB, ['\\Seen']);
    const uidC = await deliver(box, rawC);
    const p = poller(box, { imapAddress: 'billing@desk.test' });
    try {
      await expect.poll(() => flagsOf(box, uidC)).toEqual(['\\Seen']);
      expect(await flagsOf(box, uidA)).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    const [sa] = await stored(a);
    const [sc] = await stored(c);
    expect(sa).toMatchObject({
      transport: 'imap',
      envelopeFrom: 'bounces+ann=meters.example@lists.meters.example',
      envelopeTo: ['billing@desk.test'],
      queue: 'billing',
    });
    expect(Buffer.from(sa!.raw).equals(rawA)).toBe(true);
    // No Return-Path: the From address stands for the envelope sender.
    expect(sc).toMatchObject({ envelopeFrom: 'ann@meters.example', envelopeTo: ['billing@desk.test'] });
    expect(Buffer.from(sc!.raw).equals(rawC)).toBe(true);
    expect(await stored(b)).toEqual([]);
    expect(await flagsOf(box, uidB)).toEqual(['\\Seen']);
  });

  it('stores a message delivered while it runs (IDLE), with no poll due', async () => {
    const box = await mailbox();
    const first = `first-${uniq()}`;
    const later = `later-${uniq()}`;
    const uidFirst = await deliver(box, message(first));
    const p = poller(box);
    try {
      // The first round is over once its message is flagged: what comes next is announced by the server.
      await expect.poll(() => flagsOf(box, uidFirst)).toEqual(['\\Seen']);
      const uidLater = await deliver(box, message(later));
      await expect.poll(async () => (await stored(later)).length).toBe(1);
      await expect.poll(() => flagsOf(box, uidLater)).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    expect((await stored(later))[0]).toMatchObject({ envelopeTo: ['support@desk.test'], queue: 'support' });
  });

  it('does not store twice a message stored before a crash that left it unseen', async () => {
    const box = await mailbox();
    const crashed = `crashed-${uniq()}`;
    const next = `next-${uniq()}`;
    const raw = message(crashed);
    const uid = await deliver(box, raw);
    const uidNext = await deliver(box, message(next));
    // What a poller killed between its accept and its STORE \Seen left behind.
    await h.services.mail.accept({
      transport: 'imap',
      envelopeFrom: 'ann@meters.example',
      envelopeTo: ['support@desk.test'],
      queue: 'support',
      remoteAddress: null,
      raw,
    });
    const p = poller(box);
    try {
      await expect.poll(() => flagsOf(box, uidNext)).toEqual(['\\Seen']);
      expect(await flagsOf(box, uid)).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    expect(await stored(crashed)).toHaveLength(1);
    expect(await stored(next)).toHaveLength(1);
  });

  it('connects again when the server drops the connection, and stores what arrived meanwhile', async () => {
    const box = await mailbox();
    const before = `before-${uniq()}`;
    const after = `after-${uniq()}`;
    const uidBefore = await deliver(box, message(before));
    const p = poller(box);
    try {
      await expect.poll(() => flagsOf(box, uidBefore)).toEqual(['\\Seen']);
      dovecot.kick(); // the other client's connection too: it connects again as well
      await connectOther();
      const uidAfter = await deliver(box, message(after));
      await expect.poll(() => flagsOf(box, uidAfter)).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    expect(await stored(after)).toHaveLength(1);
  });

  it('flags a message past MAIL_MAX_BYTES, stores nothing of it, and goes on with the next', async () => {
    const box = await mailbox();
    const big = `big-${uniq()}`;
    const small = `small-${uniq()}`;
    const uidBig = await deliver(box, message(big, [], `${big}\r\n${'x'.repeat(76)}\r\n`.repeat(1000)));
    const uidSmall = await deliver(box, message(small));
    const p = poller(box);
    try {
      await expect.poll(() => flagsOf(box, uidSmall)).toEqual(['\\Seen']);
      expect(await flagsOf(box, uidBig)).toEqual(['\\Flagged', '\\Seen']);
    } finally {
      await p.close();
    }
    expect(await stored(big)).toEqual([]);
    expect(await stored(small)).toHaveLength(1);
  });

  it('leaves a message unseen while it cannot be stored, and stores it at a later poll', async () => {
    const box = await mailbox();
    const marker = `down-${uniq()}`;
    let down = true;
    let attempts = 0;
    const flaky: MailService = {
      ...h.services.mail,
      accept: (m) => {
        attempts++;
        return down ? Promise.reject(new Error('database unavailable')) : h.services.mail.accept(m);
      },
    };
    const uid = await deliver(box, message(marker));
    const p = poller(box, { imapPollSeconds: 5 }, flaky);
    try {
      // A second attempt with no new mail is the poll's retry.
      await expect.poll(() => attempts, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      expect(await flagsOf(box, uid)).toEqual([]);
      down = false;
      await expect.poll(() => flagsOf(box, uid), { timeout: 60_000 }).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    expect(await stored(marker)).toHaveLength(1);
  });

  it('hands what it stored to the mail subscribers: parsed and threaded (an unknown sender and a bounce wait in triage)', async () => {
    const box = await mailbox();
    const person = `person-${uniq()}`;
    const bounce = `bounce-${uniq()}`;
    await deliver(box, message(person));
    const uidBounce = await deliver(box, message(bounce, ['Return-Path: <>']));
    const p = poller(box);
    try {
      await expect.poll(() => flagsOf(box, uidBounce)).toEqual(['\\Seen']);
    } finally {
      await p.close();
    }
    await h.runJobs();
    const rows = await h.ctx.database.query<{ subject: string; parsed: boolean; rule: string; automatic: string }>(
      `select subject, parsed_at is not null as parsed, thread_rule as rule, automatic
         from mail_messages where subject in ($1, $2) order by subject`,
      [`Meters ${bounce}`, `Meters ${person}`],
    );
    expect(rows).toEqual([
      { subject: `Meters ${bounce}`, parsed: true, rule: 'triage', automatic: 'bounce' },
      { subject: `Meters ${person}`, parsed: true, rule: 'triage', automatic: null },
    ]);
  });
});

describe('envelope sender of a polled message', () => {
  const rp = (s: string) => Buffer.from(`${s}\r\n\r\n`);
  it('is the Return-Path (unfolded; <> for a bounce), else the From address, else empty', () => {
    expect(envelopeSenderOf(rp('Return-Path: <ops@customer.example>'), 'x@y.example')).toBe('ops@customer.example');
    expect(envelopeSenderOf(rp('Return-Path:\r\n <ops@customer.example>'), undefined)).toBe('ops@customer.example');
    expect(envelopeSenderOf(rp('Return-Path: <>'), 'x@y.example')).toBe('');
    expect(envelopeSenderOf(Buffer.from('\r\n'), 'ann@meters.example')).toBe('ann@meters.example');
    expect(envelopeSenderOf(rp('Return-Path: <not an address>'), 'ann@meters.example')).toBe('ann@meters.example');
    expect(envelopeSenderOf(undefined, 'bad\u0000@x.example')).toBe('');
    expect(envelopeSenderOf(undefined, undefined)).toBe('');
  });
});
