import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { testDbKind } from './harness.ts';

const root = path.resolve(import.meta.dirname, '../..');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Environment for a black-box CLI run: on PGlite a fresh data dir per call site, on PostgreSQL the run's database.
 * Pass the same env to several calls to share the data.
 */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {
    LOG_LEVEL: 'warn',
    IOTOPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'iotops-cli-')),
  };
  if (testDbKind === 'postgres') base.DATABASE_URL = inject('databaseUrl');
  return { ...base, ...extra };
}

/** Runs `iotops <args>` as a child process with the pinned Node, like a user would. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'src/main.ts'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}
