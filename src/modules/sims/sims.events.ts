/**
 * What the SIM inventory announces (docs/EVENTS.md; src/platform/events).
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

export const SimEvents = {
  /** An import committed new SIMs (updates of existing SIMs do not count). */
  added: defineEvent({
    name: 'sims.added',
    version: 1,
    producer: 'sims',
    description: 'A SIM import committed new SIMs (one per import job).',
    payload: z.object({ importId: z.number().int().positive() }),
  }),
} as const;
