/**
 * `npm run bench:cases [-- --cases N --accounts N --seconds S --connections C --writes W --pglite --explain --reuse-db NAME --only TEXT]`:
 * the agent-queue benchmark (issue 3, Performance).
 *  1. creates a fresh PostgreSQL database on 127.0.0.1:5432 (BENCH_DATABASE_URL names the admin database;
 *     dropped at the end; `--reuse-db NAME` loads NAME once and keeps it), or an in-memory PGlite with
 *     `--pglite`, and migrates it;
 *  2. batch-loads N cases (default 1M) over A accounts (default 10k: 100 enterprises × 99 sub-accounts) by
 *     COPY through Database.rawTransaction, not the API. Spreads follow a desk a year old: created_at over
 *     the last 365 days; cases older than ~5 weeks are almost all closed or cancelled, recent ones spread
 *     over new/open/pending/resolved; priority P1 2 %, P2 10 %, P3 50 %, P4 38 %; four types, five channels,
 *     four queues; sla_due_at as the SLA worker would leave it (see slaDue);
 *  3. starts the product's HTTP app (createHttpApp + listen on a free port; DATABASE_POOL_SIZE and
 *     CASE_QUEUE_CACHE_MS from the environment apply; the cache is on by default) with an
 *     agent token and drives GET /api/v1/cases (first page of the active cases, the route's own order: priority,
 *     SLA due time, age), ?state=open&type=incident and ?state=pending_customer,pending_provider (several states)
 *     with C concurrent clients (default 64) for S seconds each (default 20), using autocannon in a separate
 *     process (bench/load-generator.ts), while W random cases a second change (default 5; each drops the cache);
 *  4. baseline in the same run: a bare Fastify route (in the server's process) returning a static body as large
 *     as the queue's first page, driven the same way by the same generator.
 * Prints one line per queue variant:
 *   `cases queue[…]: p50 X ms, p99 Y ms, R req/s; bare route: p50 …, p99 …, B req/s; ratio R/B`
 * and whether the goal (p99 < 50 ms and ratio ≥ 0.3) is met; a miss does not fail the run.
 * Smoke: `npm run bench:cases:smoke` (20k cases, 3 s). Server profile: `node --cpu-prof bench/cases.bench.ts …`
 * (the generator is another process, so the profile is the server's and the load's).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { type CaseFilter, queueJsonQuery } from '../src/modules/cases/case-queue.repo.ts';
import type { Ctx } from '../src/platform/context.ts';
import { type Database, openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { mulberry32 } from '../src/platform/random.ts';
import { createHttpApp } from '../src/server.ts';
import { buildServices } from '../src/services.ts';
import { hasFlag, numArg, reuseDbArg } from './args.ts';
import type { DriveRequest, Figures } from './load-generator.ts';

const CASES = Math.floor(numArg('--cases', 1_000_000));
const ACCOUNTS = Math.floor(numArg('--accounts', 10_000));
const SECONDS = numArg('--seconds', 20);
const CONNECTIONS = Math.floor(numArg('--connections', 64));
/**
 * `--writes W`: case changes per second made meanwhile on another connection (as another process or agent would),
 * each dropping every cached queue page: the queue page cache (CASE_QUEUE_CACHE_MS, on by default) is measured
 * with a desk that works, not only at its best case. 0 = no writes.
 */
const WRITES = numArg('--writes', 5);
const PGLITE = hasFlag('--pglite');
const EXPLAIN = hasFlag('--explain');
const REUSE_DB = reuseDbArg();
/** `--only TEXT`: drive only the variants whose label contains TEXT (profiling one route). */
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
})();
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SUBS_PER_ROOT = 99;
/** --explain's search: an account number (a sub-account in the smoke's 1k accounts too: ~1 case in 10k is its). */
const SEARCH = 'BENCH-777';
const DAY = 86_400_000;

const rand = mulberry32(42);
function pick<T extends string>(table: readonly (readonly [T, number])[]): T {
  let r = rand();
  for (const [v, w] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![0];
}

const TYPES = [
  ['incident', 0.45],
  ['information_request', 0.25],
  ['service_request', 0.2],
  ['order', 0.1],
] as const;
const CHANNELS = [
  ['email', 0.5],
  ['phone', 0.15],
  ['portal', 0.2],
  ['api', 0.05],
  ['monitoring', 0.1],
] as const;
const PRIORITIES = [
  ['P1', 0.02],
  ['P2', 0.1],
  ['P3', 0.5],
  ['P4', 0.38],
] as const;
const SEVERITY_OF = { P1: 'critical', P2: 'high', P3: 'medium', P4: 'low' } as const;
const QUEUES = [
  ['first-line', 0.6],
  ['second-line', 0.25],
  ['provisioning', 0.1],
  ['billing', 0.05],
] as const;
/** Work in progress: what a case younger than ~5 weeks is in now. */
const RECENT_STATES = [
  ['new', 0.08],
  ['open', 0.3],
  ['pending_customer', 0.1],
  ['pending_provider', 0.07],
  ['resolved', 0.15],
  ['closed', 0.27],
  ['cancelled', 0.03],
] as const;
const OLD_STATES = [
  ['closed', 0.95],
  ['cancelled', 0.04],
  ['open', 0.01],
] as const;

/** Minutes, roughly the default policies' (src/modules/sla/defaults.ts) first-response and periodic-update targets. */
const FIRST_RESPONSE_MIN = { P1: 15, P2: 60, P3: 240, P4: 480 } as const;
const UPDATE_EVERY_MIN = { P1: 60, P2: 240, P3: 480, P4: 1440 } as const;
/**
 * What the SLA worker would have written to cases.sla_due_at: the nearest due time of a running clock.
 * A new case waits for its first response (created_at + target, so old unanswered ones are overdue); an open or
 * pending_provider case owes its next periodic update, spread from 20 % of the interval overdue to 80 % ahead.
 * pending_customer pauses the clocks, resolved/closed/cancelled stop them: null (sorted last).
 */
function slaDue(state: string, priority: keyof typeof FIRST_RESPONSE_MIN, created: number, now: number): Date | null {
  if (state === 'new') return new Date(created + FIRST_RESPONSE_MIN[priority] * 60_000);
  if (state === 'open' || state === 'pending_provider') {
    return new Date(now + (rand() - 0.2) * UPDATE_EVERY_MIN[priority] * 60_000);
  }
  return null;
}

async function loadAccounts(database: Database) {
  const roots = Math.ceil(ACCOUNTS / (SUBS_PER_ROOT + 1));
  let csv = '';
  let id = 0;
  for (let r = 0; r < roots && id < ACCOUNTS; r++) {
    const rootId = ++id;
    const vip = r % 10 === 0 ? 'gold' : 'standard';
    csv += `${rootId},${rootId},,/${rootId}/,0,BENCH-${rootId},Enterprise ${rootId},enterprise,${vip},en,Europe/Stockholm,SE\n`;
    for (let s = 0; s < SUBS_PER_ROOT && id < ACCOUNTS; s++) {
      const subId = ++id;
      csv += `${subId},${rootId},${rootId},/${rootId}/${subId}/,1,BENCH-${subId},Sub ${subId},sub_account,${vip},en,Europe/Stockholm,SE\n`;
    }
  }
  await database.rawTransaction(async (tx) => {
    await tx.copyIn(
      `COPY accounts (id, tenant_id, parent_id, path, depth, number, name, kind, vip_tier, language, time_zone, country)
       FROM STDIN WITH (FORMAT csv)`,
      csv,
    );
    await tx.query(`SELECT setval(pg_get_serial_sequence('accounts', 'id'), $1)`, [id]);
  });
  return id;
}

async function loadCases(database: Database, accounts: number) {
  const now = Date.now();
  const perYear = new Map<number, number>();
  const chunk = 50_000;
  for (let start = 0; start < CASES; start += chunk) {
    let csv = '';
    for (let i = start; i < Math.min(CASES, start + chunk); i++) {
      const id = i + 1;
      const created = new Date(now - rand() * 365 * DAY);
      const year = created.getUTCFullYear();
      const seq = (perYear.get(year) ?? 0) + 1;
      perYear.set(year, seq);
      const accountId = 1 + Math.floor(rand() * accounts);
      const tenantId = Math.floor((accountId - 1) / (SUBS_PER_ROOT + 1)) * (SUBS_PER_ROOT + 1) + 1;
      const ageDays = (now - created.getTime()) / DAY;
      const state = pick(ageDays < 35 ? RECENT_STATES : OLD_STATES);
      const priority = pick(PRIORITIES);
      const type = pick(TYPES);
      const done = state === 'resolved' || state === 'closed';
      const resolvedAt = done ? new Date(created.getTime() + rand() * 10 * DAY) : null;
      const closedAt = state === 'closed' && resolvedAt ? new Date(resolvedAt.getTime() + 3 * DAY) : null;
      const assignee = state === 'new' ? '' : String(1 + Math.floor(rand() * 40));
      const due = slaDue(state, priority, created.getTime(), now);
      const tags = rand() < 0.2 ? '"{roaming,apn}"' : '{}';
      const iso = created.toISOString();
      csv +=
        `${id},C-${year}-${String(seq).padStart(6, '0')},${tenantId},${accountId},${type},${pick(CHANNELS)},` +
        `SIMs of account ${accountId} lose data session after ${1 + (i % 48)} h,"Reported by the customer; see the timeline.",` +
        `${SEVERITY_OF[priority]},${priority},${priority},${state},${pick(QUEUES)},${assignee},${tags},${Math.floor(rand() * 200)},` +
        `${iso},${(closedAt ?? resolvedAt ?? created).toISOString()},${resolvedAt?.toISOString() ?? ''},${closedAt?.toISOString() ?? ''},` +
        `${due?.toISOString() ?? ''}\n`;
    }
    await database.rawTransaction((tx) =>
      tx.copyIn(
        `COPY cases (id, number, tenant_id, account_id, type, channel, subject, description, severity, priority,
           computed_priority, state, queue, assignee_user_id, tags, affected_sim_count, created_at, updated_at,
           resolved_at, closed_at, sla_due_at) FROM STDIN WITH (FORMAT csv)`,
        csv,
      ),
    );
  }
  await database.query(`SELECT setval(pg_get_serial_sequence('cases', 'id'), $1)`, [CASES]);
  for (const [year, last] of perYear) {
    await database.query('INSERT INTO case_number_counters (year, last) VALUES ($1, $2)', [year, last]);
  }
  await database.query('ANALYZE accounts');
  await database.query('ANALYZE cases');
}

/** One load-generator process for the whole run; every route (product and bare) is driven through it alike. */
let generator: ChildProcess | undefined;
function drive(url: string, headers: Record<string, string>): Promise<Figures> {
  generator ??= fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), [], { stdio: 'inherit' });
  const child = generator;
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (f: Figures) => {
      child.off('exit', onExit);
      resolve(f);
    });
    child.send({ url, headers, connections: CONNECTIONS, seconds: SECONDS } satisfies DriveRequest);
  });
}

const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

/** The product's config with the caller's DATABASE_POOL_SIZE etc., quiet logs. */
const benchConfig = () => loadConfig({ ...process.env, LOG_LEVEL: 'silent' });

async function main() {
  let adminPool: pg.Pool | undefined;
  const dbName = REUSE_DB ?? `iotops_bench_cases_${process.pid}`;
  let database: Database;
  let fresh = true;
  if (PGLITE) {
    database = await openDatabase({ memory: true });
  } else {
    adminPool = new pg.Pool({ connectionString: PG_ADMIN, max: 1 });
    const exists = await adminPool.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount === 0) await adminPool.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(PG_ADMIN);
    u.pathname = `/${dbName}`;
    database = await openDatabase({ databaseUrl: u.toString(), poolSize: benchConfig().poolSize });
    if (REUSE_DB && exists.rowCount !== 0) {
      const [c] = await database
        .query<{ n: string }>('SELECT count(*) AS n FROM cases')
        .catch(() => [{ n: '-1' }] as { n: string }[]);
      if (Number(c?.n) === CASES) fresh = false;
      else {
        console.error(`--reuse-db ${dbName} holds ${c?.n} cases, not ${CASES}: drop it or pick another name`);
        process.exit(2);
      }
    }
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    await migrate(database);
    const t0 = performance.now();
    let accounts = ACCOUNTS;
    if (fresh) {
      accounts = await loadAccounts(database);
      await loadCases(database, accounts);
    } else {
      // A former run's agent and token would collide with this run's: users.email is unique.
      await database.query("DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE email LIKE 'bench-%')");
      await database.query("DELETE FROM users WHERE email LIKE 'bench-%'");
    }
    const loadSecs = (performance.now() - t0) / 1000;

    const config = benchConfig();
    const ctx: Ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
    const services = buildServices(ctx);
    const user = await services.users.create({
      email: 'bench-agent@example.test',
      name: 'Bench agent',
      password: 'correct-horse-battery',
      role: 'agent',
      language: 'en',
    });
    const { secret } = await services.users.createToken(user.id, { name: 'bench', scopes: ['read'] });
    const headers = { authorization: `Bearer ${secret}` };
    const app = await createHttpApp(ctx, services);
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const where = PGLITE ? 'PGlite in memory' : `PostgreSQL ${dbName}`;
    console.log(
      `${fresh ? 'loaded' : 'reused'} ${CASES} cases over ${accounts} accounts in ${where}` +
        `${fresh ? ` in ${loadSecs.toFixed(1)} s` : ''}; pool ${config.poolSize}; ` +
        `queue page cache ${config.caseQueueCacheMs ? `${config.caseQueueCacheMs} ms` : 'off'}, ${WRITES} case writes/s; ` +
        `${CONNECTIONS} clients × ${SECONDS} s per route (load generator in its own process)`,
    );
    const variants = [
      { label: 'cases queue', path: '/api/v1/cases' },
      { label: 'cases queue state=open&type=incident', path: '/api/v1/cases?state=open&type=incident' },
      {
        label: 'cases queue state=pending_customer,pending_provider',
        path: '/api/v1/cases?state=pending_customer,pending_provider',
      },
      // Not the issue's figure: splits the per-request cost of token auth (lookup + last_used_at write) from the queue's.
      { label: 'diagnostic, auth only: GET /api/v1/auth/me', path: '/api/v1/auth/me' },
    ];
    for (const v of variants.filter((x) => ONLY === undefined || x.label.includes(ONLY))) {
      const first = await fetch(base + v.path, { headers });
      const body = await first.text();
      if (first.status !== 200) throw new Error(`${v.path} answered ${first.status}: ${body.slice(0, 500)}`);
      const items = (JSON.parse(body) as { items?: unknown[] }).items?.length ?? 0;

      const bare = Fastify({ logger: false });
      bare.get('/bare', (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
      await bare.listen({ host: '127.0.0.1', port: 0 });
      const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;

      const writer = caseWriter(database, WRITES);
      const q = await drive(base + v.path, headers);
      const written = await writer.stop();
      const b = await drive(bareUrl, headers);
      await bare.close();
      const ratio = q.rps / b.rps;
      const ok = q.p99 < 50 && ratio >= 0.3 && q.errors === 0 && q.non2xx === 0;
      const bad = q.errors + q.non2xx > 0 ? ` (${q.errors} errors, ${q.non2xx} non-2xx)` : '';
      console.log(
        `${v.label} (${items} items, ${body.length} B; ${written} case writes meanwhile): p50 ${ms(q.p50)} ms, p99 ${ms(q.p99)} ms, ${Math.round(q.rps)} req/s${bad}; ` +
          `bare route: p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms, ${Math.round(b.rps)} req/s; ratio ${ratio.toFixed(2)}` +
          ` — goal p99 < 50 ms and ratio ≥ 0.3: ${ok ? 'met' : 'missed'}`,
      );
    }
    if (EXPLAIN) for (const [label, f] of EXPLAINED) console.log(`\n${label}\n${await explain(database, f)}`);
  } finally {
    generator?.kill();
    for (const c of closers) await c();
    await database.close();
    if (adminPool) {
      if (!REUSE_DB) await dropDatabase(adminPool, dbName);
      await adminPool.end();
    }
  }
}

/** --writes: touches a random case W times a second until stopped; returns how many writes were done. */
function caseWriter(database: Database, perSecond: number) {
  let done = 0;
  let busy = false;
  const timer =
    perSecond > 0
      ? setInterval(() => {
          if (busy) return;
          busy = true;
          database
            .query(
              'UPDATE cases SET updated_at = now() WHERE id = (SELECT floor(random() * max(id))::int + 1 FROM cases)',
            )
            .then(() => done++)
            .catch(() => undefined)
            .finally(() => {
              busy = false;
            });
        }, 1000 / perSecond)
      : undefined;
  return {
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 5));
      return done;
    },
  };
}

/** What --explain shows: the route's filters, as the queue repo builds them. */
const EXPLAINED: [string, CaseFilter][] = [
  ['(no filter: the active cases)', { states: { kind: 'active' } }],
  ['state=open&type=incident', { states: { kind: 'one', state: 'open' }, type: 'incident' }],
  [
    'state=pending_customer,pending_provider',
    { states: { kind: 'some', states: ['pending_customer', 'pending_provider'] } },
  ],
  ['state=all', { states: { kind: 'all' } }],
  [`q=${SEARCH}`, { states: { kind: 'active' }, search: { text: SEARCH, simIds: [] } }],
  [`q=${SEARCH}&state=all`, { states: { kind: 'all' }, search: { text: SEARCH, simIds: [] } }],
];

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the API page's own statement (staff reach, first page of 50 + 1) as its named
 * prepared statement runs: pg_prepared_statements shows PostgreSQL planning it per execution with the values
 * (custom plans; the generic plan, costed for an unknown LIMIT, is dearer), so EXPLAIN EXECUTE's plan is the one.
 */
async function explain(database: Database, f: CaseFilter): Promise<string> {
  const q = queueJsonQuery(database.db, {}, f, undefined, 51).toSQL();
  const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  return database.rawTransaction(async (tx) => {
    await tx.query(`PREPARE bench_queue AS ${q.sql}`);
    const plan = await tx.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_queue(${q.params.map(literal).join(', ')})`,
    );
    await tx.query('DEALLOCATE bench_queue');
    return plan.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/**
 * Not WITH (FORCE): a pool socket may still be closing after end() resolves, and forcing kills it with an unhandled
 * FATAL 57P01 here; PostgreSQL refuses the drop (55006) until it is gone, so retry briefly.
 */
async function dropDatabase(admin: { query(sql: string): Promise<unknown> }, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

await main();
