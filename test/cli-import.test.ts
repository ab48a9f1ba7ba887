import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../src/modules/accounts/accounts.service.ts';
import { addPlans, toCsv, validLines } from '../src/modules/sims/import/import.test-support.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

const env = cliEnv();
// Not "iotops-import-": that is the upload spool's prefix, and a server starting in another test file removes such a
// directory without a live pid in its name (upload-spool.ts removeStaleSpools), this one included.
const dir = mkdtempSync(path.join(tmpdir(), 'cli-import-test-'));
const number = `CLI-${uniq()}`;

/** Seeds the CLI's database (the temp data dir, or the run's PostgreSQL) with an account and its plans. */
beforeAll(async () => {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.IOTOPS_DATA_DIR, poolSize: 1 });
  try {
    await migrate(database);
    const a = await createAccountsService({ database }).create(cliPrincipal(), {
      number,
      name: 'CLI import test',
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: 'SE',
    });
    await addPlans(database, a.id, a.id, number);
  } finally {
    await database.close();
  }
});

const file = (name: string, csv: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, csv);
  return f;
};

// Each CLI run is a Node process loading the CLI and opening the database (~10 s on a loaded 2-core CI machine);
// a test of three runs passed 30 s there.
describe('iotops sims import / export (black-box)', { timeout: 120_000 }, () => {
  it('imports a small file, exports it, and the export re-imports with --upsert', async () => {
    const lines = validLines(number, 4, { rate_plan: `Rate ${number}`, state: 'TEST_READY' });
    const f = file('ok.csv', toCsv(['iccid', 'imsi', 'msisdn', 'account', 'rate_plan', 'state'], lines));
    const res = await runCli(['sims', 'import', f, '--quiet'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^import #\d+ succeeded: 4 imported, 0 updated, 0 rejected of 4 lines/);

    const out = path.join(dir, 'export.csv');
    const exp = await runCli(['sims', 'export', '--account', number, '--out', out], env);
    expect(exp.code).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    for (const l of lines) {
      const { imei: _notImported, ...sent } = l;
      expect(rows).toContainEqual(expect.objectContaining(sent));
    }
    const again = await runCli(['sims', 'import', out, '--upsert', '--quiet'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 imported, 4 updated, 0 rejected of 4 lines');
  });

  it('exit 2 with a line-numbered report; atomic imports nothing, --skip-invalid the good lines', async () => {
    const lines = validLines(number, 3);
    lines[1]!.iccid = '8946';
    const f = file('bad.csv', toCsv(['iccid', 'account'], lines));
    const atomic = await runCli(['sims', 'import', f, '--quiet'], env);
    expect(atomic.code).toBe(2);
    expect(atomic.stdout).toContain('1 of 3 lines rejected; nothing imported');
    expect(atomic.stderr).toContain('line 3, iccid ("8946"): must be 19 or 20 digits, got 4');

    const skip = await runCli(['sims', 'import', f, '--skip-invalid', '--quiet'], env);
    expect(skip.code).toBe(2);
    expect(skip.stdout).toContain('2 imported, 0 updated, 1 rejected of 3 lines');
  });

  it('exit 2 naming an unknown column', async () => {
    const f = file('header.csv', 'iccid,account,colour\n');
    const res = await runCli(['sims', 'import', f, '--quiet'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('sims.import_header_invalid');
    expect(res.stderr).toContain('line 1, colour ("colour"): unknown column "colour"');
  });
});
