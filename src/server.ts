import type { FastifyRequest } from 'fastify';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { alarmSeriesRoutes } from './modules/alarms/alarm-series.routes.ts';
import { alarmsRoutes } from './modules/alarms/alarms.routes.ts';
import { rulesRoutes } from './modules/alarms/rules.routes.ts';
import { capacityRoutes } from './modules/capacity/capacity.routes.ts';
import { attachmentsRoutes } from './modules/cases/attachments.routes.ts';
import { keepOpenRoutes } from './modules/cases/case-keep-open.routes.ts';
import { casePartiesRoutes } from './modules/cases/case-parties.routes.ts';
import { caseReportsRoutes, casesRoutes } from './modules/cases/cases.routes.ts';
import { priorityMatrixRoutes } from './modules/cases/priority-matrix.routes.ts';
import { catalogRoutes } from './modules/catalog/catalog.routes.ts';
import { devicesRoutes } from './modules/devices/devices.routes.ts';
import { diagnosisRoutes } from './modules/diagnosis/diagnosis.routes.ts';
import { ingestRoutes } from './modules/ingest/ingest.routes.ts';
import { INGEST_SECRET_PREFIX, type IngestService } from './modules/ingest/ingest.service.ts';
import { mailRoutes } from './modules/mail/mail.routes.ts';
import { mailOutboxRoutes } from './modules/mail/mail-outbox.routes.ts';
import { networkRoutes } from './modules/network/network.routes.ts';
import { networkActionsRoutes } from './modules/network-actions/network-actions.routes.ts';
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts';
import { plmnsRoutes } from './modules/plmns/plmns.routes.ts';
import { simTransferRoutes } from './modules/sims/import/import.routes.ts';
import { simsRoutes } from './modules/sims/sims.routes.ts';
import { slaRoutes } from './modules/sla/sla.routes.ts';
import { loginRoutes } from './modules/users/login.routes.ts';
import { principalResolver, usersRoutes } from './modules/users/users.routes.ts';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.ts';
import type { Principal } from './platform/auth.ts';
import type { Ctx } from './platform/context.ts';
import { type App, buildApp } from './platform/http/app.ts';
import { webBundle, webRoutes } from './platform/http/web.ts';
import type { Services } from './services.ts';
import { VERSION } from './version.ts';

// The HTTP app. What a CLI command needs (openContext) is in open-context.ts, which loads no HTTP code.
export { openContext } from './open-context.ts';
export { VERSION };

export async function createHttpApp(ctx: Ctx, services: Services): Promise<App> {
  // The queue's page cache may serve only while this process hears every case change.
  const queueWatch = await services.cases.watchQueue();
  return buildApp(ctx, {
    onClose: () => queueWatch.close(),
    version: VERSION,
    resolvePrincipal: withIngestCredentials(principalResolver(services.users), services.ingest),
    routes: [
      usersRoutes(services.users, services.logins, { cookieSecure: ctx.config.cookieSecure }),
      loginRoutes(services.logins),
      accountsRoutes(services.accounts),
      catalogRoutes(services.catalog, services.planImport),
      alarmsRoutes(services.alarms),
      alarmSeriesRoutes(services.alarmSeries),
      rulesRoutes(services.alarms.rules),
      plmnsRoutes(services.plmns),
      simsRoutes(services.sims),
      simTransferRoutes(services.simImports, services.simExports, {
        importMaxBytes: ctx.config.importMaxBytes,
        bodyIdleTimeoutMs: ctx.config.bodyIdleTimeoutMs,
      }),
      casesRoutes(services.cases, { parties: services.caseParties, attachments: services.attachments }),
      casePartiesRoutes(services.caseParties),
      keepOpenRoutes(services.cases),
      attachmentsRoutes(services.attachments, { maxBytes: ctx.config.attachmentMaxBytes }),
      caseReportsRoutes(services.caseReports),
      slaRoutes(services.sla),
      notificationsRoutes(services.notifications),
      priorityMatrixRoutes(services.priorityMatrix),
      ingestRoutes(services.ingest),
      networkRoutes(services.network),
      devicesRoutes(services.devices),
      capacityRoutes(services.capacity),
      webhooksRoutes(services.webhooks),
      mailRoutes(services.mailDesk),
      mailOutboxRoutes(services.mailOutbox),
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
