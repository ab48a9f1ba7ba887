import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { relayUrl } from './mail-send.ts';

/**
 * Outbound mail end to end with a real SMTP sink as the relay: the customer's mail opens a case, the contact gets the
 * "received" notice in its language, the agent's reply leaves with the headers that thread the answer back, and the
 * relay's refusals are handled (a 4xx retried, a 5xx at RCPT flags the address and stops further mail).
 */
let h: Harness;
let t: Tenant;
let sink: SMTPServer;
const received: { to: string[]; mail: Email; raw: string }[] = [];
/** Recipients the sink refuses: permanently (550) or once (451, then accepted). */
const refuse = new Map<string, 'permanent' | 'once'>();
/** SMTP connections the sink was opened: the relay's pool keeps one open across mails. */
let connections = 0;
const staff = cliPrincipal('outbound-test');
const u = uniq();
const jana = `jana-${u}@stadtwerke.example`;

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_s, cb) {
      connections++;
      cb();
    },
    onRcptTo(address, _s, cb) {
      const how = refuse.get(address.address);
      if (how === 'permanent') return cb(Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 }));
      if (how === 'once') {
        refuse.delete(address.address);
        return cb(Object.assign(new Error('4.2.0 try later'), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          mail: await PostalMime.parse(raw),
          raw: raw.toString(),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const port = (sink.server.address() as AddressInfo).port;
  h = await harness({
    smtpUrl: `smtp://127.0.0.1:${port}`,
    mailFrom: { name: 'Desk', address: 'support@desk.test' },
    mailAddresses: new Map([['support@desk.test', 'support']]),
  });
  t = await makeTenant(h.services);
  await h.services.accounts.addContact(staff, t.child.id, { name: 'Jana', email: jana, language: 'de', roles: [] });
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

async function inbound(lines: string[], body: string) {
  const { id } = await h.services.mail.accept({
    transport: 'smtp',
    envelopeFrom: jana,
    envelopeTo: ['support@desk.test'],
    queue: 'support',
    remoteAddress: null,
    raw: Buffer.from([...lines, 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n')),
  });
  await h.runJobs();
  const [row] = await h.ctx.database.query<{ caseId: number; rule: string }>(
    'select case_id::int as "caseId", thread_rule as rule from mail_messages where id = $1',
    [id],
  );
  return row!;
}
const mailsTo = (address: string) => received.filter((r) => r.to.includes(address));
const outbox = (caseId: number) =>
  h.ctx.database.query<{ kind: string; state: string; lastError: string | null; attempts: number }>(
    `select kind, state, last_error as "lastError", attempts from mail_outbound where case_id = $1 order by id`,
    [caseId],
  );
const header = (m: Email, key: string) => m.headers.find((x) => x.key === key)?.value;

describe('outbound mail', () => {
  let caseId: number;
  let number: string;
  const firstId = `<first-${u}@stadtwerke.example>`;

  it('confirms a new case to its contact in German, as an automatic reply threaded to the customer’s mail', async () => {
    const r = await inbound(
      [`From: Jana <${jana}>`, 'Subject: Zähler senden nicht', `Message-ID: ${firstId}`],
      'Hilfe',
    );
    caseId = r.caseId;
    number = (await h.ctx.database.query<{ number: string }>('select number from cases where id = $1', [caseId]))[0]!
      .number;
    const [notice] = mailsTo(jana);
    expect(notice, 'the received notice reached the sink').toBeDefined();
    const m = notice!.mail;
    expect(m.subject).toBe(`[${number}] Wir haben Ihre Anfrage erhalten: Zähler senden nicht`);
    expect(m.text).toContain(`Fall ${number}`);
    expect(m.text).toContain(`[ref:${number}]`);
    expect(m.inReplyTo).toBe(firstId);
    expect(header(m, 'auto-submitted')).toBe('auto-replied');
    expect(m.replyTo?.[0]).toMatchObject({ address: `support+${number}@desk.test` });
    expect(await outbox(caseId)).toEqual([{ kind: 'case_received', state: 'sent', lastError: null, attempts: 1 }]);
  });

  it("sends the agent's reply as a person's mail, and the customer's answer to it threads back by its headers alone", async () => {
    const opened = connections;
    await h.services.cases.addEvent(staff, number, { kind: 'email_out', body: 'Bitte prüfen Sie den APN.' });
    await h.runJobs();
    expect(connections, 'the reply left over the connection the notice opened').toBe(opened);
    const reply = mailsTo(jana).at(-1)!.mail;
    expect(reply.text).toContain('Bitte prüfen Sie den APN.');
    expect(header(reply, 'auto-submitted')).toBeUndefined();
    expect(reply.references).toContain(firstId);
    // Outlook keeps only the parent: In-Reply-To is our reply's Message-ID, and the subject lost its tag.
    const answer = await inbound(
      [`From: ${jana}`, 'Subject: AW: APN', `Message-ID: <a-${u}@x.example>`, `In-Reply-To: ${reply.messageId}`],
      'APN war falsch, jetzt geht es.',
    );
    expect(answer).toEqual({ caseId, rule: 'reference' });
  });

  it('retries a relay that answers 4xx, and stops writing to an address refused for good', async () => {
    refuse.set(jana, 'once');
    await h.services.cases.transition(staff, number, { to: 'open' });
    await h.services.cases.transition(staff, number, { to: 'pending_customer' });
    await h.runJobs();
    expect((await outbox(caseId)).at(-1)).toMatchObject({ kind: 'waiting_for_you', state: 'queued', attempts: 1 });
    await h.runJobs(new Date(Date.now() + 60_000)); // past the first backoff
    expect((await outbox(caseId)).at(-1)).toMatchObject({ kind: 'waiting_for_you', state: 'sent', attempts: 2 });

    refuse.set(jana, 'permanent');
    await h.services.cases.transition(staff, number, { to: 'resolved' });
    await h.runJobs();
    const failed = (await outbox(caseId)).at(-1)!;
    expect(failed).toMatchObject({ kind: 'resolved', state: 'failed' });
    expect(failed.lastError).toMatch(/^550/);
    const contacts = await h.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${t.child.id}/contacts`,
      headers: t.agent,
    });
    const flagged = contacts.json().items.find((k: { email: string }) => k.email === jana);
    expect(flagged.emailBouncedAt).not.toBeNull();
    await h.services.cases.transition(staff, number, { to: 'closed' });
    await h.runJobs();
    expect((await outbox(caseId)).at(-1)).toMatchObject({ kind: 'closed', state: 'suppressed' });
  });

  it("records a mailer daemon's bounce of our mail on its case, staff-only, and flags the address", async () => {
    const gone = `gone-${u}@customer.example`;
    const k = await h.services.accounts.addContact(staff, t.child.id, { name: 'Gone', email: gone, roles: [] });
    const created = await h.services.caseParties.create(staff, {
      accountId: t.child.id,
      type: 'incident',
      channel: 'phone',
      subject: 'Router offline',
      severity: 'medium',
      description: '',
      affectedIccids: [],
      tags: [],
      contactIds: [k.id],
    });
    await h.runJobs();
    const [ours] = await h.ctx.database.query<{ messageId: string }>(
      'select message_id as "messageId" from mail_outbound where case_id = $1',
      [created.case.id],
    );
    // Postfix's report, returning our notice: its headers name our Message-ID, its status the hard bounce.
    const dsn = readFileSync(new URL('../../../test/fixtures/mail/dsn-postfix.eml', import.meta.url), 'utf8')
      .replaceAll('gone@customer.example', gone)
      .replaceAll('<C-2026-000001.abc@desk.test>', ours!.messageId)
      .replaceAll('<dsn-1@mx.customer.example>', `<dsn-${u}@mx.customer.example>`)
      .replaceAll('\n', '\r\n');
    const { id } = await h.services.mail.accept({
      transport: 'smtp',
      envelopeFrom: '',
      envelopeTo: ['support@desk.test'],
      queue: 'support',
      remoteAddress: null,
      raw: Buffer.from(dsn),
    });
    await h.runJobs();
    const [row] = await h.ctx.database.query<{ caseId: number; rule: string }>(
      'select case_id::int as "caseId", thread_rule as rule from mail_messages where id = $1',
      [id],
    );
    expect(row).toEqual({ caseId: created.case.id, rule: 'reference' });
    const [entry] = await h.ctx.database.query<{ visibility: string }>(
      `select visibility from case_events where case_id = $1 and kind = 'email_in'`,
      [created.case.id],
    );
    expect(entry).toEqual({ visibility: 'internal' });
    const contacts = await h.services.accounts.contacts(staff, t.child.id);
    expect(contacts.find((c) => c.id === k.id)?.emailBouncedAt).toBeInstanceOf(Date);
  });
});

describe('relayUrl', () => {
  it('pools connections unless the URL says otherwise, and keeps credentials and port', () => {
    const u = new URL(relayUrl('smtp://desk%40x.example:p%2Fss@relay.example:587'));
    expect([u.hostname, u.port, u.username, u.password]).toEqual([
      'relay.example',
      '587',
      'desk%40x.example',
      'p%2Fss',
    ]);
    expect(Object.fromEntries(u.searchParams)).toEqual({ pool: 'true', maxConnections: '3' });
    expect(Object.fromEntries(new URL(relayUrl('smtps://relay.example?pool=false')).searchParams)).toEqual({
      pool: 'false',
      maxConnections: '3',
    });
  });
});
