import { readFileSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import type { Config } from './config.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { attachmentsRoutes } from './modules/cases/attachments.routes.ts';
import { casePartiesRoutes } from './modules/cases/case-parties.routes.ts';
import { caseReportsRoutes, casesRoutes } from './modules/cases/cases.routes.ts';
import { catalogRoutes } from './modules/catalog/catalog.routes.ts';
import { devicesRoutes } from './modules/devices/devices.routes.ts';
import { diagnosisRoutes } from './modules/diagnosis/diagnosis.routes.ts';
import { ingestRoutes } from './modules/ingest/ingest.routes.ts';
import { INGEST_SECRET_PREFIX, type IngestService } from './modules/ingest/ingest.service.ts';
import { networkRoutes } from './modules/network/network.routes.ts';
import { networkActionsRoutes } from './modules/network-actions/network-actions.routes.ts';
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts';
import { plmnsRoutes } from './modules/plmns/plmns.routes.ts';
import { simTransferRoutes } from './modules/sims/import/import.routes.ts';
import { simsRoutes } from './modules/sims/sims.routes.ts';
import { priorityMatrixRoutes } from './modules/sla/priority-matrix.routes.ts';
import { slaRoutes } from './modules/sla/sla.routes.ts';
import { principalResolver, usersRoutes } from './modules/users/users.routes.ts';
import type { Principal } from './platform/auth.ts';
import type { Ctx } from './platform/context.ts';
import { openDatabase } from './platform/db/client.ts';
import { migrate } from './platform/db/migrate.ts';
import { type App, buildApp } from './platform/http/app.ts';
import { webBundle, webRoutes } from './platform/http/web.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { createMetrics } from './platform/metrics.ts';
import { buildServices, type Services } from './services.ts';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

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

export function createHttpApp(ctx: Ctx, services: Services): Promise<App> {
  return buildApp(ctx, {
    version: VERSION,
    resolvePrincipal: withIngestCredentials(principalResolver(services.users), services.ingest),
    routes: [
      usersRoutes(services.users, { cookieSecure: ctx.config.cookieSecure }),
      accountsRoutes(services.accounts),
      catalogRoutes(services.catalog),
      plmnsRoutes(services.plmns),
      simsRoutes(services.sims),
      simTransferRoutes(services.simImports, services.simExports, { importMaxBytes: ctx.config.importMaxBytes }),
      casesRoutes(services.cases, { parties: services.caseParties, attachments: services.attachments }),
      casePartiesRoutes(services.caseParties),
      attachmentsRoutes(services.attachments, { maxBytes: ctx.config.attachmentMaxBytes }),
      caseReportsRoutes(services.caseReports),
      slaRoutes(services.sla),
      notificationsRoutes(services.notifications),
      priorityMatrixRoutes(services.priorityMatrix),
      ingestRoutes(services.ingest),
      networkRoutes(services.network),
      devicesRoutes(services.devices),
      networkActionsRoutes(services.networkActions),
      diagnosisRoutes(services.diagnosis, services.diagnosisBatch, services.caseDiagnosis),
      // Last: its catch-all GET answers every path the API does not (the console's deep links).
      webRoutes(webBundle()),
    ],
  });
}

/** Producers authenticate with ingest credentials (their own secret prefix); everyone else as users do. */
function withIngestCredentials(
  users: (req: FastifyRequest) => Promise<Principal | null>,
  ingest: IngestService,
): (req: FastifyRequest) => Promise<Principal | null> {
  return async (req) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (m?.[1]?.startsWith(INGEST_SECRET_PREFIX)) return ingest.principalFromSecret(m[1]);
    return users(req);
  };
}
