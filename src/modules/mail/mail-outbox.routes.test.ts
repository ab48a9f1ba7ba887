import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { MAIL_KINDS, PLACEHOLDER_MEANING, PLACEHOLDERS } from './mail-templates.ts';

/** The outbox and the templates over HTTP, without a relay (mail is held): who sees what, and what is refused. */
let h: Harness;
let t: Tenant;
let contactId: number;
/** Italian: no other test file mails in Italian, so a saved template cannot leak into one (the PostgreSQL run shares a database). */
let italianId: number;
const staff = cliPrincipal('outbox-test');

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  const k = await h.services.accounts.addContact(staff, t.child.id, {
    name: 'Lukas',
    email: `lukas-${uniq()}@example.test`,
    language: 'de',
    roles: [],
  });
  contactId = k.id;
  const it = await h.services.accounts.addContact(staff, t.child.id, {
    name: 'Giulia',
    email: `giulia-${uniq()}@example.test`,
    language: 'it',
    roles: [],
  });
  italianId = it.id;
});
afterAll(async () => {
  await h.close();
});

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) => h.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload }) });

async function openCase(subject: string, contact = contactId): Promise<string> {
  const r = await call('POST', '/cases', t.agent, {
    accountId: t.child.id,
    type: 'incident',
    channel: 'phone',
    subject,
    contactIds: [contact],
  });
  expect(r.statusCode).toBe(201);
  await h.runJobs();
  return r.json().case?.number ?? r.json().number;
}

describe('outbox', () => {
  it('shows held mail to staff, refuses to send it without a relay, and answers customers 403', async () => {
    const number = await openCase('Gateway offline');
    const page = await call('GET', `/mail/outbox?caseNumber=${number}`, t.agent);
    expect(page.statusCode).toBe(200);
    expect(page.json().items).toHaveLength(1);
    const [m] = page.json().items;
    expect(m).toMatchObject({
      caseNumber: number,
      kind: 'case_received',
      state: 'held',
      language: 'de',
      automatic: true,
    });
    expect(m.subject).toBe(`[${number}] Wir haben Ihre Anfrage erhalten: Gateway offline`);
    const send = await call('POST', `/mail/outbox/${m.id}/send`, t.agent, {});
    expect(send.statusCode).toBe(409);
    expect(send.json().error.code).toBe('mail.no_relay');
    expect((await call('GET', '/mail/outbox', t.customer)).statusCode).toBe(403);
    expect((await call('GET', '/mail/outbox?state=lost', t.agent)).statusCode).toBe(400);
    expect((await call('GET', '/mail/outbox?caseNumber=C-1999-000001', t.agent)).json().items).toEqual([]);
  });
});

describe('templates', () => {
  it('lists every kind in every language, built-in until an admin saves one', async () => {
    const r = await call('GET', '/mail/templates', t.agent);
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toHaveLength(MAIL_KINDS.length * 6);
    expect(MAIL_KINDS).toContain('monitoring_opened');
    // With what each placeholder becomes, so the editor lists what the server accepts.
    expect(r.json().placeholders.map((p: { name: string }) => p.name)).toEqual([...PLACEHOLDERS]);
    expect(r.json().placeholders[0]).toEqual({ name: 'caseNumber', meaning: PLACEHOLDER_MEANING.caseNumber });
    expect(
      r.json().items.find((x: { kind: string; language: string }) => x.kind === 'resolved' && x.language === 'sv'),
    ).toMatchObject({ custom: false, subject: 'Löst: {{caseSubject}}' });
  });

  it('refuses an unknown placeholder naming it, and an agent reply without the message', async () => {
    const bad = await call('PUT', '/mail/templates/case_received/de', t.admin, {
      subject: 'Fall {{casenumber}}',
      body: 'Hallo {{contactName}} {{foo}}',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      expect.objectContaining({ field: 'subject', value: '{{casenumber}}' }),
      expect.objectContaining({ field: 'body', value: '{{foo}}' }),
    ]);
    const noMessage = await call('PUT', '/mail/templates/agent_reply/en', t.admin, { subject: 'x', body: 'Hi' });
    expect(noMessage.statusCode).toBe(400);
    expect(noMessage.json().error.details[0].reason).toContain('{{message}}');
    const agent = await call('PUT', '/mail/templates/case_received/de', t.agent, { subject: 'x', body: 'y' });
    expect(agent.statusCode).toBe(403);
    expect((await call('PUT', '/mail/templates/welcome/de', t.admin, { subject: 'x', body: 'y' })).statusCode).toBe(
      400,
    );
  });

  it("uses an admin's wording for the next mail, and the built-in one again after a reset", async () => {
    const saved = await call('PUT', '/mail/templates/case_received/it', t.admin, {
      subject: 'Ricevuta: {{caseSubject}}',
      body: 'Ciao {{contactName}}, pratica {{caseNumber}} aperta.',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ kind: 'case_received', language: 'it', custom: true });
    try {
      const number = await openCase('Pompa muta', italianId);
      const [m] = (await call('GET', `/mail/outbox?caseNumber=${number}`, t.agent)).json().items;
      expect(m.subject).toBe(`[${number}] Ricevuta: Pompa muta`);
      expect(m.text).toContain(`Ciao Giulia, pratica ${number} aperta.`);
    } finally {
      expect((await call('DELETE', '/mail/templates/case_received/it', t.admin)).statusCode).toBe(204);
    }
    const all = (await call('GET', '/mail/templates', t.agent)).json().items;
    expect(
      all.find((x: { kind: string; language: string }) => x.kind === 'case_received' && x.language === 'it'),
    ).toMatchObject({ custom: false });
  });
});
