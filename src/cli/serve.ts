import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createHttpApp, openContext } from '../server.ts';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('Run the desk: HTTP API and docs (PORT, default 8080)')
    .option('--roles <roles>', 'comma-separated roles to run: api', 'api')
    .action(async () => {
      const config = loadConfig();
      const { ctx, services } = await openContext(config);
      const app = await createHttpApp(ctx, services);
      const address = await app.listen({ port: config.port, host: config.host });
      const stop = async () => {
        await app.close();
        await ctx.database.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      console.log(`\niotops is running at ${address}  (API docs: ${address}/docs, database: ${ctx.database.kind})`);
    });
}
