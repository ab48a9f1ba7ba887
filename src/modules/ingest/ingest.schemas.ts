import { z } from 'zod';
import { DateTimeText } from '../../platform/time-schemas.ts';
import { REJECT_REASONS } from './contract.ts';

export const CreateCredentialInput = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only (it is the MQTT username)'),
});
export type CreateCredentialInput = z.infer<typeof CreateCredentialInput>;

export const CredentialView = z
  .object({
    id: z.number().int(),
    name: z.string().describe('The MQTT username'),
    createdBy: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'IngestCredential' });

export const CreatedCredential = z
  .object({
    credential: CredentialView,
    secret: z.string().describe('Shown once: MQTT password, or HTTP `Authorization: Bearer <secret>`'),
  })
  .meta({ id: 'CreatedIngestCredential' });

export const CredentialIdParams = z.object({ id: z.coerce.number().int().positive() });

/** The contract's answer to a batch (`reason`, `field`, `value`, `rejectedTotal` are additive to v1). */
export const IngestResultView = z
  .object({
    accepted: z.number().int().describe('Records stored now'),
    duplicates: z.number().int().describe('Records whose id (same SIM/device, same ts) was stored before'),
    rejected: z.array(
      z.object({
        line: z.number().int().describe('NDJSON line, or 1-based position in the JSON array'),
        error: z.string(),
        reason: z.enum(REJECT_REASONS),
        field: z.string().optional().describe('Cut at 64 characters'),
        value: z.unknown().optional().describe('The refused value, cut at 64 characters'),
      }),
    ),
    rejectedTotal: z
      .number()
      .int()
      .optional()
      .describe(
        'Only when `rejected` lists not all of them (an answer is never larger than its request, and lists at most 1,000): how many records were rejected in all. Every one is in GET /api/v1/ingest/errors.',
      ),
  })
  .meta({ id: 'IngestResult' });

export const ListErrorsQuery = z.object({
  reason: z.enum(REJECT_REASONS).optional(),
  kind: z.enum(['network', 'telemetry']).optional(),
  transport: z.enum(['mqtt', 'http']).optional(),
  since: DateTimeText.optional().describe('Only errors received at or after this time'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'not a cursor from this list')
    .optional(),
});
export type ListErrorsQuery = z.infer<typeof ListErrorsQuery>;

export const IngestErrorView = z
  .object({
    id: z.number().int(),
    receivedAt: z.string(),
    transport: z.string(),
    kind: z.string(),
    credentialId: z.number().int().nullable(),
    reason: z.string(),
    field: z.string().nullable(),
    value: z.string().nullable(),
    message: z.string(),
    line: z.number().int().nullable(),
    topic: z.string().nullable(),
    raw: z.string().nullable().describe('The refused record as received (cut at 2 KiB)'),
  })
  .meta({ id: 'IngestError' });

export const IngestErrorList = z.object({
  items: z.array(IngestErrorView),
  nextCursor: z.string().nullable(),
  counts: z
    .array(z.object({ kind: z.string(), reason: z.string(), count: z.number().int() }))
    .describe('Refused records in the last 24 h by kind and reason'),
});

export const OrphansQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const OrphanGroup = z.object({ records: z.number().int(), firstTs: z.string(), lastTs: z.string() });
export const OrphanList = z.object({
  network: z.array(OrphanGroup.extend({ iccid: z.string() })),
  telemetry: z.array(OrphanGroup.extend({ deviceId: z.string() })),
});
