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
  /** A SIM's lifecycle state moved (one SIM, a bulk change or an upsert import). */
  stateChanged: defineEvent({
    name: 'sims.state_changed',
    version: 1,
    producer: 'sims',
    description: "A SIM's lifecycle state moved: changed alone, in a bulk change, or by a network action.",
    payload: z.object({
      simId: z.number().int().positive(),
      tenantId: z.number().int().positive(),
      accountId: z.number().int().positive(),
      from: z.string(),
      to: z.string(),
    }),
  }),
} as const;

export const simOrderingKey = (simId: number) => `sim:${simId}`;
