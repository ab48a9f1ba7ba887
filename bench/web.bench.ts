/**
 * `npm run bench:web [-- --cases N --runs R --reuse-db NAME --size-only --profile DIR]`: the web console's performance goals
 * (issue 12, Performance).
 *  1. Initial JavaScript: the scripts and module preloads index.html loads before any route chunk, gzipped (the
 *     server sends them gzipped), against the goal < 300 KB. Baseline in the same run: a bare React page ("hello")
 *     built by the same Vite, i.e. the floor any React console pays.
 *  2. Navigation (unless --size-only): a PostgreSQL database with N cases (default 1M; loaded by the agent-queue
 *     benchmark's own loader — `bench/cases.bench.ts --reuse-db NAME` — when it does not hold N yet, and kept),
 *     the product's HTTP app with the built console, Debian's Chromium logged in as an agent. Measured R times
 *     (default 10), each in a fresh page (cold cache for the first, warm after): from `goto` to the first 50 queue
 *     rows rendered, and to an opened case (header and timeline). Baseline in the same run: the same two API
 *     calls made by fetch from the page, i.e. what the data alone costs. Goal: < 1 s each.
 * Prints the figures and whether each goal is met; a miss does not fail the run. `--profile DIR` also takes a CPU
 * profile of the last run's two navigations (bench/web-profile.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { WEB_DIST } from '../src/platform/http/web.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { createHttpApp } from '../src/server.ts';
import { buildServices } from '../src/services.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { hasFlag, numArg, reuseDbArg } from './args.ts';
import { benchDatabase, PG_ADMIN, pct } from './db.ts';
import { startProfile } from './web-profile.ts';

if (hasFlag('--help')) {
  console.log(`npm run bench:web [-- options]
  --cases N        cases in the database (default 1,000,000)
  --runs R         fresh-page navigations measured (default 10)
  --reuse-db NAME  load into database NAME only when it does not hold N cases yet, and keep it
  --size-only      only the initial JavaScript size
  --profile DIR    CPU profiles of the last run's navigations into DIR, summarised (build with --minify false
                   to read function names)`);
  process.exit(0);
}
const profileIdx = process.argv.indexOf('--profile');
const PROFILE_DIR = profileIdx > 0 ? process.argv[profileIdx + 1] : undefined;

const root = path.resolve(import.meta.dirname, '..');
const CASES = Math.floor(numArg('--cases', 1_000_000));
const RUNS = Math.floor(numArg('--runs', 10));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * Gzipped bytes of the JavaScript every page runs before any route chunk: what index.html loads (its script and
 * module preloads), the modules those import statically, and the app chunk the entry imports unconditionally
 * (web/src/app/boot.ts starts the first screen's chunk and data, then imports main.tsx, built as `main-*.js`) with
 * its own static imports. Route chunks, loaded by the router or by boot.ts for the queue and case, are not counted.
 */
function initialJs(dist: string): { js: number; css: number; files: string[] } {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = [
    ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => m[1]!.replace(/^\//, ''));
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const files = new Set<string>();
  const visit = (f: string) => {
    if (files.has(f)) return;
    files.add(f);
    const code = readFileSync(path.join(dist, f), 'utf8');
    const dir = path.posix.dirname(f);
    for (const m of code.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+\.js)["'`]/g)) visit(path.posix.join(dir, m[1]!));
    for (const m of code.matchAll(/import\(\s*["'`]\.\/(main-[^"'`]+\.js)["'`]\s*\)/g))
      visit(path.posix.join(dir, m[1]!));
  };
  for (const f of refs) visit(f);
  const gz = (f: string) => gzipSync(readFileSync(path.join(dist, f))).length;
  return {
    js: [...files].reduce((s, f) => s + gz(f), 0),
    css: css.reduce((s, f) => s + gz(f), 0),
    files: [...files],
  };
}

function baselineReact(): number {
  // Inside the repository (.bench/ is ignored by git) so that `react` resolves from node_modules.
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  const dir = mkdtempSync(path.join(root, '.bench', 'react-floor-'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/main.js"></script>',
  );
  writeFileSync(
    path.join(dir, 'main.js'),
    "import { createElement } from 'react';\nimport { createRoot } from 'react-dom/client';\n" +
      "createRoot(document.getElementById('root')).render(createElement('p', null, 'hello'));\n",
  );
  execFileSync(
    path.join(root, 'node_modules/.bin/vite'),
    ['build', dir, '--logLevel', 'error', '--outDir', path.join(dir, 'dist')],
    { cwd: root },
  );
  const size = initialJs(path.join(dir, 'dist')).js;
  rmSync(dir, { recursive: true, force: true });
  return size;
}

/** Cases in database `name` on the benchmark server; -1 when it does not exist or has no schema yet. */
async function casesIn(name: string): Promise<number> {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: u.toString() });
  try {
    await c.connect();
    return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]?.n);
  } catch {
    return -1;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function navigation() {
  const name = reuseDbArg() ?? `iotops_bench_web_${process.pid}`;
  const have = await casesIn(name);
  if (have !== CASES) {
    if (have > 0) {
      console.error(`--reuse-db ${name} holds ${have} cases, not ${CASES}: drop it or pick another name`);
      process.exit(2);
    }
    // The agent-queue benchmark's own loader (same spreads of state, priority, age) fills it.
    console.log(`loading ${CASES} cases into ${name} with bench/cases.bench.ts…`);
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
    execFileSync(
      process.execPath,
      ['bench/cases.bench.ts', '--reuse-db', name, '--cases', String(CASES), '--seconds', '1', '--only', 'none'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const { database, finish: close } = await benchDatabase('web', { poolSize: 10, reuse: name });
  // Kept with --reuse-db (a 1M-case load takes minutes), else dropped like every benchmark's own database.
  const finish = async () => {
    await close();
    if (reuseDbArg()) return;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  };
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
  const services = buildServices(ctx);
  await database.query(
    "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email = 'bench-web@example.test')",
  );
  await database.query("DELETE FROM users WHERE email = 'bench-web@example.test'");
  await services.users.create({
    email: 'bench-web@example.test',
    name: 'Bench web agent',
    password: 'correct-horse-battery',
    role: 'agent',
    language: 'en',
  });
  const app = await createHttpApp(ctx, services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const login = await context.request.post(`${base}/api/v1/auth/login`, {
      data: { email: 'bench-web@example.test', password: 'correct-horse-battery' },
    });
    if (!login.ok()) throw new Error(`login answered ${login.status()}`);
    const [first] = await database.query<{ number: string }>(
      "SELECT number FROM cases WHERE state = 'open' ORDER BY priority, sla_due_at LIMIT 1",
    );
    const queue: number[] = [];
    const opened: number[] = [];
    const apiQueue: number[] = [];
    const apiCase: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      // Where the time goes, printed for the last run: every request the page made (start and end after goto).
      const requests: string[] = [];
      const last = i === RUNS - 1;
      if (last)
        page.on('requestfinished', (r) => {
          const t = r.timing();
          const path = new URL(r.url()).pathname + new URL(r.url()).search;
          requests.push(
            `${(t.startTime - t0Wall).toFixed(0).padStart(6)} → ${(t.startTime + t.responseEnd - t0Wall).toFixed(0).padStart(6)} ms  ${path}`,
          );
        });
      if (PROFILE_DIR && last) mkdirSync(PROFILE_DIR, { recursive: true });
      let stop = PROFILE_DIR && last ? await startProfile(page, PROFILE_DIR) : undefined;
      let t0Wall = Date.now();
      let t0 = performance.now();
      await page.goto(`${base}/cases`);
      await page.locator('table[aria-label="Case queue"] tbody tr').nth(49).waitFor({ timeout: 60_000 });
      queue.push(performance.now() - t0);
      if (stop) console.log(`last run, queue profile:\n${await stop('queue')}`);
      if (last) {
        const rendered = Date.now() - t0Wall;
        console.log(
          `last run, queue: 50 rows rendered at ${rendered} ms; requests (from goto):\n  ${requests.join('\n  ')}`,
        );
        requests.length = 0;
      }
      stop = PROFILE_DIR && last ? await startProfile(page, PROFILE_DIR) : undefined;
      t0Wall = Date.now();
      t0 = performance.now();
      await page.goto(`${base}/cases/${first!.number}`);
      await page.getByRole('heading', { name: 'Timeline' }).waitFor({ timeout: 60_000 });
      await page.getByRole('heading', { level: 1, name: new RegExp(first!.number) }).waitFor({ timeout: 60_000 });
      opened.push(performance.now() - t0);
      if (stop) console.log(`last run, case profile:\n${await stop('case')}`);
      if (last)
        console.log(
          `last run, case: opened at ${Date.now() - t0Wall} ms; requests (from goto):\n  ${requests.join('\n  ')}`,
        );
      const [q, c] = await page.evaluate(async (n) => {
        const time = async (u: string) => {
          const s = performance.now();
          await (await fetch(u)).json();
          return performance.now() - s;
        };
        return [await time('/api/v1/cases?limit=50'), await time(`/api/v1/cases/${n}`)];
      }, first!.number);
      apiQueue.push(q);
      apiCase.push(c);
      await page.close();
    }
    const f = (xs: number[]) =>
      `first ${xs[0]!.toFixed(0)} ms, median ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms`;
    console.log(`navigation to a usable queue (50 rows, ${CASES} cases): ${f(queue)}`);
    console.log(`  baseline, the queue API call alone from the page: ${f(apiQueue)}`);
    console.log(`navigation to an opened case: ${f(opened)}`);
    console.log(`  baseline, the case API call alone from the page: ${f(apiCase)}`);
    const met = pct(queue, 50) < 1000 && pct(opened, 50) < 1000;
    console.log(
      `goal (median) < 1 s each: ${met ? 'met' : 'missed'}; cold first load: queue ${queue[0]!.toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await app.close();
    await finish();
  }
}

const built = initialJs(WEB_DIST);
const floor = baselineReact();
console.log(
  `initial JavaScript (gzipped): ${kb(built.js)} in ${built.files.length} file(s), + ${kb(built.css)} CSS; ` +
    `baseline, a bare React page by the same Vite: ${kb(floor)} — goal < 300 KB: ${built.js < 300 * 1024 ? 'met' : 'missed'}`,
);
if (!hasFlag('--size-only')) await navigation();
