import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDbKind } from './support/harness.ts';

const root = path.resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

/** Resolves with everything printed once `pattern` shows up on stdout (or rejects when the process ends first). */
function waitFor(proc: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) resolve(out);
    });
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('close', (code) => reject(new Error(`exited ${code} before ${pattern}: ${out}\n${err}`)));
  });
}

// `npm start` on an empty embedded data dir: the newcomer's first experience, end to end (PGlite only: it is
// the embedded default being tested).
describe.skipIf(testDbKind !== 'pglite')('iotops start (what npm start runs)', () => {
  it('seeds the demo, serves, prints the URL and working logins', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'iotops-start-'));
    child = spawn(process.execPath, [path.join(root, 'src/main.ts'), 'start'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', IOTOPS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    });
    const out = await waitFor(child, /admin: +\S+ \/ \S+/);
    expect(out).toMatch(/demo seeded: \d+ accounts, 10000 SIMs/);
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    const [, email, password] = /customer: (\S+) \/ (\S+)/.exec(out) ?? [];

    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const sims = await fetch(`${url}/api/v1/sims?limit=1000`, { headers: { cookie } });
    expect(sims.status).toBe(200);
    const body = (await sims.json()) as { items: { account: { number: string } }[] };
    expect(body.items.length).toBeGreaterThan(0);
    // The demo customer is Nordgrid: it sees its own SIMs and nobody else's.
    for (const s of body.items) expect(s.account.number).toMatch(/^NORDGRID/);
  }, 120_000);
});
