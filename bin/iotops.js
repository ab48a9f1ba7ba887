#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// iotops is TypeScript run natively by Node 24 (type stripping); this shim only loads it. `npx iotops` and
// `npm run iotops` find the Node 24 that `npm install` puts in node_modules (a devDependency) first on the PATH.
// Run any other way on an older Node, it says so in one line instead of failing on the first type annotation.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `iotops runs on Node 24, this is Node ${process.versions.node}: run it as \`npx iotops …\` in the project ` +
      '(after `npm install`), which uses the Node 24 installed there',
  );
  process.exit(1);
}

const LIFTOFF = '--liftoff-only';
const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('-'));
const dataDir = path.resolve(process.env.IOTOPS_DATA_DIR ?? './data');

/**
 * A command that opens the embedded database itself (no DATABASE_URL, no process owning the data directory —
 * its lock file, see src/platform/db/embedded-owner.ts) runs PostgreSQL compiled to WebAssembly for a few seconds.
 * V8 compiles it first with its baseline compiler (Liftoff), then recompiles the hot functions with its optimizing
 * one in the background; for a process this short that recompiling costs ~2 s of CPU and gains nothing
 * (docs/PERFORMANCE.md, "CLI start-up"). The flag can only be given when Node starts, so such a command runs in a
 * child Node started with it (~0.05 s). Servers (start, serve) keep the optimizing compiler.
 */
const embeddedShortCommand =
  command !== undefined &&
  !['start', 'serve', 'help'].includes(command) &&
  !process.env.DATABASE_URL &&
  !existsSync(path.join(dataDir, 'iotops.lock'));

if (process.channel) {
  // The child of the branch below: it ends with the parent (killed) rather than live on unseen.
  process.channel.unref();
  process.once('disconnect', () => process.exit(1));
}

if (embeddedShortCommand && !process.execArgv.includes(LIFTOFF)) {
  const child = spawn(process.execPath, [LIFTOFF, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  // Ctrl-C reaches both processes (the terminal's process group): the child handles it and this one waits for it.
  // A signal sent to this process alone is passed on.
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  // Before any TypeScript is loaded: with the compile cache on, Node reuses the type-stripped source of every .ts
  // module from the cache and never loads its TypeScript stripper (a WebAssembly module, ~0.1 s of each start).
  module.enableCompileCache();
  await import('../src/main.ts');
}
