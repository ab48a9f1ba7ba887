/**
 * `iotops cases list|show|create|note|resolve`: the case desk for scripts and the console. The CLI acts as the
 * operator (cliPrincipal) or, with --as, as a named staff user so the timeline shows who did it.
 * Exit codes: 0 = done, 2 = bad input (the option is named), 1 = anything else (the error code is printed).
 */
import type { Command } from 'commander';
import { audienceOf, presentCase, presentCaseEvent, presentCaseSummary } from '../modules/cases/cases.presenter.ts';
import {
  CASE_TYPES,
  CaseNumberParams,
  CHANNELS,
  CreateCaseBody,
  CreateEventBody,
  ListCasesQuery,
  SEVERITIES,
  TransitionBody,
} from '../modules/cases/cases.schemas.ts';
import type { CaseEventRow } from '../modules/cases/cases.service.ts';
import { CASE_STATES } from '../modules/cases/state-machine.ts';
import { actor, asOption, CliInputError, parseInput, run, type Services, table } from './cli-run.ts';

/** Numbers arrive as text; anything not numeric is passed through so the schema names the option. */
const num = (s: string | undefined): number | string | undefined =>
  s === undefined ? undefined : /^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : s;

function checkNumber(number: string): string {
  return parseInput(CaseNumberParams, { number }, { number: 'NUMBER' }).number;
}

async function accountIdOf(services: Services, number: string | undefined): Promise<number | undefined> {
  if (number === undefined) return undefined;
  const a = await services.accounts.byNumber({ kind: 'operator' }, number);
  if (!a) throw new CliInputError([`--account: no account with number ${number}`]);
  return a.id;
}

function age(from: Date, now = Date.now()): string {
  const mins = Math.max(0, Math.floor((now - from.getTime()) / 60_000));
  if (mins < 60) return `${mins}m`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) return `${hours}h ${mins % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** The SLA due time as the desk reads it: "in 2h 5m", "overdue 20m", or "-" when no clock runs. */
function due(at: Date | null, now = Date.now()): string {
  if (!at) return '-';
  return at.getTime() >= now ? `in ${age(new Date(now), at.getTime())}` : `overdue ${age(at, now)}`;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function printEvent(e: CaseEventRow) {
  const mark = e.visibility === 'internal' ? ' [internal]' : '';
  const secs = e.data?.durationSeconds;
  const call = e.kind === 'phone_call' && typeof secs === 'number' ? ` (${secs} s)` : '';
  console.log(`${e.at.toISOString()}  ${e.kind}${call}${mark}  ${e.authorLabel}`);
  for (const l of e.body.split('\n')) console.log(`    ${l}`);
}

export function registerCases(program: Command) {
  const cases = program.command('cases').description('Service desk cases');

  cases
    .command('list')
    .description('Cases in queue order (priority, SLA due time, age); a table, or JSON lines with --json')
    .option(
      '--state <states>',
      `${CASE_STATES.join(' | ')}, several comma-separated, or all (default: the active ones)`,
    )
    .option('--type <type>', CASE_TYPES.join(' | '))
    .option('--queue <queue>')
    .option('--account <number>', 'only this account')
    .option('--q <text>', 'search: case number, subject, account name or number, a SIM’s ICCID or MSISDN')
    .option('--limit <n>', '1–500', '50')
    .option('--json', 'one JSON object per line (the API shape: CaseSummary)')
    .addOption(asOption())
    .action(
      async (o: {
        state?: string;
        type?: string;
        queue?: string;
        account?: string;
        q?: string;
        limit: string;
        json?: boolean;
        as?: string;
      }) =>
        run(async (services) => {
          const p = await actor(services, o.as);
          const q = parseInput(
            ListCasesQuery,
            { state: o.state, type: o.type, queue: o.queue, q: o.q, limit: o.limit },
            { accountId: '--account' },
          );
          const accountId = await accountIdOf(services, o.account);
          const page = await services.cases.list(p, { ...q, accountId });
          if (o.json) {
            for (const c of page.items) console.log(JSON.stringify(presentCaseSummary(c, audienceOf(p))));
            return;
          }
          const rows = page.items.map((c) => [
            c.number,
            c.priority,
            due(c.slaDueAt),
            c.state,
            c.type,
            c.accountNumber,
            clip(c.subject, 60),
            age(c.createdAt),
          ]);
          console.log(table(['NUMBER', 'PRIO', 'DUE', 'STATE', 'TYPE', 'ACCOUNT', 'SUBJECT', 'AGE'], rows));
          if (page.nextCursor !== null) console.error(`(more cases than --limit ${q.limit})`);
        }),
    );

  cases
    .command('show')
    .description('A case and its timeline (internal entries marked)')
    .argument('<number>', 'case number, e.g. C-2026-000123')
    .option('--json', 'one JSON object: { case, events }')
    .addOption(asOption())
    .action(async (number: string, o: { json?: boolean; as?: string }) =>
      run(async (services) => {
        const n = checkNumber(number);
        const p = await actor(services, o.as);
        const c = await services.cases.show(p, n);
        const events = await services.cases.events(p, n);
        if (o.json) {
          console.log(
            JSON.stringify({
              case: presentCase(c, audienceOf(p)),
              events: events.map((e) => presentCaseEvent(e, audienceOf(p))),
            }),
          );
          return;
        }
        console.log(`${c.number}  ${c.subject}`);
        console.log(`  state ${c.state} · priority ${c.priority} · severity ${c.severity} · type ${c.type}`);
        console.log(
          `  account ${c.accountNumber} (${c.accountName}) · channel ${c.channel} · queue ${c.queue ?? '-'} · SIMs ${c.affectedSimCount}`,
        );
        console.log(`  created ${c.createdAt.toISOString()} (${age(c.createdAt)} ago)`);
        if (c.description !== '') console.log(`\n${c.description}`);
        console.log('\nTimeline:');
        for (const e of events) printEvent(e);
      }),
    );

  cases
    .command('create')
    .description('Open a case; prints its number')
    .requiredOption('--account <number>', 'account number')
    .requiredOption('--type <type>', CASE_TYPES.join(' | '))
    .requiredOption('--subject <text>')
    .option('--description <text>')
    .option('--severity <severity>', SEVERITIES.join(' | '))
    .option('--channel <channel>', `${CHANNELS.join(' | ')} (default api)`)
    .option('--sims <iccids>', 'affected SIMs, comma-separated ICCIDs')
    .option('--json', 'print the case as JSON (the API shape)')
    .addOption(asOption())
    .action(
      async (o: {
        account: string;
        type: string;
        subject: string;
        description?: string;
        severity?: string;
        channel?: string;
        sims?: string;
        json?: boolean;
        as?: string;
      }) =>
        run(async (services) => {
          const names = { accountId: '--account', affectedIccids: '--sims' };
          const fields = {
            type: o.type,
            subject: o.subject,
            description: o.description,
            severity: o.severity,
            channel: o.channel,
            affectedIccids: o.sims
              ?.split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          };
          // Check the plain fields before the user and account lookups, so every typo is reported at once.
          parseInput(CreateCaseBody, { ...fields, accountId: 1 }, names);
          const p = await actor(services, o.as);
          const accountId = await accountIdOf(services, o.account);
          const c = await services.cases.create(p, parseInput(CreateCaseBody, { ...fields, accountId }, names));
          console.log(o.json ? JSON.stringify(presentCase(c, audienceOf(p))) : c.number);
        }),
    );

  cases
    .command('note')
    .description('Add a note to the timeline (internal unless --public); with --call-seconds it is a phone call')
    .argument('<number>', 'case number')
    .requiredOption('--text <text>')
    .option('--public', 'visible to the customer')
    .option('--call-seconds <n>', 'log a phone call of this length')
    .addOption(asOption())
    .action(async (number: string, o: { text: string; public?: boolean; callSeconds?: string; as?: string }) =>
      run(async (services) => {
        const n = checkNumber(number);
        const input = parseInput(
          CreateEventBody,
          {
            kind: o.callSeconds === undefined ? 'note' : 'phone_call',
            visibility: o.public ? 'public' : 'internal',
            body: o.text,
            durationSeconds: num(o.callSeconds),
          },
          { body: '--text', durationSeconds: '--call-seconds', visibility: '--public' },
        );
        const p = await actor(services, o.as);
        const e = await services.cases.addEvent(p, n, input);
        console.log(`${n}: ${e.kind === 'phone_call' ? 'phone call' : 'note'} added (${e.visibility})`);
      }),
    );

  cases
    .command('resolve')
    .description('Resolve a case with a resolution note (a new case is opened first)')
    .argument('<number>', 'case number')
    .requiredOption('--note <text>', 'the resolution')
    .addOption(asOption())
    .action(async (number: string, o: { note: string; as?: string }) =>
      run(async (services) => {
        const n = checkNumber(number);
        const input = parseInput(TransitionBody, { to: 'resolved', note: o.note });
        const p = await actor(services, o.as);
        const c = await services.cases.get(p, n);
        // new → resolved is not a transition; resolving from the console implies someone opened it.
        if (c.state === 'new') await services.cases.transition(p, n, { to: 'open' });
        const resolved = await services.cases.transition(p, n, input);
        console.log(`${resolved.number}: ${resolved.state}`);
      }),
    );
}
