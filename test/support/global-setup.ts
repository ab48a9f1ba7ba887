import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

/**
 * On PostgreSQL: create a migrated template database for the run; every test file gets its own copy of it
 * (harness.ts testDatabase), so job queues, timers and counters never leak between files running in parallel.
 * Black-box CLI runs share one more copy (`databaseUrl`): a template must have no connections while copied.
 * Everything of the run is dropped at the end.
 */
export default async function setup(project: TestProject) {
  if ((process.env.IOTOPS_TEST_DB ?? 'pglite') !== 'postgres') return;
  const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const run = `iotops_test_${process.pid}_${Date.now()}`;
  const template = `${run}_tpl`;
  const urlOf = (db: string) => {
    const url = new URL(admin);
    url.pathname = `/${db}`;
    return url.toString();
  };
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${template}`);
  const database = await openDatabase({ databaseUrl: urlOf(template), poolSize: 2 });
  await migrate(database);
  await database.close();
  await c.query(`create database ${run}_cli template ${template}`);
  await c.end();
  project.provide('databaseUrl', urlOf(`${run}_cli`));
  project.provide('pgAdminUrl', admin);
  project.provide('pgTemplate', template);
  return async () => {
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    const { rows } = await d.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `${run}%`,
    ]);
    // The copies first, then the template they were made from.
    for (const r of rows.filter((r) => r.datname !== template))
      await d.query(`drop database if exists ${r.datname} with (force)`);
    await d.query(`drop database if exists ${template} with (force)`);
    await d.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
