/**
 * `npm run bench:diagnose [-- --sims N --sample S --days D --per-day E --runs R --reuse-db NAME]`: one SIM's
 * diagnosis (issue 5, Performance).
 *  1. a fresh PostgreSQL database on 127.0.0.1:5432 (BENCH_DATABASE_URL names the admin database; dropped at the
 *     end unless `--reuse-db NAME`), migrated, N SIMs (default 1M) with accounts and plans, all set-based in SQL;
 *  2. for a sample of S SIMs (default 10k, every N/S-th SIM): D days (default 30) of E events a day (default 100)
 *     generated with generate_series straight into network_events, day by day on two connections, plus what the
 *     ingest writer would have derived from them — network state, data sessions, hourly and daily usage, IMEI
 *     history, the fleet roll-up of the last two days — consistent enough for every check. One sample SIM in 20 asks
 *     for a misspelt APN (session_rejected #27), one in 50 roams at a network that refuses it (a fleet incident);
 *     the load time is printed;
 *  3. baseline, same run: the plain trace of a SIM's events over the same window (network service, 1,000 rows a
 *     page), for R random sample SIMs one after the other;
 *  4. the diagnosis service call (`diagnoseSim`, what POST /api/v1/sims/{iccid}/diagnosis runs) for the same SIMs
 *     one after the other, then 8 at a time; p50/p99, and the fleet snapshot's own cost (once a minute).
 * Goal: p99 < 50 ms sequentially (printed; a miss does not fail the run). Smoke: `npm run bench:diagnose:smoke`.
 */
import { loadConfig } from '../src/config.ts';
import { diagnosisRepo } from '../src/modules/diagnosis/diagnosis.repo.ts';
import { diagnose } from '../src/modules/diagnosis/engine.ts';
import { fleetForSim } from '../src/modules/diagnosis/fleet-health.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { buildServices } from '../src/services.ts';
import { numArg } from './args.ts';
import { benchDatabase, pct } from './db.ts';
import { iccidOf } from './ingest-mqtt-child.ts';

const SIMS = Math.floor(numArg('--sims', 1_000_000));
const SAMPLE = Math.floor(numArg('--sample', 10_000));
const DAYS = Math.floor(numArg('--days', 30));
const PER_DAY = Math.floor(numArg('--per-day', 100));
const RUNS = Math.floor(numArg('--runs', 2000));
const CONCURRENCY = 8;
const STEP = Math.max(1, Math.floor(SIMS / SAMPLE));
const DAY = 86_400_000;
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

// 1. Database, accounts, plans, SIMs
const bench = await benchDatabase('diagnose', { poolSize: 10 });
const { database } = bench;
const one = async (sql: string) => (await database.query<{ n: number }>(sql))[0]!.n;
const ACCOUNTS = 1000;
if ((await one('select count(*)::int as n from sims')) < SIMS) {
  const t0 = performance.now();
  await database.query(
    `insert into accounts (id, tenant_id, path, depth, number, name, kind, language, country)
     select g, 1 + g % 100, '/' || (1 + g % 100) || '/' || g || '/', 1, 'B-' || g, 'Bench ' || g, 'sub_account',
            (array['en','fr','de','it','ru','sv'])[1 + g % 6], 'SE'
       from generate_series(1000, 1000 + ${ACCOUNTS - 1}) g on conflict do nothing`,
  );
  await database.query(
    `insert into communication_plans (id, name, apns, sms_enabled, allowed_rats, roaming_zones)
     values (1, 'Bench IoT', '{iot.example}', true, '{4G,LTE-M}', '{EU_EEA}') on conflict do nothing`,
  );
  await database.query(
    `insert into rate_plans (id, name, currency, monthly_fee, included_data_mb)
     values (1, 'Bench 500 MB', 'EUR', 1.5, 500) on conflict do nothing`,
  );
  const have = await one('select count(*)::int as n from sims');
  for (let from = have; from < SIMS; from += 250_000) {
    await database.query(
      `insert into sims (tenant_id, account_id, iccid, state, communication_plan_id, rate_plan_id, state_changed_at)
       select 1 + (1000 + g % ${ACCOUNTS}) % 100, 1000 + g % ${ACCOUNTS}, '89460' || lpad(g::text, 14, '0'), 'ACTIVATED',
              1, 1, now() - interval '90 days'
         from generate_series($1::int, $2::int - 1) g`,
      [from, Math.min(SIMS, from + 250_000)],
    );
  }
  await database.query('analyze sims');
  console.log(`${SIMS - have} SIMs (${ACCOUNTS} accounts, 1 plan pair) registered in ${secs(t0)} s`);
}

// 2. Events and derived rows for the sample
const now = Date.now();
const today = Math.floor(now / DAY) * DAY;
const firstDay = today - (DAYS - 1) * DAY;
if ((await one('select count(*)::int as n from sim_network_state')) < SAMPLE) {
  const { loadSample } = await import('./diagnose-load.ts');
  const t0 = performance.now();
  const rows = await loadSample(database, bench.url, {
    step: STEP,
    sample: SAMPLE,
    firstDay,
    days: DAYS,
    perDay: PER_DAY,
    now,
  });
  console.log(
    `sample of ${SAMPLE} SIMs: ${rows.events.toLocaleString('en')} events over ${DAYS} days + ${rows.derived.toLocaleString('en')} derived rows loaded in ${secs(t0)} s (${Math.round(rows.events / ((performance.now() - t0) / 1000)).toLocaleString('en')} events/s)`,
  );
}

// 3. + 4. Measurements
const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), retentionDays: 90 };
const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
const services = buildServices(ctx);
const p = cliPrincipal('bench');
const picks = Array.from({ length: RUNS }, () => iccidOf(STEP * Math.floor(Math.random() * SAMPLE)));
const window = { from: new Date(now - DAY).toISOString(), to: new Date(now).toISOString() };
const t1 = performance.now();
const snap = await services.fleetHealth.snapshot();
console.log(
  `fleet snapshot (all PLMNs/APNs, once a minute per process): ${snap.tookMs.toFixed(0)} ms, ${snap.plmns.size} PLMNs, ${snap.apns.size} APNs (first call ${secs(t1)} s)`,
);
for (const iccid of picks.slice(0, 50)) await services.diagnosis.diagnoseSim(p, iccid, window); // warm-up

async function timed(fn: (iccid: string) => Promise<unknown>, concurrency = 1) {
  const ms: number[] = [];
  let i = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < picks.length) {
        const iccid = picks[i++]!;
        const s = performance.now();
        await fn(iccid);
        ms.push(performance.now() - s);
      }
    }),
  );
  return {
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    max: Math.max(...ms),
    perSec: ms.length / ((performance.now() - t0) / 1000),
  };
}
let events = 0;
const trace = await timed(async (iccid) => {
  let cursor: string | undefined;
  do {
    const page = await services.network.events(p, iccid, { ...window, limit: 1000, cursor });
    events += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
});
const causes = new Map<string, number>();
const seq = await timed(async (iccid) => {
  const r = await services.diagnosis.diagnoseSim(p, iccid, window);
  causes.set(r.diagnosis.rootCause.code, (causes.get(r.diagnosis.rootCause.code) ?? 0) + 1);
});
// Where the time goes: the two statements alone, and the engine on the gathered input.
const repo = diagnosisRepo(database);
const w = { from: new Date(window.from), to: new Date(window.to) };
const monthStart = new Date(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1));
const evq = await timed(async (iccid) => repo.events({ iccid, ...w }));
const ctxq = await timed(async (iccid) =>
  repo.context({ sim: await services.sims.locate(p, iccid), now: new Date(now), from: w.from, monthStart }),
);
const engineMs: number[] = [];
for (const iccid of picks.slice(0, 300)) {
  const sim = await services.sims.locate(p, iccid);
  const input = await repo.gather({ sim, displayIccid: iccid, now: new Date(now), window: w });
  const s0 = performance.now();
  diagnose({ ...input, fleet: fleetForSim(snap, { plmns: ['24007', '26201', '22210'], apns: ['iot.example'] }) });
  engineMs.push(performance.now() - s0);
}
const par = await timed((iccid) => services.diagnosis.diagnoseSim(p, iccid, window), CONCURRENCY);
const f = (x: number) => x.toFixed(1);
console.log(`window 24 h, ${RUNS} random sample SIMs (${Math.round(events / RUNS)} events each on average)`);
console.log(
  `baseline  trace of the window's events:  p50 ${f(trace.p50)} ms  p99 ${f(trace.p99)} ms  max ${f(trace.max)} ms`,
);
console.log(
  `diagnosis sequential:                   p50 ${f(seq.p50)} ms  p99 ${f(seq.p99)} ms  max ${f(seq.max)} ms  (${f(seq.p99 / trace.p99)}x the trace's p99)`,
);
console.log(
  `diagnosis ${CONCURRENCY} concurrent:                   p50 ${f(par.p50)} ms  p99 ${f(par.p99)} ms  ${Math.round(par.perSec)} diagnoses/s`,
);
console.log(
  `breakdown: events statement p50 ${f(evq.p50)} / p99 ${f(evq.p99)} ms; context statement (+ SIM look-up) p50 ${f(ctxq.p50)} / p99 ${f(ctxq.p99)} ms; engine p50 ${f(pct(engineMs, 50))} / p99 ${f(pct(engineMs, 99))} ms`,
);
console.log(`root causes: ${[...causes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
console.log(`goal p99 < 50 ms (sequential): ${seq.p99 < 50 ? 'MET' : 'NOT MET'}`);

await bench.finish();
