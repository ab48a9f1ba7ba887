import { z } from 'zod';
import { DateText, DateTimeText } from '../../platform/time-schemas.ts';
import { SimFilterBody, SimView } from '../sims/sims.schemas.ts';
import { CASE_TYPES, PRIORITIES, SEVERITIES } from './priority.ts';
import { CASE_STATES } from './state-machine.ts';

// Types, severities and priorities are the priority matrix's vocabulary; sla/priority.ts is pure and owns them.
export { CASE_TYPES, PRIORITIES, SEVERITIES };
export const CHANNELS = ['email', 'phone', 'portal', 'api', 'monitoring'] as const;
export const EVENT_KINDS = ['email_in', 'email_out', 'phone_call', 'portal_message', 'note', 'system'] as const;
export const VISIBILITIES = ['public', 'internal'] as const;
/**
 * What a caller may post to the timeline: staff also `email_out`, a reply mailed to the case's contacts (the mail
 * desk sends it). Inbound mail and system entries are written by the product itself.
 */
export const POSTABLE_KINDS = ['note', 'phone_call', 'portal_message', 'email_out'] as const;

export const PRIORITY_OVERRIDE_ROUTE = 'POST /api/v1/cases/{number}/priority';
const READ_ONLY_PRIORITY = `priority is computed (severity, affected SIMs, VIP tier, type); staff override it with ${PRIORITY_OVERRIDE_ROUTE}`;

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
    // Rejected rather than silently dropped, so a caller that still sends it learns where it moved.
    priority: z.never({ error: READ_ONLY_PRIORITY }).optional().describe(`Read-only: ${READ_ONLY_PRIORITY}`),
    queue: z.string().trim().min(1).max(100).optional().describe('Staff only'),
    assigneeUserId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Staff only: an enabled admin or agent (GET /api/v1/agents)'),
    tags: z.array(Tag).max(50).default([]),
    affectedIccids: z
      .array(z.string().max(40))
      .max(10_000)
      .default([])
      .describe('ICCIDs (19 or 20 digits) of SIMs in the case account’s tenant'),
    affectedFilter: SimFilterBody.optional().describe(
      'A saved SIM filter (as for GET /api/v1/sims) instead of a list; its account defaults to the case’s own',
    ),
    contactIds: z
      .array(z.number().int().positive())
      .max(50)
      .default([])
      .describe("Contacts of the case's account or an account above it (customers: of their own subtree)"),
  })
  .meta({ id: 'CreateCaseRequest' });
export type CreateCaseInput = z.infer<typeof CreateCaseBody>;

export const PriorityOverrideView = z
  .object({
    priority: z.enum(PRIORITIES),
    reason: z.string(),
    by: z.object({ userId: z.number().int().nullable(), label: z.string() }),
    at: z.string(),
  })
  .meta({ id: 'CasePriorityOverride' });

/**
 * What a customer does not see of their own case (issue 13, point 7; docs/SECURITY.md): how the desk works it —
 * the matrix's priority and an override's reason and author, the queue, the assignee, internal tags, the major
 * case it was grouped under, and which user opened it. Absent from a customer's answers (not null, so that a
 * generated client can tell "hidden" from "none"). The SLA due time stays: it is the customer's contract.
 */
export const CASE_STAFF_ONLY = [
  'computedPriority',
  'override',
  'queue',
  'assigneeUserId',
  'tags',
  'parentCaseId',
  'createdBy',
] as const;
const staffOnly = <T extends z.ZodType>(t: T) =>
  t.optional().describe(`Staff only (absent for customers). ${t.description ?? ''}`.trim());

export const CaseView = z
  .object({
    id: z.number().int(),
    number: z.string(),
    tenantId: z.number().int(),
    accountId: z.number().int(),
    accountName: z.string().describe("The customer: the case account's name"),
    accountNumber: z.string().describe("The case account's number"),
    type: z.enum(CASE_TYPES),
    channel: z.enum(CHANNELS),
    subject: z.string(),
    description: z.string(),
    severity: z.enum(SEVERITIES),
    priority: z.enum(PRIORITIES).describe('Effective: the override while there is one, else computedPriority'),
    computedPriority: staffOnly(
      z.enum(PRIORITIES).describe('From the priority matrix: severity × affected SIMs × VIP tier × type'),
    ),
    override: staffOnly(PriorityOverrideView.nullable()),
    state: z.enum(CASE_STATES),
    queue: staffOnly(z.string().nullable()),
    assigneeUserId: staffOnly(z.number().int().nullable()),
    tags: staffOnly(z.array(z.string())),
    affectedSimCount: z.number().int(),
    affectedFilter: z.record(z.string(), z.unknown()).nullable(),
    isMajor: z.boolean().describe('A major case: has child cases, one per affected account (staff only see it)'),
    parentCaseId: staffOnly(z.number().int().nullable()),
    followUpOf: z.number().int().nullable(),
    createdBy: staffOnly(z.number().int().nullable().describe('The user who opened it; null: the system')),
    createdAt: z.string(),
    slaDueAt: z
      .string()
      .nullable()
      .describe(
        'The nearest due time of a running SLA clock (the queue sorts by it after priority); null: none runs. ' +
          "Customers see it: it is their contract's commitment, like GET /cases/{number}/sla",
      ),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    allowedTransitions: z
      .array(z.enum(CASE_STATES))
      .describe(
        'The states the caller may move the case to now (POST …/transitions): for staff, every transition from ' +
          'its state; for a customer, withdrawing it (cancelled) and reopening a resolved case (open) — empty once ' +
          'closed or cancelled',
      ),
  })
  .meta({ id: 'Case' });

/**
 * A queue row: the Case's own fields (same names and types) minus the long or detailed ones (description,
 * override details, affected filter, provenance, end times); GET /api/v1/cases/{number} has the full case.
 * Half the bytes and CPU per page of the agent queue (docs/PERFORMANCE.md). New fields may be added.
 */
export const CaseSummaryView = CaseView.pick({
  id: true,
  number: true,
  tenantId: true,
  accountId: true,
  accountName: true,
  accountNumber: true,
  type: true,
  channel: true,
  subject: true,
  severity: true,
  priority: true,
  computedPriority: true,
  state: true,
  queue: true,
  assigneeUserId: true,
  tags: true,
  affectedSimCount: true,
  isMajor: true,
  parentCaseId: true,
  slaDueAt: true,
  createdAt: true,
  updatedAt: true,
}).meta({ id: 'CaseSummary' });

export const CasePage = z
  .object({ items: z.array(CaseSummaryView), nextCursor: z.string().nullable() })
  .meta({ id: 'CasePage' });

/** A list filter's states: CASE_STATES, or `all`. */
export const QUEUE_STATES = [...CASE_STATES, 'all'] as const;
export type QueueStateParam = (typeof QUEUE_STATES)[number];
const isQueueState = (s: string): s is QueueStateParam => (QUEUE_STATES as readonly string[]).includes(s);
/** `state=a&state=b` arrives as an array, `state=a,b` as one string: both become one list. */
const splitList = (v: string | string[]) =>
  (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',').map((s) => s.trim()));
// The enum is checked after splitting, not by z.enum, so a refusal names the parameter with what was sent (an
// array element's index would leave the value unknown); .meta keeps the enum in the OpenAPI document.
const StateItem = z.string().meta({ enum: [...QUEUE_STATES] });
const StatesParam = z
  .union([StateItem, z.array(StateItem).min(1).max(QUEUE_STATES.length)])
  .transform(splitList)
  .superRefine((xs, ctx) => {
    const bad = xs.filter((x) => !isQueueState(x));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not a state: ${bad.join(', ')}; one of ${QUEUE_STATES.join(', ')}` });
    } else if (xs.includes('all') && xs.some((x) => x !== 'all')) {
      ctx.addIssue({ code: 'custom', message: "'all' stands alone" });
    }
  })
  .transform((xs) => xs as QueueStateParam[])
  .optional()
  .describe(
    'One state or several: repeat the parameter (state=open&state=resolved) or separate them with commas ' +
      '(state=open,resolved); `all` for every state. Default: the active cases (new, open, pending_customer, ' +
      'pending_provider).',
  );

export const ListCasesQuery = z.object({
  state: StatesParam,
  type: z.enum(CASE_TYPES).optional(),
  queue: z.string().trim().min(1).max(100).optional().describe('Staff only (a customer gets 403)'),
  assignee: z.literal('me').optional().describe("'me': only cases assigned to the caller (staff only)"),
  accountId: z.coerce.number().int().positive().optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Search within the other filters (so by default among the active cases; state=all searches every case): the ' +
        "case number; a substring of the subject or of the customer account's name (case-insensitive); the " +
        'account number; or the ICCID (with or without its Luhn digit) or MSISDN of an affected SIM.',
    ),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListCasesQueryInput = z.infer<typeof ListCasesQuery>;

export const CaseNumberParams = z.object({
  number: z.string().regex(/^C-\d{4}-\d{6,}$/, 'must look like C-2026-000123'),
});

export const KeepOpenBody = z
  .object({
    workingDays: z.number().int().min(1).max(10).describe('How many more working days to wait before it closes'),
    reason: z.string().trim().min(1).max(500).optional().describe('Shown in the timeline'),
  })
  .strict()
  .meta({ id: 'KeepCaseOpenRequest' });
export type KeepOpenInput = z.infer<typeof KeepOpenBody>;

export const TransitionBody = z
  .object({
    to: z.enum(CASE_STATES),
    note: z.string().trim().min(1).max(20_000).optional().describe('Kept as a note next to the state change'),
    noteVisibility: z
      .enum(VISIBILITIES)
      .optional()
      .describe(
        "Staff (default internal): public shows the note to the customer (a major case's children get it the same way)",
      ),
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
  .refine((e) => e.kind !== 'email_out' || e.visibility !== 'internal', {
    message: 'an email_out is mailed to the customer: it is public',
    path: ['visibility'],
  })
  .meta({ id: 'CreateCaseEventRequest' });
export type CreateEventInput = z.infer<typeof CreateEventBody>;

export const CaseEventView = z
  .object({
    id: z.number().int(),
    at: z.string(),
    kind: z.enum(EVENT_KINDS),
    visibility: z.enum(VISIBILITIES),
    authorUserId: z
      .number()
      .int()
      .nullable()
      .describe("The author's user id; null for the system, and for staff authors in a customer's answers"),
    authorLabel: z
      .string()
      .describe("Who wrote it: a customer's e-mail; for staff, their e-mail to staff and 'Service desk' to customers"),
    body: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'CaseEvent' });

export const PostedCaseEventView = CaseEventView.extend({
  caseNumber: z.string().describe('The case the entry landed in: this one, or the follow-up a late reply opened'),
  outcome: z
    .enum(['added', 'reopened', 'follow_up'])
    .describe('added; reopened (a customer reply within the reopen window); follow_up (after it, or when closed)'),
}).meta({ id: 'PostedCaseEvent' });

// The timeline list (entries with their attachments) is CaseEventList in attachments.schemas.ts.

/**
 * Staff only. Type, severity and affected SIMs feed the priority matrix: changing any of them recomputes the
 * priority. Assignee and queue say who works the case.
 */
export const UpdateCaseBody = z
  .object({
    type: z.enum(CASE_TYPES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    affectedIccids: z
      .array(z.string().max(40))
      .max(10_000)
      .optional()
      .describe('Replaces the affected SIM list (ICCIDs in the case account’s tenant); clears a saved filter'),
    affectedFilter: SimFilterBody.nullable()
      .optional()
      .describe('Replaces the selection with a saved SIM filter (null: none); clears the list'),
    assigneeUserId: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe('Assigns the case to this admin or agent (GET /api/v1/agents); null: unassigned'),
    queue: z.string().trim().min(1).max(100).nullable().optional().describe('Moves the case to this queue; null: none'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .meta({ id: 'UpdateCaseRequest' });
export type UpdateCaseInput = z.infer<typeof UpdateCaseBody>;

export const CreateChildrenBody = z
  .object({
    accountIds: z
      .array(z.number().int().positive())
      .min(1)
      .max(1000)
      .describe('One child case per account (any tenant); accounts that already have a child are skipped'),
  })
  .meta({ id: 'CreateChildCasesRequest' });
export type CreateChildrenInput = z.infer<typeof CreateChildrenBody>;

export const CaseList = z.object({ items: z.array(CaseView) }).meta({ id: 'CaseList' });

export const OverridePriorityBody = z
  .object({
    priority: z.enum(PRIORITIES),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .describe('Why the computed priority is wrong here (kept in the timeline)'),
  })
  .meta({ id: 'CasePriorityOverrideRequest' });
export type OverridePriorityInput = z.infer<typeof OverridePriorityBody>;

export const REPORT_MAX_DAYS = 400;
/** A report bound: a UTC day, or an RFC 3339 instant like every other endpoint takes (reports count whole UTC days). */
const ReportBound = z.union([DateText, DateTimeText]);
export const ReportQuery = z.object({
  from: ReportBound.optional().describe(
    'First UTC day: YYYY-MM-DD, or an RFC 3339 instant (its UTC day). Default: `to` minus 30 days (day), 12 weeks (week) or 12 months (month)',
  ),
  to: ReportBound.optional().describe(
    `End, exclusive: YYYY-MM-DD, or an RFC 3339 instant (rounded up to the next UTC midnight, so that instant's day counts). Default: tomorrow (today included). At most ${REPORT_MAX_DAYS} days after from. The answer's from/to are the days used`,
  ),
  groupBy: z.enum(['day', 'week', 'month']).default('day').describe('UTC periods; weeks start on Monday'),
  accountId: z.coerce.number().int().positive().optional().describe('Only this account and its subtree'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type ReportQueryInput = z.infer<typeof ReportQuery>;

export const CONTACT_SPLITS = ['account', 'queue'] as const;
export const ContactsReportQuery = ReportQuery.extend({
  by: z
    .string()
    .regex(/^(account|queue)(,(account|queue))?$/, 'account, queue, or account,queue')
    .transform((v) => [...new Set(v.split(','))] as (typeof CONTACT_SPLITS)[number][])
    .optional()
    .describe(
      'Also split each period and kind by the case’s account and/or queue: `account`, `queue`, `account,queue`',
    ),
});
export type ContactsReportQueryInput = z.infer<typeof ContactsReportQuery>;

const ReportMeta = {
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['day', 'week', 'month']),
  accountId: z.number().int().nullable(),
};
export const VolumeReportView = z
  .object({
    ...ReportMeta,
    items: z.array(
      z.object({
        period: z.string().describe('First day of the UTC period'),
        type: z.enum(CASE_TYPES),
        channel: z.enum(CHANNELS),
        created: z.number().int(),
        closed: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'CaseVolumeReport' });
export const HandlingTimeReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    accountId: z.number().int().nullable(),
    items: z.array(
      z.object({
        type: z.enum(CASE_TYPES),
        count: z.number().int(),
        meanCalendarDays: z.number(),
        medianCalendarDays: z.number(),
        meanWorkingDays: z.number().nullable(),
        medianWorkingDays: z.number().nullable(),
        withoutCalendar: z.number().int().describe('Cases no SLA policy matched: left out of the working-day figures'),
      }),
    ),
  })
  .meta({ id: 'CaseHandlingTimeReport' });
export const ContactsReportView = z
  .object({
    ...ReportMeta,
    items: z.array(
      z.object({
        period: z.string().describe('First day of the UTC period'),
        kind: z
          .enum(['email_in', 'email_out', 'phone_call', 'portal_message'])
          .describe('email_in: mail from the customer; email_out: a reply the desk mailed; phone_call; portal_message'),
        accountId: z.number().int().optional().describe('With by=account: the case’s account'),
        queue: z.string().nullable().optional().describe('With by=queue: the case’s queue (null: none)'),
        contacts: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'CaseContactsReport' });
export const SlaMetReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    accountId: z.number().int().nullable(),
    items: z.array(
      z.object({
        policyId: z.number().int(),
        policy: z.string(),
        metric: z.enum(['first_response', 'periodic_update', 'resolution']),
        met: z.number().int(),
        breached: z.number().int(),
        metPercent: z.number().nullable().describe('met / (met + breached), one decimal; null when neither'),
      }),
    ),
  })
  .meta({ id: 'CaseSlaMetReport' });
export const ReportCsv = z.string().describe('CSV, header row first');

export const AffectedSimsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});
export const AffectedSimsPage = z
  .object({
    selection: z.enum(['list', 'filter', 'none']),
    filter: z.record(z.string(), z.unknown()).nullable(),
    affectedSimCount: z.number().int().describe('Stored when the selection was set (it feeds the priority)'),
    items: z.array(SimView),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'CaseAffectedSims' });
