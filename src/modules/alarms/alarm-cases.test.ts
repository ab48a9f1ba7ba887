import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({
    mailFrom: { name: 'Desk', address: 'support@desk.test' },
    mailAddresses: new Map([['support@desk.test', 'support']]),
  });
});
afterAll(() => h.close());

const H = 3_600_000;
const D = 24 * H;
const staff = cliPrincipal('alarm-cases-test');
const src = { transport: 'http' as const, credentialId: null };

/** SMS events every 4 hours for four days, ending `endsAgo` before now. */
async function rhythm(sims: MadeSim[], endsAgo: number) {
  const start = Math.floor((Date.now() - endsAgo) / H) * H - 4 * D;
  const ats = Array.from({ length: 25 }, (_, i) => start + i * 4 * H + 10 * 60_000);
  const lines = sims.flatMap((sim, s) =>
    ats.map((at, i) => ({
      line: s * 100 + i + 1,
      value: { ts: new Date(at).toISOString(), iccid: sim.iccid20, type: 'sms_mo', network: { mcc: '262', mnc: '01' } },
    })),
  );
  expect(await h.services.ingest.acceptNetwork(lines, src)).toMatchObject({ accepted: lines.length });
  await h.services.ingest.drained();
  await h.runJobs();
  return ats[ats.length - 1]!;
}

async function setup() {
  const t = await makeTenant(h.services);
  const u = uniq();
  await h.services.accounts.addContact(staff, t.child.id, {
    name: 'Greta',
    email: `greta-${u}@client.example`,
    language: 'de',
    roles: ['technical'],
  });
  // Not technical: the monitoring mail goes to the technical contacts only.
  await h.services.accounts.addContact(staff, t.child.id, {
    name: 'Bill',
    email: `bill-${u}@client.example`,
    language: 'en',
    roles: ['billing'],
  });
  const rule = await h.services.alarms.rules.create(staff, {
    name: `Cases for ${t.child.id}`,
    kind: 'silence',
    enabled: true,
    scope: { accountIds: [t.child.id] },
    params: { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 },
    severity: 'major',
    escalation: null,
    schedule: null,
    openCase: true,
    remindMinutes: 30,
  });
  return { t, u, rule };
}

const caseOf = (number: string) =>
  h.ctx.database
    .query<{
      id: string;
      channel: string;
      type: string;
      severity: string;
      affected_sim_count: number;
      tags: string[];
      state: string;
    }>('select id::text, channel, type, severity, affected_sim_count, tags, state from cases where number = $1', [
      number,
    ])
    .then((r) => r[0]!);

describe('alarm → case', () => {
  it('opens one monitoring case for an account’s silent SIMs, tells its technical contact in German, and adds later ones to it', async () => {
    const { t, u } = await setup();
    const sims = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' });
    const last = await rhythm(sims.slice(0, 2), 8 * H);
    const clock = { now: last + 6.5 * H };
    const alarms = alarmsAt(h, clock);
    expect(await alarms.silenceTick()).toMatchObject({ raised: 2 });
    // Two workers at once: one case.
    const [a, b] = await Promise.all([alarms.caseTick(), alarms.caseTick()]);
    expect(a.alarms + b.alarms).toBe(2);
    expect(a.cases + b.cases).toBe(1);
    const rows = await h.ctx.database.query<{ case_number: string; case_pending: boolean }>(
      `select case_number, case_pending from alarms where account_id = $1`,
      [t.child.id],
    );
    expect(rows).toHaveLength(2);
    const number = rows[0]!.case_number;
    expect(rows.every((r) => r.case_number === number && !r.case_pending)).toBe(true);
    expect(await caseOf(number)).toMatchObject({
      channel: 'monitoring',
      type: 'incident',
      severity: 'high',
      affected_sim_count: 2,
      tags: ['monitoring', 'alarm:silence'],
    });
    await h.runJobs();
    const mails = await h.ctx.database.query<{ kind: string; to: string; subject: string; text: string }>(
      `select kind, to_address as "to", subject, text_body as text from mail_outbound
        where case_id = (select id from cases where number = $1)`,
      [number],
    );
    expect(mails).toEqual([
      expect.objectContaining({
        kind: 'monitoring_opened',
        to: `greta-${u}@client.example`,
        subject: `[${number}] Wir haben ein Problem mit 2 Ihrer SIM-Karten bemerkt`,
      }),
    ]);
    expect(mails[0]!.text).toContain(`Wir haben den Fall ${number} eröffnet`);
    // The case's diagnosis followed from its SIMs being set.
    const entries = await h.services.cases.events(staff, number);
    expect(entries.some((e) => (e.data as { action?: string } | null)?.action === 'diagnosis')).toBe(true);

    // The third SIM goes silent later: it joins the open case, with a note.
    const later = await rhythm([sims[2]!], 2 * H);
    clock.now = later + 6.5 * H;
    expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
    expect(await alarms.caseTick()).toMatchObject({ alarms: 1, cases: 1 });
    expect((await caseOf(number)).affected_sim_count).toBe(3);
    const notes = await h.services.cases.events(staff, number);
    expect(notes.some((e) => e.body.includes('1 more SIM(s) stopped sending data'))).toBe(true);
  });

  it('opens a new case once the last one is resolved; none for an alarm cleared before its case', async () => {
    const { t } = await setup();
    const sims = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' });
    const alarmsOf = () =>
      h.ctx.database.query<{ case_number: string | null; case_pending: boolean; cleared: boolean }>(
        'select case_number, case_pending, cleared_at is not null as cleared from alarms where account_id = $1 order by id',
        [t.child.id],
      );
    // Raised, then the SIM talks before any case pass: cleared, and no case.
    const quiet = await rhythm([sims[2]!], 30 * H);
    const clock = { now: quiet + 6.5 * H };
    const alarms = alarmsAt(h, clock);
    expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
    await rhythm([sims[2]!], H);
    clock.now += 5 * 60_000;
    expect(await alarms.silenceTick()).toMatchObject({ cleared: 1 });
    expect(await alarms.caseTick()).toMatchObject({ alarms: 0, cases: 0 });
    expect(await alarmsOf()).toEqual([{ case_number: null, case_pending: false, cleared: true }]);

    const last = await rhythm([sims[0]!], 20 * H);
    clock.now = last + 6.5 * H;
    await alarms.silenceTick();
    expect(await alarms.caseTick()).toMatchObject({ alarms: 1, cases: 1 });
    const first = (await alarmsOf())[1]!.case_number!;
    await h.services.cases.transition(staff, first, { to: 'open' });
    await h.services.cases.transition(staff, first, { to: 'resolved', note: 'Power restored on site' });
    const again = await rhythm([sims[1]!], 2 * H);
    clock.now = again + 6.5 * H;
    await alarms.silenceTick();
    expect(await alarms.caseTick()).toMatchObject({ alarms: 1, cases: 1 });
    const numbers = await alarmsOf();
    expect(numbers).toHaveLength(3);
    expect(numbers[2]!.case_number).not.toBe(first);
    expect((await caseOf(numbers[2]!.case_number!)).affected_sim_count).toBe(1);
  });

  it('reminds the desk of an unacknowledged alarm every remindMinutes, once per reminder, until acknowledged', async () => {
    const { t } = await setup();
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const last = await rhythm([sim!], 8 * H);
    const due = last + 6.5 * H;
    const clock = { now: due };
    const alarms = alarmsAt(h, clock);
    await alarms.silenceTick();
    const [alarm] = await h.ctx.database.query<{ id: string }>('select id::text from alarms where account_id = $1', [
      t.child.id,
    ]);
    const reminders = () =>
      h.ctx.database.query<{ title: string }>(
        `select title from notifications where kind = 'alarm_unacknowledged' and dedupe_key like $1 order by id`,
        [`alarm-reminder:${alarm!.id}:%`],
      );
    // (Other tests' alarms are reminded too: this one's reminders are counted by its dedupe key.)
    clock.now = due + 29 * 60_000;
    await alarms.remindTick();
    expect(await reminders()).toEqual([]);
    clock.now = due + 30 * 60_000;
    await Promise.all([alarms.remindTick(), alarms.remindTick()]);
    expect(await reminders()).toEqual([
      { title: expect.stringContaining(`Alarm ${alarm!.id} unacknowledged for 30 min`) },
    ]);
    clock.now = due + 60 * 60_000;
    await alarms.remindTick();
    expect(await reminders()).toHaveLength(2);
    await alarms.acknowledge(staff, Number(alarm!.id));
    clock.now = due + 120 * 60_000;
    await alarms.remindTick();
    expect(await reminders()).toHaveLength(2);
  });
});
