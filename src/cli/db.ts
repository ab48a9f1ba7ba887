import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openContext } from '../open-context.ts';

export function registerDb(program: Command) {
  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply the committed SQL migrations (also done at every start)')
    .action(async () => {
      const { ctx } = await openContext(loadConfig());
      console.log(`migrations applied (${ctx.database.kind})`);
      await ctx.database.close();
    });
}
