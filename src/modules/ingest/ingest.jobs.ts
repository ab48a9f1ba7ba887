import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { SIMS_ADDED } from '../sims/import/import.service.ts';
import type { IngestService } from './ingest.service.ts';

/** The SIM import raises `sims.added` in its transaction: records that arrived before those SIMs get adopted. */
export function ingestJobs(deps: { ingest: Pick<IngestService, 'adoptOrphans'> }): Record<string, JobHandler> {
  return {
    [SIMS_ADDED]: defineJob(z.object({ importId: z.number().int() }), async () => {
      await deps.ingest.adoptOrphans();
    }),
  };
}
