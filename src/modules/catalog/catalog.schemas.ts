import { z } from 'zod';
import { isKnownPlmn } from '../plmns/plmns.data.ts';
import { apnProblem, normaliseApn } from './catalog.apn.ts';
import { ZONE_CODES } from './catalog.zones.ts';

/**
 * Radio access technologies a communication plan may allow:
 * 2G = GSM/GPRS/EDGE, 3G = UMTS/HSPA, 4G = LTE, 5G = NR (NSA and SA),
 * LTE-M = LTE Cat-M1 (eMTC), NB-IoT = LTE Cat-NB1/NB2.
 */
export const RATS = ['2G', '3G', '4G', '5G', 'LTE-M', 'NB-IoT'] as const;
export const POOLING = ['per_sim', 'pooled'] as const;
export const OWNERS = ['shared', 'account'] as const;

const currencies = new Set(Intl.supportedValuesOf('currency'));
const INT32 = 2_147_483_647;

/** Adds one issue per repeated value, at its index, so the error names which entry repeats. */
function noDuplicates(values: readonly string[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) ctx.addIssue({ code: 'custom', message: `duplicate '${v}'`, path: [i] });
    seen.add(v);
  });
}

export const Apn = z
  .string()
  .max(200)
  .transform(normaliseApn)
  .superRefine((apn, ctx) => {
    const problem = apnProblem(apn);
    if (problem) ctx.addIssue({ code: 'custom', message: `invalid APN: ${problem}` });
  });

const PlmnId = z
  .string()
  .regex(/^\d{5,6}$/, 'must be 5 or 6 digits (MCC+MNC)')
  .refine(isKnownPlmn, { message: 'unknown PLMN: not in the MCC+MNC reference (see GET /api/v1/plmns)' });

const Apns = z.array(Apn).max(50).superRefine(noDuplicates).describe('APN network identifiers, stored lower-case');
const AllowedRats = z.array(z.enum(RATS)).min(1).max(RATS.length).superRefine(noDuplicates);
const RoamingPlmns = z.array(PlmnId).max(1000).superRefine(noDuplicates);
const RoamingZones = z.array(z.enum(ZONE_CODES)).max(ZONE_CODES.length).superRefine(noDuplicates);

export const PlanName = z.string().trim().min(1).max(100);
const Description = z.string().trim().max(2000).nullable();
const OwnerAccountId = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('Owner account (the plan is then available to its subtree); omit for a shared plan');

const Services = z.object({
  data: z.boolean(),
  sms: z.boolean(),
  voice: z.boolean(),
  csd: z.boolean().describe('Circuit-switched data (dial-up)'),
});

const ImeiLock = z
  .boolean()
  .describe(
    "IMEI lock: the network refuses a SIM of this plan in any device but the one its record names (the SIM's imei)",
  );

export const CreateCommunicationPlanBody = z
  .object({
    name: PlanName,
    accountId: OwnerAccountId,
    description: Description.optional(),
    apns: Apns.default([]),
    services: Services.partial()
      .default({})
      .transform((s) => ({ data: s.data ?? true, sms: s.sms ?? false, voice: s.voice ?? false, csd: s.csd ?? false }))
      .describe('Data defaults to on, the others to off'),
    allowedRats: AllowedRats,
    roamingPlmns: RoamingPlmns.default([]),
    roamingZones: RoamingZones.default([]),
    imeiLock: ImeiLock.optional().describe('Default false'),
  })
  .meta({ id: 'CreateCommunicationPlanRequest' });
export type CreateCommunicationPlanInput = z.infer<typeof CreateCommunicationPlanBody>;

export const UpdateCommunicationPlanBody = z
  .object({
    name: PlanName,
    description: Description,
    apns: Apns,
    services: Services.partial(),
    allowedRats: AllowedRats,
    roamingPlmns: RoamingPlmns,
    roamingZones: RoamingZones,
    imeiLock: ImeiLock,
  })
  .partial()
  .meta({ id: 'UpdateCommunicationPlanRequest' });
export type UpdateCommunicationPlanInput = z.infer<typeof UpdateCommunicationPlanBody>;

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of 3 upper-case letters, e.g. EUR')
  .refine((c) => currencies.has(c), { message: 'unknown ISO 4217 currency' });

export const Money = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a decimal string ≥ 0 with at most 4 decimals, e.g. "4.50"');

const Count = z.number().int().min(0).max(INT32);

const Included = z.object({
  dataMb: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sms: Count,
  voiceMin: Count,
});
export const OVERAGE_ACTIONS = ['charge', 'block', 'throttle'] as const;
const Overage = z.object({
  dataPerMb: Money,
  smsEach: Money,
  voicePerMin: Money,
  action: z
    .enum(OVERAGE_ACTIONS)
    .describe(
      'What happens once a SIM has used its data allowance (the pool, for pooled plans): charge — data goes on at ' +
        'dataPerMb; block — the network refuses data until the next month; throttle — data goes on at throttleKbps',
    ),
  throttleKbps: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .nullable()
    .describe('The rate a throttled SIM keeps, in kbit/s: required with action throttle, null otherwise'),
});
const TestReady = z
  .object({ dataMb: Count, sms: Count, voiceMin: Count, days: Count })
  .describe('What a SIM in TEST_READY may use before it moves on');

export const CreateRatePlanBody = z
  .object({
    name: PlanName,
    accountId: OwnerAccountId,
    description: Description.optional(),
    currency: Currency,
    monthlyFee: Money,
    pooling: z.enum(POOLING).default('per_sim').describe('per_sim: each SIM its allowance; pooled: summed'),
    included: Included.partial().default({}),
    overage: Overage.partial().default({}),
    testReady: TestReady.partial().default({}),
  })
  .meta({ id: 'CreateRatePlanRequest' });
export type CreateRatePlanInput = z.infer<typeof CreateRatePlanBody>;

export const UpdateRatePlanBody = z
  .object({
    name: PlanName,
    description: Description,
    currency: Currency,
    monthlyFee: Money,
    pooling: z.enum(POOLING),
    included: Included.partial(),
    overage: Overage.partial(),
    testReady: TestReady.partial(),
  })
  .partial()
  .meta({ id: 'UpdateRatePlanRequest' });
export type UpdateRatePlanInput = z.infer<typeof UpdateRatePlanBody>;

const PlanOwnership = {
  id: z.number().int(),
  owner: z.enum(OWNERS),
  accountId: z.number().int().nullable(),
  tenantId: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
};
const Stamps = { createdAt: z.string(), updatedAt: z.string() };

export const CommunicationPlanView = z
  .object({
    ...PlanOwnership,
    apns: z.array(z.string()),
    services: Services,
    allowedRats: z.array(z.enum(RATS)),
    roamingPlmns: z.array(z.string()),
    roamingZones: z.array(z.enum(ZONE_CODES)),
    imeiLock: ImeiLock,
    ...Stamps,
  })
  .meta({ id: 'CommunicationPlan' });

export const RatePlanView = z
  .object({
    ...PlanOwnership,
    currency: z.string(),
    monthlyFee: z.string(),
    pooling: z.enum(POOLING),
    included: Included,
    overage: Overage,
    testReady: TestReady,
    ...Stamps,
  })
  .meta({ id: 'RatePlan' });

export const ListPlansQuery = z.object({
  accountId: z.coerce.number().int().positive().optional().describe('Only plans this account may use'),
  owner: z.enum(OWNERS).optional().describe('shared: offered to every customer; account: account-specific'),
  q: z.string().trim().min(1).max(100).optional().describe('Name contains (case-insensitive)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});
export type ListPlansInput = z.infer<typeof ListPlansQuery>;

export const CommunicationPlanPage = z
  .object({ items: z.array(CommunicationPlanView), nextCursor: z.string().nullable() })
  .meta({ id: 'CommunicationPlanPage' });
export const RatePlanPage = z
  .object({ items: z.array(RatePlanView), nextCursor: z.string().nullable() })
  .meta({ id: 'RatePlanPage' });

export const RoamingZoneView = z
  .object({
    code: z.enum(ZONE_CODES),
    name: z.string(),
    description: z.string(),
    countries: z.array(z.string()).describe('ISO 3166-1 alpha-2'),
  })
  .meta({ id: 'RoamingZone' });

export const PlanIdParams = z.object({ id: z.coerce.number().int().positive() });

/** Plans at most in one import: a customer's onboarding names a dozen; a provider's whole catalog a few hundred. */
export const IMPORT_MAX_PLANS = 1000;

export const ImportPlansBody = z
  .object({
    communicationPlans: z.array(CreateCommunicationPlanBody).max(IMPORT_MAX_PLANS).default([]),
    ratePlans: z.array(CreateRatePlanBody).max(IMPORT_MAX_PLANS).default([]),
  })
  .meta({ id: 'ImportPlansRequest' });
export type ImportPlansInput = z.infer<typeof ImportPlansBody>;

export const ImportPlansQuery = z.object({
  mode: z
    .enum(['create', 'upsert'])
    .default('create')
    .describe(
      'create: every plan is new (a name its owner already uses is refused); upsert: a plan of the same name and ' +
        'owner is changed to what the file says, fields the file leaves out back to their defaults',
    ),
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: check everything and answer what would happen, write nothing'),
});
export type ImportPlansOptions = z.infer<typeof ImportPlansQuery>;

const ImportedPlan = z.object({
  index: z.number().int().describe("The plan's place in its list of the file, from 0"),
  id: z.number().int().nullable().describe('null in a dry run for a plan that would be created'),
  name: z.string(),
  accountId: z.number().int().nullable(),
  outcome: z.enum(['created', 'updated']),
});
export const ImportPlansResult = z
  .object({
    dryRun: z.boolean(),
    communicationPlans: z.array(ImportedPlan),
    ratePlans: z.array(ImportedPlan),
  })
  .meta({ id: 'ImportPlansResult' });
export type ImportPlansOutcome = z.infer<typeof ImportPlansResult>;
