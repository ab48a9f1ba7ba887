import { z } from 'zod';
import { DateTimeText } from '../../platform/time-schemas.ts';
import { SIM_STATES } from './lifecycle.ts';

/**
 * Shapes only: identifier rules (Luhn, MCC, lengths) live in identifiers.ts and are applied by the service,
 * so an invalid ICCID answers `sims.iccid_invalid` with the reason, the same wording as the CSV import.
 */
const Id = z.number().int().positive();
const Identifier = z.string().trim().min(1).max(40);
export const SimStateSchema = z.enum(SIM_STATES);
export const NETWORK_STATES = ['ATTACHED', 'ONLINE', 'OFFLINE', 'BLOCKED'] as const;

export const Labels = z
  .array(z.string().trim().min(1).max(200))
  .max(50)
  .transform((ls) => [...new Set(ls)])
  .describe('Free-text labels (deduplicated)');
const FIELD_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const FIELD_KEY_MSG = 'custom field names are 1–64 letters, digits, dot, dash or underscore';
export const CustomFields = z
  .record(z.string().regex(FIELD_KEY, FIELD_KEY_MSG), z.string().max(1000))
  .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 custom fields' });

export const CreateSimBody = z
  .object({
    iccid: Identifier.describe('19 digits, or 20 with the Luhn check digit; starts with 89'),
    imsis: z.array(Identifier).max(10).default([]).describe('The first is the current IMSI'),
    msisdn: Identifier.optional().describe('E.164 digits, + optional'),
    imei: Identifier.optional(),
    imeiLock: z
      .boolean()
      .optional()
      .describe(
        'IMEI lock (default false): the network refuses the SIM in any device but its imei, which it then needs',
      ),
    eid: Identifier.optional(),
    accountId: Id,
    communicationPlanId: Id.optional(),
    ratePlanId: Id.optional(),
    state: SimStateSchema.default('INVENTORY'),
    labels: Labels.default([]),
    customFields: CustomFields.default({}),
  })
  .strict()
  .meta({ id: 'CreateSimRequest' });
export type CreateSimInput = z.infer<typeof CreateSimBody>;

export const UpdateSimBody = z
  .object({
    labels: Labels.describe('Replaces the labels'),
    customFields: z
      .record(z.string().regex(FIELD_KEY, FIELD_KEY_MSG), z.string().max(1000).nullable())
      .describe('Merged into the custom fields; null removes a field'),
    imei: Identifier.nullable().describe('Staff only'),
    imeiLock: z
      .boolean()
      .describe(
        'Staff only. IMEI lock: the network refuses this SIM in any device but its imei (its communication plan may lock it too)',
      ),
    msisdn: Identifier.nullable().describe('Staff only'),
    eid: Identifier.nullable().describe('Staff only'),
    communicationPlanId: Id.nullable().describe('Must be available to the SIM account'),
    ratePlanId: Id.nullable().describe('Must be available to the SIM account'),
  })
  .partial()
  .strict()
  .meta({ id: 'UpdateSimRequest' });
export type UpdateSimInput = z.infer<typeof UpdateSimBody>;

export const ChangeStateBody = z
  .object({ state: SimStateSchema, reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .meta({ id: 'ChangeSimStateRequest' });
export type ChangeStateInput = z.infer<typeof ChangeStateBody>;

/** The filter the list and the bulk change share, normalised. */
export type SimFilter = {
  accountId?: number | undefined;
  subtree: boolean;
  states?: (typeof SIM_STATES)[number][] | undefined;
  communicationPlanId?: number | undefined;
  ratePlanId?: number | undefined;
  iccid?: string | undefined;
  imsi?: string | undefined;
  msisdn?: string | undefined;
  label?: string | undefined;
  networkStates?: (typeof NETWORK_STATES)[number][] | undefined;
  lastSeenBefore?: string | undefined;
  lastSeenAfter?: string | undefined;
  failing?: boolean | undefined;
};

const Prefix = z.string().trim().min(1).max(20);
export const SORTS = ['iccid', 'createdAt', 'updatedAt', 'state'] as const;

const filterFields = {
  accountId: z.coerce.number().int().positive().optional().describe('This account and (by default) its subtree'),
  communicationPlanId: z.coerce.number().int().positive().optional(),
  ratePlanId: z.coerce.number().int().positive().optional(),
  iccid: Prefix.optional().describe('ICCID prefix'),
  imsi: Prefix.optional().describe('Prefix of any of the SIM IMSIs'),
  msisdn: Prefix.optional().describe('MSISDN prefix (+ optional)'),
  label: z.string().trim().min(1).max(200).optional().describe('SIMs carrying this label'),
  lastSeenBefore: DateTimeText.optional().describe(
    'RFC 3339: SIMs with no network event at or after this instant (never seen included)',
  ),
  lastSeenAfter: DateTimeText.optional().describe('RFC 3339: SIMs with a network event at or after this instant'),
};
const NetworkStateSchema = z.enum(NETWORK_STATES);
const FAILING_DESCRIPTION =
  'true: SIMs failing now — their newest network event is a refused attach or session, in the last hour';

/**
 * `state=A&state=B` or `state=A,B`. An unknown value is refused on the parameter itself (not on an index of the
 * split list), so the 400 names the parameter and the value as sent.
 */
function listParam<T extends string>(kind: string, values: readonly [T, ...T[]]) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
    .superRefine((list, ctx) => {
      const bad = list.filter((s) => !(values as readonly string[]).includes(s));
      if (bad.length > 0)
        ctx.addIssue({ code: 'custom', message: `unknown ${kind} ${bad.join(', ')}: one of ${values.join(', ')}` });
    })
    .pipe(z.array(z.enum(values)).min(1));
}
const StatesQuery = listParam('state', SIM_STATES);
const NetworkStatesQuery = listParam('network state', NETWORK_STATES);

export const ListSimsQuery = z.object({
  ...filterFields,
  subtree: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('false: only SIMs of accountId itself'),
  state: StatesQuery.optional().describe('One or several states (repeat or comma-separate)'),
  networkState: NetworkStatesQuery.optional().describe('One or several network states (repeat or comma-separate)'),
  failing: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(FAILING_DESCRIPTION),
  sort: z.enum(SORTS).default('iccid'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});
export type ListSimsQueryInput = z.infer<typeof ListSimsQuery>;

/** The list's filter without paging: how many SIMs it selects (the console's "all N matching"). */
export const CountSimsQuery = ListSimsQuery.omit({ sort: true, order: true, limit: true, cursor: true });
export const SimCountView = z
  .object({ count: z.number().int().describe('SIMs the filter selects within your reach') })
  .meta({ id: 'SimCount' });

export const SimFilterBody = z
  .object({
    ...filterFields,
    accountId: Id.optional(),
    communicationPlanId: Id.optional(),
    ratePlanId: Id.optional(),
    subtree: z.boolean().default(true),
    state: z.union([SimStateSchema, z.array(SimStateSchema).min(1).max(SIM_STATES.length)]).optional(),
    networkState: z
      .union([NetworkStateSchema, z.array(NetworkStateSchema).min(1).max(NETWORK_STATES.length)])
      .optional(),
    failing: z.boolean().optional().describe(FAILING_DESCRIPTION),
  })
  .strict()
  .meta({ id: 'SimFilter' });
export type SimFilterInput = z.infer<typeof SimFilterBody>;

/** A saved filter as the list's query (what the list and count use). */
export function filterAsQuery(
  f: SimFilterInput,
  page: { limit: number; cursor?: string | undefined },
): ListSimsQueryInput {
  const { state, networkState, ...rest } = f;
  return {
    ...rest,
    state: state === undefined ? undefined : Array.isArray(state) ? state : [state],
    networkState: networkState === undefined ? undefined : Array.isArray(networkState) ? networkState : [networkState],
    sort: 'iccid',
    order: 'asc',
    ...page,
  };
}

export const BulkChangeBody = z
  .object({
    selection: z.union([
      z.object({ iccids: z.array(Identifier).min(1).max(100_000) }).strict(),
      z.object({ filter: SimFilterBody }).strict(),
    ]),
    change: z.union([
      z.object({ state: SimStateSchema, reason: z.string().trim().min(1).max(500).optional() }).strict(),
      z
        .object({ communicationPlanId: Id.nullable().optional(), ratePlanId: Id.nullable().optional() })
        .strict()
        .refine((c) => c.communicationPlanId !== undefined || c.ratePlanId !== undefined, {
          message: 'give state, or communicationPlanId and/or ratePlanId',
        }),
    ]),
    dryRun: z.boolean().default(false),
    skipRejected: z.boolean().default(false).describe('Apply to the SIMs that can change, report the others'),
  })
  .strict()
  .meta({ id: 'BulkSimChangeRequest' });
export type BulkChangeInput = z.infer<typeof BulkChangeBody>;

export const IccidParams = z.object({ iccid: z.string().max(40) });

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const Ref = z.object({ id: z.number().int(), name: z.string().nullable() });

export const SimView = z
  .object({
    iccid: z.string().describe('20 digits: the stored 19-digit body + Luhn check digit'),
    imsis: z.array(z.object({ imsi: z.string(), current: z.boolean() })).describe('Current first'),
    msisdn: z.string().nullable(),
    imei: z.string().nullable(),
    imeiLock: z.boolean().describe("This SIM's own IMEI lock (its communication plan's imeiLock locks it as well)"),
    eid: z.string().nullable(),
    account: z.object({ id: z.number().int(), number: z.string().nullable(), name: z.string().nullable() }),
    communicationPlan: Ref.nullable(),
    ratePlan: Ref.nullable(),
    state: SimStateSchema,
    networkState: z.enum(NETWORK_STATES).nullable(),
    labels: z.array(z.string()),
    customFields: z.record(z.string(), z.string()),
    importId: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('The import job that created the SIM, null if created one by one (staff only: absent for customers)'),
    createdAt: z.string(),
    updatedAt: z.string(),
    stateChangedAt: z.string(),
  })
  .meta({ id: 'Sim' });

export const SimPage = z.object({ items: z.array(SimView), nextCursor: z.string().nullable() }).meta({ id: 'SimPage' });

export const HistoryEntryView = z
  .object({
    id: z.number().int().nullable().describe('null for the entry derived from the import job'),
    at: z.string(),
    action: z
      .enum(['created', 'updated', 'state_changed', 'imported', 'import_updated'])
      .describe("import_updated: an upsert import changed the SIM (its importId is in 'after', for staff only)"),
    actor: z
      .object({ userId: z.number().int().nullable(), label: z.string() })
      .describe(
        "Who: to staff, the user's id and e-mail (or the import job); to a customer, their own and their colleagues' (users at " +
          "their account or below) changes as such and anyone else's as 'Service desk' with userId null (staff e-mail addresses are never shown to customers)",
      ),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'The values set; for an import, its importId, source and filename (staff only: null for customers); ' +
          'for an upsert import, the values it set (its importId for staff only)',
      ),
    reason: z
      .string()
      .nullable()
      .optional()
      .describe(
        "Why, in the actor's words (staff only: absent for customers, who see the reasons of their own changes only)",
      ),
  })
  .meta({ id: 'SimHistoryEntry' });

export const HistoryPage = z
  .object({ items: z.array(HistoryEntryView), nextCursor: z.string().nullable() })
  .meta({ id: 'SimHistoryPage' });

export const LifecycleView = z
  .object({
    states: z.array(SimStateSchema),
    transitions: z.array(
      z.object({
        from: SimStateSchema,
        to: SimStateSchema,
        by: z.array(z.enum(['operator', 'customer'])),
        why: z.string(),
      }),
    ),
  })
  .meta({ id: 'SimLifecycle' });

export const BulkResultView = z
  .object({
    dryRun: z.boolean(),
    matched: z.number().int(),
    wouldChange: z.number().int().describe('SIMs the change applies to'),
    changed: z.number().int().describe('SIMs actually changed (0 on a dry run)'),
    unchanged: z.number().int().describe('Already in the requested state / plans'),
    rejectedCount: z.number().int(),
    rejected: z
      .array(z.object({ iccid: z.string(), reason: z.string() }))
      .describe('The first 1000 SIMs the change cannot apply to'),
    rejectedByReason: z
      .array(z.object({ reason: z.string(), count: z.number().int(), examples: z.array(z.string()) }))
      .describe(
        'Every refused SIM counted under its reason (the rule that refuses it), with a few ICCIDs, largest first',
      ),
  })
  .meta({ id: 'BulkSimChangeResult' });
