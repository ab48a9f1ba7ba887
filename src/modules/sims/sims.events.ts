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
  /** A SIM's data use this month reached a share of its rate plan's allowance (80 % or 100 %). */
  usageThresholdCrossed: defineEvent({
    name: 'sims.usage_threshold_crossed',
    version: 1,
    producer: 'sims',
    description:
      "A SIM's data use this calendar month (UTC) reached 80 % or 100 % of its per-SIM rate plan's allowance, found " +
      'when the day it happened is rolled up (once a day). Each threshold once per SIM and month.',
    payload: z.object({
      simId: z.number().int().positive(),
      tenantId: z.number().int().positive(),
      accountId: z.number().int().positive(),
      day: z.iso.date().describe('The UTC day whose usage crossed it'),
      threshold: z.union([z.literal(80), z.literal(100)]).describe('Percent of the allowance'),
      usedBytes: z.number().int().nonnegative().describe('Data used this month through that day'),
      allowanceBytes: z.number().int().positive(),
      ratePlanId: z.number().int().positive(),
    }),
  }),
} as const;

export const simOrderingKey = (simId: number) => `sim:${simId}`;
