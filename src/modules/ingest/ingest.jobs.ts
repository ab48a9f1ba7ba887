import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { SIMS_ADDED } from '../sims/import/import.service.ts';
import { type IngestService, ROLLUP_DAILY } from './ingest.service.ts';

/** The SIM import raises `sims.added` in its transaction: records that arrived before those SIMs get adopted. */
export function ingestJobs(deps: {
  ingest: Pick<IngestService, 'adoptOrphans' | 'rollupDay'>;
}): Record<string, JobHandler> {
  return {
    [SIMS_ADDED]: defineJob(z.object({ importId: z.number().int() }), async () => {
      await deps.ingest.adoptOrphans();
    }),
    [ROLLUP_DAILY]: defineJob(z.object({ day: z.iso.date() }), async (p) => {
      await deps.ingest.rollupDay(p.day);
    }),
  };
}
