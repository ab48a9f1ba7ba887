import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import type { createWebhookDelivery } from './webhooks.delivery.ts';
import { DELIVER_JOB } from './webhooks.service.ts';

/** One attempt of one message (webhooks.delivery.ts); a failed attempt schedules the next as a new job. */
export function webhooksJobs(deps: { delivery: ReturnType<typeof createWebhookDelivery> }): Record<string, JobHandler> {
  return {
    [DELIVER_JOB]: defineJob(
      z.object({
        deliveryId: z.number().int().positive(),
        attempt: z.number().int().positive(),
        manual: z.boolean().optional(),
      }),
      (p, job) => deps.delivery.deliver(p.deliveryId, p.attempt, p.manual ?? false, job.at, job.log),
    ),
  };
}
