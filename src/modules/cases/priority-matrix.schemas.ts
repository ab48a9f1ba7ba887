import { z } from 'zod';
import { PriorityMatrixConfig } from './priority.ts';

/**
 * PUT body: the whole matrix. Its three tables are typed loosely here so that parsePriorityMatrix (priority.ts) is
 * the one validator of cells and its 400 names every bad or missing cell (`priority.2.3`, `urgency.gold.order`).
 * The top level is a plain object with the config's keys (not a record): the route's validator refuses unknown body
 * fields only for objects, and a record let `{...matrix, "zzUnknown": 1}` through, the key silently dropped.
 */
const tables = Object.fromEntries(Object.keys(PriorityMatrixConfig.shape).map((k) => [k, z.unknown()])) as Record<
  keyof typeof PriorityMatrixConfig.shape,
  z.ZodUnknown
>;
export const PutPriorityMatrixBody = z
  .object(tables)
  .describe(
    'A whole PriorityMatrixConfig: impact[severity][simBucket], urgency[vipTier][caseType], priority[impact][urgency]. ' +
      'Every cell is required; a bad or missing cell, or an unknown key at any level, answers 400 naming it.',
  )
  .meta({ id: 'PutPriorityMatrixRequest' });

const UpdatedBy = z.object({ userId: z.number().int().nullable(), label: z.string() }).meta({ id: 'UpdatedBy' });

export const PriorityMatrixView = z
  .object({
    matrix: PriorityMatrixConfig,
    isDefault: z.boolean().describe('true when the built-in default is in force (never changed, or reset)'),
    version: z.number().int().nullable().describe('null: never changed'),
    updatedAt: z.string().nullable(),
    updatedBy: UpdatedBy.nullable(),
  })
  .meta({ id: 'PriorityMatrix' });

export const PriorityMatrixChangeView = PriorityMatrixView.extend({
  recomputed: z
    .object({ examined: z.number().int(), changed: z.number().int() })
    .describe('Open cases examined, and those whose computed priority changed (each got a timeline entry)'),
}).meta({ id: 'PriorityMatrixChange' });

export const PriorityMatrixHistory = z
  .object({
    items: z.array(
      z.object({
        version: z.number().int(),
        matrix: PriorityMatrixConfig.nullable().describe('null: a reset to the built-in default'),
        updatedAt: z.string(),
        updatedBy: UpdatedBy,
      }),
    ),
  })
  .meta({ id: 'PriorityMatrixHistory' });

export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
