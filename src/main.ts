// The entry point: it only prepares module loading, then loads the command line (see docs/PERFORMANCE.md,
// "CLI start-up"). Nothing else may be imported statically here: static imports are resolved before this module
// runs, so they would be loaded without the compile cache and the resolve hooks below.
import { enableCompileCache } from 'node:module';
import { registerFastResolve } from './platform/module-hooks.ts';

// V8's code cache for every module on disk (in the OS temp directory, keyed by the source's hash): later starts
// skip compiling. Best effort — without it (read-only temp dir) the CLI only starts slower.
enableCompileCache();
registerFastResolve();

const args = process.argv.slice(2);
const { buildProgram } = await import('./cli/program.ts');
try {
  await (await buildProgram(args)).parseAsync(process.argv);
} catch (e) {
  const { ConfigError } = await import('./config.ts');
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  const { printCliError } = await import('./cli/cli-util.ts');
  process.exit(printCliError(e));
}
