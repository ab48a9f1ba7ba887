import { z } from 'zod';
import { ListSimsQuery } from '../sims.schemas.ts';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

export const StartImportQuery = z.object({
  mode: z.enum(['atomic', 'skip-invalid']).default('atomic').describe('atomic: any bad line imports nothing'),
  upsert: bool.describe('Update SIMs whose ICCID exists (the listed, non-empty fields)'),
  wait: bool.describe(
    'Answer when the import is done: 200 with the job, or 400 (invalid lines) / 409 (duplicates) with the first 100 problems; 408 if the upload stops arriving for BODY_IDLE_TIMEOUT_MS',
  ),
  filename: z
    .string()
    .trim()
    .min(1)
    .max(200)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters (tab, CR, LF…) are not allowed in a file name')
    .optional()
    .describe('Kept on the job for reference: its last path component (a path sent is not stored)'),
});

export const ImportIdParams = z.object({ id: z.coerce.number().int().positive() });

export const ImportJobView = z
  .object({
    id: z.number().int(),
    status: z.enum(['running', 'succeeded', 'failed']),
    errorCode: z.string().nullable().describe('Why a failed import failed, e.g. sims.import_rows_invalid'),
    mode: z.enum(['atomic', 'skip-invalid']),
    upsert: z.boolean(),
    source: z.enum(['cli', 'api']),
    filename: z.string().nullable(),
    createdByUserId: z.number().int().nullable(),
    counters: z.object({
      rowsRead: z.number().int(),
      rowsImported: z.number().int(),
      rowsUpdated: z.number().int(),
      rowsRejected: z.number().int(),
    }),
    message: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    links: z.object({ self: z.string(), errors: z.string() }),
  })
  .meta({ id: 'SimImportJob' });

export const ImportErrorView = z
  .object({ line: z.number().int(), field: z.string().nullable(), value: z.string().nullable(), reason: z.string() })
  .meta({ id: 'SimImportError' });

export const ImportErrorsQuery = z.object({
  format: z.enum(['json', 'csv']).default('json'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ImportErrorPage = z
  .object({
    items: z.array(ImportErrorView),
    total: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'SimImportErrorPage' });

/** The SIM list's filter (GET /api/v1/sims) without its paging and order: an export is the whole filtered set. */
export const ExportQuery = ListSimsQuery.omit({ sort: true, order: true, limit: true, cursor: true });
