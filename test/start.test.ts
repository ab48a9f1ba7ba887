import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDbKind } from './support/harness.ts';

const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

function start(env: Record<string, string>): ChildProcess {
  const c = spawn(process.execPath, [path.join(root, 'src/main.ts'), 'start'], { cwd: root, env });
  children.push(c);
  return c;
}

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
    // Port 0 for MQTT too: a Mosquitto may hold 1883 on the test machine.
    const child = start({
      PATH: process.env.PATH ?? '',
      IOTOPS_DATA_DIR: dataDir,
      PORT: '0',
      IOTOPS_MQTT_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    // The demo's traffic is on by default: one line says so, and how to turn it off.
    const out = await waitFor(child, /traffic: .*\n/);
    expect(out).toMatch(/admin: +\S+ \/ \S+/);
    expect(out).toMatch(/traffic: the fleet simulator .* in real time .*--no-simulate or IOTOPS_SIMULATE=off/);
    expect(out).toMatch(/MQTT ingest broker at mqtt:\/\/127\.0\.0\.1:\d+/);
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

    // The desk has today's cases and the past weeks', and the worker role (running in `start`) gives the working
    // ones their SLA due time.
    expect(out).toMatch(/demo seeded: \d+ accounts, 10000 SIMs, \d+ cases on the desk and \d+ from the past weeks/);
    const [, agentEmail, agentPassword] = /agent: +(\S+) \/ (\S+)/.exec(out) ?? [];
    const agentLogin = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: agentEmail, password: agentPassword }),
    });
    const agentCookie = agentLogin.headers.get('set-cookie')!.split(';')[0]!;
    type Queue = { items: { number: string; state: string; slaDueAt: string | null }[] };
    const queue = async () =>
      (await (
        await fetch(`${url}/api/v1/cases?state=all&limit=100`, { headers: { cookie: agentCookie } })
      ).json()) as Queue;
    const deadline = Date.now() + 30_000;
    let cases = await queue();
    while (!cases.items.some((c) => c.slaDueAt !== null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250)); // polling the worker's result, with a deadline
      cases = await queue();
    }
    expect(cases.items.length).toBe(100);
    expect(cases.items.filter((c) => c.slaDueAt !== null).length).toBeGreaterThan(0);
    // Waiting and finished cases (the past weeks' too) have no running clock.
    const ended = cases.items.filter((x) => ['pending_customer', 'resolved', 'closed'].includes(x.state));
    expect(ended.length).toBeGreaterThan(50);
    for (const c of ended) expect(c.slaDueAt).toBeNull();
    // The simulated traffic arrives over HTTP ingest.
    const ingested = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/iotops_ingest_records_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    await expect.poll(ingested, { timeout: 60_000 }).toBeGreaterThan(0);
  }, 120_000);

  it('with IOTOPS_DEMO=off starts empty and prints a working first-admin login, once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'iotops-start-'));
    const env = {
      PATH: process.env.PATH ?? '',
      IOTOPS_DATA_DIR: dataDir,
      PORT: '0',
      IOTOPS_MQTT_PORT: '0',
      LOG_LEVEL: 'warn',
      IOTOPS_DEMO: 'off',
    };
    const first = start(env);
    const out = await waitFor(first, /admin: +\S+ \/ \S+/);
    expect(out).not.toContain('demo seeded');
    // No demo, no fleet: the default traffic stays off without a word.
    expect(out).not.toContain('traffic');
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
    const [, email, password] = /admin: +(\S+) \/ (\S+)/.exec(out) ?? [];
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const accounts = (await (await fetch(`${url}/api/v1/accounts`, { headers: { cookie } })).json()) as {
      items: unknown[];
    };
    expect(accounts.items).toEqual([]);
    const stopped = new Promise((resolve) => first.once('close', resolve));
    first.kill('SIGTERM');
    await stopped;

    // The second start does not print the password again. Its MQTT port is taken (as a Mosquitto on 1883 would
    // take it): the desk still starts, and says which variable to set.
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const busy = String((holder.address() as net.AddressInfo).port);
    const again = await waitFor(start({ ...env, IOTOPS_MQTT_PORT: busy }), /MQTT ingest is OFF.*\n/);
    holder.close();
    expect(again).toMatch(/running at http/);
    expect(again).toContain(`MQTT port ${busy} on 127.0.0.1 is in use (set IOTOPS_MQTT_PORT`);
    expect(again).not.toContain(password!);
  }, 120_000);
});
