import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { RUN_JOB } from './diagnosis-batch.repo.ts';
import type { DiagnosisBatch } from './diagnosis-batch.ts';

/** The worker's part of POST /api/v1/diagnoses: one slice of a job's SIMs per run (diagnosis-batch.ts). */
export function diagnosisJobs(deps: { batch: Pick<DiagnosisBatch, 'run' | 'fail'> }): Record<string, JobHandler> {
  return {
    [RUN_JOB]: defineJob(
      z.object({ jobId: z.number().int().positive(), from: z.number().int().min(0) }),
      async (p, job) => {
        await deps.batch.run(p.jobId, p.from, job.at);
      },
      {
        onDead: (p, reason, job) =>
          deps.batch.fail(p.jobId, `gave up after ${job.attempt} attempts: ${reason}`, job.at),
      },
    ),
  };
}
