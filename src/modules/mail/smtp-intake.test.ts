import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, uniq } from '../../../test/support/harness.ts';
import { loadConfig } from '../../config.ts';
import { queueOf, type SmtpIntake, startSmtpIntake } from './smtp-intake.ts';

/**
 * The SMTP intake with real clients (nodemailer, Python's smtplib): 250 only for a stored message (with its
 * `mail.received` event), 550 for an address that is not the desk's, 552 past the size limit, 451 when the store
 * fails — so a sender told 250 never loses a mail, and one told 4xx sends it again.
 */
let h: Harness;
let intake: SmtpIntake;
const addresses = new Map([
  ['support@desk.test', 'support'],
  ['billing@desk.test', 'billing'],
]);
const config = {
  host: '127.0.0.1',
  smtpPort: 0,
  mailAddresses: addresses,
  mailMaxBytes: 64 * 1024,
  smtpTls: undefined,
};

beforeAll(async () => {
  h = await harness();
  intake = await startSmtpIntake({ mail: h.services.mail, log: h.ctx.log }, config);
});
afterAll(async () => {
  await intake.close();
  await h.close();
});

const transport = (port = intake.port) =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    tls: { rejectUnauthorized: false },
  });
const stored = (marker: string) =>
  h.ctx.database.query<{
    id: number;
    queue: string;
    envelopeFrom: string;
    envelopeTo: string[];
    raw: Buffer;
    size: number;
  }>(
    `select id::int as id, queue, envelope_from as "envelopeFrom", envelope_to as "envelopeTo", raw, size
       from mail_messages where position($1::bytea in raw) > 0`,
    [Buffer.from(marker)],
  );
const events = (id: number) =>
  h.ctx.database.query<{ n: number }>(
    `select count(*)::int as n from domain_events where name = 'mail.received' and (payload->>'mailId')::int = $1`,
    [id],
  );

describe('SMTP intake', () => {
  it('stores a message sent with nodemailer before its 250, with its envelope, queue and event', async () => {
    const marker = `nm-${uniq()}`;
    const info = await transport().sendMail({
      from: 'Ops <ops@customer.example>',
      to: 'billing+C-2026-000123@desk.test',
      subject: `Invoice question ${marker}`,
      text: `Hello ${marker}\nZürich 🚚`,
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Stored as #\d+/);
    const [m] = await stored(marker);
    expect(m).toMatchObject({
      queue: 'billing',
      envelopeFrom: 'ops@customer.example',
      envelopeTo: ['billing+C-2026-000123@desk.test'],
    });
    expect(Buffer.from(m!.raw).toString()).toContain(`Subject: Invoice question ${marker}`);
    expect(m!.size).toBe(m!.raw.length);
    expect((await events(m!.id))[0]!.n).toBe(1);
  });

  it("stores one sent by Python's smtplib (another client's dialect: EHLO, 8-bit body)", async () => {
    const marker = `py-${uniq()}`;
    const script = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'meter-team@customer.example'
m['To'] = 'support@desk.test'
m['Subject'] = 'No data ${marker}'
m.set_content('Die Zähler senden nicht ${marker}')
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
    print(s.send_message(m))
`;
    const { stdout } = await promisify(execFile)('python3', ['-c', script, String(intake.port)]);
    expect(stdout.trim()).toBe('{}'); // no recipient refused
    const [m] = await stored(marker);
    expect(m).toMatchObject({ queue: 'support', envelopeTo: ['support@desk.test'] });
  });

  it('refuses an address that is not the desk’s with 550, and a message past the limit with 552', async () => {
    const unknown = await transport()
      .sendMail({ from: 'a@customer.example', to: 'nobody@desk.test', subject: 'x', text: 'x' })
      .catch((e: { responseCode?: number }) => e);
    expect((unknown as { responseCode?: number }).responseCode).toBe(550);
    const marker = `big-${uniq()}`;
    const big = await transport()
      .sendMail({ from: 'a@customer.example', to: 'support@desk.test', subject: marker, text: 'x'.repeat(100 * 1024) })
      .catch((e: { responseCode?: number }) => e);
    expect((big as { responseCode?: number }).responseCode).toBe(552);
    expect(await stored(marker)).toEqual([]);
  });

  it('refuses a 50 MB attachment at the default limit with 552, keeps nothing of it, and goes on serving', async () => {
    const dflt = await startSmtpIntake(
      { mail: h.services.mail, log: h.ctx.log },
      { ...config, mailMaxBytes: loadConfig({}).mailMaxBytes },
    );
    try {
      const marker = `huge-${uniq()}`;
      const huge = await transport(dflt.port)
        .sendMail({
          from: 'a@customer.example',
          to: 'support@desk.test',
          subject: marker,
          text: 'the firmware dump',
          attachments: [{ filename: 'dump.bin', content: Buffer.alloc(50 * 1024 * 1024, 7) }],
        })
        .catch((e: { responseCode?: number }) => e);
      expect((huge as { responseCode?: number }).responseCode).toBe(552);
      expect(await stored(marker)).toEqual([]);
      // Python declares the size up front (SIZE=, RFC 1870): refused before a byte of it is sent.
      const script = `
import smtplib, sys
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
    s.ehlo()
    print(s.mail('a@customer.example', ['SIZE=52428800'])[0])
`;
      const { stdout } = await promisify(execFile)('python3', ['-c', script, String(dflt.port)]);
      expect(stdout.trim()).toBe('552');
      const after = `after-${uniq()}`;
      await transport(dflt.port).sendMail({
        from: 'a@customer.example',
        to: 'support@desk.test',
        subject: after,
        text: 'x',
      });
      expect(await stored(after)).toHaveLength(1);
    } finally {
      await dflt.close();
    }
  });

  it('answers 451 (try again) when the message cannot be stored, and stores nothing half', async () => {
    const broken = await startSmtpIntake(
      {
        mail: {
          ...h.services.mail,
          accept: () => Promise.reject(new Error('database unavailable')),
        },
        log: h.ctx.log,
      },
      config,
    );
    try {
      const marker = `fail-${uniq()}`;
      const r = await transport(broken.port)
        .sendMail({ from: 'a@customer.example', to: 'support@desk.test', subject: marker, text: 'x' })
        .catch((e: { responseCode?: number }) => e);
      expect((r as { responseCode?: number }).responseCode).toBe(451);
      expect(await stored(marker)).toEqual([]);
    } finally {
      await broken.close();
    }
  });

  it('is parsed by its subscriber; the same Message-ID sent again is stored and marked a duplicate', async () => {
    const marker = `dup-${uniq()}`;
    const message = {
      from: 'Jana <jana@customer.example>',
      to: 'support@desk.test',
      subject: `Meters silent ${marker}`,
      text: `Since 8:00 ${marker}`,
      messageId: `<${marker}@customer.example>`,
      headers: { 'Auto-Submitted': 'no' },
    };
    await transport().sendMail(message);
    await transport().sendMail(message); // a sender's retry after a lost 250
    await h.runJobs();
    const rows = await h.ctx.database.query<Record<string, unknown>>(
      `select id::int as id, message_id as "messageId", from_address as "fromAddress", from_name as "fromName",
              subject, text_body as "textBody", automatic, parse_warning as "parseWarning",
              duplicate_of::int as "duplicateOf", parsed_at is not null as parsed
         from mail_messages where message_id = $1 order by id`,
      [`<${marker}@customer.example>`],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      fromAddress: 'jana@customer.example',
      fromName: 'Jana',
      subject: `Meters silent ${marker}`,
      automatic: null,
      parseWarning: null,
      duplicateOf: null,
      parsed: true,
    });
    expect(String(rows[0]!.textBody)).toContain(`Since 8:00 ${marker}`);
    expect(rows[1]).toMatchObject({ duplicateOf: rows[0]!.id, parsed: true });
  });

  it('stores mails sent at once together, each under the id its 250 names, with one event each', async () => {
    const markers = Array.from({ length: 24 }, (_, i) => `burst-${i}-${uniq()}`);
    const answers = await Promise.all(
      markers.map((marker) =>
        transport().sendMail({ from: 'a@customer.example', to: 'support@desk.test', subject: marker, text: marker }),
      ),
    );
    for (const [i, marker] of markers.entries()) {
      const rows = await stored(marker);
      expect(rows, marker).toHaveLength(1);
      expect(answers[i]!.response).toContain(`Stored as #${rows[0]!.id}`);
      expect(await events(rows[0]!.id)).toEqual([{ n: 1 }]);
    }
  });

  it('a mail that cannot be stored fails alone: the others stored beside it keep their ids', async () => {
    const mail = (marker: string, envelopeFrom = 'a@customer.example') =>
      h.services.mail.accept({
        transport: 'smtp',
        envelopeFrom,
        envelopeTo: ['support@desk.test'],
        queue: 'support',
        remoteAddress: null,
        raw: Buffer.from(`Subject: ${marker}\r\n\r\n${marker}\r\n`),
      });
    const markers = Array.from({ length: 5 }, (_, i) => `alone-${i}-${uniq()}`);
    // A NUL in a text column is refused by the database: the batch it shares fails, then each is stored alone.
    const results = await Promise.allSettled(
      markers.map((m, i) => mail(m, i === 2 ? 'bad\u0000@x.example' : undefined)),
    );
    expect(results[2]!.status).toBe('rejected');
    for (const i of [0, 1, 3, 4]) {
      const r = results[i]!;
      expect(r.status, markers[i]).toBe('fulfilled');
      const rows = await stored(markers[i]!);
      expect(rows.map((x) => x.id)).toEqual([(r as PromiseFulfilledResult<{ id: number }>).value.id]);
    }
    expect(await stored(markers[2]!)).toEqual([]);
  });

  it('maps plus-addresses and case to their queue', () => {
    expect(queueOf(addresses, 'Support+C-2026-000001@Desk.Test')).toBe('support');
    expect(queueOf(addresses, 'support@other.test')).toBeUndefined();
    expect(queueOf(addresses, 'not-an-address')).toBeUndefined();
  });
});
