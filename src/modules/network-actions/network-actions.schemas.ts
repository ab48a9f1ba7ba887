import { z } from 'zod';
import { SimStateSchema } from '../sims/sims.schemas.ts';
import { SimCommandSchema } from '../simulator/commands.ts';
import { ApnSchema } from './config-sms.ts';

export const ACTION_KINDS = ['connectivity_reset', 'change_state', 'change_plan', 'send_config_sms'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_STATUSES = ['requested', 'applied', 'failed'] as const;

const ListFields = ['apns', 'roamingPlmns'] as const;
const SwitchFields = ['dataEnabled', 'smsEnabled', 'voiceEnabled'] as const;
const PlanId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * change_plan has two forms. The diagnosis's (DiagnosisAction): edit the SIM's communication plan — add an APN or
 * a roaming PLMN, or switch data/SMS/voice (it changes the plan for every SIM on it). The SIM API's: move the SIM
 * to other plans, as PATCH /api/v1/sims/{iccid} does. One object with the rules spelled out, so a refusal names
 * the exact field (a zod union would only say "invalid input").
 */
export const PlanParams = z
  .object({
    plan: z.literal('communication'),
    field: z.enum([...ListFields, ...SwitchFields]),
    add: z.string().trim().min(1).max(100),
    value: z.boolean(),
    communicationPlanId: PlanId,
    ratePlanId: PlanId,
  })
  .partial()
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const edit = p.plan !== undefined || p.field !== undefined || p.add !== undefined || p.value !== undefined;
    const assign = p.communicationPlanId !== undefined || p.ratePlanId !== undefined;
    if (edit && assign) issue('communicationPlanId', 'either edit the plan (plan, field) or assign plans, not both');
    if (!edit && !assign) {
      issue('field', 'give plan + field (+ add or value) to edit the plan, or communicationPlanId / ratePlanId');
      return;
    }
    if (!edit) return;
    if (p.plan === undefined) issue('plan', "required: 'communication'");
    if (p.field === undefined) return issue('field', `required: one of ${[...ListFields, ...SwitchFields].join(', ')}`);
    if ((ListFields as readonly string[]).includes(p.field)) {
      if (p.value !== undefined) issue('value', `${p.field} takes add, not value`);
      if (p.add === undefined) return issue('add', `required: the ${p.field === 'apns' ? 'APN' : 'PLMN'} to add`);
      if (p.field === 'roamingPlmns' && !/^\d{5,6}$/.test(p.add)) issue('add', 'must be MCC+MNC, 5 or 6 digits');
      if (p.field === 'apns' && !ApnSchema.safeParse(p.add).success) issue('add', 'must be an APN (e.g. iot.example)');
    } else {
      if (p.add !== undefined) issue('add', `${p.field} takes value (true or false), not add`);
      if (p.value === undefined) issue('value', `required: true or false`);
    }
  });
export type PlanParamsInput = z.infer<typeof PlanParams>;

const Why = {
  reason: z.string().trim().min(1).max(500).optional().describe('Why, in words (kept in the log)'),
  reference: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('What prompted it, e.g. case:C-2026-000123 or diagnosis:data_session.apn_typo'),
  caseNumber: z
    .string()
    .regex(/^C-\d{4}-\d{6,}$/, 'must look like C-2026-000123')
    .optional()
    .describe(
      "The case it is run for (one the caller can open, of the SIM's customer): the case's timeline gets an " +
        'internal entry when the action is requested and when it is applied or fails',
    ),
};

export const ActionBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('connectivity_reset'), params: z.object({}).strict().default({}), ...Why }).strict(),
    z.object({ kind: z.literal('change_state'), params: z.object({ to: SimStateSchema }).strict(), ...Why }).strict(),
    z.object({ kind: z.literal('change_plan'), params: PlanParams, ...Why }).strict(),
    z.object({ kind: z.literal('send_config_sms'), params: z.object({ apn: ApnSchema }).strict(), ...Why }).strict(),
  ])
  .meta({ id: 'NetworkActionRequest' });
export type ActionInput = z.infer<typeof ActionBody>;

export const ActionParams = z.object({ iccid: z.string().max(40), id: z.coerce.number().int().positive() });

export const ActionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a cursor from this list')
    .optional(),
});

export const ActionView = z
  .object({
    id: z.number().int(),
    iccid: z.string().describe('20 digits'),
    kind: z.enum(ACTION_KINDS),
    params: z.record(z.string(), z.unknown()),
    reason: z
      .string()
      .nullable()
      .optional()
      .describe("Why, in the requester's words (staff only: absent for customers, except on their own actions)"),
    reference: z
      .string()
      .nullable()
      .optional()
      .describe('What prompted it (staff only: absent for customers, except on their own actions)'),
    caseNumber: z
      .string()
      .nullable()
      .optional()
      .describe('The case it was run for (absent for customers when it is a case they cannot open, e.g. a major case)'),
    requestedBy: z
      .object({
        userId: z.number().int().nullable(),
        label: z.string(),
        via: z
          .string()
          .optional()
          .describe('session, token or cli (staff only: absent for customers, except on their own actions)'),
      })
      .describe(
        "Who asked: to staff, the user's id and e-mail; to a customer, their own and their colleagues' (users " +
          "at their account or below) actions as such and anyone else's as 'Service desk' with userId null (staff e-mail addresses are never shown to customers)",
      ),
    adapter: z.string().describe('The network adapter that carries it (NETWORK_ADAPTER)'),
    status: z.enum(ACTION_STATUSES).describe('requested → applied | failed'),
    outcome: z.string().nullable().describe('What was done, or why it failed'),
    result: z.record(z.string(), z.unknown()).nullable().describe('Each step with its own answer'),
    requestedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'NetworkAction' });

export const ActionPage = z
  .object({ items: z.array(ActionView), nextCursor: z.string().nullable() })
  .meta({ id: 'NetworkActionPage' });

export const CommandsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().describe('Commands with a larger id; omit to learn `last` only'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const CommandPage = z
  .object({ items: z.array(SimCommandSchema), last: z.number().int().describe('The newest command id') })
  .meta({ id: 'SimulatedCommandPage' });
