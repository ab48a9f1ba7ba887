/**
 * `npm run bench:alarms [-- --sims N --seconds S --due-per-second D --reuse-db NAME]`: the silence watch at fleet
 * size (issue 17, Performance: "1M SIMs under silence watch: timer work proportional to what falls due (no scans), a
 * due silence fires within 5 s p99").
 *  1. a fresh PostgreSQL database on 127.0.0.1:5432 (as bench:diagnose), N SIMs (default 1M), ACTIVATED, each with a
 *     network state and a silence watch: D a second (default 50) fall due during the S measured seconds (default
 *     60), every 10th of them having talked since (its due time moves on, no alarm); the rest are due within a day;
 *  2. baseline, same run: the tick with nothing due (what every worker pays each second at 1M watched SIMs);
 *  3. the worker's loop (a tick a second, as src/jobs.ts runs it) for S + 10 seconds: ticks' time, watches handled
 *     a second, and each alarm's delay from its due instant (alarms.first_seen_at − details.dueAt): p50/p99/max.
 * Goal: p99 delay < 5 s, and the idle tick independent of N (printed; a miss does not fail the run).
 * Smoke: `npm run bench:alarms:smoke`. The ingest side ("rules on at the ingest bench's pace, ≤ 10 % loss") is
 * bench/ingest.bench.ts `--events rules`, which `npm run bench:alarms` runs next.
 */
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { buildServices } from '../src/services.ts';
import { numArg } from './args.ts';
import { benchDatabase, pct } from './db.ts';

const SIMS = Math.floor(numArg('--sims', 1_000_000));
const SECONDS = Math.floor(numArg('--seconds', 60));
const DUE_PER_SECOND = Math.floor(numArg('--due-per-second', 50));
const TICK_MS = 1000;
const DAY = 86_400_000;
const ACCOUNTS = 1000;
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

const bench = await benchDatabase('alarms', { poolSize: 10 });
const { database } = bench;
const one = async (sql: string) => (await database.query<{ n: number }>(sql))[0]!.n;

// 1. SIMs, network states, watches. The SIMs falling due during the run are written last, relative to its start.
const falling = SECONDS * DUE_PER_SECOND;
const t0 = performance.now();
await database.query(
  `insert into accounts (id, tenant_id, path, depth, number, name, kind, language, country)
   select g, 1 + g % 100, '/' || (1 + g % 100) || '/' || g || '/', 1, 'B-' || g, 'Bench ' || g, 'sub_account', 'en', 'SE'
     from generate_series(1000, 1000 + ${ACCOUNTS - 1}) g on conflict do nothing`,
);
for (let from = await one('select count(*)::int as n from sims'); from < SIMS; from += 250_000) {
  const to = Math.min(SIMS, from + 250_000);
  await database.query(
    `insert into sims (tenant_id, account_id, iccid, state, state_changed_at)
     select 1 + (1000 + g % ${ACCOUNTS}) % 100, 1000 + g % ${ACCOUNTS}, '89460' || lpad(g::text, 14, '0'), 'ACTIVATED',
            now() - interval '90 days'
       from generate_series($1::int, $2::int - 1) g`,
    [from, to],
  );
}
await database.query('truncate silence_watch, alarms; delete from sim_network_state');
// A watch's last event is its due time less a day (no rhythm: a day's silence is news, NO_PATTERN_WARN_MS).
const watch = (where: string, due: string) =>
  `insert into silence_watch (sim_id, tenant_id, account_id, last_event_at, threshold_ms, due_at)
   select id, tenant_id, account_id, due - interval '1 day', ${DAY}, due
     from (select id, tenant_id, account_id, row_number() over (order by id) - 1 as k from sims) s,
          lateral (select ${due} as due) d
    where ${where}`;
// The rest: due in the next day, after the run.
await database.query(watch(`k >= ${falling}`, `now() + interval '2 hours' + random() * interval '1 day'`));
const state = (talked: string) =>
  `insert into sim_network_state (sim_id, tenant_id, account_id, status, last_event_at, last_event_type)
   select w.sim_id, w.tenant_id, w.account_id, 'ATTACHED',
          case when ${talked} then w.due_at - interval '1 minute' else w.last_event_at end, 'attach'
     from silence_watch w where not exists (select 1 from sim_network_state n where n.sim_id = w.sim_id)`;
await database.query(state('false'));
await database.query('analyze sims; analyze silence_watch; analyze sim_network_state');
// The falling ones, D a second from the start; every 10th talked a minute before its due time (moves on, no alarm).
const start = Date.now() + 8000;
await database.query(
  watch(`k < ${falling}`, `to_timestamp((${start}::float8 + k * 1000.0 / ${DUE_PER_SECOND}) / 1000)`),
);
await database.query(state('w.sim_id % 10 = 0'));
console.log(
  `${SIMS.toLocaleString('en')} SIMs watched (${falling.toLocaleString('en')} falling due in ${SECONDS} s, ${DUE_PER_SECOND}/s) loaded in ${secs(t0)} s`,
);

const config = { ...loadConfig({ LOG_LEVEL: 'silent' }) };
const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
const services = buildServices(ctx);

// 2. Baseline: ticks with nothing due (20 of them, within the seconds before the start).
const idle: number[] = [];
for (let i = 0; i < 20 && Date.now() < start - 500; i++) {
  const t = performance.now();
  const r = await services.alarms.silenceTick();
  if (r.due > 0) throw new Error('a watch fell due before the run');
  idle.push(performance.now() - t);
}
console.log(
  `baseline, a tick with nothing due among ${SIMS.toLocaleString('en')} watches: p50 ${pct(idle, 50).toFixed(2)} ms, p99 ${pct(idle, 99).toFixed(2)} ms`,
);
await new Promise((r) => setTimeout(r, Math.max(0, start - Date.now())));

// 3. The worker's loop.
const tickMs: number[] = [];
const totals = { due: 0, moved: 0, raised: 0, repeated: 0, cleared: 0, resting: 0 };
const end = start + (SECONDS + 10) * 1000;
const t1 = performance.now();
while (Date.now() < end) {
  const s = performance.now();
  const r = await services.alarms.silenceTick();
  tickMs.push(performance.now() - s);
  for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
  await new Promise((res) => setTimeout(res, Math.max(0, TICK_MS - (performance.now() - s))));
}
const delays = (
  await database.query<{ ms: number }>(
    `select extract(epoch from first_seen_at - (details->>'dueAt')::timestamptz)::float8 * 1000 as ms from alarms`,
  )
).map((r) => r.ms);
const expectRaised = falling - Math.floor(falling / 10);
console.log(
  `silence watch, ${SECONDS + 10} s of ticks: ${totals.due.toLocaleString('en')} watches handled (${(totals.due / ((performance.now() - t1) / 1000)).toFixed(0)}/s) — ${totals.raised} raised (expected ${expectRaised}), ${totals.moved} moved on, ${totals.repeated} repeated`,
);
console.log(
  `  tick: p50 ${pct(tickMs, 50).toFixed(1)} ms, p99 ${pct(tickMs, 99).toFixed(1)} ms, max ${Math.max(...tickMs).toFixed(1)} ms`,
);
console.log(
  `  alarm delay after its due instant: p50 ${(pct(delays, 50) / 1000).toFixed(2)} s, p99 ${(pct(delays, 99) / 1000).toFixed(2)} s, max ${(Math.max(...delays) / 1000).toFixed(2)} s (goal p99 < 5 s: ${pct(delays, 99) < 5000 ? 'met' : 'missed'})`,
);
await bench.finish();
