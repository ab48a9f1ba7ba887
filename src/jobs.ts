import { diagnosisJobs } from './modules/diagnosis/diagnosis.jobs.ts';
import { ingestJobs } from './modules/ingest/ingest.jobs.ts';
import { networkActionsJobs } from './modules/network-actions/network-actions.jobs.ts';
import { slaJobs } from './modules/sla/sla.jobs.ts';
import type { JobHandler, Worker } from './platform/jobs/queue.ts';
import type { Services } from './services.ts';

/** Every module's job handlers, merged: what a worker process runs. */
export function jobHandlers(services: Services): Record<string, JobHandler> {
  return {
    ...ingestJobs({ ingest: services.ingest }),
    ...networkActionsJobs({ networkActions: services.networkActions }),
    ...diagnosisJobs({ batch: services.diagnosisBatch, caseDiagnosis: services.caseDiagnosis }),
    ...slaJobs({
      sla: services.sla,
      cases: services.cases,
      notifications: services.notifications,
      queue: services.jobs,
    }),
  };
}

/** The worker role: polls the job queue until stopped. */
export function startWorker(services: Services, opts: { pollMs: number }): Worker {
  return services.jobs.startWorker({ handlers: jobHandlers(services), pollMs: opts.pollMs });
}
