/**
 * `npm run bench:cli [-- --runs N --sims N --empty --no-server --no-pglite --no-pg]`: CLI start-up (issue 13.11).
 * Times, as a user runs them, one process per run:
 *  - baseline: `node -e 0` (Node's own start, same Node 24);
 *  - `iotops --help` as the bin runs it (`node bin/iotops.js`, what `npx iotops` starts), as `npm run iotops`
 *    runs it (`node src/main.ts`) and through `npx iotops` (npm's own start included, machine's Node);
 *  - a read command, `iotops cases list --limit 20`: on PostgreSQL (a fresh database on BENCH_DATABASE_URL's
 *    server, dropped at the end), on the embedded database opened by the command itself (PGlite in a fresh data
 *    directory; also as `node src/main.ts` runs it, without the bin's --liftoff-only child), and beside a running
 *    `iotops start` on that directory (the command goes through the server).
 * The databases hold the demo (`iotops demo --sims N`, default 200) unless --empty (migrations only).
 * Each variant runs once to warm Node's compile cache (not counted), then N times (default 5); prints the median
 * and the minimum wall time, and the median CPU time (user + system, from /proc: less sensitive to a loaded
 * machine than wall time). Targets: `--help` < 0.5 s, a read command < 1 s on PostgreSQL; a miss does not fail.
 * Smoke: `--runs 1 --empty --no-server`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { hasFlag, numArg } from './args.ts';
import { PG_ADMIN } from './db.ts';

const RUNS = Math.floor(numArg('--runs', 5));
const SIMS = Math.floor(numArg('--sims', 200));
const EMPTY = hasFlag('--empty');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const bin = path.join(root, 'bin/iotops.js');
const main = path.join(root, 'src/main.ts');
const READ = ['cases', 'list', '--limit', '20'];
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' };

type Figure = { label: string; medianMs: number; minMs: number; cpuMs: number | undefined };
const figures: Figure[] = [];

/** CPU time of this process's reaped children (user + system, ms), from /proc; undefined elsewhere. */
function childCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": field 3 is index 0, so cutime (16) and cstime (17) are indexes 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** Runs the command once to warm up, then RUNS times; a failing run stops the benchmark with its output. */
function measure(label: string, cmd: string, args: string[], env: Record<string, string>): void {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const cpu0 = childCpuMs();
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, env: { ...baseEnv, ...env }, encoding: 'utf8' });
    const ms = performance.now() - t0;
    const cpu1 = childCpuMs();
    if (r.status !== 0)
      throw new Error(`${label}: ${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    if (i === 0) continue;
    times.push(ms);
    if (cpu0 !== undefined && cpu1 !== undefined) cpus.push(cpu1 - cpu0);
  }
  const f = {
    label,
    medianMs: median(times),
    minMs: Math.min(...times),
    cpuMs: cpus.length ? median(cpus) : undefined,
  };
  figures.push(f);
  console.log(
    `${label.padEnd(52)} median ${fmt(f.medianMs)}  min ${fmt(f.minMs)}  cpu ${f.cpuMs === undefined ? '-' : fmt(f.cpuMs)}`,
  );
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A setup step (migrate, seed) through the CLI itself; not timed. */
function setup(args: string[], env: Record<string, string>): void {
  const r = spawnSync(node, [bin, ...args], { cwd: root, env: { ...baseEnv, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`iotops ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
}
const seed = (env: Record<string, string>) => setup(EMPTY ? ['db', 'migrate'] : ['demo', '--sims', String(SIMS)], env);

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** `iotops start` on the data directory, output to a file (a pipe left unread would stall it); resolves when up. */
async function startServer(dataDir: string): Promise<ChildProcess> {
  const log = path.join(dataDir, 'server.log');
  const fd = openSync(log, 'w');
  const env = {
    ...baseEnv,
    IOTOPS_DATA_DIR: dataDir,
    PORT: '0',
    IOTOPS_MQTT_PORT: '0',
    IOTOPS_SIMULATE: 'off',
    IOTOPS_DEMO: 'off',
  };
  const server = spawn(node, [bin, 'start'], { cwd: root, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const t0 = Date.now();
  for (;;) {
    const text = readFileSync(log, 'utf8');
    if (/is running at/.test(text)) return server;
    if (server.exitCode !== null || Date.now() - t0 > 300_000) {
      server.kill('SIGKILL');
      throw new Error(`iotops start did not come up:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

console.log(
  `CLI start-up, ${RUNS} run(s) each after a warm-up, Node ${process.versions.node}, ${EMPTY ? 'migrated empty databases' : `demo with ${SIMS} SIMs`}`,
);
measure('baseline: node -e 0', node, ['-e', '0'], {});
measure('iotops --help (bin: node bin/iotops.js)', node, [bin, '--help'], {});
measure('iotops --help (npm run iotops: node src/main.ts)', node, [main, '--help'], {});
measure('npx iotops --help (npm exec included)', 'npx', ['iotops', '--help'], {});

if (!hasFlag('--no-pg')) {
  const name = `iotops_bench_cli_${process.pid}`;
  await admin(`create database ${name}`);
  try {
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    const env = { DATABASE_URL: url.toString() };
    seed(env);
    measure(`iotops ${READ.join(' ')} (PostgreSQL)`, node, [bin, ...READ], env);
  } finally {
    await admin(`drop database if exists ${name}`);
  }
}

if (!hasFlag('--no-pglite')) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iotops-bench-cli-'));
  try {
    const env = { IOTOPS_DATA_DIR: dataDir };
    seed(env);
    measure(`iotops ${READ.join(' ')} (PGlite, opened by the command)`, node, [bin, ...READ], env);
    // What `npm run iotops` and the tests run: no bin, so no --liftoff-only child (bin/iotops.js says why).
    measure(`  same, node src/main.ts (optimizing wasm compiler on)`, node, [main, ...READ], env);
    if (!hasFlag('--no-server')) {
      const server = await startServer(dataDir);
      try {
        measure(`iotops ${READ.join(' ')} (PGlite, beside iotops start)`, node, [bin, ...READ], env);
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const get = (prefix: string) => figures.find((f) => f.label.startsWith(prefix));
const help = get('iotops --help (bin');
const pgRead = figures.find((f) => f.label.endsWith('(PostgreSQL)'));
console.log(
  `goals: --help < 0.5 s: ${help && help.medianMs < 500 ? 'met' : 'missed'}` +
    (pgRead ? `; read command on PostgreSQL < 1 s: ${pgRead.medianMs < 1000 ? 'met' : 'missed'}` : ''),
);
