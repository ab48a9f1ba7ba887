/**
 * Bulk load into a small table: on PGlite the import drops the non-unique secondary indexes of sims/sim_imsis and
 * rebuilds them before it commits (REBUILD_MAX_EXISTING). Whatever the outcome, the indexes must be there afterwards
 * with the migrations' definitions. On PostgreSQL the rebuild is off (lock), so the same checks prove it untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, testDbKind } from '../../../../test/support/harness.ts';
import { cliPrincipal } from '../../../platform/auth.ts';
import { isAppError } from '../../../platform/errors.ts';
import { ImportErrors as E } from './import.errors.ts';
import { toCsv, validLines } from './import.test-support.ts';

let h: Harness;
let t: Tenant;
const staff = cliPrincipal('import-index-test');
const COLS = ['iccid', 'imsi', 'msisdn', 'imei', 'account'];

type Idx = { name: string; def: string; oid: number };
const indexes = async (): Promise<Idx[]> =>
  h.ctx.database.query<Idx>(
    `SELECT indexname AS name, indexdef AS def, (quote_ident(schemaname) || '.' || quote_ident(indexname))::regclass::oid::int AS oid
     FROM pg_indexes WHERE tablename IN ('sims', 'sim_imsis') ORDER BY indexname`,
  );
const defs = (xs: Idx[]) => xs.map(({ name, def }) => ({ name, def }));
const SECONDARY = [
  'sim_imsis_sim_idx',
  'sims_created_idx',
  'sims_state_idx',
  'sims_tenant_account_idx',
  'sims_tenant_iccid_idx',
  'sims_updated_idx',
];
/** Names of the indexes that were recreated (a new oid) between two snapshots. */
const rebuilt = (before: Idx[], after: Idx[]) =>
  after.filter((a) => before.find((b) => b.name === a.name)?.oid !== a.oid).map((a) => a.name);

let original: Idx[];
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  original = await indexes();
});
afterAll(() => h.close());

describe('SIM import: secondary indexes around a bulk load', () => {
  it('the snapshot sees every index of the migrations', () => {
    const names = original.map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining([...SECONDARY, 'sims_pkey', 'sims_iccid_uq', 'sims_msisdn_uq']));
    expect(original.find((i) => i.name === 'sims_state_idx')?.def).toMatch(/USING btree \(state, id\)$/);
  });

  it('after a successful bulk import the indexes are back with identical definitions, and the lists work', async () => {
    const before = await indexes();
    const lines = validLines(t.child.number, 7);
    const { job, code } = await h.services.simImports.importCsv(staff, toCsv(COLS, lines), {
      mode: 'atomic',
      upsert: false,
      chunkRows: 3, // the first chunk is full: counts as a bulk load
    });
    expect(code).toBeNull();
    expect(job.rowsImported).toBe(7);
    const after = await indexes();
    expect(defs(after)).toEqual(defs(original));
    // PGlite rebuilt exactly the non-unique secondary indexes; PostgreSQL touched none.
    expect(rebuilt(before, after).sort()).toEqual(testDbKind === 'pglite' ? SECONDARY : []);

    for (const sort of ['iccid', 'createdAt', 'updatedAt', 'state'] as const) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/sims?sort=${sort}&order=desc&limit=3&accountId=${t.child.id}`,
        headers: t.admin,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items).toHaveLength(3);
    }
    const byState = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims?state=INVENTORY&accountId=${t.child.id}&limit=100`,
      headers: t.customer,
    });
    expect(byState.statusCode, byState.body).toBe(200);
    expect(byState.json().items.map((s: { iccid: string }) => s.iccid)).toEqual(
      expect.arrayContaining([lines[6]!.iccid]),
    );
  });

  it('after a refused atomic import (committed with its report) the indexes are back, and nothing was written', async () => {
    const before = await indexes();
    const lines = validLines(t.child.number, 7);
    lines[5]!.imsi = 'not-an-imsi';
    const { job, code } = await h.services.simImports.importCsv(staff, toCsv(COLS, lines), {
      mode: 'atomic',
      upsert: false,
      chunkRows: 2,
    });
    expect(code).toBe(E.rowsInvalid);
    expect(job.rowsImported).toBe(0);
    const after = await indexes();
    expect(defs(after)).toEqual(defs(original));
    expect(rebuilt(before, after).sort()).toEqual(testDbKind === 'pglite' ? SECONDARY : []);
    const [n] = await h.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM sims WHERE iccid = $1', [
      lines[0]!.iccid!.slice(0, 19),
    ]);
    expect(n!.n).toBe(0);
  });

  it('after an import that fails mid-file (rolled back) the indexes are untouched', async () => {
    const before = await indexes();
    const csv = `${toCsv(COLS, validLines(t.child.number, 5))}"unterminated,quote\n`;
    const err = await h.services.simImports
      .importCsv(staff, csv, { mode: 'skip-invalid', upsert: false, chunkRows: 2 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isAppError(err) && err.code).toBe(E.csvMalformed);
    const after = await indexes();
    expect(defs(after)).toEqual(defs(original));
    expect(rebuilt(before, after)).toEqual([]); // DDL is transactional: the rollback restored the very same indexes
  });

  it('a small import (first chunk not full) leaves the indexes alone', async () => {
    const before = await indexes();
    const { code } = await h.services.simImports.importCsv(staff, toCsv(COLS, validLines(t.child.number, 2)), {
      mode: 'atomic',
      upsert: false,
    });
    expect(code).toBeNull();
    expect(rebuilt(before, await indexes())).toEqual([]);
  });
});
