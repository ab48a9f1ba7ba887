import type { Config } from './config.ts';
import type { Ctx } from './platform/context.ts';
import { openDatabase } from './platform/db/client.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { createMetrics } from './platform/metrics.ts';
import { buildServices, type Services } from './services.ts';

// Apart from server.ts so that a CLI command opens the database and the services without loading the HTTP stack
// (Fastify, the routes and their schemas: about a third of a command's start-up; docs/PERFORMANCE.md).

/**
 * Opens the database, applies migrations and builds the services: what every command needs. On the embedded
 * database a command joins the process that already owns it (a running server) instead of opening its files;
 * `exclusive` (a server) refuses a directory another process owns.
 */
export async function openContext(
  config: Config,
  opts: { log?: Logger; exclusive?: boolean } = {},
): Promise<{ ctx: Ctx; services: Services }> {
  const logger = opts.log ?? createLogger(config);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
    command: commandLine(),
    exclusive: opts.exclusive ?? false,
    prepare: migrate,
    // Said to the person at the terminal (a CLI command waiting for the server to open the database), not logged.
    notice: (text) => process.stderr.write(`${text}\n`),
    onSharedError: (e) => logger.warn({ err: e }, 'a connection to the shared embedded database failed'),
  });
  const ctx: Ctx = { config, database, log: logger, metrics: createMetrics() };
  return { ctx, services: buildServices(ctx) };
}

/** `iotops sims import file.csv`: the command words only (never an option, which may hold a password). */
function commandLine(): string {
  const words: string[] = [];
  for (const a of process.argv.slice(2)) {
    if (a.startsWith('-') || words.length === 3) break;
    words.push(a.length > 40 ? `${a.slice(0, 40)}…` : a);
  }
  return ['iotops', ...words].join(' ');
}
