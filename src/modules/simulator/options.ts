/**
 * The simulate options (CLI flags and the in-process API take the same): validated with zod, each problem
 * reported as the option, its value and the reason.
 */
import { z } from 'zod';
import { DEFAULT_MIX, parseMix } from './fleet.ts';
import { parseDuration } from './scenario.ts';

const durationOf = (what: string) =>
  z.string().transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a duration such as 90s, 10m, 1h30m, 2d` });
      return z.NEVER;
    }
    return ms;
  });

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
/** An RFC 3339 instant, or "-<duration>" before now (e.g. -2d). Kept as text here: "now" is decided later. */
const StartSchema = z
  .string()
  .refine((s) => (s.startsWith('-') ? parseDuration(s.slice(1)) !== null : RFC3339.test(s)), {
    message: 'must be an RFC 3339 time (2026-05-01T00:00:00Z) or -<duration> before now (e.g. -2d)',
  });

export const SimulateOptionsSchema = z
  .object({
    transport: z.enum(['mqtt', 'http']).default('mqtt'),
    url: z.string().optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
    synthetic: z.coerce.number().int().min(1).max(1_000_000).optional(),
    maxSims: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    mix: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined) return DEFAULT_MIX;
        const r = parseMix(s);
        if (!r.ok) {
          ctx.addIssue({ code: 'custom', message: r.reason });
          return z.NEVER;
        }
        return r.mix;
      }),
    speed: z.coerce.number().positive().max(1_000_000).default(1),
    start: StartSchema.optional(),
    duration: durationOf('duration').optional(),
    maxAhead: durationOf('max-ahead')
      .refine((ms) => ms <= 86_400_000, 'at most 1d: iotops refuses records more than a day ahead of its clock')
      .default(0),
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    scenario: z.string().min(1).optional(),
    groundTruth: z.string().min(1).optional(),
    /** Where to poll network commands (iotops's HTTP base URL); with --transport http the --url by default. */
    commandsUrl: z
      .string()
      .regex(/^https?:\/\//, 'must be the http:// or https:// URL of iotops (network commands are polled over HTTP)')
      .optional(),
    batch: z.coerce.number().int().min(1).max(10_000).optional(),
    qos: z.coerce
      .number()
      .int()
      .refine((q) => q === 0 || q === 1, 'must be 0 or 1')
      .default(1),
  })
  .superRefine((o, ctx) => {
    const url = o.url ?? (o.transport === 'mqtt' ? 'mqtt://127.0.0.1:1883' : 'http://127.0.0.1:8080');
    const schemes = o.transport === 'mqtt' ? ['mqtt:', 'mqtts:', 'ws:', 'wss:'] : ['http:', 'https:'];
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is not a URL' });
      return;
    }
    if (!schemes.includes(protocol))
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `--transport ${o.transport} needs ${schemes.join(' ')} URLs`,
      });
    if (o.transport === 'mqtt' && o.token !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'is for --transport http (MQTT uses --username/--password)',
      });
    if (o.transport === 'http' && (o.username !== undefined || o.password !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: [o.username !== undefined ? 'username' : 'password'],
        message: 'is for --transport mqtt (HTTP uses --token)',
      });
  });
export type SimulateOptionsInput = z.input<typeof SimulateOptionsSchema>;
export type SimulateOptions = z.infer<typeof SimulateOptionsSchema>;

/** CLI spelling of an option key (maxSims → --max-sims). */
export const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export class OptionError extends Error {
  readonly problems: { option: string; value: unknown; reason: string }[];
  constructor(problems: { option: string; value: unknown; reason: string }[]) {
    super(
      problems
        .map((p) => `${p.option}${p.value === undefined ? '' : ` (${JSON.stringify(p.value)})`}: ${p.reason}`)
        .join('\n'),
    );
    this.problems = problems;
  }
}

export function parseSimulateOptions(input: Record<string, unknown>): SimulateOptions {
  const r = SimulateOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  throw new OptionError(
    r.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return { option: key ? flagOf(key) : '(options)', value: key ? input[key] : undefined, reason: i.message };
    }),
  );
}

/** "-2d" or RFC 3339 → epoch ms against `now`. */
export function startOf(start: string | undefined, now: number): number | undefined {
  if (start === undefined) return undefined;
  if (start.startsWith('-')) return now - parseDuration(start.slice(1))!;
  return Date.parse(start);
}
