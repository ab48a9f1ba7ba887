/**
 * The fault scenario file (JSON): what goes wrong, to whom, from when to when. Validated with zod; every problem
 * names its path (`faults[2].target.iccid`), the value and the reason. Times are relative to the simulated start
 * ("+10m", "+1h30m") or absolute RFC 3339.
 */
import { z } from 'zod';
import { DEVICE_CLASSES } from './fleet.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "10m", "1h30m", "2d" → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** A point in simulated time: `+<duration>` after the start, or an RFC 3339 instant. */
export type When = { relativeMs: number } | { at: number };
const WhenSchema = z.string().transform((s, ctx): When => {
  if (s.startsWith('+')) {
    const ms = parseDuration(s.slice(1));
    if (ms !== null) return { relativeMs: ms };
  } else if (RFC3339.test(s) && !Number.isNaN(Date.parse(s))) {
    return { at: Date.parse(s) };
  }
  ctx.addIssue({ code: 'custom', message: 'must be "+<duration>" (e.g. +10m, +1h30m, +2d) or an RFC 3339 time' });
  return z.NEVER;
});
const DurationSchema = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 6h, 1d' });
    return z.NEVER;
  }
  return ms;
});

const SELECTORS = ['iccid', 'deviceId', 'plmn', 'apn', 'count', 'fraction'] as const;
/** Whom a fault hits: one SIM, one device, a PLMN, an APN, or a deterministic pick of the fleet. */
export const TargetSchema = z
  .object({
    iccid: z.string().regex(/^89\d{17,18}$/, 'must be an ICCID: 19 or 20 digits starting with 89'),
    deviceId: z.string().min(1).max(128),
    plmn: z.string().regex(/^\d{5,6}$/, 'must be MCC+MNC, 5 or 6 digits (e.g. 22201)'),
    apn: z.string().min(1).max(100),
    count: z.number().int().min(1),
    fraction: z.number().gt(0).max(1),
    class: z.enum(DEVICE_CLASSES),
  })
  .partial()
  .strict()
  .superRefine((t, ctx) => {
    const given = SELECTORS.filter((k) => t[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of ${SELECTORS.join(', ')} (got ${given.join(', ') || 'none'})`,
      });
    if (t.class !== undefined && t.count === undefined && t.fraction === undefined)
      ctx.addIssue({ code: 'custom', path: ['class'], message: 'only narrows count or fraction' });
  });
export type Target = z.infer<typeof TargetSchema>;

const base = { target: TargetSchema, start: WhenSchema, end: WhenSchema.optional(), note: z.string().optional() };
const Cause = z.number().int().min(0).max(255);

export const FaultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('apn_typo'), ...base }).strict(),
  z
    .object({
      type: z.literal('roaming_outage'),
      ...base,
      mode: z.enum(['attach', 'sessions']).default('attach'),
      // 13 "roaming not allowed in this tracking area": the device may pick another network of the same country
      // (what a partner outage looks like to a tracker); 11 "PLMN not allowed" would bar the PLMN altogether.
      cause: Cause.optional(),
    })
    .strict(),
  // 8 "EPS and non-EPS services not allowed": what the MME sends when the HSS answers Update Location with
  // DIAMETER_ERROR_USER_UNKNOWN (TS 29.272 Annex A), i.e. the subscription is gone (deactivated); 3 "illegal UE"
  // is an authentication failure, which is a different problem (wrong keys / cloned SIM).
  z.object({ type: z.literal('sim_deactivated'), ...base, cause: Cause.default(8) }).strict(),
  z
    .object({
      type: z.literal('sim_limit_blocked'),
      ...base,
      /** Bytes (up + down) the SIM may still use after `start` before the limit blocks it. */
      limitBytes: z.number().int().min(0).default(1_000_000),
      // 29 "user authentication or authorization failed": the PGW refuses to authorize a session once the
      // online charging system reports the credit (limit) exhausted; it is not an APN (27) or capacity (26) issue.
      cause: Cause.default(29),
    })
    .strict(),
  // 34 "service option temporarily out of order": the APN's gateway is down for everyone on it, for a while.
  z.object({ type: z.literal('apn_outage'), ...base, cause: Cause.default(34) }).strict(),
  z
    .object({
      type: z.literal('imei_swap'),
      ...base,
      newImei: z
        .string()
        .regex(/^\d{14,16}$/, 'must be 14–16 digits')
        .optional(),
    })
    .strict(),
  z.object({ type: z.literal('device_silent'), ...base }).strict(),
  z.object({ type: z.literal('sms_while_off'), ...base, every: DurationSchema.default(30 * 60_000) }).strict(),
  z
    .object({
      type: z.literal('wear_degrading'),
      ...base,
      part: z.string().min(1).optional(),
      reachPct: z.number().min(0).max(100).default(100),
      /** How long until the part reaches reachPct; `end` is the repair (wear back to new). */
      over: DurationSchema.default(6 * 3_600_000),
    })
    .strict(),
  z.object({ type: z.literal('link_saturating'), ...base }).strict(),
  z
    .object({
      type: z.literal('stock_draining'),
      ...base,
      item: z.string().min(1).optional(),
      /** How long until the item is empty; `end` is the refill. */
      over: DurationSchema.default(4 * 3_600_000),
    })
    .strict(),
]);
export type Fault = z.infer<typeof FaultSchema>;
export type FaultType = Fault['type'];
export const FAULT_TYPES = FaultSchema.options.map((o) => o.shape.type.value);

export const ScenarioSchema = z.object({ description: z.string().optional(), faults: z.array(FaultSchema) }).strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

export type ScenarioProblem = { path: string; value: unknown; reason: string };
export class ScenarioError extends Error {
  readonly source: string;
  readonly problems: ScenarioProblem[];
  constructor(source: string, problems: ScenarioProblem[]) {
    super(
      `scenario ${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path}${p.value === undefined ? '' : ` (${JSON.stringify(p.value)})`}: ${p.reason}`).join('\n')}`,
    );
    this.source = source;
    this.problems = problems;
  }
}

/** `faults[2].target.iccid` from zod's path. */
export const pathText = (path: readonly PropertyKey[]) =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Parses the scenario's JSON text; throws ScenarioError naming every problem. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [
      { path: '(file)', value: undefined, reason: `not JSON: ${(e as Error).message}` },
    ]);
  }
  const r = ScenarioSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ScenarioError(
    source,
    r.error.issues.map((i) => {
      const keys = i.code === 'unrecognized_keys' ? i.keys : [];
      const path = keys.length > 0 ? [...i.path, keys[0]!] : i.path;
      const value = valueAt(raw, path);
      return {
        path: pathText(path) || '(root)',
        value: typeof value === 'object' ? undefined : value,
        reason: i.message,
      };
    }),
  );
}
