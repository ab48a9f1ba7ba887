import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../../test/support/harness.ts';
import { addPlans, toCsv, validLines } from './import.test-support.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
const COLS = ['iccid', 'imsi', 'msisdn', 'account', 'rate_plan', 'custom.site'];
const csvHeaders = (auth: Record<string, string>) => ({ ...auth, 'content-type': 'text/csv' });

beforeAll(async () => {
  h = await harness({ importMaxBytes: 64 * 1024 });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  await addPlans(h.ctx.database, t.root.id, t.root.id, 'routes');
});
afterAll(() => h.close());

/** Polls the job until it leaves `running` (bounded: the import of a few lines takes milliseconds). */
async function settled(id: number, auth: Record<string, string>) {
  for (let i = 0; i < 200; i++) {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/sims/imports/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    if (res.json().status !== 'running') return res.json();
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`import ${id} still running`);
}

describe('POST /api/v1/sims/imports', () => {
  it('202 with the job; polling shows it done; export returns the SIMs (happy path)', async () => {
    const lines = validLines(t.child.number, 5, { rate_plan: 'Rate routes', 'custom.site': `S-${uniq()}` });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?filename=batch1.csv',
      headers: csvHeaders(t.agent),
      payload: toCsv(COLS, lines),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'running', mode: 'atomic', source: 'api', filename: 'batch1.csv' });
    const job = await settled(res.json().id, t.agent);
    expect(job).toMatchObject({ status: 'succeeded', errorCode: null, counters: { rowsRead: 5, rowsImported: 5 } });

    const exp = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/export?accountId=${t.child.id}`,
      headers: t.customer,
    });
    expect(exp.statusCode).toBe(200);
    expect(exp.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(exp.body, { columns: true }) as Record<string, string>[];
    for (const l of lines) {
      const { imei: _notExported, ...sent } = l;
      expect(rows).toContainEqual(expect.objectContaining(sent));
    }
  });

  it('the file name is kept without its path; control characters in it are refused', async () => {
    const send = (filename: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/sims/imports?wait=true&filename=${encodeURIComponent(filename)}`,
        headers: csvHeaders(t.agent),
        payload: toCsv(COLS, validLines(t.child.number, 1, { rate_plan: 'Rate routes' })),
      });
    const ok = await send('C:\\exports\\../batch2.csv');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().filename).toBe('batch2.csv');
    const bad = await send('a\r\nb.csv');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'querystring.filename', value: 'a\r\nb.csv' });
  });

  it('400 for a bad header names the column; no job is created', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports',
      headers: csvHeaders(t.admin),
      payload: 'iccid,account,msisnd\n',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('sims.import_header_invalid');
    expect(res.json().error.details).toContainEqual(
      expect.objectContaining({ line: 1, field: 'msisnd', value: 'msisnd' }),
    );
  });

  it('wait=true: 400 with line/field/value for invalid lines, 409 for duplicates', async () => {
    const bad = validLines(t.child.number, 2);
    bad[1]!.imsi = '123450000000001';
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?wait=true',
      headers: csvHeaders(t.agent),
      payload: toCsv(['iccid', 'imsi', 'account'], bad),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'sims.import_rows_invalid',
      details: [{ line: 3, field: 'imsi', value: '123450000000001', reason: 'unknown MCC 123' }],
    });

    const dup = validLines(t.child.number, 1);
    const csv = toCsv(['iccid', 'account'], [dup[0]!, dup[0]!]);
    const conflict = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?wait=true',
      headers: csvHeaders(t.agent),
      payload: csv,
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('sims.import_duplicates');
    expect(conflict.json().error.details).toEqual([
      { line: 3, field: 'iccid', value: dup[0]!.iccid, reason: 'duplicate of line 2 in this file' },
    ]);
  });

  it('skip-invalid: the error report pages as JSON and downloads as CSV', async () => {
    const lines = validLines(t.child.number, 3);
    lines[0]!.account = 'NOPE';
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?mode=skip-invalid',
      headers: csvHeaders(t.admin),
      payload: toCsv(['iccid', 'account'], lines),
    });
    expect(res.statusCode).toBe(202);
    const job = await settled(res.json().id, t.admin);
    expect(job.counters).toMatchObject({ rowsImported: 2, rowsRejected: 1 });
    const page = await h.app.inject({ method: 'GET', url: `${job.links.errors}?limit=10`, headers: t.admin });
    expect(page.json()).toEqual({
      items: [{ line: 2, field: 'account', value: 'NOPE', reason: 'no account with this number' }],
      total: 1,
      offset: 0,
      limit: 10,
    });
    const csv = await h.app.inject({ method: 'GET', url: `${job.links.errors}?format=csv`, headers: t.admin });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toBe('line,field,value,reason\n2,account,NOPE,no account with this number\n');
  });

  it('413 for a body over IMPORT_MAX_BYTES', async () => {
    const big = toCsv(['iccid', 'account'], validLines(t.child.number, 2000));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?wait=true',
      headers: csvHeaders(t.admin),
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('sims.import_too_large');
  });

  it('401 without credentials, 403 for customers and read-only tokens', async () => {
    const payload = 'iccid,account\n';
    const anon = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports',
      headers: { 'content-type': 'text/csv' },
      payload,
    });
    expect(anon.statusCode).toBe(401);
    const cust = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports',
      headers: csvHeaders(t.rootCustomer),
      payload,
    });
    expect(cust.statusCode).toBe(403);
    expect(cust.json().error.code).toBe('sims.import_staff_only');
    const ro = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports',
      headers: csvHeaders(t.readOnlyAgent),
      payload,
    });
    expect(ro.statusCode).toBe(403);
  });
});

describe('GET /api/v1/sims/imports/:id and /api/v1/sims/export', () => {
  it('400 names the bad parameter', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/sims/export?state=ON', headers: t.agent });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'querystring.state', value: 'ON' }),
    );
  });

  it('customers get 404 for an import job; 401 without credentials', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?wait=true',
      headers: csvHeaders(t.admin),
      payload: toCsv(['iccid', 'account'], validLines(t.child.number, 1)),
    });
    const id = res.json().id as number;
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/v1/sims/imports/${id}`, headers: t.customer })).statusCode,
    ).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/sims/imports/${id}/errors` })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/sims/export' })).statusCode).toBe(401);
  });

  it("404 when a customer exports another tenant's account; customers see only their subtree", async () => {
    const mine = validLines(t.child.number, 1);
    const theirs = validLines(other.child.number, 1);
    const parent = validLines(t.root.number, 1);
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/imports?wait=true',
      headers: csvHeaders(t.admin),
      payload: toCsv(['iccid', 'account'], [...mine, ...theirs, ...parent]),
    });
    const cross = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/export?accountId=${other.child.id}`,
      headers: t.customer,
    });
    expect(cross.statusCode).toBe(404);
    const all = await h.app.inject({ method: 'GET', url: '/api/v1/sims/export', headers: t.customer });
    const accounts = new Set((parse(all.body, { columns: true }) as Record<string, string>[]).map((r) => r.account));
    expect([...accounts]).toEqual([t.child.number]);
  });
});
