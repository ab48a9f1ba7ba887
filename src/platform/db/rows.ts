import type { SQL } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Run raw SQL through Drizzle and get its rows. Both drivers (node-postgres and PGlite) answer with an
 * object holding `rows`; Drizzle's generic type does not say so, hence the one cast, kept here.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
