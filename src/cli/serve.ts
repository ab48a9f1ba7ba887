import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { eventRegistry } from '../events.ts';
import { startWorker } from '../jobs.ts';
import { rediagnoseWhenFaultShows } from '../modules/demo/demo.live.ts';
import { DEMO_LOGINS, type DemoSeeded, demoAgentPrincipal } from '../modules/demo/demo.service.ts';
import { MQTT_PORT_BUSY } from '../modules/ingest/mqtt/embedded-broker.ts';
import { startMqttTransport } from '../modules/ingest/mqtt/mqtt-transport.ts';
import { startImapPoller } from '../modules/mail/imap-poller.ts';
import { startSmtpIntake } from '../modules/mail/smtp-intake.ts';
import { OptionError } from '../modules/simulator/options.ts';
import { ScenarioError } from '../modules/simulator/scenario.ts';
import { startSimulation } from '../modules/simulator/simulator.ts';
import { cliPrincipal } from '../platform/auth.ts';
import type { Ctx } from '../platform/context.ts';
import { EVENT_JOB_PREFIX } from '../platform/events/define.ts';
import { purgeDispatchedEvents } from '../platform/events/dispatcher.ts';
import { createHttpApp, openContext } from '../server.ts';
import type { Services } from '../services.ts';

export const ROLES = ['api', 'worker', 'ingest', 'mail'] as const;
/**
 * `mail` (the SMTP intake) is not among the default roles: it listens on a port of its own (2525), which the machine's
 * mail server or a second desk may hold already. `--roles api,worker,ingest,mail` turns it on.
 */
const DEFAULT_ROLES = ['api', 'worker', 'ingest'] as const;
type Role = (typeof ROLES)[number];

/** `--roles api,worker,ingest`: which parts of iotops this process runs (several processes may share PostgreSQL). */
export function parseRoles(value: string): Role[] {
  const asked = value.split(',').map((r) => r.trim());
  const unknown = asked.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || asked.length === 0)
    throw new Error(`--roles: unknown role(s) ${unknown.join(', ') || '(none)'}; available: ${ROLES.join(', ')}`);
  return [...new Set(asked as Role[])];
}

/**
 * Runs the roles: `api` serves HTTP, `worker` runs the job queue (SLA timers, verification period) and, at
 * start and hourly, purges finished jobs and runs ingest maintenance (retention, partitions, orphans), `ingest`
 * takes MQTT (the embedded broker on IOTOPS_MQTT_PORT, or the external broker of MQTT_URL). Answers the HTTP
 * address when the api role runs and where MQTT producers publish. SIGINT/SIGTERM stop HTTP and MQTT first
 * (writes already taken still commit and are acknowledged), write what ingest holds, let the worker finish its
 * batch, then close the database.
 */
async function run(
  ctx: Ctx,
  services: Services,
  config: Config,
  roles: readonly Role[],
  opts: { mqttOptional?: boolean } = {},
): Promise<{ address: string | null; mqtt: string | null; mail: string | null }> {
  let mqtt: Awaited<ReturnType<typeof startMqttTransport>> | null = null;
  let mqttOff: string | null = null;
  try {
    mqtt = roles.includes('ingest')
      ? await startMqttTransport({ service: services.ingest, metrics: ctx.metrics, log: ctx.log }, config)
      : null;
  } catch (e) {
    // `npm start` is the desk first: a broker already on 1883 (often a Mosquitto) must not stop it.
    if (!opts.mqttOptional || (e as { code?: string }).code !== MQTT_PORT_BUSY) throw e;
    mqttOff = `MQTT ingest is OFF: ${(e as Error).message}; HTTP ingest works`;
  }
  const mailRole = roles.includes('mail') ? await startMail(ctx, services, config) : null;
  const app = roles.includes('api') ? await createHttpApp(ctx, services) : null;
  // Whatever the roles, a process with an invalid event registry (an undeclared event, a name taken twice) stops.
  eventRegistry(services);
  // On the embedded database this server is the only process that runs jobs: a job still `running` belonged to a
  // process that died (kill -9, a crash) and is run again now, not when its five-minute lease ends.
  if (roles.includes('worker') && ctx.database.kind === 'pglite') {
    const released = await services.jobs.releaseRunning();
    if (released > 0) ctx.log.warn({ jobs: released }, 'jobs of a stopped process run again');
  }
  const worker = roles.includes('worker')
    ? startWorker(ctx, services, { pollMs: config.jobPollMs, batch: config.jobBatch, leaseMs: config.jobLeaseMs })
    : null;
  const hourly = () => {
    const before = new Date(Date.now() - config.jobRetentionDays * 86_400_000);
    const eventsBefore = new Date(Date.now() - config.eventRetentionHours * 3_600_000);
    const failed = (what: string) => (e: unknown) => ctx.log.error({ err: e }, `${what} purge failed`);
    // Event subscribers' jobs (kind `event:…`) go with their events; every other job after JOB_RETENTION_DAYS.
    services.jobs.purgeFinished(before, { except: EVENT_JOB_PREFIX }).catch(failed('job'));
    services.jobs.purgeFinished(eventsBefore, { only: EVENT_JOB_PREFIX }).catch(failed('event job'));
    purgeDispatchedEvents(ctx.database, eventsBefore).catch(failed('event'));
    services.ingest.maintain().catch((e: unknown) => ctx.log.error({ err: e }, 'ingest maintenance failed'));
    services.logins.prune().catch((e: unknown) => ctx.log.error({ err: e }, 'login audit prune failed'));
  };
  // Work left `running` by a dead process is marked failed with the reason (issue 13, point 9). A server owns the
  // embedded database alone (it refuses to join), so there every running import is dead; on PostgreSQL other
  // processes may be mid-import, so the sweep asks their transaction's lock, at start and then every minute.
  const alone = ctx.database.kind === 'pglite';
  const sweep = () =>
    services.simImports
      .failAbandoned(alone)
      .catch((e: unknown) => ctx.log.error({ err: e }, 'sweeping abandoned imports failed'));
  await sweep();
  await services.simImports.removeStaleUploads();
  const sweeper = alone ? null : setInterval(sweep, 60_000);
  sweeper?.unref();
  if (worker) hourly();
  const purge = worker ? setInterval(hourly, 3_600_000) : null;
  purge?.unref();
  const stop = async () => {
    await app?.close();
    await mqtt?.stop();
    await mailRole?.close();
    await services.ingest.close();
    if (purge) clearInterval(purge);
    if (sweeper) clearInterval(sweeper);
    await worker?.stop();
    await ctx.database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const mqttLine = mqtt?.description ?? mqttOff;
  const mail = mailRole
    ? `mail: SMTP intake at smtp://${config.host}:${mailRole.port}${config.imapMailbox ? `, polling ${config.imapMailbox.mailbox} on ${config.imapMailbox.host}` : ''} (${config.smtpUrl ? 'outbound through SMTP_URL' : 'outbound held in the outbox: set SMTP_URL'})`
    : null;
  if (!app) return { address: null, mqtt: mqttLine, mail };
  try {
    return { address: await app.listen({ port: config.port, host: config.host }), mqtt: mqttLine, mail };
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `port ${config.port} on ${config.host} is in use: set PORT to a free port (e.g. PORT=8081 npm start)`,
      );
    }
    throw e;
  }
}

/**
 * The mail role: the SMTP intake on IOTOPS_SMTP_PORT (a busy port stops the start, naming the variable) and, when
 * IMAP_URL is set, the poller of that mailbox beside it. The poller does not hold up the start: an unreachable
 * IMAP server is retried in the background, as a dropped connection is.
 */
async function startMail(ctx: Ctx, services: Services, config: Config) {
  let smtp: Awaited<ReturnType<typeof startSmtpIntake>>;
  try {
    smtp = await startSmtpIntake({ mail: services.mail, log: ctx.log }, config);
    ctx.log.info({ port: smtp.port }, `SMTP mail intake at smtp://${config.host}:${smtp.port}`);
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE')
      throw new Error(`SMTP port ${config.smtpPort} on ${config.host} is in use: set IOTOPS_SMTP_PORT to a free port`);
    throw e;
  }
  const { imapMailbox } = config;
  const imap = imapMailbox ? startImapPoller({ mail: services.mail, log: ctx.log }, { ...config, imapMailbox }) : null;
  return {
    port: smtp.port,
    close: async () => {
      // Both stop taking mail before the database closes; what either has in hand is stored first.
      await Promise.all([smtp.close(), imap?.close()]);
    },
  };
}

/** First start without the demo: one admin with a random password, printed once. */
async function ensureFirstAdmin(services: Services): Promise<string | null> {
  if ((await services.users.count()) > 0) return null;
  const password = randomBytes(12).toString('base64url');
  await services.users.create({
    email: 'admin@iotops.local',
    name: 'Administrator',
    password,
    role: 'admin',
    language: 'en',
  });
  return `  admin:    admin@iotops.local / ${password}   (shown once: change it with POST /api/v1/auth/password)`;
}

const DEMO_SCENARIO = fileURLToPath(new URL('../../examples/scenarios/demo.json', import.meta.url));
const SIMULATOR_CREDENTIAL = 'simulator-';
const START = cliPrincipal('start');

/**
 * Whether `start` runs the simulator, and with which scenario: `--no-simulate` never, `--simulate [file]` always
 * (on whatever SIMs the database has), otherwise IOTOPS_SIMULATE, and only on the demo's fleet.
 */
export function simulationScenario(flag: string | boolean | undefined, setting: 'on' | 'off', demo: boolean) {
  if (flag === false) return null;
  if (flag !== undefined) return typeof flag === 'string' ? flag : DEMO_SCENARIO;
  return setting === 'on' && demo ? DEMO_SCENARIO : null;
}

/**
 * The simulator in this process (embedded PGlite admits one process), publishing the fleet's traffic over HTTP
 * with a fresh ingest credential (the previous start's is revoked: one live simulator credential, not one per
 * restart); the ground truth goes next to the data. Answers the line that says so.
 */
async function simulateInto(ctx: Ctx, services: Services, address: string, scenario: string): Promise<string> {
  for (const c of await services.ingest.listCredentials()) {
    if (c.name.startsWith(SIMULATOR_CREDENTIAL) && c.createdBy === START.email && !c.revokedAt)
      await services.ingest.revokeCredential(c.id);
  }
  const { secret } = await services.ingest.createCredential(START, { name: `${SIMULATOR_CREDENTIAL}${Date.now()}` });
  const groundTruth = path.join(ctx.config.dataDir, 'simulator-ground-truth.ndjson');
  const sim = await startSimulation({
    transport: 'http',
    url: address,
    token: secret,
    database: ctx.database,
    scenario,
    groundTruth,
    onNotice: (text) => console.log(`simulator: ${text}`),
    // Network actions (reset, configuration SMS, state) reach this in-process simulator directly.
    commandBus: services.networkActions.bus,
    // One batch a second: the same events in a fifth of the ingest requests, half the CPU (~5 % of a core).
    tickMs: 1000,
  });
  const stop = () => void sim.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const shown = (file: string) => {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') ? relative : file;
  };
  return `traffic: the fleet simulator sends the network events of ${sim.fleet.length.toLocaleString('en')} SIMs in real time (faults: ${shown(scenario)}; ground truth: ${shown(groundTruth)}); turn it off with --no-simulate or IOTOPS_SIMULATE=off`;
}

export function registerServe(program: Command) {
  program
    .command('serve')
    .description(
      'Run the desk: HTTP API and docs (PORT, default 8080), the job worker and MQTT ingest (IOTOPS_MQTT_PORT, default 1883, or MQTT_URL)',
    )
    .option(
      '--roles <roles>',
      `comma-separated roles to run: ${ROLES.join(', ')} (mail: the SMTP intake on IOTOPS_SMTP_PORT, and the IMAP_URL mailbox's poller when set)`,
      DEFAULT_ROLES.join(','),
    )
    .action(async (o: { roles: string }) => {
      const roles = parseRoles(o.roles);
      const config = loadConfig();
      const { ctx, services } = await openContext(config, { exclusive: true });
      const { address, mqtt, mail } = await run(ctx, services, config, roles);
      console.log(
        address
          ? `iotops is running at ${address}  (API docs: ${address}/docs, database: ${ctx.database.kind}, roles: ${roles.join(',')})`
          : `iotops is running (roles: ${roles.join(',')}, database: ${ctx.database.kind})`,
      );
      if (mqtt) console.log(mqtt);
      if (mail) console.log(mail);
    });

  program
    .command('start')
    .description(
      'What `npm start` runs: migrate, seed the demo on an empty database (IOTOPS_DEMO=auto), serve, print logins',
    )
    .option(
      '--simulate [scenario]',
      'run the fleet simulator on the SIMs in the database, in real time, over HTTP into this process, with the faults of a scenario file (default examples/scenarios/demo.json). The default with the demo, unless IOTOPS_SIMULATE=off',
    )
    .option('--no-simulate', 'no simulated traffic (also IOTOPS_SIMULATE=off)')
    .option(
      '--roles <roles>',
      `comma-separated roles, api among them: ${ROLES.join(', ')} (mail: the SMTP intake on IOTOPS_SMTP_PORT)`,
      DEFAULT_ROLES.join(','),
    )
    .action(async (o: { simulate?: string | boolean; roles: string }) => {
      const roles = parseRoles(o.roles);
      if (!roles.includes('api')) throw new Error('start --roles: the api role is needed (start serves the desk)');
      const config = loadConfig();
      const { ctx, services } = await openContext(config, { exclusive: true });
      const lines: string[] = [];
      let seeded: DemoSeeded | undefined;
      if (config.demo === 'auto' && (await services.demo.isEmpty())) {
        const t0 = performance.now();
        console.log('empty database: seeding the demo provider (customers, plans, 10,000 SIMs, cases)…');
        seeded = await services.demo.seed();
        console.log(
          `demo seeded: ${seeded.accounts} accounts, ${seeded.sims} SIMs, ${seeded.cases} cases on the desk and ${seeded.pastCases} from the past weeks in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
      const demoAgent = await services.users.byEmail(DEMO_LOGINS.agent.email);
      if (demoAgent) {
        lines.push(`  agent:    ${DEMO_LOGINS.agent.email} / ${DEMO_LOGINS.agent.password}`);
        lines.push(
          `  customer: ${DEMO_LOGINS.customer.email} / ${DEMO_LOGINS.customer.password}   (sees only Nordgrid Energi's accounts and SIMs)`,
        );
        lines.push(`  admin:    ${DEMO_LOGINS.admin.email} / ${DEMO_LOGINS.admin.password}`);
      } else {
        const first = await ensureFirstAdmin(services);
        if (first) lines.push(first);
      }
      const { address, mqtt, mail } = await run(ctx, services, config, roles, { mqttOptional: true });
      console.log(
        `\niotops is running at ${address}  (API docs: ${address}/docs, database: ${ctx.database.kind}, roles: ${roles.join(',')})`,
      );
      if (mqtt) console.log(mqtt);
      if (mail) console.log(mail);
      if (lines.length > 0)
        console.log(`log in (POST ${address}/api/v1/auth/login, or the docs page):\n${lines.join('\n')}`);
      const scenario = simulationScenario(o.simulate, config.simulate, demoAgent !== undefined);
      if (!scenario || !address) return;
      try {
        console.log(await simulateInto(ctx, services, address, scenario));
      } catch (e) {
        // The desk runs on without traffic (no SIM on the network yet, a bad scenario file), saying why.
        if (!(e instanceof OptionError || e instanceof ScenarioError)) throw e;
        console.log(`traffic: the fleet simulator did not start: ${e.message.replaceAll('\n', '; ')}`);
        return;
      }
      if (seeded)
        rediagnoseWhenFaultShows(
          { ...services, log: ctx.log },
          { agent: demoAgentPrincipal(demoAgent!), number: seeded.desk.cantSendData },
        );
    });

  program
    .command('demo')
    .description('Seed the demo provider into the current (empty) database')
    .option('--sims <n>', 'number of SIMs', '10000')
    .action(async (o: { sims: string }) => {
      const n = Number(o.sims);
      if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
        throw new Error(`--sims: must be an integer 1–1000000, got ${o.sims}`);
      const { ctx, services } = await openContext(loadConfig());
      try {
        if (!(await services.demo.isEmpty()))
          throw new Error('the database is not empty: the demo seeds an empty one (use a new IOTOPS_DATA_DIR)');
        const r = await services.demo.seed(n);
        console.log(
          `demo seeded: ${r.accounts} accounts, ${r.sims} SIMs, ${r.cases} cases on the desk and ${r.pastCases} from the past weeks`,
        );
        console.log(`  agent: ${DEMO_LOGINS.agent.email} / ${DEMO_LOGINS.agent.password}`);
        console.log(`  customer: ${DEMO_LOGINS.customer.email} / ${DEMO_LOGINS.customer.password}`);
      } finally {
        await ctx.database.close();
      }
    });
}
