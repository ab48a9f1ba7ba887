import { createServer } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../../platform/metrics.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.ts';
import { FakeIngestService } from './fake-ingest-service.ts';

const ICCID = '89467010000000000008';
const event = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ ts: '2026-11-21T08:15:02Z', type: 'detach', ...over });

let service: FakeIngestService;
let metrics: Metrics;
let broker: EmbeddedBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  service = new FakeIngestService();
  service.addCredential('meter-feed', 's3cret', 7);
  metrics = createMetrics();
  broker = await startEmbeddedBroker(
    { service, metrics, log: pino({ level: 'silent' }) },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(() => broker.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  service.delayMs = 0;
  service.failWrites = false;
  service.setSaturated(false);
});

async function producer(opts: { username?: string; password?: string; reconnectPeriod?: number } = {}) {
  const c = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: 'meter-feed',
    password: 's3cret',
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...opts,
  });
  clients.push(c);
  return c;
}

/** The sum of a counter's series that carry these labels. */
const counter = async (name: string, labels: Record<string, string>) => {
  const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return m
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
};

describe('embedded MQTT broker', () => {
  it('hands a QoS 1 message to the service and sends PUBACK only after the write committed', async () => {
    service.delayMs = 300;
    const before = service.calls.length;
    const c = await producer();
    const t0 = performance.now();
    await c.publishAsync(`iotops/v1/network/${ICCID}`, event({ id: 'e-1' }), { qos: 1 });
    const ackedAt = performance.now();
    const call = service.calls[before];
    expect(call).toMatchObject({
      kind: 'network',
      topicId: ICCID,
      source: { transport: 'mqtt', credentialId: 7, topic: `iotops/v1/network/${ICCID}` },
      result: { accepted: 1, duplicates: 0, rejected: [] },
    });
    expect(call!.committedAt - t0).toBeGreaterThanOrEqual(290);
    expect(ackedAt).toBeGreaterThanOrEqual(call!.committedAt);
  });

  it('takes telemetry (an array payload is several records) and QoS 0', async () => {
    const before = service.calls.length;
    const c = await producer();
    const rec = { ts: '2026-11-21T08:15:00Z', metrics: { temperature_c: 21.5 } };
    await c.publishAsync('iotops/v1/devices/press-0042/telemetry', JSON.stringify([rec, rec]), { qos: 1 });
    c.publish('iotops/v1/devices/press-0043/telemetry', JSON.stringify(rec), { qos: 0 });
    await service.waitForCalls(before + 2);
    expect(service.calls.slice(before).map((x) => [x.kind, x.topicId, x.result.accepted])).toEqual([
      ['telemetry', 'press-0042', 2],
      ['telemetry', 'press-0043', 1],
    ]);
  });

  it('acknowledges rejected records (topic/body mismatch, malformed JSON) and keeps consuming', async () => {
    const before = service.calls.length;
    const c = await producer();
    await c.publishAsync(`iotops/v1/network/${ICCID}`, event({ iccid: '89467010000000000016' }), { qos: 1 });
    await c.publishAsync(`iotops/v1/network/${ICCID}`, '{"ts": oops', { qos: 1 });
    await c.publishAsync(`iotops/v1/network/${ICCID}`, event(), { qos: 1 });
    const results = service.calls.slice(before).map((x) => x.result);
    expect(results[0]!.rejected[0]!.error).toContain("contradicts the topic's");
    expect(results[1]!.rejected[0]!.error).toContain('not JSON');
    expect(results[2]).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await counter('iotops_ingest_mqtt_messages_total', { broker: 'embedded', outcome: 'stored' })).toBe(
      service.calls.length,
    );
    expect(c.connected).toBe(true);
  });

  it('refuses producers without credentials or with a wrong password (CONNACK refusal)', async () => {
    await expect(producer({ username: 'meter-feed', password: 'wrong' })).rejects.toThrow(/bad username or password/i);
    await expect(producer({ username: 'nobody', password: 's3cret' })).rejects.toThrow(/bad username or password/i);
    await expect(producer({ username: '', password: '' })).rejects.toThrow(/not authorized/i);
    expect(await counter('iotops_ingest_mqtt_connections_refused_total', { reason: 'bad_credentials' })).toBe(2);
  });

  it('refuses publishing outside the ingest topics (connection closed, no PUBACK) and any subscription', async () => {
    const before = service.calls.length;
    const c = await producer();
    // mqtt.js turns a SUBACK with return code 128 (failure) into this error.
    await expect(c.subscribeAsync(`iotops/v1/network/${ICCID}`, { qos: 1 })).rejects.toThrow('Subscribe error');
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    let acked = false;
    c.publish('iotops/v1/other', event(), { qos: 1 }, () => {
      acked = true;
    });
    await closed;
    expect(acked).toBe(false);
    expect(service.calls.length).toBe(before);
  });

  it('does not acknowledge when the write fails; the producer re-sends after reconnecting', async () => {
    service.failWrites = true;
    const before = service.calls.length;
    const c = await producer({ reconnectPeriod: 100 });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const acked = c.publishAsync(`iotops/v1/network/${ICCID}`, event({ id: 'e-retry' }), { qos: 1 });
    await closed;
    expect(await counter('iotops_ingest_mqtt_messages_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    service.failWrites = false;
    await acked;
    expect(service.calls.slice(before).map((x) => x.result.accepted)).toEqual([1]);
  });

  it('holds messages while the service is saturated and resumes when it drained', async () => {
    service.setSaturated(true);
    const before = service.calls.length;
    const c = await producer();
    let acked = false;
    const done = c.publishAsync(`iotops/v1/network/${ICCID}`, event(), { qos: 1 }).then(() => {
      acked = true;
    });
    await service.whenHeld();
    expect([acked, service.calls.length]).toEqual([false, before]);
    service.setSaturated(false);
    await done;
    expect(service.calls.length).toBe(before + 1);
  });

  it('names IOTOPS_MQTT_PORT when the port is in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(
        startEmbeddedBroker({ service, metrics, log: pino({ level: 'silent' }) }, { port, host: '127.0.0.1' }),
      ).rejects.toThrow(
        `MQTT port ${port} on 127.0.0.1 is in use (set IOTOPS_MQTT_PORT to another port, or MQTT_URL to use an external broker)`,
      );
    } finally {
      taken.close();
    }
  });
});
