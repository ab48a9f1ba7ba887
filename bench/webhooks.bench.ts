/**
 * `npm run bench:webhooks [-- --cases K --events N --rate R --seconds S]`: outbound webhooks (issue 14, Performance).
 * On a fresh PostgreSQL database (bench/db.ts), one customer account with K cases and one subscription to
 * `case.opened`, received by an HTTP server in this process on 127.0.0.1 that answers 204:
 *  1. throughput: N `cases.opened` events committed in bulk (K per transaction), then the real worker (src/jobs.ts:
 *     dispatcher, the webhooks fan-out with the case's customer view, signing, the POST, the attempt log) runs
 *     until the receiver has them all: deliveries/s;
 *  2. baseline, same run: a bare HTTP client loop POSTs the same bodies to the same receiver, as many at a time as
 *     the worker claims jobs (its batch), over keep-alive connections: requests/s. Goal: ≥ 0.5x the bare loop;
 *  3. latency: events committed at R a second for S seconds (a transaction every 20 ms) while the worker runs
 *     (woken by the events' NOTIFY); per case the messages arrive in event order, so the i-th arrival of a case
 *     is its i-th event: commit → received, p50/p99. Goal: p99 < 1 s at 1,000 events/s.
 * Prints the figures and whether the goals are met; a miss does not fail the run. CI runs `bench:webhooks:smoke`.
 */
import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { startWorker, workerOptions } from '../src/jobs.ts';
import { CaseEvents } from '../src/modules/cases/cases.events.ts';
import { CreateCaseBody } from '../src/modules/cases/cases.schemas.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { emitEach } from '../src/platform/events/emit.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { buildServices } from '../src/services.ts';
import { numArg } from './args.ts';
import { benchDatabase, pct } from './db.ts';

const K = numArg('--cases', 200);
const N = numArg('--events', 5000);
const RATE = numArg('--rate', 1000);
const SECONDS = numArg('--seconds', 10);
const BARE_SECONDS = numArg('--bare-seconds', 3);
const WORKER_BATCH = numArg('--batch', loadConfig({}).jobBatch); // jobs a worker claims and runs at once (JOB_BATCH)

const { database, finish } = await benchDatabase('webhooks', { poolSize: 12 });
const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), webhookAllowHttp: true, webhookAllowCidrs: '127.0.0.1/32' };
const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
const services = buildServices(ctx);
const staff = cliPrincipal('bench');

// The receiver: counts, keeps each body once (the baseline posts them again) and each case's arrival times.
const arrivals = new Map<string, number[]>();
const bodies: string[] = [];
let received = 0;
let keep = true;
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
  });
  req.on('end', () => {
    const at = performance.now();
    received++;
    if (req.headers['webhook-id']) {
      if (keep) bodies.push(body);
      const number = (JSON.parse(body) as { data: { case: { number: string } } }).data.case.number;
      const list = arrivals.get(number) ?? [];
      list.push(at);
      arrivals.set(number, list);
    }
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const account = await services.accounts.create(staff, {
  number: `BENCH-${process.pid}`,
  name: 'Bench customer',
  vipTier: 'standard',
  language: 'en',
  timeZone: 'UTC',
  country: 'SE',
});
console.log(`setup: ${K} cases on one account…`);
const caseIds: number[] = [];
const numberOf = new Map<number, string>();
for (let i = 0; i < K; i++) {
  const c = await services.cases.create(
    staff,
    CreateCaseBody.parse({ accountId: account.id, type: 'incident', subject: `bench ${i}` }),
  );
  caseIds.push(c.id);
  numberOf.set(c.id, c.number);
}
// What creating the cases announced is handled before the subscription exists (no messages for it).
const drain = services.jobs.createWorker(workerOptions(ctx, services));
while ((await drain.tick()) > 0);
await services.webhooks.create(staff, { url, eventTypes: ['case.opened'], accountId: account.id, description: '' });

async function emitRound(): Promise<void> {
  await database.db.transaction((tx) => emitEach(tx, CaseEvents.opened, 'caseId', caseIds, 'case'));
}
async function until(done: () => boolean, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

// 1. Throughput.
const rounds = Math.ceil(N / K);
const total = rounds * K;
for (let r = 0; r < rounds; r++) await emitRound();
let worker = startWorker(ctx, services, { pollMs: 50, batch: WORKER_BATCH });
const t0 = performance.now();
const all = await until(() => received >= total, 600_000);
const workerSeconds = (performance.now() - t0) / 1000;
await worker.stop();
const delivered = received;
const deliveriesPerSecond = delivered / workerSeconds;
if (process.env.BENCH_DEBUG)
  console.log(
    await database.query(
      "select (select count(*) from webhook_deliveries) d, (select count(*) from webhook_attempts) a, (select count(*) from domain_events) e, (select count(*) from jobs where kind like 'event:%') fj, (select count(*) from jobs where kind = 'webhooks.deliver') dj",
    ),
  );
keep = false;

// 2. Baseline: the same bodies, a bare keep-alive client, WORKER_BATCH at a time.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const postBare = (body: string) =>
  new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
// Over the bodies again and again for BARE_SECONDS: one pass took 0.3–0.6 s, too short for a steady figure.
const b0 = performance.now();
let next = 0;
const bareUntil = b0 + BARE_SECONDS * 1000;
await Promise.all(
  Array.from({ length: WORKER_BATCH }, async () => {
    while (next < bodies.length || performance.now() < bareUntil) await postBare(bodies[next++ % bodies.length]!);
  }),
);
const bareSeconds = (performance.now() - b0) / 1000;
const bareSent = next;
const barePerSecond = bareSent / bareSeconds;
agent.destroy();

// 3. Latency at RATE events/s.
arrivals.clear();
const committed = new Map<string, number[]>();
const perTick = Math.max(1, Math.round(RATE / 50));
if (perTick > K) console.log(`note: --rate ${RATE} needs --cases ≥ ${perTick} (one event per case per tick)`);
worker = startWorker(ctx, services, { pollMs: 1000, batch: WORKER_BATCH });
const started = performance.now();
let emitted = 0;
let cursor = 0;
for (let tick = 0; tick < SECONDS * 50; tick++) {
  const ids = Array.from({ length: perTick }, () => caseIds[cursor++ % caseIds.length]!);
  await database.db.transaction((tx) => emitEach(tx, CaseEvents.opened, 'caseId', ids, 'case'));
  const at = performance.now();
  for (const id of ids) {
    const n = numberOf.get(id)!;
    const list = committed.get(n) ?? [];
    list.push(at);
    committed.set(n, list);
  }
  emitted += ids.length;
  const wait = started + (tick + 1) * 20 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const offeredRate = emitted / ((performance.now() - started) / 1000);
const countArrivals = () => [...arrivals.values()].reduce((a, l) => a + l.length, 0);
await until(() => countArrivals() >= emitted, 120_000);
await worker.stop();
const latencies: number[] = [];
for (const [n, commits] of committed) {
  const got = arrivals.get(n) ?? [];
  commits.forEach((c, i) => {
    if (got[i] !== undefined) latencies.push(got[i]! - c);
  });
}

const ratio = deliveriesPerSecond / barePerSecond;
const p50 = pct(latencies, 50);
const p99 = pct(latencies, 99);
console.log(`
webhooks bench — ${new Date().toISOString()}, PostgreSQL, ${K} cases, one subscription
1. throughput: ${delivered} of ${total} messages delivered${all ? '' : ' (TIMED OUT)'} in ${workerSeconds.toFixed(1)} s: ${deliveriesPerSecond.toFixed(0)} deliveries/s
2. bare loop, same bodies, ${WORKER_BATCH} at a time, keep-alive: ${bareSent} in ${bareSeconds.toFixed(2)} s: ${barePerSecond.toFixed(0)} requests/s
   ratio ${ratio.toFixed(3)} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})
3. latency at ${offeredRate.toFixed(0)} events/s for ${SECONDS} s: ${latencies.length} of ${emitted} received; commit → received p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (goal < 1,000 ms at 1,000 events/s: ${p99 < 1000 && latencies.length === emitted ? 'met' : 'NOT met'})`);

services.webhookDelivery.close();
await new Promise((r) => receiver.close(r));
await finish();
