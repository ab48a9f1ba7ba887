/**
 * `iotops sims reset ICCID` and `iotops sims sms ICCID --apn X`: network actions from the console (issue 5.3).
 * The CLI acts as staff with direct database access (cliPrincipal, like psql). The action is written with its
 * outbox job exactly as the API does it; then this process works that job itself (a running server's worker may
 * take it first on PostgreSQL — the claim is exclusive either way) and prints the outcome.
 * Exit codes: 0 = applied, 1 = failed (the reason is printed) or not finished in time, 2 = bad input.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { EXECUTE_JOB } from '../modules/network-actions/network-actions.executor.ts';
import { networkActionsJobs } from '../modules/network-actions/network-actions.jobs.ts';
import { ActionBody } from '../modules/network-actions/network-actions.schemas.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { printCliError } from './cli-util.ts';
import { simsCommand } from './sims-transfer.ts';

const WAIT_MS = 15_000;

async function runAction(iccid: string, body: unknown, o: { reason?: string; reference?: string }) {
  const parsed = ActionBody.safeParse({ ...(body as object), reason: o.reason, reference: o.reference });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const field = i.path.join('.');
      console.error(`error: ${field === 'params.apn' ? '--apn' : field}: ${i.message}`);
    }
    process.exitCode = 2;
    return;
  }
  const { ctx, services } = await openContext(loadConfig());
  try {
    const p = cliPrincipal();
    const action = await services.networkActions.request(p, iccid, parsed.data);
    const worker = services.jobs.createWorker({
      handlers: { [EXECUTE_JOB]: networkActionsJobs(services)[EXECUTE_JOB] },
    });
    const until = Date.now() + WAIT_MS;
    let row = action;
    while (row.status === 'requested' && Date.now() < until) {
      if ((await worker.tick()) === 0) await new Promise((r) => setTimeout(r, 200));
      row = await services.networkActions.get(p, iccid, action.id);
    }
    console.log(`action #${row.id} ${row.kind} on ${iccid}: ${row.status} (adapter ${row.adapter})`);
    if (row.outcome) console.log(`  ${row.outcome}`);
    if (row.status === 'requested')
      console.log('  not finished yet: the worker carries it out; follow it with the API');
    process.exitCode = row.status === 'applied' ? 0 : 1;
  } catch (e) {
    process.exitCode = printCliError(e);
  } finally {
    await ctx.database.close();
  }
}

export function registerSimsActions(program: Command) {
  const sims = simsCommand(program);
  sims
    .command('reset')
    .description('Connectivity reset: cancel location, then delete the data session (the device registers afresh)')
    .argument('<iccid>', 'ICCID, 19 or 20 digits')
    .option('--reason <text>', 'why (kept in the action log)')
    .option('--reference <ref>', 'what prompted it, e.g. case:C-2026-000123')
    .action((iccid: string, o: { reason?: string; reference?: string }) =>
      runAction(iccid, { kind: 'connectivity_reset', params: {} }, o),
    );
  sims
    .command('sms')
    .description('Send a configuration SMS setting the device APN (vendor text: "  setparam 2001:<apn>")')
    .argument('<iccid>', 'ICCID, 19 or 20 digits')
    .requiredOption('--apn <apn>', 'the APN the device must use (the plan APN)')
    .option('--reason <text>', 'why (kept in the action log)')
    .option('--reference <ref>', 'what prompted it, e.g. case:C-2026-000123')
    .action((iccid: string, o: { apn: string; reason?: string; reference?: string }) =>
      runAction(iccid, { kind: 'send_config_sms', params: { apn: o.apn } }, o),
    );
}
