/**
 * The benchmarks' own PostgreSQL database: created fresh on the server BENCH_DATABASE_URL names (default the local
 * `test` database's server), or reused with `--reuse-db NAME`, migrated; dropped at the end unless reused.
 */
import pg from 'pg';
import { type Database, openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { reuseDbArg } from './args.ts';

export const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export async function benchDatabase(
  kind: string,
  opts: { poolSize: number; reuse?: string },
): Promise<{ database: Database; url: string; finish(): Promise<void> }> {
  const reuse = opts.reuse ?? reuseDbArg();
  const name = reuse ?? `iotops_bench_${kind}_${process.pid}`;
  await admin(async (c) => {
    if (!reuse || (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 0)
      await c.query(`create database ${name}`);
  });
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: opts.poolSize });
  await migrate(database);
  return {
    database,
    url: url.toString(),
    async finish() {
      await database.close();
      if (!reuse) await admin((c) => c.query(`drop database if exists ${name}`));
    },
  };
}

/** The p-th percentile (0–100) of a sample, nearest rank; NaN when empty. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
