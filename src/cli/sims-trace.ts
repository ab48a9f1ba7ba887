/**
 * `iotops sims trace ICCID [--follow] [--since 1h] [--type a,b]`: a SIM's network events as aligned lines, oldest
 * first; with --follow it keeps polling the database every second and prints events as they arrive, until Ctrl-C
 * (exit 0). The CLI acts as staff with direct database access, like the other commands.
 * Exit codes: 0 = done, 2 = bad input (a bad ICCID or option, named), 1 = anything else (an unknown SIM).
 *
 * On PGlite the data directory belongs to one process: while `iotops start` runs on it, use PostgreSQL
 * (DATABASE_URL) to trace from another terminal.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { NETWORK_EVENT_TYPES, type NetworkEventType } from '../modules/ingest/contract.ts';
import { causeLabel } from '../modules/network/causes.ts';
import { createTraceFollower } from '../modules/network/follow.ts';
import type { EventRow } from '../modules/network/network.service.ts';
import { displayIccid } from '../modules/sims/identifiers.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { printCliError } from './cli-util.ts';
import { simsCommand } from './sims-transfer.ts';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const POLL_MS = 1000;
const PAGE = 1000;

export function parseSince(raw: string): number | null {
  const m = /^(\d{1,6})([smhd])$/.exec(raw.trim());
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}

const isEventType = (t: string): t is NetworkEventType => (NETWORK_EVENT_TYPES as readonly string[]).includes(t);

const COLUMNS = ['TIME', 'TYPE', 'PLMN', 'RAT', 'APN', 'CAUSE', 'BYTES / DETAIL'] as const;
const WIDTHS = [24, 16, 7, 6, 24, 44];
const row = (cells: string[]) =>
  cells
    .map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]!) : c))
    .join('  ')
    .trimEnd();

/** Cause names run up to 60 characters: cut them so the bytes column stays put. */
const clip = (s: string, width: number) => (s.length <= width ? s : `${s.slice(0, width - 1)}…`);

function detail(e: EventRow): string {
  if (e.bytes_up !== null || e.bytes_down !== null) return `up ${e.bytes_up ?? 0} down ${e.bytes_down ?? 0}`;
  if (e.type === 'voice') return `${e.seconds ?? 0} s`;
  if (e.type === 'session_start' && e.ip) return `ip ${e.ip}`;
  if (e.status) return e.status;
  return '-';
}

export function traceLine(e: EventRow): string {
  return row([
    new Date(e.ts).toISOString(),
    e.type,
    e.plmn ? `${e.plmn.slice(0, 3)}-${e.plmn.slice(3)}` : '-',
    e.rat ?? '-',
    e.apn ?? '-',
    e.cause === null ? '-' : clip(causeLabel(e.type, e.cause), WIDTHS[5]!),
    detail(e),
  ]);
}

export function registerSimsTrace(program: Command) {
  simsCommand(program)
    .command('trace')
    .description("A SIM's network events (attach, sessions, rejects with their cause, SMS, calls), oldest first")
    .argument('<iccid>', 'ICCID, 19 or 20 digits')
    .option('--since <duration>', 'how far back: 30s, 15m, 1h, 2d', '1h')
    .option('--type <types>', `only these event types, comma-separated (${NETWORK_EVENT_TYPES.join(', ')})`)
    .option('--follow', 'keep printing events as they arrive (Ctrl-C stops)')
    .action(async (iccid: string, o: { since: string; type?: string; follow?: boolean }) => {
      const since = parseSince(o.since);
      const problems: string[] = [];
      if (since === null) problems.push(`--since: ${o.since} is not a duration like 30s, 15m, 1h or 2d`);
      const given = o.type?.split(',').map((s) => s.trim());
      const types = given?.filter(isEventType);
      const unknown = given?.filter((t) => !isEventType(t));
      if (unknown?.length) problems.push(`--type: unknown event type ${unknown.join(', ')}`);
      const config = loadConfig();
      if (since !== null && since > config.retentionDays * 86_400_000)
        problems.push(`--since: ${o.since} reaches past NETWORK_EVENT_RETENTION_DAYS (${config.retentionDays} days)`);
      if (problems.length > 0) {
        for (const p of problems) console.error(`error: ${p}`);
        process.exit(2);
      }
      const { ctx, services } = await openContext(config);
      let code = 0;
      try {
        const p = cliPrincipal();
        const sim = await services.sims.locate(p, iccid);
        const now = Date.now();
        const q = { from: new Date(now - since!).toISOString(), to: new Date(now).toISOString(), type: types };
        const newestFirst: EventRow[] = [];
        let cursor: string | undefined;
        do {
          const page = await services.network.events(p, iccid, { ...q, limit: PAGE, cursor });
          newestFirst.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        console.log(`SIM ${displayIccid(sim.iccid)}: ${newestFirst.length} events since ${q.from}`);
        console.log(row([...COLUMNS]));
        for (const e of [...newestFirst].reverse()) console.log(traceLine(e));
        if (o.follow) await follow(ctx.database, sim.iccid, types, newestFirst);
      } catch (e) {
        code = printCliError(e);
      } finally {
        await ctx.database.close();
      }
      process.exit(code);
    });
}

async function follow(
  database: Parameters<typeof createTraceFollower>[0],
  iccid: string,
  types: string[] | undefined,
  seen: EventRow[],
) {
  const follower = createTraceFollower(database, { iccid, types, seen });
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  console.log('following (Ctrl-C stops)…');
  while (!stop) {
    for (const e of await follower.poll()) console.log(traceLine(e));
    if (stop) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, POLL_MS).unref();
    });
  }
}
