/**
 * `iotops sims diagnose ICCID [--window 24h] [--json] [--lang xx]`: diagnose a SIM now, as the API does
 * (POST /api/v1/sims/{iccid}/diagnosis), and print the root cause for the agent and the customer, then the checks
 * as a table with a verdict marker per line (✓ ok, ! warning, ✗ error, ? unknown). --json prints the API's JSON.
 * The CLI acts as staff with direct database access, like `iotops sims trace`.
 * Exit codes: 0 = diagnosed (whatever the verdict), 2 = bad input (named), 1 = anything else (an unknown SIM).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { LANGUAGES, type Language } from '../modules/accounts/accounts.schemas.ts';
import { presentDiagnosis } from '../modules/diagnosis/diagnosis.presenter.ts';
import type { DiagnosisView } from '../modules/diagnosis/diagnosis.schemas.ts';
import { ROOT_CAUSE_TITLES } from '../modules/diagnosis/summary.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { printCliError } from './cli-util.ts';
import { parseSince } from './sims-trace.ts';
import { simsCommand } from './sims-transfer.ts';

const MARK = { ok: '✓ ok', warning: '! warning', error: '✗ error', unknown: '? unknown' } as const;
const COLUMNS = ['VERDICT', 'CHECK', 'TITLE', 'DETAIL'] as const;
const WIDTHS = [10, 30, 34];
const row = (cells: string[]) =>
  cells
    .map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]!) : c))
    .join('  ')
    .trimEnd();
const clip = (s: string, width: number) => (s.length <= width ? s : `${s.slice(0, width - 1)}…`);

export function diagnosisText(d: DiagnosisView): string[] {
  const rc = d.rootCause;
  const lines = [
    `SIM ${d.iccid}: diagnosis at ${d.at} over ${d.window.from} … ${d.window.to}`,
    `ROOT CAUSE  ${MARK[rc.verdict]}  ${rc.code}: ${ROOT_CAUSE_TITLES[rc.code]} (${rc.confidence} confidence)`,
    `Agent:      ${d.summary.agent ?? ''}`,
    `Customer (${d.summary.language}): ${d.summary.customer}`,
  ];
  if (rc.fix) lines.push(`Fix:        ${rc.fix}`);
  if (rc.action) lines.push(`Action:     ${rc.action.kind} ${JSON.stringify(rc.action.params)}`);
  if (d.eventsTruncated)
    lines.push('Note: the window held more events than a diagnosis reads; the oldest were left out.');
  lines.push('', row([...COLUMNS]));
  for (const c of d.checks) lines.push(row([MARK[c.verdict], c.check, clip(c.title, WIDTHS[2]!), c.detail]));
  return lines;
}

export function registerSimsDiagnose(program: Command) {
  simsCommand(program)
    .command('diagnose')
    .description("Diagnose a SIM's connectivity now: layered checks, root cause for the agent and the customer")
    .argument('<iccid>', 'ICCID, 19 or 20 digits')
    .option('--window <duration>', 'how far back the events are read: 30m, 6h, 24h, 7d', '24h')
    .option('--lang <language>', `the customer summary's language (${LANGUAGES.join(', ')}; default: the account's)`)
    .option('--json', 'print the JSON the API answers')
    .action(async (iccid: string, o: { window: string; lang?: string; json?: boolean }) => {
      const config = loadConfig();
      const ms = parseSince(o.window);
      const problems: string[] = [];
      if (ms === null) problems.push(`--window: ${o.window} is not a duration like 30m, 6h, 24h or 7d`);
      else if (ms > config.retentionDays * 86_400_000)
        problems.push(`--window: ${o.window} reaches past NETWORK_EVENT_RETENTION_DAYS (${config.retentionDays} days)`);
      const isLanguage = (l: string): l is Language => (LANGUAGES as readonly string[]).includes(l);
      if (o.lang !== undefined && !isLanguage(o.lang))
        problems.push(`--lang: ${o.lang} is not one of ${LANGUAGES.join(', ')}`);
      if (problems.length > 0) {
        for (const p of problems) console.error(`error: ${p}`);
        process.exit(2);
      }
      const { ctx, services } = await openContext(config);
      let code = 0;
      try {
        const now = Date.now();
        const r = await services.diagnosis.diagnoseSim(cliPrincipal(), iccid, {
          from: new Date(now - ms!).toISOString(),
          to: new Date(now).toISOString(),
          language: o.lang as Language | undefined,
        });
        const view = presentDiagnosis(r);
        if (o.json) console.log(JSON.stringify(view, null, 2));
        else for (const l of diagnosisText(view)) console.log(l);
      } catch (e) {
        code = printCliError(e);
      } finally {
        await ctx.database.close();
      }
      process.exit(code);
    });
}
