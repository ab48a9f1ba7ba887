import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { type IngestService, ROLLUP_DAILY } from './ingest.service.ts';

/** The daily usage roll-up (ingest.service.ts schedules it once a day). */
export function ingestJobs(deps: { ingest: Pick<IngestService, 'rollupDay'> }): Record<string, JobHandler> {
  return {
    [ROLLUP_DAILY]: defineJob(z.object({ day: z.iso.date() }), async (p) => {
      await deps.ingest.rollupDay(p.day);
    }),
  };
}
