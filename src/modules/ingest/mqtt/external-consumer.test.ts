import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../../platform/metrics.ts';
import { type ExternalConsumer, startExternalConsumer } from './external-consumer.ts';
import { FakeIngestService } from './fake-ingest-service.ts';

// The Mosquitto every test machine runs (anonymous, 127.0.0.1:1883). Topics there are shared with whatever else
// runs, so each test uses its own ICCIDs and this file its own share group; records are looked up by id.
const BROKER = 'mqtt://127.0.0.1:1883';
const run = randomBytes(4).toString('hex');
const iccid = () => `8946${String(randomInt(1e12)).padStart(15, '0')}9`;
const event = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({ id, ts: '2026-11-21T08:15:02Z', type: 'detach', ...over });

let service: FakeIngestService;
let metrics: Metrics;
let publisher: MqttClient;
const consumers: ExternalConsumer[] = [];

beforeAll(async () => {
  service = new FakeIngestService();
  metrics = createMetrics();
  publisher = await connectAsync(BROKER, { protocolVersion: 5, clientId: `pub-${run}` });
});
afterAll(() => publisher.endAsync());
afterEach(async () => {
  service.delayMs = 0;
  service.delayTopicId = null;
  service.failWrites = false;
  service.setSaturated(false);
  await Promise.all(consumers.splice(0).map((c) => c.close()));
});

async function consumer(name: string) {
  const c = await startExternalConsumer(
    { service, metrics, log: pino({ level: 'silent' }) },
    // A short session expiry: the broker forgets these test sessions soon after the file ends.
    { url: BROKER, shareGroup: `test-${run}`, clientId: `iotops-test-${run}-${name}`, sessionExpirySeconds: 30 },
  );
  consumers.push(c);
  return c;
}

const callsFor = (topicIccid: string) => service.calls.filter((c) => c.topicId === topicIccid);
async function until(check: () => boolean, what: string, timeoutMs = 5000) {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
/** The sum of a counter's series that carry these labels. */
const counter = async (name: string, labels: Record<string, string>) => {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return m
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
};

describe('external broker consumer (Mosquitto, shared subscription)', () => {
  it('sends each PUBACK only after its write committed, with many messages in flight at once', async () => {
    const c = await consumer('a');
    const idOf = new Map<number, string>();
    const pubackAt = new Map<string, number>();
    // Only this test's messages: other test files publish to the same broker topics meanwhile.
    c.client.on('message', (_t, payload, packet) => {
      if (packet.messageId === undefined) return;
      let id: unknown;
      try {
        id = (JSON.parse(String(payload)) as { id?: unknown }).id;
      } catch {}
      if (typeof id === 'string' && id.startsWith(`${run}-a`)) idOf.set(packet.messageId, id);
      else idOf.delete(packet.messageId);
    });
    c.client.on('packetsend', (p) => {
      const id = p.cmd === 'puback' && p.messageId !== undefined ? idOf.get(p.messageId) : undefined;
      if (id) pubackAt.set(id, performance.now());
    });
    service.delayMs = 300;
    const sim = iccid();
    service.delayTopicId = sim;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++)
      await publisher.publishAsync(`iotops/v1/network/${sim}`, event(`${run}-a${i}`), { qos: 1 });
    await until(() => pubackAt.size === 20, '20 PUBACKs');
    const calls = callsFor(sim);
    expect(calls.map((x) => x.result.accepted)).toEqual(Array(20).fill(1));
    for (const call of calls) {
      const id = (call.lines[0] as { value: { id: string } }).value.id;
      expect(pubackAt.get(id)!).toBeGreaterThanOrEqual(call.committedAt);
    }
    // One at a time would take 20 × 300 ms.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(calls[0]!.source).toEqual({ transport: 'mqtt', credentialId: null, topic: `iotops/v1/network/${sim}` });
  });

  it('takes what mosquitto_pub sends, acknowledges rejected records and keeps consuming', async () => {
    await consumer('a');
    const sim = iccid();
    const pub = (message: string) =>
      promisify(execFile)('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-V',
        'mqttv5',
        '-q',
        '1',
        '-t',
        `iotops/v1/network/${sim}`,
        '-m',
        message,
      ]);
    await pub(event(`${run}-b1`, { iccid: '89467010000000000016' }));
    await pub('{"ts": oops');
    await pub(event(`${run}-b2`));
    await until(() => callsFor(sim).length === 3, 'three messages');
    const results = callsFor(sim).map((x) => x.result);
    expect(results[0]!.rejected[0]!.error).toContain("contradicts the topic's");
    expect(results[1]!.rejected[0]!.error).toContain('not JSON');
    expect(results[2]).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('does not acknowledge a failed write: it reconnects and the broker re-delivers the message', async () => {
    const c = await consumer('a');
    service.failWrites = true;
    const failedBefore = await counter('iotops_ingest_mqtt_messages_total', { broker: 'external', outcome: 'failed' });
    const reconnected = new Promise<void>((r) => c.client.once('close', () => c.client.once('connect', () => r())));
    const sim = iccid();
    await publisher.publishAsync(`iotops/v1/network/${sim}`, event(`${run}-c1`), { qos: 1 });
    await until(() => c.client.reconnecting || !c.client.connected, 'the consumer to drop its connection');
    expect(await counter('iotops_ingest_mqtt_messages_total', { broker: 'external', outcome: 'failed' })).toBe(
      failedBefore + 1,
    );
    service.failWrites = false;
    await reconnected;
    await until(() => callsFor(sim).length === 1, 'the re-delivered message');
    expect(callsFor(sim)[0]!.result.accepted).toBe(1);
  });

  it('splits the stream between the processes of a share group', async () => {
    await consumer('a');
    await consumer('b');
    const byClient = new Map<string, number>();
    for (const c of consumers)
      c.client.on('message', () =>
        byClient.set(c.client.options.clientId!, (byClient.get(c.client.options.clientId!) ?? 0) + 1),
      );
    const sim = iccid();
    for (let i = 0; i < 20; i++)
      await publisher.publishAsync(`iotops/v1/network/${sim}`, event(`${run}-d${i}`), { qos: 1 });
    await until(() => callsFor(sim).length === 20, '20 messages');
    const ids = callsFor(sim).map((x) => (x.lines[0] as { value: { id: string } }).value.id);
    expect(new Set(ids).size).toBe(20);
    expect([...byClient.values()].every((n) => n > 0 && n < 20)).toBe(true);
  });

  it('holds messages while the service is saturated', async () => {
    const c = await consumer('a');
    service.setSaturated(true);
    const sim = iccid();
    const topic = `iotops/v1/devices/${sim}/telemetry`;
    const arrived = new Promise<void>((resolve) =>
      c.client.on('message', (t) => {
        if (t === topic) resolve();
      }),
    );
    await publisher.publishAsync(topic, '{"ts":"2026-11-21T08:15:00Z","metrics":{}}', { qos: 1 });
    // It reached this consumer, and the consumer is waiting for the drain: held, not yet handed to the service.
    await Promise.all([arrived, service.whenHeld()]);
    expect(callsFor(sim)).toEqual([]);
    service.setSaturated(false);
    await until(() => callsFor(sim).length === 1, 'the held message');
    expect(callsFor(sim)[0]!.kind).toBe('telemetry');
  });

  it('names MQTT_URL when the broker cannot be reached', async () => {
    await expect(
      startExternalConsumer(
        { service, metrics, log: pino({ level: 'silent' }) },
        {
          url: 'mqtt://iotops:secret@127.0.0.1:1',
          shareGroup: 'x',
          clientId: `iotops-test-${run}-x`,
          connectTimeoutMs: 2000,
        },
      ),
    ).rejects.toThrow('cannot consume from the MQTT broker at MQTT_URL=mqtt://***@127.0.0.1:1');
  });
});
