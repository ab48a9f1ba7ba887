/**
 * The capacity run, every CAPACITY_RUN_MINUTES (an hour by default): `capacity.forecast` pages through the links
 * (each page enqueues the next, deduped by run and position, so a retried page adds nothing twice). The first page of
 * a run enqueues the next run before doing its work, so one failing page never stops the runs after it; a worker
 * starting enqueues the current period's run (deduped: several workers, one run).
 */
import { z } from 'zod';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { CapacityService } from './capacity.service.ts';

export const CAPACITY_RUN = 'capacity.forecast';

const Run = z.object({
  run: z.iso.datetime().describe('The start of the period the run is for'),
  after: z.number().int().nonnegative(),
});

const runKey = (run: string, after: number) => `${CAPACITY_RUN}:${run}:${after}`;
const periodOf = (at: Date, everyMs: number) => new Date(Math.floor(at.getTime() / everyMs) * everyMs);

async function enqueueRun(queue: Pick<JobQueue, 'enqueue'>, period: Date, after: number, runAt?: Date) {
  const run = period.toISOString();
  await queue.enqueue(CAPACITY_RUN, { run, after }, { dedupeKey: runKey(run, after), ...(runAt ? { runAt } : {}) });
}

export function capacityJobs(deps: {
  capacity: Pick<CapacityService, 'runPage' | 'finishRun' | 'everyMs'>;
  queue: Pick<JobQueue, 'enqueue'>;
}) {
  return {
    [CAPACITY_RUN]: defineJob(Run, async (p, job) => {
      const period = new Date(p.run);
      if (p.after === 0) {
        const next = new Date(period.getTime() + deps.capacity.everyMs);
        await enqueueRun(deps.queue, next, 0, next);
      }
      const r = await deps.capacity.runPage(p.after, job.at);
      if (r.links > 0) job.log.info({ links: r.links, proposals: r.proposals }, 'capacity forecasts');
      if (r.next !== null) await enqueueRun(deps.queue, period, r.next);
      else await deps.capacity.finishRun(period);
    }),
  };
}

/** At a worker's start: this period's run (a run already queued or done in it keeps its key). */
export const startCapacityRuns = (
  queue: Pick<JobQueue, 'enqueue'>,
  capacity: Pick<CapacityService, 'everyMs'>,
  at: Date,
) => enqueueRun(queue, periodOf(at, capacity.everyMs), 0, at);
