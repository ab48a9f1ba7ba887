import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { schema } from './schema.ts';

export type Schema = typeof schema;
/** Drizzle handle; the same type for PGlite and node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Row = Record<string, unknown>;

/**
 * A raw connection inside one transaction: plain SQL and COPY FROM STDIN.
 * Bulk paths (import, ingest) use this; everything else uses Drizzle.
 */
export type RawTx = {
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** `copySql` is `COPY t (cols) FROM STDIN WITH (FORMAT csv)`; `data` is the whole chunk. */
  copyIn(copySql: string, data: string): Promise<void>;
};

export type Database = {
  kind: 'pglite' | 'postgres';
  db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type DbOptions = { databaseUrl?: string | undefined; dataDir?: string; poolSize?: number; memory?: boolean };

export async function openDatabase(opts: DbOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts.memory ? undefined : path.join(opts.dataDir ?? './data', 'pglite'));
}

async function openPglite(dir: string | undefined): Promise<Database> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      const r = await client.query<T>(text, params);
      return r.rows;
    },
    rawTransaction(fn) {
      return client.transaction((tx) =>
        fn({
          async query<T extends Row>(text: string, params: unknown[] = []) {
            return (await tx.query<T>(text, params)).rows;
          },
          async copyIn(copySql, data) {
            // PGlite reads COPY input from the virtual file /dev/blob.
            await tx.query(copySql.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) });
          },
        }),
      );
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Bigint counts come back as strings by default; ids stay strings (they can exceed 2^53 in theory).
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  await pool.query('select 1');
  return {
    kind: 'postgres',
    db,
    async query<T extends Row>(text: string, params: unknown[] = []) {
      const r = await pool.query(text, params);
      return r.rows as T[];
    },
    async rawTransaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn({
          async query<T extends Row>(text: string, params: unknown[] = []) {
            return (await c.query(text, params)).rows as T[];
          },
          async copyIn(copySql, data) {
            await pipeline(Readable.from([data]), c.query(copyFromStream(copySql)));
          },
        });
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}
