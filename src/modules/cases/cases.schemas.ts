import { z } from 'zod';
import { CASE_STATES } from './state-machine.ts';

export const CASE_TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;
export const CHANNELS = ['email', 'phone', 'portal', 'api', 'monitoring'] as const;
/** Severity as the reporter judges it; the priority matrix (src/modules/sla) turns it into impact later. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** P1 is the highest; the text sorts in priority order. */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export const EVENT_KINDS = ['email_in', 'email_out', 'phone_call', 'portal_message', 'note', 'system'] as const;
export const VISIBILITIES = ['public', 'internal'] as const;
/** What a caller may post to the timeline; emails and system entries are written by the product itself. */
export const POSTABLE_KINDS = ['note', 'phone_call', 'portal_message'] as const;

const Tag = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._:-]{0,49}$/u, 'must be 1–50 letters, digits, dot, colon, dash or underscore');

export const CreateCaseBody = z
  .object({
    accountId: z.number().int().positive(),
    type: z.enum(CASE_TYPES),
    channel: z.enum(CHANNELS).default('api').describe('Forced to portal for customers'),
    subject: z.string().trim().min(1).max(200),
    description: z.string().max(20_000).default(''),
    severity: z.enum(SEVERITIES).default('medium'),
    priority: z
      .enum(PRIORITIES)
      .optional()
      .describe('Staff only; defaults to P3 until the priority matrix computes it'),
    queue: z.string().trim().min(1).max(100).optional().describe('Staff only'),
    assigneeUserId: z.number().int().positive().optional().describe('Staff only'),
    tags: z.array(Tag).max(50).default([]),
    affectedIccids: z
      .array(z.string().max(40))
      .max(10_000)
      .default([])
      .describe('ICCIDs (19 or 20 digits) of SIMs in the case account’s tenant'),
    affectedFilter: z.record(z.string(), z.unknown()).optional().describe('A saved SIM filter instead of a list'),
  })
  .meta({ id: 'CreateCaseRequest' });
export type CreateCaseInput = z.infer<typeof CreateCaseBody>;

export const CaseView = z
  .object({
    id: z.number().int(),
    number: z.string(),
    tenantId: z.number().int(),
    accountId: z.number().int(),
    type: z.enum(CASE_TYPES),
    channel: z.enum(CHANNELS),
    subject: z.string(),
    description: z.string(),
    severity: z.enum(SEVERITIES),
    priority: z.enum(PRIORITIES),
    state: z.enum(CASE_STATES),
    queue: z.string().nullable(),
    assigneeUserId: z.number().int().nullable(),
    tags: z.array(z.string()),
    affectedSimCount: z.number().int(),
    affectedFilter: z.record(z.string(), z.unknown()).nullable(),
    parentCaseId: z.number().int().nullable(),
    followUpOf: z.number().int().nullable(),
    createdBy: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'Case' });

export const CasePage = z
  .object({ items: z.array(CaseView), nextCursor: z.string().nullable() })
  .meta({ id: 'CasePage' });

export const ListCasesQuery = z.object({
  state: z.enum(CASE_STATES).optional(),
  type: z.enum(CASE_TYPES).optional(),
  queue: z.string().trim().min(1).max(100).optional(),
  assignee: z.literal('me').optional().describe("'me': only cases assigned to the caller"),
  accountId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListCasesQueryInput = z.infer<typeof ListCasesQuery>;

export const CaseNumberParams = z.object({
  number: z.string().regex(/^C-\d{4}-\d{6,}$/, 'must look like C-2026-000123'),
});

export const TransitionBody = z
  .object({
    to: z.enum(CASE_STATES),
    note: z.string().trim().min(1).max(20_000).optional().describe('Kept as a note next to the state change'),
  })
  .meta({ id: 'CaseTransitionRequest' });
export type TransitionInput = z.infer<typeof TransitionBody>;

export const CreateEventBody = z
  .object({
    kind: z.enum(POSTABLE_KINDS),
    visibility: z.enum(VISIBILITIES).optional().describe('Default: internal for a note, public otherwise'),
    body: z.string().trim().min(1).max(20_000),
    durationSeconds: z.number().int().min(0).max(86_400).optional().describe('Phone calls only'),
  })
  .refine((e) => e.durationSeconds === undefined || e.kind === 'phone_call', {
    message: 'only a phone_call has a duration',
    path: ['durationSeconds'],
  })
  .meta({ id: 'CreateCaseEventRequest' });
export type CreateEventInput = z.infer<typeof CreateEventBody>;

export const CaseEventView = z
  .object({
    id: z.number().int(),
    at: z.string(),
    kind: z.enum(EVENT_KINDS),
    visibility: z.enum(VISIBILITIES),
    authorUserId: z.number().int().nullable(),
    authorLabel: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'CaseEvent' });

export const CaseEventList = z.object({ items: z.array(CaseEventView) }).meta({ id: 'CaseEventList' });
