import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { ImportPlansBody, type ImportPlansOutcome } from '../modules/catalog/catalog.schemas.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { formatPath } from '../platform/errors.ts';
import { printCliError } from './cli-util.ts';

/**
 * `iotops plans import catalog.json`: a customer's communication and rate plans from a file kept beside its SIM
 * list (the body of `POST /api/v1/plans/import`). All or nothing; every bad plan is named by its place in the file.
 */
export function registerPlans(program: Command) {
  const plans = program.command('plans').description('Communication and rate plans (the catalog)');
  plans
    .command('import')
    .description(
      'Create (or with --upsert change) the plans of a JSON file: {"communicationPlans": [...], "ratePlans": [...]}',
    )
    .argument('<file>', 'JSON file; each plan has the shape of its single create in docs/openapi.json')
    .option('--upsert', 'a plan of the same name and owner becomes what the file says (instead of being refused)')
    .option('--dry-run', 'check everything and print what would happen; write nothing')
    .action(async (file: string, o: { upsert?: boolean; dryRun?: boolean }) => {
      const input = ImportPlansBody.safeParse(readJson(file));
      if (!input.success) {
        for (const i of input.error.issues)
          console.error(`error: ${file}: ${formatPath(i.path) || '(top)'}: ${i.message}`);
        process.exit(2);
      }
      const { ctx, services } = await openContext(loadConfig());
      try {
        const r = await services.planImport.importPlans(cliPrincipal(), input.data, {
          mode: o.upsert ? 'upsert' : 'create',
          dryRun: o.dryRun === true,
        });
        printOutcome(r);
      } catch (e) {
        process.exitCode = printCliError(e);
      } finally {
        await ctx.database.close();
      }
    });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`error: cannot read ${file}: ${(e as Error).message}`);
    process.exit(2);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // Node names the position ("… in JSON at position 120 (line 7 column 5)").
    console.error(`error: ${file} is not JSON: ${(e as Error).message}`);
    process.exit(2);
  }
}

function printOutcome(r: ImportPlansOutcome) {
  const lines = [
    ...r.communicationPlans.map((p) => ({ ...p, kind: 'communication plan' })),
    ...r.ratePlans.map((p) => ({ ...p, kind: 'rate plan' })),
  ];
  for (const p of lines)
    console.log(
      `${r.dryRun ? `would be ${p.outcome}` : p.outcome}  ${p.kind.padEnd(18)}  ${p.id === null ? '-' : String(p.id).padStart(5)}  ${p.name}${p.accountId === null ? '  (shared)' : `  (account ${p.accountId})`}`,
    );
  const count = (o: string) => lines.filter((p) => p.outcome === o).length;
  console.log(
    `${r.dryRun ? 'dry run, nothing written: ' : ''}${count('created')} created, ${count('updated')} updated`,
  );
}
