import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Run raw SQL through Drizzle and get its rows. Both drivers (node-postgres and PGlite) answer with an
 * object holding `rows`; Drizzle's generic type does not say so, hence the one cast, kept here.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * `column = any(${idsAny(ids)})`: a list of ids as ONE parameter. Drizzle's `inArray` binds one parameter per id, and
 * a statement with hundreds of parameters is parsed and planned anew each time — the hot paths (a batch event's
 * SIMs) pay that per batch. Digits only, so the comma-joined text is safe to split.
 */
export const idsAny = (ids: readonly number[]) => sql`string_to_array(${ids.join(',')}, ',')::bigint[]`;
