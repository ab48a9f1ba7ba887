/**
 * `npm run bench:usage-drop [-- --sims N --tenants T --reuse-db NAME]`: the hourly usage-drop run at fleet size
 * (issue 17.1, src/modules/alarms/usage-drops.ts). One run judges every SIM with usage in the window against the same
 * hours of the rule's learning weeks; it must finish well within its hour at a million SIMs.
 *  1. a fresh PostgreSQL database on 127.0.0.1:5432, N SIMs (default 1M) ACTIVATED in T tenants (default 10), each
 *     with hourly usage in the 3 judged hours now and in the same hours of the 4 weeks before (15 rows a SIM; about
 *     1 MB an hour, ±20 % from week to week); one SIM in 1,000 carries 5 % of it now (the drops to find);
 *  2. baseline, same run: reading the window's rows at all (a sum per tenant over the same hours, the same index);
 *     and the run with no usage-drop rule (what every hour costs while nobody has one);
 *  3. the run with one usage-drop rule (the defaults): seconds, SIMs judged a second, alarms raised (expected: the
 *     drops, no other); then the same hour again (a retried run: nothing raised twice).
 *  4. the daily usage-drift judgement (usage-drift.ts) on 35 days of daily usage a SIM (28 learned, 7 judged), one SIM
 *     in 1,000 climbing 10 % a day through the judged week: seconds, SIMs/s, alarms raised against the expected, and
 *     the baseline of reading those daily rows at all.
 * The table holds only the hours judged: a real one holds the retention's other hours too, which the (tenant, hour)
 * index skips. Smoke: `npm run bench:usage-drop:smoke`.
 */
import { loadConfig } from '../src/config.ts';
import { CreateRuleBody } from '../src/modules/alarms/rules.schemas.ts';
import { windowHours } from '../src/modules/ingest/usage-weeks.repo.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { buildServices } from '../src/services.ts';
import { numArg } from './args.ts';
import { benchDatabase } from './db.ts';

const SIMS = Math.floor(numArg('--sims', 1_000_000));
const TENANTS = Math.floor(numArg('--tenants', 10));
const ACCOUNTS = 1000;
const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const DROP_EVERY = 1000;
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

const bench = await benchDatabase('usage_drop', { poolSize: 4 });
const { database } = bench;
const one = async (sql: string) => (await database.query<{ n: number }>(sql))[0]!.n;
const end = Math.floor(Date.now() / HOUR) * HOUR;

// 1. SIMs and their hourly usage in the judged hours (week 0 = now, weeks 1..4 the learning weeks).
const t0 = performance.now();
await database.query(
  `insert into accounts (id, tenant_id, path, depth, number, name, kind, language, country)
   select g, 1 + g % ${TENANTS}, '/' || (1 + g % ${TENANTS}) || '/' || g || '/', 1, 'B-' || g, 'Bench ' || g,
          'sub_account', 'en', 'SE'
     from generate_series(1000, 1000 + ${ACCOUNTS - 1}) g on conflict do nothing`,
);
const have = await one('select count(*)::int as n from sims');
for (let from = have; from < SIMS; from += 100_000) {
  const to = Math.min(SIMS, from + 100_000);
  await database.query(
    `insert into sims (tenant_id, account_id, iccid, state, state_changed_at)
     select 1 + (1000 + g % ${ACCOUNTS}) % ${TENANTS}, 1000 + g % ${ACCOUNTS}, '89460' || lpad(g::text, 14, '0'),
            'ACTIVATED', now() - interval '90 days'
       from generate_series($1::int, $2::int - 1) g`,
    [from, to],
  );
}
const hours = windowHours(end, 3, 4).map((d) => d.toISOString());
if (have < SIMS || (await one('select count(*)::int as n from sim_usage_hourly')) === 0) {
  await database.query('truncate sim_usage_hourly, alarms');
  const [range] = await database.query<{ lo: string; hi: string }>(
    'select min(id)::text as lo, max(id)::text as hi from sims',
  );
  for (let lo = Number(range!.lo); lo <= Number(range!.hi); lo += 100_000)
    await database.query(
      `insert into sim_usage_hourly (sim_id, tenant_id, account_id, hour, bytes_up, bytes_down)
       select s.id, s.tenant_id, s.account_id, h.hour, 0,
              (case when h.week = 0 and s.id % ${DROP_EVERY} = 0 then 0.05 else 0.8 + 0.4 * random() end * 1e6)::bigint
         from sims s,
              lateral (select x::timestamptz as hour,
                              floor(extract(epoch from ($2::timestamptz - x::timestamptz)) / ${WEEK / 1000})::int as week
                         from unnest($1::text[]) x) h
        where s.id >= $3 and s.id < $4`,
      [hours, new Date(end).toISOString(), lo, lo + 100_000],
    );
  await database.query('analyze sims; analyze sim_usage_hourly');
}
const rows = await one('select count(*)::int as n from sim_usage_hourly');
const expected = await one(`select count(*)::int as n from sims where id % ${DROP_EVERY} = 0`);
console.log(
  `${SIMS.toLocaleString('en')} SIMs in ${TENANTS} tenants, ${rows.toLocaleString('en')} hourly usage rows (3 hours × 5 weeks), ${expected} dropped, loaded in ${secs(t0)} s`,
);

const config = { ...loadConfig({ LOG_LEVEL: 'silent' }) };
const services = buildServices({ config, database, log: createLogger(config), metrics: createMetrics() });
const run = async () => {
  const t = performance.now();
  const total = { tenants: 0, raised: 0, repeated: 0, cleared: 0 };
  for (let after = 0; ; ) {
    const r = await services.alarms.usageRulesPage(after, new Date(end));
    if (r.tenantId === null) break;
    total.tenants++;
    total.raised += r.raised;
    total.repeated += r.repeated;
    total.cleared += r.cleared;
    after = r.tenantId;
  }
  return { ms: performance.now() - t, ...total };
};

// 2. Baselines: reading the window's rows at all; the run with no rule.
let t = performance.now();
for (let tenant = 1; tenant <= TENANTS; tenant++)
  await database.query(
    `select count(*), sum(bytes_up + bytes_down) from sim_usage_hourly
      where tenant_id = $1 and hour = any($2::timestamptz[])`,
    [tenant, hours],
  );
const scanMs = performance.now() - t;
console.log(
  `baseline, reading the window's ${rows.toLocaleString('en')} rows per tenant: ${(scanMs / 1000).toFixed(1)} s`,
);
const idle = await run();
console.log(`baseline, the run with no usage-drop rule: ${(idle.ms / 1000).toFixed(2)} s (${idle.tenants} tenants)`);

// 3. With one rule of the defaults.
await services.alarms.rules.create(cliPrincipal('bench'), CreateRuleBody.parse({ name: 'Bench', kind: 'usage_drop' }));
const first = await run();
console.log(
  `usage-drop run, one rule: ${(first.ms / 1000).toFixed(1)} s for ${SIMS.toLocaleString('en')} SIMs (${Math.round(SIMS / (first.ms / 1000)).toLocaleString('en')} SIMs/s; ×${(first.ms / scanMs).toFixed(1)} the read) — ${first.raised} raised (expected ${expected}), goal: well within the hour (< 5 min): ${first.ms < 300_000 ? 'met' : 'missed'}`,
);
const again = await run();
console.log(
  `  the same hour again (a retried run): ${(again.ms / 1000).toFixed(1)} s, ${again.raised} raised, ${again.repeated} counted twice`,
);
if (first.raised !== expected || again.raised + again.repeated !== 0) {
  console.error('the run did not raise exactly the dropped SIMs once');
  process.exitCode = 1;
}

// 4. The daily drift judgement: 35 days a SIM, the climbing ones +10 % a day through the last 7.
const DAY = 24 * HOUR;
const midnight = Math.floor(end / DAY) * DAY;
t = performance.now();
await database.query('truncate sim_usage_daily');
const [ids] = await database.query<{ lo: string; hi: string }>(
  'select min(id)::text as lo, max(id)::text as hi from sims',
);
for (let lo = Number(ids!.lo); lo <= Number(ids!.hi); lo += 50_000)
  await database.query(
    `insert into sim_usage_daily (sim_id, tenant_id, account_id, day, bytes_up, bytes_down)
     select s.id, s.tenant_id, s.account_id, to_timestamp(($1::float8 - d::float8 * 86400000) / 1000), 0,
            (case when s.id % ${DROP_EVERY} = 0 and d <= 7 then 1 + 0.1 * (8 - d) else 0.95 + 0.1 * random() end
             * 1e7)::bigint
       from sims s, generate_series(1, 35) d
      where s.id >= $2 and s.id < $3`,
    [midnight, lo, lo + 50_000],
  );
await database.query('analyze sim_usage_daily');
const dailyRows = await one('select count(*)::int as n from sim_usage_daily');
console.log(`${dailyRows.toLocaleString('en')} daily usage rows (35 days a SIM) loaded in ${secs(t)} s`);
t = performance.now();
for (let tenant = 1; tenant <= TENANTS; tenant++)
  await database.query(
    'select count(*), sum(bytes_up + bytes_down) from sim_usage_daily where tenant_id = $1 and day >= $2 and day < $3',
    [tenant, new Date(midnight - 35 * DAY).toISOString(), new Date(midnight).toISOString()],
  );
const dailyScanMs = performance.now() - t;
await services.alarms.rules.create(
  cliPrincipal('bench'),
  CreateRuleBody.parse({ name: 'Bench drift', kind: 'usage_drift' }),
);
t = performance.now();
let drifted = 0;
for (let tenant = 1; tenant <= TENANTS; tenant++)
  drifted += (await services.alarms.usageDriftOf(tenant, new Date(midnight))).raised;
const driftMs = performance.now() - t;
console.log(
  `baseline, reading the ${dailyRows.toLocaleString('en')} daily rows per tenant: ${(dailyScanMs / 1000).toFixed(1)} s`,
);
console.log(
  `usage-drift judgement, one rule: ${(driftMs / 1000).toFixed(1)} s for ${SIMS.toLocaleString('en')} SIMs (${Math.round(SIMS / (driftMs / 1000)).toLocaleString('en')} SIMs/s; ×${(driftMs / dailyScanMs).toFixed(1)} the read) — ${drifted} raised (expected ${expected})`,
);
await bench.finish();
if (drifted !== expected) {
  console.error('the drift judgement did not raise exactly the climbing SIMs');
  process.exitCode = 1;
}
