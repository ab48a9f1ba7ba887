/**
 * What the diagnosis module announces (docs/EVENTS.md; src/platform/events).
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

export const DiagnosisEvents = {
  /** A many-SIM diagnosis job (POST /api/v1/diagnoses) ended: every SIM diagnosed, or given up. */
  jobFinished: defineEvent({
    name: 'diagnosis.job_finished',
    version: 1,
    producer: 'diagnosis',
    description: 'A many-SIM diagnosis job ended: done (every SIM diagnosed) or failed (given up, with the reason).',
    payload: z.object({
      jobId: z.number().int().positive(),
      status: z.enum(['done', 'failed']),
      /** Whose job: a customer's tenant and account path, or null for the provider's staff. */
      tenantId: z.number().int().positive().nullable(),
      accountPath: z.string().nullable(),
    }),
  }),
} as const;
