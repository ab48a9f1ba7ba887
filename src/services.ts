import { Readable } from 'node:stream';
import { createAccountsService } from './modules/accounts/accounts.service.ts';
import type { MonitoringCaseOps } from './modules/alarms/alarm-cases.ts';
import { createAlarmSeries } from './modules/alarms/alarm-series.ts';
import { type AlarmsDeps, createAlarmsService } from './modules/alarms/alarms.service.ts';
import { createCapacityService } from './modules/capacity/capacity.service.ts';
import { capacityCases } from './modules/capacity/capacity-cases.ts';
import { createAttachmentsService } from './modules/cases/attachments.service.ts';
import { createCaseHistory } from './modules/cases/case-history.ts';
import { createCaseParties } from './modules/cases/case-parties.ts';
import { createCaseReports } from './modules/cases/cases.reports.ts';
import { CreateCaseBody } from './modules/cases/cases.schemas.ts';
import { createCasesService } from './modules/cases/cases.service.ts';
import { createPriorityMatrixService } from './modules/cases/priority-matrix.service.ts';
import { priorityMatrixStore } from './modules/cases/priority-matrix.store.ts';
import { createCatalogService } from './modules/catalog/catalog.service.ts';
import { createPlanImport } from './modules/catalog/plan-import.ts';
import { createDemoService } from './modules/demo/demo.service.ts';
import { createDevicesService } from './modules/devices/devices.service.ts';
import { telemetryStore } from './modules/devices/telemetry.writer.ts';
import { createCaseDiagnosis } from './modules/diagnosis/case-diagnosis.ts';
import { createDiagnosisService } from './modules/diagnosis/diagnosis.service.ts';
import { createDiagnosisBatch } from './modules/diagnosis/diagnosis-batch.ts';
import { fleetHealthRepo } from './modules/diagnosis/fleet-health.repo.ts';
import { createFleetHealth } from './modules/diagnosis/fleet-health.ts';
import { createIngestService } from './modules/ingest/ingest.service.ts';
import { createMailService } from './modules/mail/mail.service.ts';
import { mailComposer as createMailComposer } from './modules/mail/mail-compose.ts';
import { mailOutbox } from './modules/mail/mail-outbox.ts';
import { mailSender as createMailSender } from './modules/mail/mail-send.ts';
import { mailTriage } from './modules/mail/mail-triage.ts';
import { createNetworkService } from './modules/network/network.service.ts';
import { simHealthCheck } from './modules/network/sim-health.ts';
import { noneAdapter } from './modules/network-actions/adapter.ts';
import { createNetworkActionsService } from './modules/network-actions/network-actions.service.ts';
import { simulatedAdapter } from './modules/network-actions/simulated-adapter.ts';
import { createNotificationsService } from './modules/notifications/notifications.service.ts';
import { createPlmnsService } from './modules/plmns/plmns.service.ts';
import { createExportService } from './modules/sims/import/export.service.ts';
import type { ImportService } from './modules/sims/import/import.service.ts';
import { createImportService } from './modules/sims/import/import.service.ts';
import { ListSimsQuery } from './modules/sims/sims.schemas.ts';
import { createSimsService } from './modules/sims/sims.service.ts';
import { usageThresholds } from './modules/sims/usage-thresholds.ts';
import { createCommandBus } from './modules/simulator/commands.ts';
import { createSlaService } from './modules/sla/sla.service.ts';
import { createLoginService } from './modules/users/login.service.ts';
import { createUsersService } from './modules/users/users.service.ts';
import { createWebhookDelivery } from './modules/webhooks/webhooks.delivery.ts';
import { createWebhookFanout } from './modules/webhooks/webhooks.fanout.ts';
import { createWebhooksService, urlPolicyOf } from './modules/webhooks/webhooks.service.ts';
import { cliPrincipal } from './platform/auth.ts';
import type { Ctx } from './platform/context.ts';
import { AppError } from './platform/errors.ts';
import { createJobQueue } from './platform/jobs/queue.ts';

/** The composition root: every service built once, each given only what it depends on. */
export function buildServices(ctx: Ctx) {
  const accounts = createAccountsService(ctx);
  const users = createUsersService(ctx, accounts);
  const logins = createLoginService(ctx, { users });
  const catalog = createCatalogService(ctx, accounts);
  const planImport = createPlanImport(ctx, accounts);
  const plmns = createPlmnsService();
  const simImports = createImportService(ctx, { accounts, catalog });
  const simExports = createExportService(ctx, { accounts, catalog });
  // Ingest writes telemetry into the devices module's tables through the store devices owns (same transaction).
  const ingest = createIngestService(ctx, { telemetry: telemetryStore(ctx.database) });
  const sims = createSimsService(ctx, {
    accounts,
    catalog,
    networkStates: ingest.networkStatesOf,
    colleaguesOf: users.colleaguesAmong,
  });
  const simUsageThresholds = usageThresholds(ctx.database.db, { ingest, catalog });
  // A plan is deleted only while no SIM holds it (catalog.service.ts deletePlan).
  catalog.addPlanUsage(async (kind, id) => ({
    what: 'SIMs',
    count: await sims.countMatching(
      cliPrincipal('catalog'),
      ListSimsQuery.parse(kind === 'communication' ? { communicationPlanId: id } : { ratePlanId: id }),
    ),
  }));
  const priorityMatrix = priorityMatrixStore(ctx.database.db);
  const cases = createCasesService(ctx, {
    accounts,
    sims,
    users,
    priorityMatrix,
    queueCacheMs: ctx.config.caseQueueCacheMs,
    // The alarms module comes later (it opens cases): its check is looked up when a verification period ends.
    verificationChecks: [simHealthCheck(ctx.database, sims), (c, a) => alarms.verifyTraffic(c, a)],
  });
  accounts.onVipTierChanged(async (tx, { account, before, by }) => {
    await cases.recomputePriorities(tx, {
      account: { tenantId: account.tenantId, id: account.id },
      by,
      cause: { kind: 'vip_tier_changed', accountId: account.id, before, after: account.vipTier },
    });
  });
  const caseParties = createCaseParties(ctx, { accounts, cases });
  const attachments = createAttachmentsService(ctx, { cases, maxBytes: ctx.config.attachmentMaxBytes });
  const sla = createSlaService(ctx, { accounts, cases });
  const priorityMatrixAdmin = createPriorityMatrixService(ctx, { store: priorityMatrix, cases });
  const caseReports = createCaseReports(ctx, { accounts, slaJudge: sla.caseJudge });
  const notifications = createNotificationsService(ctx);
  const mail = createMailService(ctx, {
    accounts,
    cases: cases.mail,
    partners: ctx.config.mailPartners,
    senderLimitPerHour: ctx.config.mailSenderLimitPerHour,
    attachmentMaxBytes: ctx.config.attachmentMaxBytes,
  });
  const mailDesk = mailTriage(ctx.database.db, {
    accounts,
    cases: cases.mail,
    attachmentMaxBytes: ctx.config.attachmentMaxBytes,
  });
  const mailComposer = createMailComposer(ctx.database.db, {
    accounts,
    cases: cases.mail,
    mailFrom: ctx.config.mailFrom,
    mailAddresses: ctx.config.mailAddresses,
    relay: ctx.config.smtpUrl !== undefined,
  });
  const mailOutboxDesk = mailOutbox(ctx.database.db, { cases: cases.mail, relay: ctx.config.smtpUrl !== undefined });
  const mailSender = createMailSender(ctx.database.db, {
    accounts,
    smtpUrl: ctx.config.smtpUrl,
    fromName: ctx.config.mailFrom.name,
    log: ctx.log,
  });
  const jobs = createJobQueue(ctx);
  const network = createNetworkService(ctx, { sims, accounts });
  const devices = createDevicesService(ctx, { accounts, sims, ingest });
  // One bus per process: the simulated adapter emits on it, a simulator started by `start --simulate` listens.
  const networkCommands = createCommandBus();
  const networkActions = createNetworkActionsService(ctx, {
    sims,
    catalog,
    cases,
    bus: networkCommands,
    adapter:
      ctx.config.networkAdapter === 'simulated' ? simulatedAdapter(ctx.database.db, networkCommands) : noneAdapter(),
  });
  // One fleet snapshot per process, shared by every diagnosis (fleet-health.ts).
  const fleetHealth = createFleetHealth(fleetHealthRepo(ctx.database), { log: ctx.log });
  const diagnosis = createDiagnosisService(ctx, { sims, fleet: fleetHealth });
  const alarms = createAlarmsService(
    ctx,
    alarmsDeps({ ingest, diagnosis, sims, devices, accounts, catalog, cases, caseParties, notifications }),
  );
  // The alarm's chart reads the network's side through its service (its events are ingest's tables).
  const alarmSeries = createAlarmSeries({ alarms, reads: network });
  const capacity = createCapacityService(ctx, {
    devices,
    accounts,
    cases: capacityCases({ caseParties, cases }),
    log: ctx.log,
  });
  const diagnosisBatch = createDiagnosisBatch(ctx, { sims, diagnosis });
  const caseDiagnosis = createCaseDiagnosis({ cases, diagnosis }, { retentionDays: ctx.config.retentionDays });
  const webhooks = createWebhooksService(ctx, { accounts });
  const webhookDelivery = createWebhookDelivery(ctx, {
    timeoutMs: ctx.config.webhookTimeoutMs,
    policy: urlPolicyOf(ctx.config),
    notify: notifications.notify,
  });
  const webhookFanout = createWebhookFanout(ctx, {
    cases,
    accounts,
    sims,
    diagnoses: diagnosisBatch,
    delivery: webhookDelivery,
    safetyDelayMs: ctx.config.webhookTimeoutMs + 30_000,
  });
  const demo = createDemoService({
    accounts,
    catalog,
    users,
    cases,
    caseHistory: createCaseHistory(ctx, { accounts, priorityMatrix }),
    loadSimFile: simFileLoader(simImports),
  });
  return {
    mail,
    mailDesk,
    mailComposer,
    mailOutbox: mailOutboxDesk,
    mailSender,
    accounts,
    users,
    logins,
    catalog,
    planImport,
    alarms,
    alarmSeries,
    capacity,
    plmns,
    simImports,
    simExports,
    sims,
    simUsageThresholds,
    demo,
    cases,
    caseParties,
    attachments,
    sla,
    priorityMatrix: priorityMatrixAdmin,
    caseReports,
    notifications,
    jobs,
    ingest,
    network,
    devices,
    networkActions,
    fleetHealth,
    diagnosis,
    diagnosisBatch,
    caseDiagnosis,
    webhooks,
    webhookFanout,
    webhookDelivery,
  };
}

export type Services = ReturnType<typeof buildServices>;

/** The demo loads its SIMs through the product's own import (atomic): a refused file is a bug, so it throws. */
function simFileLoader(simImports: ImportService) {
  return async (lines: Iterable<string>, filename: string) => {
    const { job, code } = await simImports.importCsv(cliPrincipal('demo'), Readable.from(lines), {
      mode: 'atomic',
      upsert: false,
      filename,
    });
    if (code) throw new AppError('conflict', code, `demo SIM file refused: ${job.message ?? code}`);
    return { imported: job.rowsImported };
  };
}

type AlarmsNeeds = {
  ingest: ReturnType<typeof createIngestService>;
  diagnosis: ReturnType<typeof createDiagnosisService>;
  sims: ReturnType<typeof createSimsService>;
  devices: ReturnType<typeof createDevicesService>;
  accounts: ReturnType<typeof createAccountsService>;
  catalog: ReturnType<typeof createCatalogService>;
  cases: ReturnType<typeof createCasesService>;
  caseParties: ReturnType<typeof createCaseParties>;
  notifications: ReturnType<typeof createNotificationsService>;
};

/** Who opens monitoring's cases (their timeline says "monitoring"). */
const MONITORING = cliPrincipal('monitoring');
const CLOSED_STATES: ReadonlySet<string> = new Set(['resolved', 'closed']);

/**
 * The cases monitoring opens: an incident on channel monitoring with its SIMs, to the account's technical contacts
 * (else its primary ones, else every contact with an address) — they get the monitoring mail in their language.
 */
function monitoringCases(s: Pick<AlarmsNeeds, 'cases' | 'caseParties' | 'accounts'>): MonitoringCaseOps {
  const { cases, caseParties, accounts } = s;
  return {
    async open(c) {
      const contacts = (await accounts.contacts(MONITORING, c.accountId)).filter((k) => k.email);
      const chosen =
        ['technical', 'primary']
          .map((role) => contacts.filter((k) => k.roles.includes(role)))
          .find((l) => l.length > 0) ?? contacts;
      const { case: created } = await caseParties.create(
        MONITORING,
        CreateCaseBody.parse({
          accountId: c.accountId,
          type: 'incident',
          channel: 'monitoring',
          subject: c.subject,
          description: c.description,
          severity: c.severity,
          tags: ['monitoring', `alarm:${c.cause}`],
          affectedIccids: c.iccids,
          contactIds: chosen.slice(0, 50).map((k) => k.id),
        }),
      );
      return { id: created.id, number: created.number };
    },
    isOpen: async (number) => !CLOSED_STATES.has((await cases.get(MONITORING, number)).state),
    async addSims(number, iccids, note) {
      const have: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await cases.affectedSims(MONITORING, number, { limit: 500, cursor });
        have.push(...page.items.map((x) => x.sim.iccid));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const all = [...new Set([...have, ...iccids])];
      const c = await cases.update(MONITORING, number, { affectedIccids: all });
      await cases.appendSystemEntry(c.id, { body: note, data: { action: 'monitoring_sims_added', iccids } });
    },
  };
}

/** What the alarms module reads from the others (also the tests' wiring: test/support/alarms.ts). */
export function alarmsDeps(s: AlarmsNeeds): AlarmsDeps {
  const { ingest, diagnosis, sims, devices, accounts, catalog, notifications } = s;
  const missing = (ids: readonly number[], known: { has: (id: number) => boolean }) =>
    new Set(ids.filter((id) => !known.has(id)));
  return {
    cases: monitoringCases(s),
    notifyDesk: (n) =>
      notifications.notify({
        userId: null,
        queue: null,
        kind: 'alarm_unacknowledged',
        caseId: null,
        caseNumber: n.caseNumber,
        title: n.title.slice(0, 300),
        body: n.body,
        dedupeKey: n.dedupeKey,
      }),
    lastEventsOf: ingest.lastEventsOf,
    activeHoursOf: ingest.activeHoursOf,
    refusalsOf: ingest.refusalsOf,
    usageLowIn: ingest.usageLowIn,
    nextUsageTenant: ingest.nextUsageTenant,
    hourlyBytesOf: ingest.hourlyBytesOf,
    usageDriftIn: ingest.usageDriftIn,
    devicePlaces: devices.devicePlaces,
    newestValues: devices.newestValues,
    devicesWhere: devices.devicesWhere,
    seriesOf: devices.seriesOf,
    dailyBytesOf: ingest.dailyBytesOf,
    failingNow: diagnosis.failingItems,
    defaultThresholdsOf: diagnosis.silenceThresholds,
    defaultNoRhythmMs: diagnosis.silenceWithoutRhythmMs,
    simsWithStateAfter: ingest.simsWithStateAfter,
    iccidsOf: sims.iccidsOf,
    locateSim: sims.locate,
    accountsBelow: accounts.subtreeIds,
    accountsInScope: accounts.idsInScope,
    inService: async (ids) => new Set((await sims.byIds(ids)).filter((x) => x.state === 'ACTIVATED').map((x) => x.id)),
    async profilesOf(ids) {
      const [rows, last, models] = await Promise.all([
        sims.byIds(ids),
        ingest.lastEventsOf(ids),
        devices.modelsOfSims(ids),
      ]);
      return new Map(
        rows.map((r) => [
          r.id,
          {
            accountId: r.accountId,
            communicationPlanId: r.communicationPlanId,
            ratePlanId: r.ratePlanId,
            apn: last.get(r.id)?.apn ?? null,
            plmn: last.get(r.id)?.plmn ?? null,
            deviceModelId: models.get(r.id) ?? null,
          },
        ]),
      );
    },
    simsForScope: async (scope, limit) => {
      const ids = await sims.inServiceIdsWhere(scope, limit + 1);
      return { simIds: ids.slice(0, limit), more: ids.length > limit };
    },
    async unknownRefs(r) {
      const [accountNames, commPlans, ratePlans, models] = await Promise.all([
        accounts.namesOf(r.accountIds),
        catalog.planNames('communication'),
        catalog.planNames('rate'),
        devices.existingModelIds(r.deviceModelIds),
      ]);
      return {
        accountIds: missing(r.accountIds, accountNames),
        communicationPlanIds: missing(r.communicationPlanIds, commPlans),
        ratePlanIds: missing(r.ratePlanIds, ratePlans),
        deviceModelIds: missing(r.deviceModelIds, models),
      };
    },
  };
}
