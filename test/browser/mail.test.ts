import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';
import { freePort } from '../support/ports.ts';

type Sunk = { to: string[]; mail: Email };

/** An SMTP relay on 127.0.0.1 that takes every message and keeps it, parsed (the desk's SMTP_URL points here). */
async function startSink(): Promise<{ port: number; received: Sunk[]; server: SMTPServer }> {
  const received: Sunk[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks)).then(
          (mail) => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            cb();
          },
          (e: Error) => cb(e),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, received, server };
}

const u = Date.now().toString(36);
const contact = `maja.${u}@nordgrid.example`;
const stranger = `someone.${u}@elsewhere.example`;
const subject = `Meters silent since the update ${u}`;
const customerMessageId = `<first.${u}@nordgrid.example>`;
const reply = `Please check the APN on the meters (${u}); we are resetting their sessions.`;
const strangerSubject = `Offer for SIM cards ${u}`;

// The e-mail channel in the console (issue 15, point 5): a mail sent to the desk's SMTP intake opens a case, the
// agent reads it in the timeline and replies by e-mail from the composer, and the reply leaves through the relay (a
// sink on 127.0.0.1) threaded to the customer's mail; a stranger's mail waits in Mail → Triage until the agent opens
// a case for it; the outbox lists what was sent. Once per `npm test` (the PGlite run).
describe.skipIf(testDbKind !== 'pglite')('mail in the console (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let smtpPort: number;
  let number = '';

  beforeAll(async () => {
    sink = await startSink();
    smtpPort = await freePort();
    desk = await startDemoDesk(
      'mail',
      {
        IOTOPS_SIMULATE: 'off',
        IOTOPS_SMTP_PORT: String(smtpPort),
        MAIL_ADDRESSES: 'support@desk.test=support',
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      },
      ['--roles', 'api,worker,ingest,mail'],
    );
  }, 240_000);
  afterAll(async () => {
    await desk?.close();
    await new Promise<void>((resolve) => (sink ? sink.server.close(() => resolve()) : resolve()));
  }, 120_000);

  /** Sends a mail to the intake as a customer's mail program would. */
  const mailDesk = (m: { from: string; subject: string; text: string; messageId?: string }) =>
    createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }).sendMail({
      to: 'support@desk.test',
      ...m,
    });
  const sunkTo = (address: string) => sink.received.filter((r) => r.to.includes(address));
  const header = (m: Email, key: string) => m.headers.find((x) => x.key === key)?.value;

  it('a mail from a contact opens a case, and the sender is told it was received', async () => {
    // The admin gives the demo customer a contact with an address (in Swedish, Nordgrid's language).
    const admin = await desk.as('admin');
    const accounts = await admin.request.get(`${desk.url}/api/v1/accounts?q=Nordgrid&limit=5`);
    const nordgrid = ((await accounts.json()) as { items: { id: number; name: string }[] }).items[0]!;
    const added = await admin.request.post(`${desk.url}/api/v1/accounts/${nordgrid.id}/contacts`, {
      data: { name: 'Maja Ek', email: contact, language: 'sv', roles: ['technical'] },
    });
    expect(added.status(), await added.text()).toBe(201);

    await mailDesk({
      from: `Maja Ek <${contact}>`,
      subject,
      text: 'Our meters stopped reporting.',
      messageId: customerMessageId,
    });
    // Threaded by the worker within seconds: a new case on the account, by e-mail.
    await expect
      .poll(
        async () => {
          const r = await admin.request.get(`${desk.url}/api/v1/cases?q=${encodeURIComponent(u)}&state=all`);
          const c = ((await r.json()) as { items: { number: string; subject: string; channel: string }[] }).items.find(
            (x) => x.subject === subject,
          );
          number = c?.channel === 'email' ? c.number : '';
          return number;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toMatch(/^C-\d{4}-\d{6}$/);
    // The "received" notice went out through the relay, tagged with the case number.
    await expect.poll(() => sunkTo(contact).length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    expect(sunkTo(contact)[0]!.mail.subject).toContain(`[${number}]`);
    expect(sunkTo(contact)[0]!.mail.inReplyTo).toBe(customerMessageId);
  });

  it('the agent reads the mail in the timeline and replies by e-mail; the reply leaves threaded to it', async () => {
    const p = await desk.as('agent');
    await p.goto(`${desk.url}/cases/${number}`);
    await p.getByRole('heading', { name: new RegExp(number) }).waitFor();
    const received = p.locator('article').filter({ hasText: 'E-mail received' });
    await received.getByText('Our meters stopped reporting.').waitFor();
    await received.getByText(subject).waitFor();
    expect(await received.textContent()).toContain(contact);

    // The composer in e-mail mode says who gets the reply, in which language.
    await p.getByText('Reply by e-mail', { exact: true }).click();
    const field = p.getByRole('textbox', { name: 'Reply by e-mail' });
    await field.waitFor();
    await p.getByText(`Maja Ek <${contact}> — Swedish (sv)`).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await field.fill(reply);
    await shot(p, 'mail-case-reply');
    await p.getByRole('button', { name: 'Send the e-mail' }).click();
    await expect.poll(() => field.inputValue()).toBe('');
    await p.locator('article').filter({ hasText: 'E-mail sent' }).getByText(reply).waitFor();

    // The relay gets it: to the contact, tagged, in reply to the customer's mail, with what the agent wrote.
    const sent = () => sunkTo(contact).find((r) => r.mail.text?.includes(reply));
    await expect.poll(() => sent() !== undefined, { timeout: 60_000, interval: 500 }).toBe(true);
    const m = sent()!.mail;
    expect(m.to?.[0]?.address).toBe(contact);
    expect(m.subject).toContain(`[${number}]`);
    expect(m.inReplyTo).toBe(customerMessageId);
    expect(header(m, 'references')).toContain(customerMessageId);
    // The reply's entry says where it went and that the relay took it.
    await p.reload();
    const delivered = p
      .locator('article')
      .filter({ hasText: 'E-mail sent' })
      .getByRole('list', { name: 'Mailed to the contacts' });
    await delivered.getByText('sent', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await delivered.textContent()).toContain(contact);
    await shot(p, 'mail-case-delivered');

    // The customer's mail, from the timeline: its headers and the original.
    await received.getByRole('link', { name: 'Headers and original' }).click();
    await p.getByRole('heading', { name: subject }).waitFor();
    await p.getByRole('link', { name: number }).waitFor();
    await p.getByRole('button', { name: 'Show headers' }).click();
    const headers = p.getByRole('table', { name: 'Headers' });
    await headers.getByRole('cell', { name: 'Message-ID', exact: true }).waitFor();
    expect(await headers.textContent()).toContain(customerMessageId);
    const raw = p.getByRole('link', { name: 'Download the original (.eml)' });
    const eml = await p.request.get(new URL((await raw.getAttribute('href'))!, desk.url).href);
    expect(await eml.text()).toContain(`Message-ID: ${customerMessageId}`);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'mail-message');
  });

  it('the customer follows the exchange in the portal, in Swedish: their mail and the desk’s reply, as mail', async () => {
    const p = await desk.as('customer');
    await p.goto(`${desk.url}/portal/cases/${number}`);
    await p.getByRole('heading', { name: new RegExp(number) }).waitFor();
    const history = p.getByRole('list', { name: 'Historik' });
    const theirs = history.getByRole('listitem').filter({ hasText: 'E-post till kundtjänst' });
    await theirs.getByText(`: ${subject}`, { exact: false }).waitFor();
    await theirs.getByText('Our meters stopped reporting.').waitFor();
    const ours = history.getByRole('listitem').filter({ hasText: 'E-post från kundtjänst' });
    await ours.getByText(reply).waitFor();
    // The desk's people stay "Kundtjänst"; no link into the desk's mail store.
    expect(await ours.textContent()).toContain('Kundtjänst');
    expect(await p.getByRole('link', { name: 'Headers and original' }).count()).toBe(0);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-case-mail');
  });

  it("a stranger's mail waits in triage until the agent opens a case for it; the outbox lists the reply as sent", async () => {
    await mailDesk({ from: `Someone <${stranger}>`, subject: strangerSubject, text: 'Cheap SIM cards, today only.' });
    const p = await desk.as('agent');
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Mail/ }).click();
    const triage = p.getByRole('table', { name: 'Mail waiting in triage' });
    await triage.waitFor();
    // Threaded by the worker within seconds; the screen asks again every 30 s, a reload shows it at once.
    await expect
      .poll(
        async () => {
          const r = await p.request.get(`${desk.url}/api/v1/mail/triage?limit=200`);
          return ((await r.json()) as { items: { subject: string | null }[] }).items.map((m) => m.subject);
        },
        { timeout: 120_000, interval: 1_000 },
      )
      .toContain(strangerSubject);
    await p.reload();
    const row = triage.getByRole('row').filter({ hasText: strangerSubject });
    await row.waitFor();
    expect(await row.textContent()).toContain('Unknown sender');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'mail-triage');

    await row.getByRole('button', { name: 'Open a case' }).click();
    const dialog = p.getByRole('dialog', { name: 'Open a case for this mail' });
    await dialog.getByRole('textbox', { name: 'Account' }).fill('Nordgrid');
    await p
      .getByRole('option', { name: /^Nordgrid/ })
      .first()
      .click();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await dialog.getByRole('button', { name: 'Open a case' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The row leaves the list; what became of the mail links to its new case.
    await row.waitFor({ state: 'detached' });
    const status = p.getByRole('status').filter({ hasText: strangerSubject });
    const link = status.getByRole('link', { name: /^C-\d{4}-\d{6}$/ });
    const opened = (await link.textContent())!;
    expect(opened).not.toBe(number);
    await shot(p, 'mail-triage-done');

    // The new case holds the stranger's mail, the sender now its contact.
    await link.click();
    await p.getByRole('heading', { name: new RegExp(opened) }).waitFor();
    await p
      .locator('article')
      .filter({ hasText: 'E-mail received' })
      .getByText('Cheap SIM cards, today only.')
      .waitFor();

    // The outbox: the agent's reply, sent.
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Mail/ }).click();
    await p.getByRole('tab', { name: 'Outbox' }).click();
    await p.getByLabel('State').selectOption('sent');
    const outbox = p.getByRole('table', { name: 'Outgoing mail' });
    const sentRow = outbox.getByRole('row').filter({ hasText: 'Agent reply' }).filter({ hasText: number });
    await sentRow.waitFor();
    expect(await sentRow.textContent()).toContain(contact);
    expect(await sentRow.textContent()).toContain('sent');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'mail-outbox');

    // Templates: an agent reads them (admins change them).
    await p.getByRole('tab', { name: 'Templates' }).click();
    await p.getByText('Only admins change the templates.').waitFor();
    expect(await p.getByRole('textbox', { name: 'Text' }).inputValue()).toContain('{{message}}');
    // The placeholders are the server's list, with what each becomes.
    await p.getByText('{{nextUpdateBy}}', { exact: true }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
  });

  it('an admin rewords a template; an unknown placeholder is refused under its field', async () => {
    const p = await desk.as('admin');
    await p.goto(`${desk.url}/mail/templates?kind=agent_reply&language=sv`);
    const body = p.getByRole('textbox', { name: 'Text' });
    await expect.poll(() => body.inputValue()).toContain('{{message}}');
    const original = await body.inputValue();
    await body.fill(`${original}\n{{signature}}`);
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByRole('alert').waitFor();
    expect(await p.getByText('unknown placeholder', { exact: false }).count()).toBeGreaterThan(0);
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'mail-templates');

    await body.fill(`Hej {{contactName}},\n\n{{message}}\n\nNordgrid-support`);
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await p.getByText(/^Changed by admin@demo\.iotops\.example/).waitFor();
    await p.getByRole('button', { name: 'Back to the built-in text' }).click();
    await p.getByText('The built-in text.', { exact: true }).waitFor();
    await expect.poll(() => body.inputValue()).toBe(original);
  });
});
