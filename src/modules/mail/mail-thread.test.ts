import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';

/**
 * Threading on the real stack (stored mail → the mail.intake subscriber → cases), with the header shapes that
 * Outlook, Gmail, Thunderbird and Apple Mail write when a customer replies, and a ticketing system that strips
 * References. What must never happen: a reply on another customer's case, a second case for a reply, a robot
 * reopening a case, a mail lost.
 */
let h: Harness;
let t: Tenant;
let other: Tenant;
const staff = cliPrincipal('mail-test');
const u = uniq();
const ann = `ann-${u}@meters.example`;
const bob = `bob-${u}@trackers.example`;

beforeAll(async () => {
  h = await harness({
    mailPartners: [{ provider: 'Telia', domains: ['telia.example'], ticket: /INC\d{6}/ }],
    mailSenderLimitPerHour: 1000,
    attachmentMaxBytes: 2048,
  });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  await h.services.accounts.addContact(staff, t.child.id, { name: 'Ann Meter', email: ann, roles: [] });
  await h.services.accounts.addContact(staff, other.child.id, { name: 'Bob Tracker', email: bob, roles: [] });
});
afterAll(async () => {
  await h.close();
});

type Shape = { from: string; subject: string; messageId: string; headers?: string[]; body?: string };
const CRLF = '\r\n';

/** A raw RFC 5322 message as a client writes it. */
function raw(s: Shape): Buffer {
  const lines = [
    `From: ${s.from}`,
    'To: Support <support@desk.test>',
    `Subject: ${s.subject}`,
    'Date: Sun, 06 Dec 2026 07:00:00 +0100',
    `Message-ID: ${s.messageId}`,
    'MIME-Version: 1.0',
    ...(s.headers ?? []),
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    s.body ?? 'Hello',
  ];
  return Buffer.from(lines.join(CRLF));
}

/** Stores a mail as the intake does, without threading it yet. */
const store = (s: Shape, envelopeTo = 'support@desk.test') =>
  h.services.mail.accept({
    transport: 'smtp',
    envelopeFrom: s.from.match(/<([^>]+)>/)?.[1] ?? s.from,
    envelopeTo: [envelopeTo],
    queue: 'support',
    remoteAddress: '127.0.0.1',
    raw: raw(s),
  });

/** Stores a mail and runs the jobs: threaded as the worker would. */
async function send(s: Shape, envelopeTo = 'support@desk.test') {
  const { id } = await store(s, envelopeTo);
  await h.runJobs();
  const [row] = await h.ctx.database.query<{
    rule: string | null;
    caseId: number | null;
    reason: string | null;
    refused: number | null;
  }>(
    `select thread_rule as rule, case_id::int as "caseId", triage_reason as reason,
            refused_case_id::int as refused from mail_messages where id = $1`,
    [id],
  );
  return { id, ...row! };
}

const caseOf = async (id: number) => {
  const [c] = await h.ctx.database.query<{ number: string; state: string; accountId: number; channel: string }>(
    `select number, state, account_id::int as "accountId", channel from cases where id = $1`,
    [id],
  );
  return c!;
};
const entries = (caseId: number) =>
  h.ctx.database.query<{ kind: string; visibility: string; body: string; authorSide: string }>(
    `select kind, visibility, body, author_side as "authorSide" from case_events where case_id = $1 order by id`,
    [caseId],
  );
const mid = (tag: string) => `<${tag}-${uniq()}@client.example>`;

describe('mail threading', () => {
  let first: { id: number; caseId: number | null };
  let firstId: string;

  it("opens a case on the sender's account for a new mail, the sender on it as a contact", async () => {
    firstId = mid('first');
    first = await send({
      from: `Ann Meter <${ann}>`,
      subject: 'Meters in Malmö not sending data',
      messageId: firstId,
      body: 'Since 8:00 none of our 40 meters sends data.',
    });
    expect(first).toMatchObject({ rule: 'new_case' });
    const c = await caseOf(first.caseId!);
    expect(c).toMatchObject({ accountId: t.child.id, channel: 'email', state: 'new' });
    const timeline = await entries(first.caseId!);
    expect(timeline.at(-1)).toMatchObject({ kind: 'email_in', visibility: 'public', authorSide: 'customer' });
    expect(timeline.at(-1)!.body).toContain('none of our 40 meters');
    const detail = await h.services.caseParties.detail(staff, c.number);
    expect(detail.contacts.map((k) => k.email)).toEqual([ann]);
    // No relay configured (SMTP_URL): the "received" notice waits in the outbox.
    const held = await h.ctx.database.query<{ kind: string; state: string; toAddress: string }>(
      `select kind, state, to_address as "toAddress" from mail_outbound where case_id = $1`,
      [first.caseId],
    );
    expect(held).toEqual([{ kind: 'case_received', state: 'held', toAddress: ann }]);
  });

  it.each([
    [
      'Gmail',
      (prev: string) => ({
        subject: 'Re: Meters in Malmö not sending data',
        headers: [`In-Reply-To: ${prev}`, `References: ${prev}`],
      }),
    ],
    [
      'Outlook',
      (prev: string) => ({
        subject: 'AW: Meters in Malmö not sending data',
        headers: [
          'Thread-Topic: Meters in Malmö not sending data',
          'Thread-Index: AQHbR2c1k7x0cm9uZ3Rlc3Q=',
          `In-Reply-To: ${prev}`,
          `References: ${prev}`,
          'X-MS-Has-Attach:',
          'Content-Language: de-DE',
        ],
      }),
    ],
    [
      'Thunderbird',
      (prev: string) => ({
        subject: 'Re: Meters in Malmö not sending data',
        headers: [
          'User-Agent: Mozilla Thunderbird',
          `References: <unrelated-${uniq()}@elsewhere.example>\r\n ${prev}`,
          `In-Reply-To: ${prev}`,
        ],
      }),
    ],
    [
      'Apple Mail',
      (prev: string) => ({
        subject: 'Re: Meters in Malmö not sending data',
        headers: ['X-Mailer: Apple Mail (2.3774.200.91.1.1)', `In-Reply-To: ${prev}`, `References: ${prev}`],
      }),
    ],
  ])('threads a %s reply onto the same case by its headers', async (_client, shape) => {
    const r = await send({
      from: `Ann Meter <${ann}>`,
      messageId: mid('reply'),
      body: 'Still down.',
      ...shape(firstId),
    });
    expect(r).toMatchObject({ rule: 'reference', caseId: first.caseId });
  });

  it('threads a mail that lost its headers by the subject tag, the plus-address or the body token', async () => {
    const { number } = await caseOf(first.caseId!);
    // A ticketing system forwarding for the customer: no In-Reply-To, no References.
    const tagged = await send({ from: ann, subject: `RE: [${number}] Meters`, messageId: mid('tag') });
    expect(tagged).toMatchObject({ rule: 'subject_tag', caseId: first.caseId });
    const plus = await send(
      { from: ann, subject: 'no tag here', messageId: mid('plus') },
      `support+${number}@desk.test`,
    );
    expect(plus).toMatchObject({ rule: 'token', caseId: first.caseId });
    const quoted = await send({
      from: ann,
      subject: 'fwd',
      messageId: mid('token'),
      body: `see below\n> Your case\n> [ref:${number}]`,
    });
    expect(quoted).toMatchObject({ rule: 'token', caseId: first.caseId });
  });

  it("never puts a reply on another customer's case: its sender gets its own case, linked for the agent", async () => {
    const { number } = await caseOf(first.caseId!);
    const before = (await entries(first.caseId!)).length;
    const r = await send({
      from: bob,
      subject: `Re: [${number}] Meters`,
      messageId: mid('bob'),
      headers: [`In-Reply-To: ${firstId}`],
      body: 'Bob here',
    });
    expect(r.rule).toBe('new_case');
    expect(r.caseId).not.toBe(first.caseId);
    expect(r.refused).toBe(first.caseId);
    expect(await caseOf(r.caseId!)).toMatchObject({ accountId: other.child.id });
    const annCase = await entries(first.caseId!);
    expect(annCase.slice(before).every((e) => e.visibility === 'internal' && e.kind === 'system')).toBe(true);
    expect(annCase.some((e) => e.body.includes('Bob here'))).toBe(false);
    // Bob's customer sees his own case, and nothing of Ann's number.
    const seen = await h.app.inject({
      method: 'GET',
      url: `/cases/${(await caseOf(r.caseId!)).number}/events`,
      headers: other.customer,
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.body).not.toContain(number);
  });

  it('keeps an unknown sender in triage, even with a case token, and notes it on the case for the agent', async () => {
    const { number } = await caseOf(first.caseId!);
    const r = await send({ from: `stranger-${u}@nowhere.example`, subject: `[${number}] hi`, messageId: mid('x') });
    expect(r).toMatchObject({ rule: 'triage', reason: 'unknown_sender', caseId: null, refused: first.caseId });
  });

  it("keeps a mail in triage whose From the receiving server judged forged, though it names Ann's case as Ann", async () => {
    const { number } = await caseOf(first.caseId!);
    const before = (await entries(first.caseId!)).length;
    const r = await send({
      from: `Ann Meter <${ann}>`,
      subject: `Re: [${number}] Meters`,
      messageId: mid('forged'),
      headers: [
        'Authentication-Results: mx.desk.test; spf=fail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail',
        `In-Reply-To: ${firstId}`,
      ],
      body: 'Please send the SIM list to this address.',
    });
    expect(r).toMatchObject({ rule: 'triage', reason: 'sender_unverified', caseId: null, refused: first.caseId });
    const after = await entries(first.caseId!);
    expect(after.slice(before).some((e) => e.body.includes('SIM list'))).toBe(false);
  });

  it('threads a mail first when its reply is threaded before it (both arrived at once): one case, not two', async () => {
    const parentId = mid('parent');
    const parent = await store({ from: ann, subject: 'Gateway 7 down', messageId: parentId });
    const reply = await store({
      from: ann,
      subject: 'Re: Gateway 7 down',
      messageId: mid('child'),
      headers: [`In-Reply-To: ${parentId}`],
    });
    // The reply's job runs first.
    await h.services.mail.parse(reply.id);
    const r = await h.services.mail.thread(reply.id);
    await h.runJobs();
    const [p] = await h.ctx.database.query<{ caseId: number; rule: string }>(
      'select case_id::int as "caseId", thread_rule as rule from mail_messages where id = $1',
      [parent.id],
    );
    expect(p).toMatchObject({ rule: 'new_case' });
    expect(r).toEqual({ caseId: p!.caseId, rule: 'reference' });
  });

  it('threads a burst claimed together in one go: a first mail and the replies behind it make one case', async () => {
    const firstOf = mid('burst-first');
    const secondOf = mid('burst-second');
    const ids = [
      (await store({ from: ann, subject: 'Router 3 offline', messageId: firstOf })).id,
      (
        await store({
          from: ann,
          subject: 'Re: Router 3 offline',
          messageId: secondOf,
          headers: [`In-Reply-To: ${firstOf}`],
        })
      ).id,
      // Apple Mail answering the second: References names both, the newest last.
      (
        await store({
          from: ann,
          subject: 'Re: Router 3 offline',
          messageId: mid('burst-third'),
          headers: [`In-Reply-To: ${secondOf}`, `References: ${firstOf} ${secondOf}`],
        })
      ).id,
      // Bob (another customer) quoting Ann's mail: never on her case.
      (
        await store({
          from: bob,
          subject: 'Re: Router 3 offline',
          messageId: mid('burst-bob'),
          headers: [`In-Reply-To: ${firstOf}`],
        })
      ).id,
    ];
    await h.services.mail.parse(ids);
    await h.services.mail.threadMany([...ids].reverse());
    const rows = await h.ctx.database.query<{ rule: string; caseId: number; refused: number | null }>(
      `select thread_rule as rule, case_id::int as "caseId", refused_case_id::int as refused
         from mail_messages where id = any($1::bigint[]) order by id`,
      [ids],
    );
    expect(rows.map((r) => r.rule)).toEqual(['new_case', 'reference', 'reference', 'new_case']);
    expect(new Set(rows.slice(0, 3).map((r) => r.caseId)).size).toBe(1);
    expect(rows[3]!.caseId).not.toBe(rows[0]!.caseId);
    expect(rows[3]!.refused).toBe(rows[0]!.caseId);
    expect((await caseOf(rows[3]!.caseId)).accountId).toBe(other.child.id);
    // Run again (a retried job): nothing moves.
    await h.services.mail.threadMany(ids);
    expect((await entries(rows[0]!.caseId)).filter((e) => e.kind === 'email_in')).toHaveLength(3);
  });

  it('two bursts threaded at once onto the same cases in opposite orders both land (no deadlock)', async () => {
    const tagged = async (subject: string) => (await store({ from: ann, subject, messageId: mid('x') })).id;
    const a = await send({ from: ann, subject: 'Case A', messageId: mid('case-a') });
    const b = await send({ from: ann, subject: 'Case B', messageId: mid('case-b') });
    const tag = async (caseId: number) => `[${(await caseOf(caseId)).number}]`;
    const [ta, tb] = [await tag(a.caseId!), await tag(b.caseId!)];
    const one = [await tagged(`${ta} one`), await tagged(`${tb} one`)];
    const two = [await tagged(`${tb} two`), await tagged(`${ta} two`)];
    await h.services.mail.parse([...one, ...two]);
    await Promise.all([h.services.mail.threadMany(one), h.services.mail.threadMany(two)]);
    const rows = await h.ctx.database.query<{ rule: string; caseId: number }>(
      `select thread_rule as rule, case_id::int as "caseId" from mail_messages where id = any($1::bigint[]) order by id`,
      [[...one, ...two]],
    );
    expect(rows).toEqual([
      { rule: 'subject_tag', caseId: a.caseId },
      { rule: 'subject_tag', caseId: b.caseId },
      { rule: 'subject_tag', caseId: b.caseId },
      { rule: 'subject_tag', caseId: a.caseId },
    ]);
  });

  it("keeps a mail's files, inline image included, as the entry's attachments; a file over the limit is named", async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const big = Buffer.alloc(3000, 'x');
    const raw = [
      `From: Ann Meter <${ann}>`,
      'To: support@desk.test',
      'Subject: Logs attached',
      `Message-ID: ${mid('files')}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="MIX"',
      '',
      '--MIX',
      'Content-Type: multipart/related; boundary="REL"',
      '',
      '--REL',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:shot1"> and the log.</p>',
      '--REL',
      'Content-Type: image/png',
      'Content-ID: <shot1>',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--REL--',
      '--MIX',
      'Content-Type: text/plain; name="../../etc/modem.log"',
      'Content-Disposition: attachment; filename="../../etc/modem.log"',
      '',
      'AT+CGDCONT? ERROR',
      '--MIX',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="dump.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      big.toString('base64'),
      '--MIX--',
    ].join(CRLF);
    const { id } = await h.services.mail.accept({
      transport: 'smtp',
      envelopeFrom: ann,
      envelopeTo: ['support@desk.test'],
      queue: 'support',
      remoteAddress: null,
      raw: Buffer.from(raw),
    });
    await h.runJobs();
    const [row] = await h.ctx.database.query<{ caseId: number }>(
      'select case_id::int as "caseId" from mail_messages where id = $1',
      [id],
    );
    const { number } = await caseOf(row!.caseId);
    const events = await h.app.inject({ method: 'GET', url: `/api/v1/cases/${number}/events`, headers: t.customer });
    const mail = events.json().items.find((e: { kind: string }) => e.kind === 'email_in');
    expect(mail.attachments.map((a: { filename: string }) => a.filename).sort()).toEqual([
      'attachment-1.png',
      'modem.log',
    ]);
    expect(mail.data.attachmentsNotKept).toEqual([
      { filename: 'dump.bin', size: 3000, reason: 'larger than 2048 bytes' },
    ]);
    // The desk's mail store is staff-only: its id is not the customer's to see; staff get it to open the original.
    expect(mail.data).not.toHaveProperty('mailId');
    const staffView = await h.app.inject({ method: 'GET', url: `/api/v1/cases/${number}/events`, headers: t.agent });
    expect(staffView.json().items.find((e: { kind: string }) => e.kind === 'email_in').data.mailId).toBe(id);
    const log = mail.attachments.find((a: { filename: string }) => a.filename === 'modem.log');
    const file = await h.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${number}/attachments/${log.id}`,
      headers: t.customer,
    });
    expect(file.statusCode).toBe(200);
    expect(file.body.trimEnd()).toBe('AT+CGDCONT? ERROR');
  });

  it('drops a second copy of a Message-ID', async () => {
    const id = mid('dup');
    const a = await send({ from: ann, subject: 'dup', messageId: id, headers: [`In-Reply-To: ${firstId}`] });
    const b = await send({ from: ann, subject: 'dup', messageId: id, headers: [`In-Reply-To: ${firstId}`] });
    expect(a.rule).toBe('reference');
    expect(b).toMatchObject({ rule: 'duplicate', caseId: null });
  });

  it('records an auto-reply on its case without reopening it; a robot never opens a case', async () => {
    const { number } = await caseOf(first.caseId!);
    await h.services.cases.transition(staff, number, { to: 'open' });
    await h.services.cases.transition(staff, number, { to: 'resolved' });
    const auto = await send({
      from: ann,
      subject: `Automatic reply: [${number}]`,
      messageId: mid('ooo'),
      headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${firstId}`],
      body: 'I am out of office',
    });
    expect(auto).toMatchObject({ rule: 'reference', caseId: first.caseId });
    expect((await caseOf(first.caseId!)).state).toBe('resolved');
    expect((await entries(first.caseId!)).at(-1)).toMatchObject({ kind: 'email_in', visibility: 'internal' });
    const lone = await send({
      from: ann,
      subject: 'Out of office',
      messageId: mid('ooo2'),
      headers: ['Precedence: bulk'],
    });
    expect(lone).toMatchObject({ rule: 'triage', reason: 'automatic' });
  });

  it("reopens a resolved case on the customer's reply, and opens a linked follow-up after it closed", async () => {
    const { number } = await caseOf(first.caseId!);
    const reply = await send({
      from: ann,
      subject: 'Re: still broken',
      messageId: mid('re'),
      headers: [`In-Reply-To: ${firstId}`],
    });
    expect(reply.caseId).toBe(first.caseId);
    expect((await caseOf(first.caseId!)).state).toBe('open');
    await h.services.cases.transition(staff, number, { to: 'resolved' });
    await h.services.cases.transition(staff, number, { to: 'closed' });
    const late = await send({ from: ann, subject: `Re: [${number}]`, messageId: mid('late') });
    expect(late.rule).toBe('subject_tag');
    expect(late.caseId).not.toBe(first.caseId);
    const [followUp] = await h.ctx.database.query<{ followUpOf: number; channel: string }>(
      `select follow_up_of::int as "followUpOf", channel from cases where id = $1`,
      [late.caseId],
    );
    expect(followUp).toEqual({ followUpOf: first.caseId, channel: 'email' });
  });

  it("puts a partner's ticket mail on the case holding its ticket, staff-only; an unknown ticket waits in triage", async () => {
    const c = await send({ from: ann, subject: 'Roaming down', messageId: mid('roam') });
    const { number } = await caseOf(c.caseId!);
    await h.services.caseParties.addProviderRef(staff, number, { provider: 'Telia', ticket: 'INC004242' });
    const partner = await send({
      from: `noc@tickets.telia.example`,
      subject: 'Update on INC004242: restored 09:12',
      messageId: mid('telia'),
      body: 'Restored.',
    });
    expect(partner).toMatchObject({ rule: 'partner_ticket', caseId: c.caseId });
    expect((await entries(c.caseId!)).at(-1)).toMatchObject({
      kind: 'email_in',
      visibility: 'internal',
      authorSide: 'staff',
    });
    const unknown = await send({ from: 'noc@telia.example', subject: 'INC009999 opened', messageId: mid('telia2') });
    expect(unknown).toMatchObject({ rule: 'triage', reason: 'partner_ticket_unknown' });
  });
});
