import { defineJob } from '../../platform/jobs/queue.ts';
import { EXECUTE_JOB, ExecutePayload } from './network-actions.executor.ts';
import type { NetworkActionsService } from './network-actions.service.ts';

/** The worker side of the outbox: one job per requested action (deduped by its id). */
export const networkActionsJobs = (deps: { networkActions: NetworkActionsService }) => ({
  [EXECUTE_JOB]: defineJob(ExecutePayload, (p, job) => deps.networkActions.execute(p, job)),
});
