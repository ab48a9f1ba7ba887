import { eventRegistry } from './events.ts';
import { alarmsJobs, startUsageDropRuns, startWatchBackfill } from './modules/alarms/alarms.jobs.ts';
import { capacityJobs, startCapacityRuns } from './modules/capacity/capacity.jobs.ts';
import { diagnosisJobs } from './modules/diagnosis/diagnosis.jobs.ts';
import { ingestJobs } from './modules/ingest/ingest.jobs.ts';
import { mailJobs } from './modules/mail/mail.jobs.ts';
import { networkActionsJobs } from './modules/network-actions/network-actions.jobs.ts';
import { slaJobs } from './modules/sla/sla.jobs.ts';
import { webhooksJobs } from './modules/webhooks/webhooks.jobs.ts';
import type { Ctx } from './platform/context.ts';
import { createDispatcher, EVENTS_CHANNEL } from './platform/events/dispatcher.ts';
import type { JobHandler, Worker, WorkerOptions } from './platform/jobs/queue.ts';
import type { Services } from './services.ts';

/**
 * Every job handler, merged: each module's own work (timers, batches, commands to itself) and one handler per
 * event subscriber. A kind registered twice fails here, never silently replacing the first.
 */
export function jobHandlers(services: Services): Record<string, JobHandler> {
  const groups: Record<string, JobHandler>[] = [
    ingestJobs({ ingest: services.ingest }),
    networkActionsJobs({ networkActions: services.networkActions }),
    diagnosisJobs({ batch: services.diagnosisBatch }),
    slaJobs({ sla: services.sla, cases: services.cases, notifications: services.notifications, queue: services.jobs }),
    webhooksJobs({ delivery: services.webhookDelivery }),
    mailJobs({ sender: services.mailSender }),
    alarmsJobs({ alarms: services.alarms, queue: services.jobs }),
    capacityJobs({ capacity: services.capacity, queue: services.jobs }),
    eventRegistry(services).jobHandlers(),
  ];
  const merged: Record<string, JobHandler> = {};
  for (const group of groups) {
    for (const [kind, handler] of Object.entries(group)) {
      if (Object.hasOwn(merged, kind)) throw new Error(`job kind ${kind} has two handlers`);
      merged[kind] = handler;
    }
  }
  return merged;
}

/** What a worker runs: the handlers, and the event dispatcher before each claim. */
export function workerOptions(
  ctx: Pick<Ctx, 'database' | 'log'>,
  services: Services,
): Pick<WorkerOptions, 'handlers' | 'beforeClaim'> {
  const { database, log } = ctx;
  const dispatcher = createDispatcher({ database, registry: eventRegistry(services), log });
  return { handlers: jobHandlers(services), beforeClaim: dispatcher.dispatch };
}

/** How often a worker looks for webhook messages whose first attempt never happened (a crash mid-attempt). */
const WEBHOOK_SWEEP_MS = 15_000;

/** How often a worker looks for silences that fell due (the alarms' silence watch: fired within this of due). */
const SILENCE_TICK_MS = 1_000;

/** Wakes by new events come at most this often: the first at once, those within it together at its end. */
const WAKE_MIN_MS = 50;

/** The worker role: polls the job queue until stopped. */
export function startWorker(
  ctx: Pick<Ctx, 'database' | 'log'>,
  services: Services,
  opts: { pollMs: number; batch?: number; leaseMs?: number },
): Worker {
  const dispatcher = createDispatcher({ database: ctx.database, registry: eventRegistry(services), log: ctx.log });
  dispatcher.reportUnknown().catch((e: unknown) => ctx.log.error({ err: e }, 'reading pending events failed'));
  const worker = services.jobs.startWorker({
    ...workerOptions(ctx, services),
    pollMs: opts.pollMs,
    ...(opts.batch ? { batch: opts.batch } : {}),
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
  });
  // New events wake the worker (a trigger NOTIFYs at commit, migration 0024): an event is handled within
  // milliseconds, not at the next poll. Without the notification (a lost connection), polling still finds it.
  // A stream of events (one per ingest batch, ~100/s under load) wakes it at most every WAKE_MIN_MS: each wake is a
  // dispatch and a claim, so one event a tick cost more than the events' own work (bench:ingest --events both).
  let lastWake = 0;
  let pendingWake: NodeJS.Timeout | undefined;
  const wake = () => {
    if (pendingWake) return;
    const wait = lastWake + WAKE_MIN_MS - Date.now();
    const go = () => {
      pendingWake = undefined;
      lastWake = Date.now();
      worker.wake();
    };
    if (wait <= 0) go();
    else pendingWake = setTimeout(go, wait);
  };
  const listening = ctx.database
    .listen(EVENTS_CHANNEL, { notify: wake, state: () => undefined })
    .catch((e: unknown) => {
      ctx.log.warn({ err: e }, 'not listening for new events: the worker polls only');
      return null;
    });
  // Webhook first attempts are made without a job (webhooks.fanout.ts); one a crash cut short gets a job here.
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = () => {
    sweeping = services.webhookDelivery
      .sweepUnattempted(new Date())
      .then((n) => {
        if (n > 0) ctx.log.warn({ deliveries: n }, 'webhook messages whose first attempt was cut short: queued');
      })
      .catch((e: unknown) => ctx.log.error({ err: e }, 'sweeping unattempted webhook messages failed'));
  };
  sweep();
  const sweeper = setInterval(sweep, WEBHOOK_SWEEP_MS);
  sweeper.unref();
  startWatchBackfill(services.jobs, new Date()).catch((e: unknown) =>
    ctx.log.error({ err: e }, 'enqueuing the silence watch backfill failed'),
  );
  startUsageDropRuns(services.jobs, new Date()).catch((e: unknown) =>
    ctx.log.error({ err: e }, 'enqueuing the usage-drop run failed'),
  );
  startCapacityRuns(services.jobs, services.capacity, new Date()).catch((e: unknown) =>
    ctx.log.error({ err: e }, 'enqueuing the capacity run failed'),
  );
  // The silence watch: what fell due is handled at once (several workers share it row by row, silence-watch.ts).
  let ticking: Promise<void> | null = null;
  const tick = () => {
    ticking ??= services.alarms
      .silenceTick()
      .then(async (r) => {
        if (r.raised + r.cleared > 0) ctx.log.info(r, 'silence watch');
        // Then what the raised alarms call for: their cases, and reminders of those nobody acknowledged.
        const f = await services.alarms.refusalAndFleetTick();
        if (f.burstsCleared > 0 || (f.fleet && f.fleet.raised + f.fleet.cleared > 0)) ctx.log.info(f, 'alarm clears');
        const c = await services.alarms.caseTick();
        if (c.alarms > 0) ctx.log.info(c, 'alarms to cases');
        await services.alarms.remindTick();
      })
      .catch((e: unknown) => ctx.log.error({ err: e }, 'the silence watch failed'))
      .finally(() => {
        ticking = null;
      });
  };
  const ticker = setInterval(tick, SILENCE_TICK_MS);
  ticker.unref();
  return {
    ...worker,
    async stop() {
      clearInterval(sweeper);
      clearInterval(ticker);
      await ticking;
      await sweeping;
      await (await listening)?.close();
      clearTimeout(pendingWake);
      await worker.stop();
    },
  };
}
