import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { CASE_SIMS_SET } from '../cases/cases.repo.ts';
import type { CaseDiagnosis } from './case-diagnosis.ts';
import { RUN_JOB } from './diagnosis-batch.repo.ts';
import type { DiagnosisBatch } from './diagnosis-batch.ts';

/**
 * The worker's part of POST /api/v1/diagnoses (one slice of a job's SIMs per run, diagnosis-batch.ts) and of the
 * cases: a case whose affected SIMs were set gets their diagnosis in its timeline (case-diagnosis.ts).
 */
export function diagnosisJobs(deps: {
  batch: Pick<DiagnosisBatch, 'run' | 'fail'>;
  caseDiagnosis: Pick<CaseDiagnosis, 'onSimsSet'>;
}): Record<string, JobHandler> {
  return {
    [CASE_SIMS_SET]: defineJob(z.object({ caseId: z.number().int().positive() }), async (p, job) => {
      await deps.caseDiagnosis.onSimsSet(p.caseId, job.at);
    }),
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
