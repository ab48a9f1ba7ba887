import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
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

/** A migrated database for one test file: in-memory PGlite, or the run's PostgreSQL database. */
export async function testDatabase(): Promise<Database> {
  if (testDbKind === 'postgres') {
    return openDatabase({ databaseUrl: inject('databaseUrl'), poolSize: 4 });
  }
  const database = await openDatabase({ memory: true });
  await migrate(database);
  return database;
}

export type Harness = { ctx: Ctx; services: Services; app: App; close: () => Promise<void> };

/**
 * On PostgreSQL, a database of this file's own (created, migrated, dropped on close) instead of the run's shared
 * one: for tests that change provider-wide configuration (the priority matrix) other files' tests would see.
 */
export async function privateTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (testDbKind !== 'postgres') return { database: await testDatabase(), drop: async () => undefined };
  const url = new URL(inject('databaseUrl'));
  const name = `${url.pathname.slice(1)}_${uniq()}`;
  const admin = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
  await admin.query(`create database ${name}`);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  await migrate(database);
  return {
    database,
    // Without FORCE: forcing would kill this file's own pool connections while they close (an uncaught FATAL
    // 57P01); a connection still closing makes the drop fail, so it is retried briefly.
    drop: async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`drop database if exists ${name}`);
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await admin.close();
    },
  };
}

export async function harness(
  overrides: Partial<Config> = {},
  opts: { privateDatabase?: boolean } = {},
): Promise<Harness> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), ...overrides };
  const own = opts.privateDatabase ? await privateTestDatabase() : undefined;
  const database = own?.database ?? (await testDatabase());
  const ctx: Ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
  const services = buildServices(ctx);
  const app = await createHttpApp(ctx, services);
  return {
    ctx,
    services,
    app,
    close: async () => {
      await app.close();
      await database.close();
      await own?.drop();
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

async function bearer(
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
