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

export type RunningCli = {
  /** Everything printed on stdout so far. */
  stdout: () => string;
  /** Resolves when stdout matches; rejects after `ms` with what was printed. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
  signal: (sig: NodeJS.Signals) => void;
  exited: Promise<CliResult>;
};

/** Starts `iotops <args>` and leaves it running (a --follow command): read its output as it comes. */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [path.join(root, 'src/main.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end();
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
      for (const w of waiters) w();
    });
  });
  return {
    stdout: () => stdout,
    waitFor: (pattern, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) {
            done();
            resolve();
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`exited ${child.exitCode} before ${pattern}: ${stdout}\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${ms} ms; stdout: ${stdout}\nstderr: ${stderr}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    signal: (sig) => {
      child.kill(sig);
    },
    exited,
  };
}
