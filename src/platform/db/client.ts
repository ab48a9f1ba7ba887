import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import {
  claimDataDir,
  describeOwner,
  type EmbeddedOwner,
  isAlive,
  type OwnedLock,
  readOwner,
} from './embedded-owner.ts';
import { SOCKET_PORT, shareEmbedded, socketDirFor } from './embedded-socket.ts';
import { type ChannelHandlers, type ChannelListener, checkChannel, pgListener } from './pg-listener.ts';
import { schema } from './schema.ts';

export type { ChannelHandlers, ChannelListener };

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
  /** The engine's behaviour: 'pglite' is one session for everyone (also when reached through its owner's socket). */
  kind: 'pglite' | 'postgres';
  /** The driver in this process: PGlite itself, or node-postgres (PostgreSQL, or an embedded database's owner). */
  driver: 'pglite' | 'pg';
  /** Set when this process reaches the embedded database through the process that owns it. */
  owner?: EmbeddedOwner;
  db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  rawTransaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel (a lower-case SQL name) for as long as the returned handle is open. `state(true)` once the
   * process hears it; `state(false)` while it cannot (the connection broke: it reconnects every second, and calls
   * `notify` once heard again, for what it may have missed). A process reaching an embedded database through its
   * owner never hears (state stays false).
   */
  listen(channel: string, on: ChannelHandlers): Promise<ChannelListener>;
  close(): Promise<void>;
};

export type DbOptions = {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  memory?: boolean;
  /** What this process runs (`iotops start`), named to other processes that find the data directory in use. */
  command?: string;
  /** A server: one per data directory, so it refuses a directory another process owns instead of joining it. */
  exclusive?: boolean;
  /** Run once the database is open, before other processes may join it (the migrations). */
  prepare?: (database: Database) => Promise<void>;
  /** Says what this process waits for (another process opening the embedded database). */
  notice?: (text: string) => void;
  /** Errors of the connections this process serves to others (they never stop this process). */
  onSharedError?: (e: unknown) => void;
};

export async function openDatabase(opts: DbOptions): Promise<Database> {
  let database: Database;
  if (opts.databaseUrl) database = await openPostgres({ connectionString: opts.databaseUrl }, opts.poolSize ?? 10);
  else if (opts.memory) database = (await openPglite(undefined)).database;
  else return openEmbedded(path.resolve(opts.dataDir ?? './data'), opts);
  await opts.prepare?.(database);
  return database;
}

/** Thrown to a server that finds its data directory owned by another process. */
export class DataDirInUseError extends Error {
  readonly owner: EmbeddedOwner;
  constructor(dataDir: string, owner: EmbeddedOwner) {
    super(
      `the embedded database in ${dataDir} is in use by ${describeOwner(owner)}: one server per data directory. ` +
        'Stop that process first, or give this one its own IOTOPS_DATA_DIR (or a PostgreSQL DATABASE_URL). ' +
        'CLI commands (iotops sims import, cases, trace …) need no server stopped: they go through the running one.',
    );
    this.owner = owner;
  }
}

const OWNER_START_WAIT_MS = 120_000;

/**
 * The embedded database: this process owns it (and shares it on a socket once `prepare` has run), or another
 * process does and this one becomes its client — never two processes on the same files (embedded-owner.ts).
 */
async function openEmbedded(dataDir: string, opts: DbOptions): Promise<Database> {
  const command = opts.command ?? 'iotops';
  for (;;) {
    const claim = claimDataDir(dataDir, command);
    if (claim.ok) return own(dataDir, claim.lock, opts);
    if (opts.exclusive) throw new DataDirInUseError(dataDir, claim.owner);
    const owner = await ownerListening(dataDir, claim.owner, opts.notice);
    if (!owner) continue; // the owner went away before it listened: claim again
    try {
      const database = await openPostgres(
        { host: owner.socketDir!, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
        // One connection, as in the owner itself: PGlite has one session, and code that holds a transaction
        // while it queries on a second connection would wait for itself.
        1,
        owner,
      );
      await opts.prepare?.(database);
      return database;
    } catch (e) {
      if (isAlive(owner)) throw lostOwner(dataDir, owner, e);
    }
  }
}

async function own(dataDir: string, lock: OwnedLock, opts: DbOptions): Promise<Database> {
  try {
    const { database, client } = await openPglite(path.join(dataDir, 'pglite'));
    await opts.prepare?.(database);
    const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    // What this process LISTENs to also hears the commits of the processes served on the socket.
    const heard = new Map<string, Set<ChannelHandlers>>();
    const shared = await shareEmbedded(
      client,
      socketDirFor(dataDir, tmpdir(), id),
      opts.onSharedError ?? ((e) => process.stderr.write(`embedded database socket: ${String(e)}\n`)),
      {
        onNotification: (channel) => {
          for (const on of heard.get(channel) ?? []) on.notify();
        },
      },
    );
    lock.publish(shared.dir);
    return {
      ...database,
      async listen(channel, on) {
        const l = await database.listen(channel, on);
        const set = heard.get(channel) ?? new Set();
        heard.set(channel, set.add(on));
        return {
          sync: l.sync,
          close: async () => {
            set.delete(on);
            await l.close();
          },
        };
      },
      async close() {
        await shared.close();
        await database.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Waits while the owner starts (opening PGlite and migrating take seconds); null when it is gone. */
async function ownerListening(
  dataDir: string,
  first: EmbeddedOwner,
  notice: ((text: string) => void) | undefined,
): Promise<EmbeddedOwner | null> {
  const t0 = Date.now();
  let owner: EmbeddedOwner | null = first;
  let told = false;
  while (owner && !owner.socketDir) {
    if (!isAlive(owner)) return null;
    if (!told && Date.now() - t0 > 1000) {
      notice?.(`waiting for ${describeOwner(owner)} to open the embedded database in ${dataDir}…`);
      told = true;
    }
    if (Date.now() - t0 > OWNER_START_WAIT_MS)
      throw new Error(
        `${describeOwner(owner)} holds the embedded database in ${dataDir} but has not opened it in ${OWNER_START_WAIT_MS / 1000} s; if it hangs, stop it and run this again`,
      );
    await new Promise((r) => setTimeout(r, 200));
    owner = readOwner(dataDir);
  }
  return owner;
}

function lostOwner(dataDir: string, owner: EmbeddedOwner, e: unknown): Error {
  return new Error(
    `could not reach ${describeOwner(owner)}, which owns the embedded database in ${dataDir}: ${(e as Error).message}`,
  );
}

async function openPglite(dir: string | undefined): Promise<{ database: Database; client: PGlite }> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const database: Database = {
    kind: 'pglite',
    driver: 'pglite',
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
    async listen(channel, on) {
      checkChannel(channel);
      // PGlite is one session: a notification reaches the callback before the committing call returns.
      const unlisten = await client.listen(channel, () => on.notify());
      on.state(true);
      return { sync: async () => undefined, close: () => unlisten() };
    },
    close: () => client.close(),
  };
  return { database, client };
}

/** node-postgres: a PostgreSQL server, or (with `owner`) the embedded database through the process owning it. */
async function openPostgres(conn: pg.PoolConfig, poolSize: number, owner?: EmbeddedOwner): Promise<Database> {
  const listeners = new Set<{ close(): Promise<void> }>();
  const pool = new pg.Pool({ ...conn, max: poolSize });
  // An idle connection that breaks (the server or the owner stopped) must not crash the process; the next
  // query fails and says so.
  pool.on('error', () => undefined);
  // Bigint counts come back as strings by default; ids stay strings (they can exceed 2^53 in theory).
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return {
    kind: owner ? 'pglite' : 'postgres',
    driver: 'pg',
    ...(owner ? { owner } : {}),
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
    async listen(channel, on) {
      checkChannel(channel);
      // The owner's socket serves its one PGlite session to its clients: no second connection to LISTEN on.
      if (owner) {
        on.state(false);
        return {
          sync: () => Promise.reject(new Error('a client of the embedded database does not listen')),
          close: async () => undefined,
        };
      }
      const l = pgListener(conn, channel, on);
      listeners.add(l);
      await l.start();
      return {
        sync: l.sync,
        close: async () => {
          listeners.delete(l);
          await l.close();
        },
      };
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.close()));
      await pool.end();
    },
  };
}
