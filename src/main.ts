import { Command } from 'commander';
import { registerCases } from './cli/cases.ts';
import { printCliError } from './cli/cli-util.ts';
import { registerDb } from './cli/db.ts';
import { registerIngest } from './cli/ingest.ts';
import { registerServe } from './cli/serve.ts';
import { registerSimsActions } from './cli/sims-actions.ts';
import { registerSimsDiagnose } from './cli/sims-diagnose.ts';
import { registerSimsTrace } from './cli/sims-trace.ts';
import { registerSimsTransfer } from './cli/sims-transfer.ts';
import { registerSimulate } from './cli/simulate.ts';
import { registerUsers } from './cli/users.ts';
import { ConfigError } from './config.ts';
import { VERSION } from './server.ts';

const program = new Command('iotops').description('Operations desk for an IoT connectivity provider').version(VERSION);
registerServe(program);
registerDb(program);
registerUsers(program);
registerSimsTransfer(program);
registerSimsTrace(program);
registerSimsActions(program);
registerSimsDiagnose(program);
registerCases(program);
registerIngest(program);
registerSimulate(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  process.exit(printCliError(e));
}
