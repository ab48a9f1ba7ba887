import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';

/** The triage queue over HTTP: what waits, what an agent does with it, and that customers never see the mailbox. */
let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(async () => {
  await h.close();
});

async function send(from: string, subject: string, extra: string[] = []): Promise<number> {
  const raw = [
    `From: Stranger Danger <${from}>`,
    'To: support@desk.test',
    `Subject: ${subject}`,
    `Message-ID: <${uniq()}@stranger.example>`,
    ...extra,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Our routers in Bergen are offline. ${subject}`,
  ].join('\r\n');
  const { id } = await h.services.mail.accept({
    transport: 'smtp',
    envelopeFrom: from,
    envelopeTo: ['support@desk.test'],
    queue: 'support',
    remoteAddress: null,
    raw: Buffer.from(raw),
  });
  await h.runJobs();
  return id;
}

const api = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
  h.app.inject({ method, url: `/api/v1/mail${url}`, headers, ...(payload === undefined ? {} : { payload }) });

describe('mail triage', () => {
  it('lists mail from unknown senders for staff, with why, and answers customers 403', async () => {
    const subject = `Routers offline ${uniq()}`;
    const id = await send(`s-${uniq()}@unknown.example`, subject);
    const page = await api('GET', '/triage?limit=200', t.agent);
    expect(page.statusCode).toBe(200);
    const item = page.json().items.find((m: { id: number }) => m.id === id);
    expect(item).toMatchObject({ subject, triageReason: 'unknown_sender', threadRule: 'triage', caseNumber: null });
    expect(item.snippet).toContain('Our routers in Bergen are offline');
    for (const url of ['/triage', `/messages/${id}`, `/messages/${id}/raw`]) {
      const r = await api('GET', url, t.customer);
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error.code).toBe('mail.staff_only');
    }
    expect((await api('POST', `/messages/${id}/dismiss`, t.customer, {})).statusCode).toBe(403);
  });

  it('shows a mail with its headers, and its raw bytes as message/rfc822', async () => {
    const id = await send(`s-${uniq()}@unknown.example`, 'headers', ['X-Mailer: Test Mailer 1.0']);
    const r = await api('GET', `/messages/${id}`, t.agent);
    expect(r.statusCode).toBe(200);
    expect(r.json().headers).toContainEqual({ name: 'X-Mailer', value: 'Test Mailer 1.0' });
    expect(r.json()).toMatchObject({ transport: 'smtp', envelopeTo: ['support@desk.test'], duplicateOf: null });
    const raw = await api('GET', `/messages/${id}/raw`, t.agent);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toMatch(/^message\/rfc822/);
    expect(raw.headers['x-content-type-options']).toBe('nosniff');
    expect(raw.body).toContain('X-Mailer: Test Mailer 1.0');
    expect((await api('GET', '/messages/999999999999', t.agent)).statusCode).toBe(404);
  });

  it("opens a case on an account for a stranger's mail, making the sender its contact; the next mail threads by itself", async () => {
    const from = `s-${uniq()}@newcustomer.example`;
    const id = await send(from, 'first contact');
    const r = await api('POST', `/messages/${id}/assign`, t.agent, { accountId: t.child.id });
    expect(r.statusCode).toBe(200);
    const { caseNumber } = r.json();
    const c = await h.app.inject({ method: 'GET', url: `/api/v1/cases/${caseNumber}`, headers: t.customer });
    expect(c.statusCode).toBe(200);
    expect(c.json()).toMatchObject({ channel: 'email', subject: 'first contact' });
    // Taken: a second agent gets 409, and it is off the list.
    expect((await api('POST', `/messages/${id}/assign`, t.agent, { accountId: t.child.id })).statusCode).toBe(409);
    const listed = (await api('GET', '/triage?limit=200', t.agent)).json().items.map((m: { id: number }) => m.id);
    expect(listed).not.toContain(id);
    // Now a contact of the account: a new mail from the same address opens its case without triage.
    const next = await send(from, `[${caseNumber}] more`);
    const shown = (await api('GET', `/messages/${next}`, t.agent)).json();
    expect(shown).toMatchObject({ threadRule: 'subject_tag', caseNumber });
  });

  it('counts all the mail waiting, not only the page, and the count drops when one is taken', async () => {
    await send(`s-${uniq()}@unknown.example`, 'one');
    const last = await send(`s-${uniq()}@unknown.example`, 'two');
    const waiting = async () =>
      (
        await h.ctx.database.query<{ n: number }>(
          "select count(*)::int as n from mail_messages where thread_rule = 'triage'",
        )
      )[0]!.n;
    const page = (await api('GET', '/triage?limit=1', t.agent)).json();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const before = await waiting();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(page.total).toBe(before);
    expect((await api('POST', `/messages/${last}/dismiss`, t.agent, {})).statusCode).toBe(204);
    expect((await api('GET', '/triage?limit=1', t.agent)).json().total).toBe(before - 1);
  });

  it('puts a mail on an existing case (staff-only by default), dismisses another, and names bad input', async () => {
    const kase = await h.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: t.agent,
      payload: { accountId: t.child.id, type: 'incident', channel: 'phone', subject: 'x', severity: 'low' },
    });
    const caseNumber = kase.json().number;
    const id = await send(`s-${uniq()}@unknown.example`, 'belongs to a case');
    const r = await api('POST', `/messages/${id}/assign`, t.agent, { caseNumber });
    expect(r.json()).toEqual({ caseNumber });
    const seen = await h.app.inject({ method: 'GET', url: `/api/v1/cases/${caseNumber}/events`, headers: t.customer });
    expect(seen.body).not.toContain('belongs to a case');

    const other = await send(`s-${uniq()}@spam.example`, 'cheap watches');
    expect((await api('POST', `/messages/${other}/dismiss`, t.agent, { note: 'spam' })).statusCode).toBe(204);
    expect((await api('POST', `/messages/${other}/dismiss`, t.agent, {})).statusCode).toBe(409);

    const third = await send(`s-${uniq()}@unknown.example`, 'bad input');
    const missing = await api('POST', `/messages/${third}/assign`, t.agent, { caseNumber: 'C-1999-000001' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('mail.case_not_found');
    const both = await api('POST', `/messages/${third}/assign`, t.agent, { caseNumber, accountId: t.child.id });
    expect(both.statusCode).toBe(400);
    const noAccount = await api('POST', `/messages/${third}/assign`, t.agent, { accountId: 999999999 });
    expect(noAccount.statusCode).toBe(404);
  });
});
