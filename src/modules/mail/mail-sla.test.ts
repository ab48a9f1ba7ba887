import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';

/**
 * The mails the SLA clocks send on their own: the P1/P2 status update when the periodic update fell due and no one
 * wrote one (repeated each interval, stopped by a pause), and the reminder a working day before a resolved case
 * closes itself. Without a relay the mails are held in the outbox, words and all: that is what these read.
 */
let h: Harness;
let t: Tenant;
const staff = cliPrincipal('mail-sla-test');
const u = uniq();

beforeAll(async () => {
  h = await harness({
    mailFrom: { name: 'Desk', address: 'support@desk.test' },
    mailAddresses: new Map([['support@desk.test', 'support']]),
  });
  t = await makeTenant(h.services);
});
afterAll(async () => h.close());

type Out = { kind: string; state: string; subject: string; text: string; to: string; automatic: boolean };
const outbox = (caseId: number) =>
  h.ctx.database.query<Out>(
    `select kind, state, subject, text_body as text, to_address as "to", automatic
       from mail_outbound where case_id = $1 order by id`,
    [caseId],
  );
const kinds = async (caseId: number) => (await outbox(caseId)).map((m) => m.kind);

/** A case with one contact; P1 by the agent's override (a critical fault for the whole fleet, say). */
async function openCase(language: 'en' | 'fr' | 'de' | 'it' | 'sv', priority: 'P1' | 'P3') {
  const severity = priority === 'P1' ? 'critical' : 'medium';
  const k = await h.services.accounts.addContact(staff, t.child.id, {
    name: `Claire ${language}`,
    email: `claire-${language}-${severity}-${u}@client.example`,
    language,
    roles: [],
  });
  const created = await h.services.caseParties.create(staff, {
    accountId: t.child.id,
    type: 'incident',
    channel: 'phone',
    subject: 'Compteurs muets',
    severity,
    description: '',
    affectedIccids: [],
    tags: [],
    contactIds: [k.id],
  });
  const c =
    priority === 'P1'
      ? await h.services.cases.overridePriority(staff, created.case.number, { priority, reason: 'whole fleet down' })
      : created.case;
  await h.runJobs();
  return c;
}
const updateDue = async (number: string) => {
  const sla = await h.app.inject({ url: `/api/v1/cases/${number}/sla`, headers: t.agent });
  const m = sla.json().metrics.find((x: { metric: string }) => x.metric === 'periodic_update');
  return { dueAt: new Date(m.dueAt as string), minutes: m.targetMinutes as number };
};
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

describe('status update of a P1/P2 case', () => {
  it('goes out when the update falls due unwritten, in the contact’s language, and again each interval', async () => {
    const c = await openCase('fr', 'P1');
    expect(c.priority).toBe('P1');
    const { dueAt, minutes } = await updateDue(c.number);
    expect(minutes).toBe(60);
    await h.runJobs(plus(dueAt, -60_000));
    expect(await kinds(c.id)).toEqual(['case_received']);

    await h.runJobs(plus(dueAt, 1000));
    const [, first] = await outbox(c.id);
    expect(first).toMatchObject({ kind: 'status_update', state: 'held', automatic: true });
    expect(first!.subject).toBe(`[${c.number}] État de votre dossier : Compteurs muets`);
    // Where it stands in French words, and when the next one is due, in French (and UTC).
    expect(first!.text).toContain(`le dossier ${c.number} (P1) est reçu`);
    const next = plus(dueAt, 60 * 60_000);
    const nextWords = new Intl.DateTimeFormat('fr', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
    expect(first!.text).toContain(`avant le ${nextWords.format(next)} UTC`);
    // No public update yet: the case's subject stands for it.
    expect(first!.text).toMatch(/Dernière mise à jour :\nCompteurs muets/);

    // Nobody writes for another hour: the customer hears again, once.
    await h.runJobs(plus(next, 1000));
    await h.runJobs(plus(next, 2000));
    expect(await kinds(c.id)).toEqual(['case_received', 'status_update', 'status_update']);
    // A worker back after five silent hours sends one, not the five it missed.
    await h.runJobs(plus(next, 5 * 3_600_000 + 1000));
    await h.runJobs(plus(next, 5 * 3_600_000 + 2000));
    expect(await kinds(c.id)).toEqual(['case_received', ...Array(3).fill('status_update')]);
  });

  it('carries the latest public update, and stops while the case waits for the customer', async () => {
    const c = await openCase('de', 'P1');
    await h.services.cases.transition(staff, c.number, { to: 'open' });
    await h.services.cases.addEvent(staff, c.number, {
      kind: 'note',
      visibility: 'public',
      body: 'Der Roaming-Partner hat eine Störung bestätigt.',
    });
    await h.runJobs();
    const { dueAt } = await updateDue(c.number);
    await h.runJobs(plus(dueAt, 1000));
    const status = (await outbox(c.id)).filter((m) => m.kind === 'status_update');
    expect(status).toHaveLength(1);
    expect(status[0]!.text).toContain(`Fall ${c.number} (P1) ist in Bearbeitung`);
    expect(status[0]!.text).toContain('Letzter Stand:\nDer Roaming-Partner hat eine Störung bestätigt.');

    // Waiting for the customer pauses the update clock: the series stops.
    await h.services.cases.transition(staff, c.number, { to: 'pending_customer' });
    await h.runJobs(plus(dueAt, 2000));
    await h.runJobs(plus(dueAt, 61 * 60_000));
    await h.runJobs(plus(dueAt, 125 * 60_000));
    expect((await outbox(c.id)).filter((m) => m.kind === 'status_update')).toHaveLength(1);
  });

  it('is not sent for a P3 case, whose customer hears only what agents write', async () => {
    const c = await openCase('en', 'P3');
    expect(c.priority).toBe('P3');
    const { dueAt } = await updateDue(c.number);
    await h.runJobs(plus(dueAt, 1000));
    await h.runJobs(plus(dueAt, 2 * 24 * 3_600_000));
    expect(await kinds(c.id)).toEqual(['case_received']);
  });
});

describe('verification reminder', () => {
  /** When the case's timer of this kind is due (the reminder, the close), as the SLA module scheduled it. */
  const timerAt = async (kind: string, caseId: number) => {
    const [job] = await h.ctx.database.query<{ runAt: Date }>(
      `select run_at as "runAt" from jobs where kind = $1 and payload->>'caseId' = $2`,
      [kind, String(caseId)],
    );
    return job ? new Date(job.runAt) : undefined;
  };
  const remindAt = (caseId: number) => timerAt('sla.verification_remind', caseId);

  it('reminds the contact a working day before the resolved case closes, with the day it closes', async () => {
    const c = await openCase('sv', 'P3');
    await h.services.cases.transition(staff, c.number, { to: 'open' });
    await h.services.cases.transition(staff, c.number, { to: 'resolved' });
    await h.runJobs();
    const at = await remindAt(c.id);
    expect(at, 'the reminder is scheduled at the resolution').toBeDefined();
    await h.runJobs(plus(at!, -60_000));
    expect(await kinds(c.id)).toEqual(['case_received', 'resolved']);
    await h.runJobs(plus(at!, 1000));
    const reminder = (await outbox(c.id)).at(-1)!;
    expect(reminder).toMatchObject({ kind: 'verification_reminder', automatic: true });
    expect(reminder.subject).toBe(`[${c.number}] Fungerar allt? Compteurs muets`);
    const closesAt = await timerAt('sla.verification_close', c.id);
    const words = new Intl.DateTimeFormat('sv', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
    expect(reminder.text).toContain(`avslutas ${words.format(closesAt!)} UTC`);
  });

  it('is not sent when the case was reopened before', async () => {
    const c = await openCase('it', 'P3');
    await h.services.cases.transition(staff, c.number, { to: 'open' });
    await h.services.cases.transition(staff, c.number, { to: 'resolved' });
    await h.runJobs();
    const at = await remindAt(c.id);
    await h.services.cases.transition(staff, c.number, { to: 'open' });
    await h.runJobs(plus(at!, 1000));
    expect(await kinds(c.id)).not.toContain('verification_reminder');
  });
});
