/**
 * The alarms module's own jobs.
 * - `alarms.watch_backfill`: pages through the SIMs with a network state and starts the silence watch of those not
 *   watched yet (SIMs that talked before the watch existed, or beyond the 10,000 ids a batch event lists). Each page
 *   enqueues the next; a worker starting enqueues the first page once per hour (dedupe key).
 * - `alarms.usage_drop`: every hour, USAGE_DROP_DELAY_MS after it ended (its usage is in by then: devices report
 *   their counters within minutes), judges the usage-drop rules' window ending at that hour (and once a day, at
 *   DRIFT_HOUR UTC, the usage-drift rules on the days before), one tenant per page (each
 *   page enqueues the next, deduped by run and tenant). The first page enqueues the next hour's run before its work,
 *   so a failing page never stops the runs after it; a worker starting enqueues the current hour's (deduped).
 */
import { z } from 'zod';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { AlarmsService } from './alarms.service.ts';

const Backfill = z.object({ run: z.string().max(40), after: z.number().int().nonnegative() });
const UsageRun = z.object({
  end: z.iso.datetime().describe('The end of the window judged (an hour boundary)'),
  after: z.number().int().nonnegative().describe('The tenant judged last (0: none yet)'),
});

const HOUR_MS = 3_600_000;
/** How long after an hour its usage is judged: the hour's last counters are reported within minutes. */
export const USAGE_DROP_DELAY_MS = 10 * 60_000;
export const USAGE_DROP_RUN = 'alarms.usage_drop';

export const backfillKey = (run: string, after: number) => `alarms.watch_backfill:${run}:${after}`;
const usageKey = (end: string, after: number) => `${USAGE_DROP_RUN}:${end}:${after}`;

async function enqueueUsageRun(queue: Pick<JobQueue, 'enqueue'>, end: Date, after: number, runAt?: Date) {
  const e = end.toISOString();
  await queue.enqueue(
    USAGE_DROP_RUN,
    { end: e, after },
    { dedupeKey: usageKey(e, after), ...(runAt ? { runAt } : {}) },
  );
}

export function alarmsJobs(deps: {
  alarms: Pick<AlarmsService, 'backfillWatches' | 'usageRulesPage'>;
  queue: Pick<JobQueue, 'enqueue'>;
}) {
  return {
    'alarms.watch_backfill': defineJob(Backfill, async (p) => {
      const r = await deps.alarms.backfillWatches(p.after);
      if (r.next !== null)
        await deps.queue.enqueue(
          'alarms.watch_backfill',
          { run: p.run, after: r.next },
          { dedupeKey: backfillKey(p.run, r.next) },
        );
    }),
    [USAGE_DROP_RUN]: defineJob(UsageRun, async (p, job) => {
      const end = new Date(p.end);
      if (p.after === 0) {
        const next = new Date(end.getTime() + HOUR_MS);
        await enqueueUsageRun(deps.queue, next, 0, new Date(next.getTime() + USAGE_DROP_DELAY_MS));
      }
      const r = await deps.alarms.usageRulesPage(p.after, end);
      if (r.tenantId === null) return;
      if (r.raised + r.cleared + (r.drift ? r.drift.raised + r.drift.cleared : 0) > 0) job.log.info(r, 'usage rules');
      await enqueueUsageRun(deps.queue, end, r.tenantId);
    }),
  };
}

/** At a worker's start: the first page of this hour's backfill (a second worker starting this hour finds it taken). */
export async function startWatchBackfill(queue: Pick<JobQueue, 'enqueue'>, at: Date) {
  const run = at.toISOString().slice(0, 13);
  await queue.enqueue('alarms.watch_backfill', { run, after: 0 }, { dedupeKey: backfillKey(run, 0) });
}

/** At a worker's start: the run of the hour that ended last (a run already queued or done keeps its key). */
export async function startUsageDropRuns(queue: Pick<JobQueue, 'enqueue'>, at: Date) {
  const end = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  const due = new Date(end.getTime() + USAGE_DROP_DELAY_MS);
  await enqueueUsageRun(queue, end, 0, due > at ? due : at);
}
