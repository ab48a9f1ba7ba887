import { z } from 'zod';
import { defineJob, type JobHandler } from '../../platform/jobs/queue.ts';
import { SEND_JOB } from './mail-compose.ts';
import type { mailSender } from './mail-send.ts';

/** One outbound mail at the relay (mail-send.ts); a temporary failure is retried by the queue with backoff. */
export function mailJobs(deps: { sender: ReturnType<typeof mailSender> }): Record<string, JobHandler> {
  return {
    [SEND_JOB]: defineJob(
      z.object({ outboundId: z.number().int().positive() }),
      (p) => deps.sender.send(p.outboundId),
      { onDead: (p, reason) => deps.sender.giveUp(p.outboundId, reason) },
    ),
  };
}
