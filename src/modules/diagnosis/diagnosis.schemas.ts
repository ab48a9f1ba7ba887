import { z } from 'zod';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import { NETWORK_EVENT_TYPES } from '../ingest/contract.ts';
import { WindowQuery } from '../network/network.schemas.ts';
import { BulkChangeBody } from '../sims/sims.schemas.ts';
import { LAYERS, ROOT_CAUSES, VERDICTS } from './diagnosis.model.ts';

const Ts = z.string().describe('RFC 3339');
const Language = z.enum(LANGUAGES);
// Not z.record(Language, …): its JSON schema lists the languages as `required` without defining them as properties.
const PerLanguage = z.object(
  Object.fromEntries(LANGUAGES.map((l) => [l, z.string()])) as Record<(typeof LANGUAGES)[number], z.ZodString>,
);

/** The trace's window (from/to, RFC 3339), so a diagnosis and the trace it summarises cover the same events. */
export const DiagnoseBody = z
  .object({
    ...WindowQuery,
    language: Language.optional().describe("The customer summary's language (default: the SIM account's)"),
  })
  .strict()
  .meta({ id: 'DiagnoseRequest' });
export type DiagnoseBody = z.infer<typeof DiagnoseBody>;

export const CaseDiagnosisBody = z
  .object({ ...WindowQuery })
  .strict()
  .meta({ id: 'CaseDiagnosisRequest' })
  .describe("The window to diagnose the case's SIMs over (default the last 24 h)");
export type CaseDiagnosisBody = z.infer<typeof CaseDiagnosisBody>;

const Fleet = z.object({
  kind: z.literal('fleet'),
  scope: z.enum(['plmn', 'apn']),
  key: z.string(),
  attempt: z.enum(['attach', 'session']),
  since: Ts.nullable(),
  /** Staff only: other customers' figures. */
  rejected: z.number().int().optional(),
  accepted: z.number().int().optional(),
  failingSims: z.number().int().nullable().optional(),
  failingTenants: z.number().int().nullable().optional(),
});

export const EvidenceView = z.union([
  z.object({
    kind: z.literal('event'),
    id: z.string().nullable(),
    ts: Ts,
    type: z.enum(NETWORK_EVENT_TYPES),
    plmn: z.string().optional(),
    apn: z.string().optional(),
    cause: z.number().int().optional(),
    causeName: z.string().optional(),
    count: z.number().int().optional(),
    firstTs: Ts.optional(),
  }),
  z.object({ kind: z.literal('config'), field: z.string(), value: z.unknown() }),
  Fleet,
  z.object({
    kind: z.literal('usage'),
    metric: z.enum(['data_bytes', 'sms', 'voice_seconds', 'test_days']),
    used: z.number(),
    limit: z.number(),
  }),
]);

export const ActionView = z
  .object({
    kind: z.enum(['connectivity_reset', 'change_state', 'change_plan', 'send_config_sms']),
    params: z.record(z.string(), z.unknown()),
  })
  .describe('What applies the fix (through the network adapter, or a SIM/plan change)');

export const CheckView = z.object({
  layer: z.enum(LAYERS),
  check: z.string().describe('Stable code, layer.name'),
  verdict: z.enum(VERDICTS),
  title: z.string(),
  detail: z.string().describe('For the agent, with the values (customers: left out where it names fleet figures)'),
  evidence: z.array(EvidenceView),
  fix: z.string().optional(),
  action: ActionView.optional(),
});

export const DiagnosisView = z
  .object({
    iccid: z.string(),
    at: Ts,
    window: z.object({ from: Ts, to: Ts }),
    summary: z.object({
      language: Language,
      customer: z.string().describe("The root cause for the customer, in the account's (or the asked) language"),
      agent: z.string().optional().describe('Staff only: the root cause with evidence, fix and fleet figures'),
    }),
    rootCause: z.object({
      code: z.enum(ROOT_CAUSES),
      verdict: z.enum(VERDICTS),
      confidence: z.enum(['high', 'medium', 'low']),
      check: z.string().nullable(),
      facts: z.record(z.string(), z.unknown()).describe('The concrete values the summaries name'),
      customerSummaries: PerLanguage.describe('The customer summary in all six languages'),
      fix: z.string().optional(),
      action: ActionView.optional(),
      fleetIncident: z
        .object({
          kind: z.enum(['plmn', 'apn']),
          key: z.string(),
          since: Ts.nullable(),
          attempt: z.enum(['attach', 'session']),
          rejectShare: z.number().optional(),
          failingSims: z.number().int().nullable().optional(),
          failingTenants: z.number().int().nullable().optional(),
        })
        .optional()
        .describe('Many SIMs fail at the same network/APN (figures: staff only)'),
    }),
    checks: z.array(CheckView),
    otherFindings: z.array(z.object({ code: z.enum(ROOT_CAUSES), verdict: z.enum(VERDICTS), check: z.string() })),
    eventsTruncated: z.boolean(),
  })
  .meta({ id: 'Diagnosis' });
export type DiagnosisView = z.infer<typeof DiagnosisView>;

export const FailingNowView = z
  .object({
    at: Ts.describe('When the fleet figures were computed (at most a minute ago)'),
    period: z.object({ from: Ts, to: Ts }),
    items: z.array(
      z.object({
        kind: z.enum(['plmn', 'apn']),
        key: z.string().describe('PLMN (MCC+MNC) or APN (lower case)'),
        network: z.string().optional().describe('PLMN: operator name, code and country'),
        attempt: z.enum(['attach', 'session']),
        since: Ts.nullable().describe('Start of the current run of refusals (5-minute buckets)'),
        rejected: z.number().int().optional().describe('Staff only'),
        accepted: z.number().int().optional().describe('Staff only'),
        rejectShare: z.number().optional().describe('Staff only'),
        failingSims: z.number().int().nullable().optional().describe('Staff only'),
        failingTenants: z.number().int().nullable().optional().describe('Staff only'),
      }),
    ),
  })
  .meta({ id: 'FailingNow' });

// ── Many SIMs (async) ──────────────────────────────────────────────────────────────────────────────────────────

export const CreateDiagnosesBody = z
  .object({
    selection: BulkChangeBody.shape.selection.describe('{iccids: [...]} (at most 100,000) or {filter: {...}}'),
    ...WindowQuery,
    language: Language.optional().describe("The customer summaries' language (default: each SIM account's)"),
  })
  .strict()
  .meta({ id: 'CreateDiagnosesRequest' });
export type CreateDiagnosesBody = z.infer<typeof CreateDiagnosesBody>;

export const DiagnosesJobParams = z.object({ id: z.coerce.number().int().positive() });

export const DiagnosesJobQuery = z.object({
  rootCause: z.enum(ROOT_CAUSES).optional().describe('Only SIMs with this root cause'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(100).optional().describe('nextCursor of the previous page (same filter)'),
});
export type DiagnosesJobQuery = z.infer<typeof DiagnosesJobQuery>;

export const DiagnosesCreatedView = z
  .object({ id: z.number().int(), status: z.string(), total: z.number().int() })
  .meta({ id: 'DiagnosesCreated' });

export const DiagnosesJobView = z
  .object({
    id: z.number().int(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    error: z.string().nullable().describe('Why a failed job failed (null otherwise); its results so far stay readable'),
    window: z.object({ from: Ts, to: Ts }),
    createdAt: Ts,
    finishedAt: Ts.nullable(),
    progress: z.object({ total: z.number().int(), processed: z.number().int(), percent: z.number() }),
    counts: z
      .array(z.object({ rootCause: z.enum(ROOT_CAUSES), verdict: z.enum(VERDICTS), sims: z.number().int() }))
      .describe('SIMs per root cause so far, most first'),
    results: z.object({
      items: z.array(
        z.object({
          iccid: z.string(),
          rootCause: z.enum(ROOT_CAUSES).nullable().describe('null: not diagnosed yet'),
          verdict: z.enum(VERDICTS).nullable(),
          confidence: z.string().nullable(),
          check: z.string().nullable(),
          summary: z.string().nullable().describe('Customer summary'),
          agentSummary: z.string().nullable().optional().describe('Staff only'),
          language: Language.nullable(),
          diagnosedAt: Ts.nullable(),
        }),
      ),
      nextCursor: z.string().nullable(),
    }),
  })
  .meta({ id: 'DiagnosesJob' });
