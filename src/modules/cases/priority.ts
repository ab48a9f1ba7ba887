/**
 * Priority lookup, ServiceNow style: impact (severity × affected-SIM bucket) and urgency
 * (VIP tier × case type) index a priority matrix. All three tables are configuration; the
 * defaults follow how the desk prioritises by hand today.
 *
 * Severity names (what the fault does to the affected SIMs):
 * - critical: no service (no attach, no data)
 * - high:     service badly degraded (intermittent data, SMS lost, roaming partner down)
 * - medium:   degraded but usable (slow, delayed SMS), or a workaround exists
 * - low:      no service effect (portal label, report layout, billing text)
 */
import { z } from 'zod';
import { formatPath, invalid } from '../../platform/errors.ts';
import { VIP_TIERS } from '../accounts/accounts.schemas.ts';
import { CasesErrors } from './cases.errors.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Affected-SIM buckets: 1 (or none), 2–99, 100–9,999, ≥ 10,000. */
export const SIM_BUCKETS = ['single', 'few', 'many', 'mass'] as const;
export type SimBucket = (typeof SIM_BUCKETS)[number];
export const CASE_TYPES = ['incident', 'information_request', 'service_request', 'order'] as const;
export type CaseType = (typeof CASE_TYPES)[number];
export type VipTier = (typeof VIP_TIERS)[number];
/** 1 = widest / most urgent. */
export const IMPACTS = ['1', '2', '3', '4'] as const;
export const URGENCIES = ['1', '2', '3', '4'] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Impact = (typeof IMPACTS)[number];
export type Urgency = (typeof URGENCIES)[number];
export type Priority = (typeof PRIORITIES)[number];

export function simBucket(affectedSims: number): SimBucket {
  if (affectedSims < 2) return 'single';
  if (affectedSims < 100) return 'few';
  if (affectedSims < 10_000) return 'many';
  return 'mass';
}

/** A z.object with every key of `keys` required (a missing cell is an error naming it). */
function grid<K extends string, V extends z.ZodType>(keys: readonly K[], value: V) {
  return z.strictObject(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, V>);
}

export const PriorityMatrixConfig = z
  .object({
    impact: grid(SEVERITIES, grid(SIM_BUCKETS, z.enum(IMPACTS))),
    urgency: grid(VIP_TIERS, grid(CASE_TYPES, z.enum(URGENCIES))),
    priority: grid(IMPACTS, grid(URGENCIES, z.enum(PRIORITIES))),
  })
  .meta({ id: 'PriorityMatrixConfig' });
export type PriorityMatrixConfig = z.infer<typeof PriorityMatrixConfig>;

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrixConfig = {
  // A dead single SIM is a moderate impact; the same fault on ≥ 100 SIMs is the widest.
  impact: {
    critical: { single: '3', few: '2', many: '1', mass: '1' },
    high: { single: '3', few: '3', many: '2', mass: '1' },
    medium: { single: '4', few: '4', many: '3', mass: '2' },
    low: { single: '4', few: '4', many: '4', mass: '3' },
  },
  // Incidents are the most urgent type; VIP tiers raise urgency by one step at gold/platinum.
  urgency: {
    platinum: { incident: '1', service_request: '2', order: '2', information_request: '3' },
    gold: { incident: '1', service_request: '2', order: '3', information_request: '3' },
    silver: { incident: '2', service_request: '3', order: '3', information_request: '4' },
    standard: { incident: '2', service_request: '3', order: '3', information_request: '4' },
  },
  priority: {
    '1': { '1': 'P1', '2': 'P1', '3': 'P2', '4': 'P3' },
    '2': { '1': 'P1', '2': 'P2', '3': 'P2', '4': 'P3' },
    '3': { '1': 'P2', '2': 'P3', '3': 'P3', '4': 'P4' },
    '4': { '1': 'P3', '2': 'P3', '3': 'P4', '4': 'P4' },
  },
};

export type PriorityInput = { severity: Severity; affectedSims: number; vipTier: VipTier; caseType: CaseType };
export type PriorityResult = { priority: Priority; impact: Impact; urgency: Urgency; simBucket: SimBucket };

export function computePriority(
  input: PriorityInput,
  matrix: PriorityMatrixConfig = DEFAULT_PRIORITY_MATRIX,
): PriorityResult {
  const bucket = simBucket(input.affectedSims);
  const impact = matrix.impact[input.severity][bucket];
  const urgency = matrix.urgency[input.vipTier][input.caseType];
  return { priority: matrix.priority[impact][urgency], impact, urgency, simBucket: bucket };
}

/** Parses untrusted matrix config; throws AppError naming each bad cell (`priority.2.3`). */
export function parsePriorityMatrix(input: unknown): PriorityMatrixConfig {
  const r = PriorityMatrixConfig.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: formatPath(i.path), reason: i.message }));
  throw invalid(
    CasesErrors.priorityMatrixInvalid,
    `Invalid priority matrix: ${details.map((d) => `${d.field}: ${d.reason}`).join('; ')}`,
    details,
  );
}
