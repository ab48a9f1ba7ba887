/**
 * `iotops sims import FILE` and `iotops sims export` (contract: shared/contracts/sim-import-v1.md).
 * The CLI acts as staff with direct database access (like psql). Exit codes: 0 = done with every line accepted,
 * 2 = bad input (header, or any rejected line: the report is printed; with --skip-invalid the good lines were
 * still imported), 1 = anything else.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import type { Progress } from '../modules/sims/import/import.service.ts';
import { SIM_STATES } from '../modules/sims/lifecycle.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { printCliError } from './cli-util.ts';

const SHOW_ERRORS = 20;

function progressBar(total: number, quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return { update: (_p: Progress) => {}, stop: () => {} };
  const started = Date.now();
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {phase}',
    hideCursor: true,
    etaBuffer: 20,
  });
  bar.start(Math.max(total, 1), 0, { rows: 0, rate: 0, phase: 'reading' });
  return {
    update(p: Progress) {
      const secs = (Date.now() - started) / 1000;
      bar.update(p.phase === 'reading' ? p.bytes : total, {
        rows: p.rowsRead,
        rate: secs > 0 ? Math.round(p.rowsRead / secs) : 0,
        phase: p.phase === 'checking' ? 'checking duplicates' : p.phase === 'writing' ? 'writing' : p.phase,
      });
    },
    stop: () => bar.stop(),
  };
}

/** The `sims` command group may also be registered by the SIM module's own CLI: share it. */
export function simsCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'sims') ?? program.command('sims').description('SIM inventory');
}

export function registerSimsTransfer(program: Command) {
  const sims = simsCommand(program);
  sims
    .command('import')
    .description(
      'Import SIMs from a CSV file (iccid, account, imsi, msisdn, imei, eid, communication_plan, rate_plan, state, label, custom.<name>); streamed, any size',
    )
    .argument('<file>', 'CSV file, header row first')
    .addOption(
      new Option('--mode <mode>', 'atomic: any error imports nothing')
        .choices(['atomic', 'skip-invalid'])
        .default('atomic'),
    )
    .option('--skip-invalid', 'same as --mode skip-invalid: import good lines, report bad ones')
    .option('--upsert', 'update SIMs whose ICCID exists (the listed, non-empty fields)')
    .option('--quiet', 'no progress bar (for scripts)')
    .action(
      async (
        file: string,
        o: { mode: 'atomic' | 'skip-invalid'; skipInvalid?: boolean; upsert?: boolean; quiet?: boolean },
      ) => {
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          console.error(`error: cannot read ${file}`);
          process.exit(2);
        }
        const { ctx, services } = await openContext(loadConfig());
        const bar = progressBar(size, o.quiet === true);
        const started = Date.now();
        try {
          const { job, done } = await services.simImports.start(
            cliPrincipal(`cli:${osUser()}`),
            createReadStream(file),
            {
              mode: o.skipInvalid ? 'skip-invalid' : o.mode,
              upsert: o.upsert === true,
              source: 'cli',
              filename: path.basename(file),
              onProgress: (p) => bar.update(p),
            },
          );
          const result = await done.finally(() => bar.stop());
          const j = result.job;
          const secs = (Date.now() - started) / 1000;
          console.log(
            `import #${job.id} ${j.status}: ${j.message} in ${secs.toFixed(1)} s (${Math.round(j.rowsRead / Math.max(secs, 0.001))} rows/s)`,
          );
          if (j.rowsRejected > 0) {
            const errors = await services.simImports.jobs.errorPage(job.id, 0, SHOW_ERRORS);
            console.error(`${errors.total} problem(s) on ${j.rowsRejected} line(s):`);
            for (const e of errors.items) {
              console.error(
                `  line ${e.line}, ${e.field}${e.value === null ? '' : ` (${JSON.stringify(e.value)})`}: ${e.reason}`,
              );
            }
            if (errors.total > errors.items.length) {
              console.error(
                `  … and ${errors.total - errors.items.length} more (GET /api/v1/sims/imports/${job.id}/errors?format=csv)`,
              );
            }
            process.exitCode = 2;
          }
        } catch (e) {
          bar.stop();
          process.exitCode = printCliError(e);
        } finally {
          await ctx.database.close();
        }
      },
    );

  sims
    .command('export')
    .description('Export SIMs as CSV in the import format (round-trips with `sims import --upsert`)')
    .option('--account <number>', 'only this account and its sub-accounts')
    .addOption(new Option('--state <state>', 'only SIMs in this lifecycle state').choices(SIM_STATES))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: { account?: string; state?: string; out?: string }) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        let accountId: number | undefined;
        if (o.account !== undefined) {
          const a = await services.accounts.byNumber({ kind: 'operator' }, o.account);
          if (!a) {
            console.error(`error: --account: no account with number ${o.account}`);
            process.exitCode = 2;
            return;
          }
          accountId = a.id;
        }
        const csv = await services.simExports.exportCsv(cliPrincipal(), { accountId, state: o.state });
        await pipeline(csv, o.out ? createWriteStream(o.out) : process.stdout);
      } catch (e) {
        process.exitCode = printCliError(e);
      } finally {
        await ctx.database.close();
      }
    });
}

/** Who ran the CLI, for the import job's audit (the OS account; config.ts stays the only reader of the env). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
