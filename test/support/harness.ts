import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { workerOptions } from '../../src/jobs.ts';
import { cliPrincipal, type Principal } from '../../src/platform/auth.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { type Database, openDatabase } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import type { App } from '../../src/platform/http/app.ts';
import { createLogger } from '../../src/platform/log.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { createHttpApp } from '../../src/server.ts';
import { buildServices, type Services } from '../../src/services.ts';

export const testDbKind = (process.env.IOTOPS_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/**
 * A migrated database of its own for one test file: in-memory PGlite, or on PostgreSQL a copy of the run's
 * migrated template (global-setup.ts), dropped again on close. Own databases keep the job queue per file: a
 * worker ticking with a test clock never runs another file's timers.
 */
export async function testDatabase(): Promise<Database> {
  if (testDbKind === 'postgres') return copyOfTemplate();
  const database = await openDatabase({ memory: true });
  await migrate(database);
  return database;
}

async function copyOfTemplate(): Promise<Database> {
  const admin = inject('pgAdminUrl');
  const name = `${inject('pgTemplate').replace(/_tpl$/, '')}_f${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`create database ${name} template ${inject('pgTemplate')}`);
        break;
      } catch (e) {
        // 55006: two copies of one template started at the same instant; PostgreSQL refuses the second.
        if ((e as { code?: string }).code !== '55006' || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await c.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  const close = database.close.bind(database);
  const copy: Database = {
    ...database,
    close: async () => {
      await close();
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      // Not WITH (FORCE): a pool's socket may still be closing after end() resolves, and forcing would kill it
      // with an uncaught FATAL 57P01 in this process; PostgreSQL refuses the drop until it is gone, so retry.
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await d.query(`drop database if exists ${name}`);
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await d.end();
      }
    },
  };
  urls.set(copy, url.toString());
  return copy;
}

const urls = new WeakMap<Database, string>();

/** A second connection pool to a test file's PostgreSQL database, like a second iotops process (close it first). */
export function anotherPool(database: Database): Promise<Database> {
  const url = urls.get(database);
  if (!url) throw new Error('anotherPool: not a PostgreSQL test database from testDatabase()');
  return openDatabase({ databaseUrl: url, poolSize: 4 });
}

export type Harness = {
  ctx: Ctx;
  services: Services;
  app: App;
  /**
   * Runs every due job (the worker role's work) as of `at` (default: now) until none is left; answers how many
   * ran. Jobs enqueued by a run (e.g. timers) run too when they are due by `at`. Tests wait with this, not sleep.
   */
  runJobs: (at?: Date) => Promise<number>;
  close: () => Promise<void>;
};

export async function harness(overrides: Partial<Config> = {}): Promise<Harness> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), ...overrides };
  const database = await testDatabase();
  const ctx: Ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
  const services = buildServices(ctx);
  const app = await createHttpApp(ctx, services);
  return {
    ctx,
    services,
    app,
    runJobs: async (at?: Date) => {
      const worker = services.jobs.createWorker({ ...workerOptions(ctx, services), now: () => at ?? new Date() });
      let total = 0;
      for (let i = 0; i < 100; i++) {
        const n = await worker.tick();
        if (n === 0) return total;
        total += n;
      }
      throw new Error('runJobs: jobs keep coming after 100 rounds (a job that re-enqueues itself?)');
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A short unique suffix so parallel tests never collide on account numbers or emails. */
export const uniq = () => randomBytes(4).toString('hex');

export type Tenant = {
  root: { id: number; number: string };
  child: { id: number; number: string };
  /** Bearer headers for each kind of caller. The customer belongs to `child` (sees child's subtree only). */
  admin: Record<string, string>;
  agent: Record<string, string>;
  customer: Record<string, string>;
  rootCustomer: Record<string, string>;
  readOnlyAgent: Record<string, string>;
  adminPrincipal: Principal;
};

const staffPrincipal: Principal = cliPrincipal('factory');

/** A user with an API token, as request headers. */
export async function bearer(
  services: Services,
  email: string,
  role: 'admin' | 'agent' | 'customer',
  accountId?: number,
  scopes?: ('read' | 'write' | 'ingest' | 'admin')[],
) {
  const u = await services.users.create({
    email,
    name: email,
    password: 'correct-horse-battery',
    role,
    accountId,
    language: 'en',
  });
  const all = {
    admin: ['read', 'write', 'ingest', 'admin'],
    agent: ['read', 'write', 'ingest'],
    customer: ['read', 'write'],
  } as const;
  const { secret } = await services.users.createToken(u.id, { name: 'test', scopes: scopes ?? [...all[role]] });
  return { authorization: `Bearer ${secret}` };
}

/** A fresh enterprise with one sub-account, and tokens for admin, agent, and customers at both levels. */
export async function makeTenant(services: Services): Promise<Tenant> {
  const u = uniq();
  const root = await services.accounts.create(staffPrincipal, {
    number: `ENT-${u}`,
    name: `Enterprise ${u}`,
    vipTier: 'gold',
    language: 'sv',
    timeZone: 'Europe/Stockholm',
    country: 'SE',
  });
  const child = await services.accounts.create(staffPrincipal, {
    number: `SUB-${u}`,
    name: `Sub ${u}`,
    parentId: root.id,
    vipTier: 'standard',
    language: 'en',
    timeZone: 'Europe/Stockholm',
    country: 'SE',
  });
  return {
    root: { id: root.id, number: root.number },
    child: { id: child.id, number: child.number },
    admin: await bearer(services, `admin-${u}@example.test`, 'admin'),
    agent: await bearer(services, `agent-${u}@example.test`, 'agent'),
    customer: await bearer(services, `cust-${u}@example.test`, 'customer', child.id),
    rootCustomer: await bearer(services, `root-${u}@example.test`, 'customer', root.id),
    readOnlyAgent: await bearer(services, `ro-${u}@example.test`, 'agent', undefined, ['read']),
    adminPrincipal: staffPrincipal,
  };
}
