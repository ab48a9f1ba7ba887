/**
 * The alarms module's own jobs. `alarms.watch_backfill`: pages through the SIMs with a network state and starts the
 * silence watch of those not watched yet (SIMs that talked before the watch existed, or beyond the 10,000 ids a batch
 * event lists). Each page enqueues the next; a worker starting enqueues the first page once per hour (dedupe key).
 */
import { z } from 'zod';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { AlarmsService } from './alarms.service.ts';

const Backfill = z.object({ run: z.string().max(40), after: z.number().int().nonnegative() });

export const backfillKey = (run: string, after: number) => `alarms.watch_backfill:${run}:${after}`;

export function alarmsJobs(deps: { alarms: Pick<AlarmsService, 'backfillWatches'>; queue: Pick<JobQueue, 'enqueue'> }) {
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
  };
}

/** At a worker's start: the first page of this hour's backfill (a second worker starting this hour finds it taken). */
export async function startWatchBackfill(queue: Pick<JobQueue, 'enqueue'>, at: Date) {
  const run = at.toISOString().slice(0, 13);
  await queue.enqueue('alarms.watch_backfill', { run, after: 0 }, { dedupeKey: backfillKey(run, 0) });
}
