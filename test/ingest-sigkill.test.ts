/**
 * Delivery guarantee under a crash (issue 4, Reliability): while a producer publishes QoS 1 over MQTT and another
 * posts HTTP batches, the iotops process is killed with SIGKILL, restarted, and the producers re-send what was not
 * acknowledged (as a producer does). Every acknowledged record must be stored, and every record exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/client.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { testDbKind } from './support/harness.ts';
import { freePort } from './support/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(env: Record<string, string>): Promise<ChildProcess> {
  const c = spawn(process.execPath, [path.join(root, 'src/main.ts'), 'serve', '--roles', 'api,ingest'], {
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

describe('SIGKILL while producers publish (MQTT QoS 1) and post (HTTP)', () => {
  it('stores every acknowledged record, and every record exactly once after the producers re-send', async () => {
    const port = await freePort();
    const mqttPort = await freePort();
    const env = cliEnv({ PORT: String(port), IOTOPS_MQTT_PORT: String(mqttPort), INGEST_LINGER_MS: '20' });
    const name = `killtest-${randomBytes(3).toString('hex')}`;
    const created = await runCli(['ingest-credentials', 'create', '--name', name], env);
    expect(created.code, created.stderr).toBe(0);
    const secret = /password (\S+)/.exec(created.stdout)![1]!;

    const run = randomBytes(4).toString('hex');
    const iccid = (k: number) =>
      `8946099${run.replace(/\D/g, '7').padEnd(8, '7').slice(0, 8)}${String(k % 10000).padStart(4, '0')}`;
    type Rec = { id: string; ts: string; type: 'detach'; iccid: string };
    const mqttRecs = new Map<string, { topic: string; body: string }>();
    const httpBatches: Rec[][] = [];
    const acked = new Set<string>();
    let seq = 0;
    const rec = (): Rec => {
      const k = seq++;
      return {
        id: `kill-${run}-${k}`,
        ts: new Date(Date.now() - 60_000 + k).toISOString(),
        type: 'detach',
        iccid: iccid(k),
      };
    };

    let server = await serve(env);
    const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
      username: name,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 200,
      clientId: `kill-${run}`,
    });
    await new Promise((r) => client.once('connect', r));

    let producing = true;
    const mqttProducer = (async () => {
      while (producing) {
        for (let i = 0; i < 20; i++) {
          const r = rec();
          const topic = `iotops/v1/network/${r.iccid}`;
          const body = JSON.stringify({ id: r.id, ts: r.ts, type: r.type });
          mqttRecs.set(r.id, { topic, body });
          if (client.connected)
            client.publish(topic, body, { qos: 1 }, (err) => {
              if (!err) acked.add(r.id);
            });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const post = async (batch: Rec[]) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/ingest/network-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
          body: batch.map((r) => JSON.stringify(r)).join('\n'),
        });
        if (res.status === 200) for (const r of batch) acked.add(r.id);
      } catch {
        // Connection reset by the kill: not acknowledged, re-sent below.
      }
    };
    const httpProducer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 50 }, rec);
        httpBatches.push(batch);
        await post(batch);
      }
    })();

    // Kill mid-stream once both transports have had records acknowledged (not after a fixed time: on a slow
    // machine that could kill before anything was acknowledged, and the test would prove nothing).
    const ackedOn = () => {
      let mq = 0;
      for (const id of mqttRecs.keys()) if (acked.has(id)) mq++;
      return { mqtt: mq, http: acked.size - mq };
    };
    const deadline = Date.now() + 30_000;
    while (ackedOn().mqtt < 100 || ackedOn().http < 100) {
      if (Date.now() > deadline) throw new Error(`producers not acknowledged in 30 s: ${JSON.stringify(ackedOn())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    server.kill('SIGKILL');
    await new Promise((r) => server.once('close', r));
    producing = false;
    await Promise.all([mqttProducer, httpProducer]);
    const ackedAtKill = new Set(acked);
    expect(ackedAtKill.size).toBeGreaterThan(100);

    // Restart; the producers re-send everything not acknowledged.
    server = await serve(env);
    await new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });
    const resend = [...mqttRecs].filter(([id]) => !acked.has(id));
    await Promise.all(
      resend.map(
        ([id, m]) =>
          new Promise<void>((resolve, reject) =>
            client.publish(m.topic, m.body, { qos: 1 }, (err) => {
              if (err) reject(err);
              else {
                acked.add(id);
                resolve();
              }
            }),
          ),
      ),
    );
    for (const b of httpBatches) if (b.some((r) => !acked.has(r.id))) await post(b);
    await client.endAsync();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('close', r));

    const all = [...mqttRecs.keys(), ...httpBatches.flat().map((r) => r.id)];
    expect(all.every((id) => acked.has(id))).toBe(true);
    const database =
      testDbKind === 'postgres'
        ? await openDatabase({ databaseUrl: env.DATABASE_URL!, poolSize: 1 })
        : await openDatabase({ dataDir: env.IOTOPS_DATA_DIR! });
    try {
      const rows = await database.query<{ event_id: string; n: number }>(
        `select event_id, count(*)::int as n from network_events where event_id like $1 group by event_id`,
        [`kill-${run}-%`],
      );
      const stored = new Map(rows.map((r) => [r.event_id, r.n]));
      const lostAcked = [...ackedAtKill].filter((id) => !stored.has(id));
      expect(lostAcked, 'acknowledged before the kill but not stored').toEqual([]);
      expect(
        rows.filter((r) => r.n !== 1),
        'stored more than once',
      ).toEqual([]);
      expect(stored.size).toBe(all.length);
    } finally {
      await database.close();
    }
  }, 120_000);
});
