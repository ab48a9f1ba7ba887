/**
 * `node bench/index-rebuild.bench.ts [--existing N] [--rows M] [--runs K]`: the worst case of the drop-and-rebuild
 * of the secondary indexes on PGlite (REBUILD_MAX_EXISTING in import.service.ts): an import of M lines (one full
 * chunk, the smallest import that triggers it) into a data dir that already holds N SIMs (just under the threshold).
 * Each run seeds a fresh data dir, then times the same import with the rebuild off and on, in process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { fakeSim } from '../src/modules/sims/import/sim-fixtures.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { openContext } from '../src/server.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const EXISTING = arg('--existing', 99_999);
const ROWS = arg('--rows', 50_000);
const RUNS = arg('--runs', 2);
const ACCOUNT = 'BENCH-1';

function csv(from: number, count: number): string {
  let out = 'iccid,imsi,msisdn,account\n';
  for (let i = 0; i < count; i++) {
    const s = fakeSim(1_000_000_000 + from + i);
    out += `${s.iccid},${s.imsi},${s.msisdn},${ACCOUNT}\n`;
  }
  return out;
}

const existing = csv(0, EXISTING);
const batch = csv(EXISTING, ROWS);

async function once(indexRebuild: boolean): Promise<number> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'iotops-idx-bench-'));
  try {
    const { ctx, services } = await openContext(loadConfig({ IOTOPS_DATA_DIR: tmp, LOG_LEVEL: 'warn' }));
    try {
      await services.accounts.create(cliPrincipal(), {
        number: ACCOUNT,
        name: 'Bench Utility',
        vipTier: 'standard',
        language: 'en',
        timeZone: 'UTC',
        country: 'SE',
      });
      const staff = cliPrincipal('bench');
      await services.simImports.importCsv(staff, existing, { mode: 'atomic', upsert: false, indexRebuild: false });
      await ctx.database.query('VACUUM ANALYZE sims');
      const t0 = process.hrtime.bigint();
      const { code } = await services.simImports.importCsv(staff, batch, {
        mode: 'atomic',
        upsert: false,
        indexRebuild,
      });
      if (code !== null) throw new Error(`import refused: ${code}`);
      return Number(process.hrtime.bigint() - t0) / 1e9;
    } finally {
      await ctx.database.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

for (let r = 0; r < RUNS; r++) {
  const off = await once(false);
  const on = await once(true);
  console.log(
    `${ROWS} lines into ${EXISTING} SIMs: rebuild off ${off.toFixed(2)} s, on ${on.toFixed(2)} s (${on > off ? '+' : ''}${((on - off) * 1000).toFixed(0)} ms)`,
  );
}
