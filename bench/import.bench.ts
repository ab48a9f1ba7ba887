/**
 * `npm run bench:import [-- --rows N] [-- --pg]`: the 1M-SIM import benchmark (issue: performance).
 *  1. generates a CSV of N SIMs with valid identifiers (Luhn ICCIDs, IMSIs with MCC 240, MSISDNs) in a temp dir;
 *  2. seeds a fresh embedded data dir (one account, one communication plan, one rate plan);
 *  3. runs the product's CLI `iotops sims import FILE --quiet` as a child process, timing it and reading its
 *     peak RSS (`/usr/bin/time -v`, else polling VmHWM in /proc/<pid>/status);
 *  4. baseline in the same run: `psql \copy` of the same file into a plain table with the same unique keys
 *     (ICCID, IMSI, MSISDN) on PostgreSQL at 127.0.0.1:5432 (database `test`), skipped with a message when
 *     no PostgreSQL answers.
 * Prints one line: `import 1M SIMs: X s (R rows/s), peak RSS M MiB; baseline copy B s; ratio X/B`.
 * `--pg` also runs the product's import against a fresh PostgreSQL database and prints a second line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { fakeSim } from '../src/modules/sims/import/sim-fixtures.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { openContext } from '../src/server.ts';

const args = process.argv.slice(2);
const rowsArg = args.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
if (!Number.isInteger(ROWS) || ROWS < 1) {
  console.error('--rows must be a positive integer');
  process.exit(2);
}
const ALSO_PG = args.includes('--pg');
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ACCOUNT = 'BENCH-1';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const label = ROWS % 1_000_000 === 0 ? `${ROWS / 1_000_000}M` : ROWS % 1000 === 0 ? `${ROWS / 1000}k` : String(ROWS);

async function generate(file: string) {
  const out = createWriteStream(file);
  out.write('iccid,imsi,msisdn,account,communication_plan,rate_plan\n');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const s = fakeSim(1_000_000_000 + i);
    buf += `${s.iccid},${s.imsi},${s.msisdn},${ACCOUNT},IoT Data,Pay as you go\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function seed(env: Record<string, string>) {
  const { ctx, services } = await openContext(loadConfig({ ...env, LOG_LEVEL: 'warn' }));
  const a = await services.accounts.create(cliPrincipal(), {
    number: ACCOUNT,
    name: 'Bench Utility',
    vipTier: 'standard',
    language: 'en',
    timeZone: 'UTC',
    country: 'SE',
  });
  await ctx.database.query(
    `INSERT INTO communication_plans (tenant_id, account_id, name, apns, allowed_rats)
     VALUES ($1, $1, 'IoT Data', ARRAY['iot.example'], ARRAY['LTE'])`,
    [a.id],
  );
  await ctx.database.query(
    `INSERT INTO rate_plans (tenant_id, account_id, name, currency, monthly_fee) VALUES ($1, $1, 'Pay as you go', 'EUR', 1)`,
    [a.id],
  );
  await ctx.database.close();
}

/** Runs a command; wall seconds and peak RSS in MiB (of the command itself). */
async function measure(cmd: string, argv: string[], env: NodeJS.ProcessEnv) {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const started = process.hrtime.bigint();
  const child = timeBin
    ? spawn(timeBin, ['-v', cmd, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let polledKb = 0;
  const poll = timeBin
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {}
      }, 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (poll) clearInterval(poll);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const rssMiB = (m ? Number(m[1]) : polledKb) / 1024;
  return { code, secs, rssMiB, stdout, stderr };
}

function psql(url: string, sql: string) {
  return spawnSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
}

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

const tmp = mkdtempSync(path.join(tmpdir(), 'iotops-bench-'));
try {
  const file = path.join(tmp, 'sims.csv');
  await generate(file);
  const dataDir = path.join(tmp, 'data');
  await seed({ IOTOPS_DATA_DIR: dataDir });

  const cli = [path.join(root, 'src/main.ts'), 'sims', 'import', file, '--quiet'];
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const env = { ...inherited, IOTOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const run = await measure(process.execPath, cli, env);
  if (run.code !== 0) {
    console.error(`the import failed (exit ${run.code}):\n${run.stdout}${run.stderr.slice(0, 4000)}`);
    process.exit(1);
  }

  let baseline = 'baseline copy skipped (no PostgreSQL reachable at 127.0.0.1:5432)';
  let ratio = 'ratio n/a';
  const reachable = spawnSync('psql', [PG_ADMIN, '-X', '-q', '-c', 'select 1'], { encoding: 'utf8' });
  if (reachable.status === 0) {
    const table = `bench_sims_${process.pid}`;
    const made = psql(
      PG_ADMIN,
      `CREATE TABLE ${table} (iccid text NOT NULL UNIQUE, imsi text UNIQUE, msisdn text UNIQUE, account text NOT NULL,
         communication_plan text, rate_plan text)`,
    );
    if (made.status !== 0) throw new Error(made.stderr);
    try {
      const copy = await measure(
        'psql',
        [
          PG_ADMIN,
          '-X',
          '-q',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          `\\copy ${table} FROM '${file}' WITH (FORMAT csv, HEADER true)`,
        ],
        process.env,
      );
      if (copy.code !== 0) throw new Error(copy.stderr);
      baseline = `baseline copy ${copy.secs.toFixed(1)} s`;
      ratio = `ratio ${(run.secs / copy.secs).toFixed(2)}`;
    } finally {
      psql(PG_ADMIN, `DROP TABLE IF EXISTS ${table}`);
    }
  }
  console.log(
    `import ${label} SIMs: ${run.secs.toFixed(1)} s (${Math.round(ROWS / run.secs)} rows/s), peak RSS ${fmt(run.rssMiB)} MiB; ${baseline}; ${ratio}`,
  );

  if (ALSO_PG && reachable.status === 0) {
    const db = `iotops_bench_${process.pid}`;
    psql(PG_ADMIN, `CREATE DATABASE ${db}`);
    try {
      const url = withDb(PG_ADMIN, db);
      await seed({ DATABASE_URL: url });
      const pgRun = await measure(process.execPath, cli, { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' });
      if (pgRun.code !== 0) throw new Error(pgRun.stderr);
      console.log(
        `import ${label} SIMs on PostgreSQL: ${pgRun.secs.toFixed(1)} s (${Math.round(ROWS / pgRun.secs)} rows/s), peak RSS ${fmt(pgRun.rssMiB)} MiB`,
      );
    } finally {
      psql(PG_ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
