/**
 * At-least-once webhooks under a crash (issue 14, point 6): cases are opened while the receiver holds every request
 * open, the server (API and worker) is killed with SIGKILL mid-delivery, restarted, and the receiver now answers.
 * Every message must then arrive and be answered 2xx at least once, and a message sent again keeps its webhook-id.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';
import { freePort } from './support/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(env: Record<string, string>): Promise<ChildProcess> {
  const c = spawn(process.execPath, [path.join(root, 'src/main.ts'), 'serve', '--roles', 'api,worker'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  children.push(c);
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('iotops is running')) resolve(c);
    });
    c.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.on('close', (code) => reject(new Error(`iotops exited ${code} before it was ready: ${out}`)));
  });
}

describe('SIGKILL while webhooks are being delivered', { timeout: 300_000 }, () => {
  it('delivers every message at least once after the restart, under the same webhook-id', async () => {
    // The receiver: holds requests open until told to answer; then 204 to everything.
    let answering = false;
    const held: ServerResponse[] = [];
    const answered = new Map<string, string>(); // case number → webhook-id, once answered 2xx
    const ids = new Map<string, Set<string>>(); // case number → every webhook-id it came with
    const receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        const number = (JSON.parse(body) as { data: { case: { number: string } } }).data.case.number;
        const id = String(req.headers['webhook-id']);
        ids.set(number, (ids.get(number) ?? new Set()).add(id));
        if (!answering) {
          held.push(res);
          return;
        }
        answered.set(number, id);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook`;

    const env = cliEnv({
      PORT: String(await freePort()),
      IOTOPS_MQTT_PORT: String(await freePort()),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: '2000',
      JOB_POLL_MS: '200',
    });
    const email = `kill-${uniq()}@example.test`;
    expect((await runCli(['users', 'create', '--email', email, '--password', 'a-long-password'], env)).code).toBe(0);
    const token = (
      await runCli(['tokens', 'create', '--email', email, '--scopes', 'read,write,admin'], env)
    ).stdout.trim();
    let server = await serve(env);
    const api = (p: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${env.PORT}${p}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const account = (await (
      await api('/api/v1/accounts', {
        method: 'POST',
        body: JSON.stringify({
          number: `KILL-${uniq()}`,
          name: 'Kill test',
          vipTier: 'standard',
          language: 'en',
          timeZone: 'UTC',
          country: 'SE',
        }),
      })
    ).json()) as { id: number };
    const sub = await api('/api/v1/webhooks/subscriptions', {
      method: 'POST',
      body: JSON.stringify({ url: receiverUrl, eventTypes: ['case.opened'], accountId: account.id }),
    });
    expect(sub.status, await sub.clone().text()).toBe(201);

    const numbers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await api('/api/v1/cases', {
        method: 'POST',
        body: JSON.stringify({ accountId: account.id, type: 'incident', subject: `kill ${i}` }),
      });
      expect(r.status).toBe(201);
      numbers.push(((await r.json()) as { number: string }).number);
    }
    // Kill once deliveries are in flight (held by the receiver), not after a fixed time.
    const deadline = Date.now() + 120_000;
    while (held.length < 3) {
      if (Date.now() > deadline) throw new Error(`no delivery in flight after 120 s (${held.length})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    server.kill('SIGKILL');
    await new Promise((r) => server.once('close', r));
    for (const res of held) res.destroy();
    const before = new Map([...ids].map(([n, s]) => [n, new Set(s)]));

    answering = true;
    server = await serve(env);
    // Each message arrives again (its safety job after WEBHOOK_TIMEOUT_MS + 30 s at the latest) and is answered.
    const end = Date.now() + 180_000;
    while (answered.size < numbers.length) {
      if (Date.now() > end) throw new Error(`answered ${answered.size} of ${numbers.length}: ${[...answered.keys()]}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...answered.keys()].sort()).toEqual([...numbers].sort());
    // A message sent before the kill came back under the same webhook-id: receivers can deduplicate.
    for (const [number, sent] of before) expect(sent.has(answered.get(number)!), number).toBe(true);
    server.kill('SIGTERM');
    await new Promise((r) => server.once('close', r));
    await new Promise((r) => receiver.close(r));
  });
});
