/**
 * What the command groups that act through the services share (cases, alarms): open the database — joining the
 * running server that owns an embedded one, never opening its files beside it (open-context.ts) — run one command,
 * map failures to exit codes (0 done, 2 bad input naming the option, 1 anything else with its error code), act as the
 * console operator or a named staff user, print tables.
 */
import { Option } from 'commander';
import type { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal, type Principal, ROLE_SCOPES, type Role } from '../platform/auth.ts';
import { printCliError } from './cli-util.ts';

export type Services = Awaited<ReturnType<typeof openContext>>['services'];

/** Bad command-line input: printed as `error: --option: reason` lines, exit code 2. */
export class CliInputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

/**
 * Validates with the API's schema; a problem is reported under the CLI option that carried the field
 * (`names` maps schema fields to options, e.g. accountId → --account).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  names: Record<string, string> = {},
): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new CliInputError(
    r.error.issues.map((i) => {
      const [head, ...rest] = i.path.map(String);
      const option = head === undefined ? '(input)' : (names[head] ?? `--${head}`);
      const at = rest.length > 0 ? ` (item ${rest.join('.')})` : '';
      return `${option}${at}: ${i.message}`;
    }),
  );
}

/** The console operator, or the staff user named by --as (so the timeline names a person). */
export async function actor(services: Services, as: string | undefined): Promise<Principal> {
  if (as === undefined) return cliPrincipal();
  const u = await services.users.byEmail(as);
  if (!u) throw new CliInputError([`--as: no user ${as}`]);
  if (u.disabled) throw new CliInputError([`--as: user ${as} is disabled`]);
  if (u.role === 'customer') throw new CliInputError([`--as: user ${as} is a customer, not staff`]);
  const role = u.role as Role;
  return {
    userId: u.id,
    email: u.email,
    role,
    scopes: new Set(ROLE_SCOPES[role]),
    tenantId: null,
    accountId: null,
    accountPath: null,
    via: 'cli',
  };
}

/** Opens the database, runs one command, maps failures to exit codes, always closes. */
export async function run(fn: (services: Services) => Promise<void>): Promise<void> {
  const { ctx, services } = await openContext(loadConfig());
  try {
    await fn(services);
  } catch (e) {
    if (e instanceof CliInputError) {
      for (const p of e.problems) console.error(`error: ${p}`);
      process.exitCode = 2;
    } else {
      process.exitCode = printCliError(e);
    }
  } finally {
    await ctx.database.close();
  }
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const asOption = () => new Option('--as <email>', 'act as this staff user (default: the console operator)');
