import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkEvent, parseTelemetry, splitBody, splitMqttPayload } from '../../ingest/contract.ts';
import { Engine, type SimRecord } from '../engine.ts';
import { syntheticFleet } from '../fleet.ts';
import { createHttpPublisher } from './http.ts';
import { createMqttPublisher } from './mqtt.ts';
import { Window } from './publisher.ts';

const BROKER = 'mqtt://127.0.0.1:1883';
const start = Date.parse('2026-03-02T00:00:00Z');

function records(seed: number, hours = 2): SimRecord[] {
  const fleet = syntheticFleet(15, seed);
  return new Engine({ fleet, seed, start, resolved: { faults: [], membersOf: new Map(), truth: [] } }).until(
    start + hours * 3_600_000,
  );
}

describe('MQTT publisher (Mosquitto at 127.0.0.1:1883)', () => {
  it('publishes every record on its contract topic at QoS 1; with --batch, arrays per topic; all acked', async () => {
    const seed = 100 + Math.floor(Math.random() * 800);
    const recs = records(seed);
    const sub = await mqtt.connectAsync(BROKER, { protocolVersion: 5 });
    const got = new Map<string, unknown>();
    let arrays = 0;
    const all = new Promise<void>((resolve) => {
      sub.on('message', (topic, payload) => {
        const network = /^iotops\/v1\/network\/(\d+)$/.exec(topic);
        const device = /^iotops\/v1\/devices\/(.+)\/telemetry$/.exec(topic);
        if (payload.toString().startsWith('[')) arrays++;
        for (const l of splitMqttPayload(payload)) {
          if (!('value' in l)) continue;
          const p = network
            ? parseNetworkEvent(l.value, { topicIccid: network[1]! })
            : parseTelemetry(l.value, { topicDeviceId: device![1]! });
          expect(p.ok).toBe(true);
          // Only this run's records (the seed is in their ids): other producers may share the broker.
          const id = (l.value as { id: string }).id;
          if (id.startsWith(`sim-${seed}-`)) got.set(id, l.value);
        }
        if (got.size === recs.length) resolve();
      });
    });
    await sub.subscribeAsync(['iotops/v1/network/+', 'iotops/v1/devices/+/telemetry'], { qos: 1 });
    const pub = await createMqttPublisher({ url: BROKER, batch: 5, maxInflight: 10 });
    await pub.send(recs);
    await pub.drain();
    await all;
    await pub.close();
    await sub.endAsync();
    const c = pub.counts();
    expect(c).toMatchObject({ published: recs.length, acked: recs.length, rejected: 0, failed: 0 });
    expect(c.messages).toBeLessThan(recs.length);
    expect(arrays).toBeGreaterThan(0);
    for (const r of recs) expect(got.get(r.body.id)).toEqual(JSON.parse(JSON.stringify(r.body)));
  });

  it("falls back to MQTT 3.1.1 for a broker that refuses 5 (iotops's embedded aedes)", async () => {
    const broker = await Aedes.createBroker();
    const server = createTcpServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const sub = await mqtt.connectAsync(url, { protocolVersion: 4 });
      await sub.subscribeAsync('iotops/v1/#', { qos: 1 });
      const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => resolve(p.toString())));
      const pub = await createMqttPublisher({ url, connectTimeoutMs: 3000 });
      const [first] = records(3, 1);
      await pub.send([first!]);
      await pub.drain();
      expect(JSON.parse(await got)).toEqual(JSON.parse(JSON.stringify(first!.body)));
      expect(pub.counts()).toMatchObject({ published: 1, acked: 1 });
      await pub.close();
      await sub.endAsync();
    } finally {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an unreachable broker fails with a message naming the URL', async () => {
    await expect(createMqttPublisher({ url: 'mqtt://127.0.0.1:1', connectTimeoutMs: 2000 })).rejects.toThrow(
      /MQTT mqtt:\/\/127\.0\.0\.1:1: cannot connect/,
    );
  });
});

describe('HTTP publisher (a local ingest stand-in)', () => {
  type Seen = { path: string; auth: string | undefined; type: string | undefined; lines: number };
  const seen: Seen[] = [];
  let failNext = 0;
  /** When set, the answer to each batch (of this many lines) instead of the real one. */
  let answerOf: ((lines: number) => unknown) | null = null;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== 'Bearer s3cret') return reply(401, { error: 'unauthorized' });
      if (failNext > 0) {
        failNext--;
        return reply(503, { error: 'busy' });
      }
      const lines = splitBody(body, 'ndjson');
      seen.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        lines: lines.length,
      });
      if (answerOf) return reply(200, answerOf(lines.length));
      const rejected: { line: number; error: string }[] = [];
      let accepted = 0;
      for (const l of lines) {
        const p = !('value' in l)
          ? l.rejection
          : req.url?.endsWith('/telemetry')
            ? parseTelemetry(l.value)
            : parseNetworkEvent(l.value);
        if (p.ok) accepted++;
        else rejected.push({ line: l.line, error: p.message });
      }
      // One record in each batch is "already stored", to check the counting.
      reply(200, { accepted: accepted - 1, duplicates: 1, rejected });
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts NDJSON batches with the Bearer token to both endpoints and counts the answers', async () => {
    const recs = records(11);
    const pub = createHttpPublisher({ url, token: 's3cret', batch: 50, maxInflight: 2 });
    failNext = 1; // the first request is retried
    await pub.send(recs);
    await pub.flush();
    await pub.drain();
    const c = pub.counts();
    expect(c.published).toBe(recs.length);
    expect(c.acked).toBe(recs.length);
    expect(c.duplicates).toBe(c.messages);
    expect(c).toMatchObject({ rejected: 0, failed: 0 });
    expect(new Set(seen.map((s) => s.path))).toEqual(
      new Set(['/api/v1/ingest/network-events', '/api/v1/ingest/telemetry']),
    );
    for (const s of seen) expect(s).toMatchObject({ auth: 'Bearer s3cret', type: 'application/x-ndjson' });
    expect(Math.max(...seen.map((s) => s.lines))).toBe(50);
    expect(seen.reduce((n, s) => n + s.lines, 0)).toBe(recs.length);
  });

  it('counts every rejection of an answer whose list was cut (rejectedTotal), and the listed ones as errors', async () => {
    const recs = records(11);
    const pub = createHttpPublisher({ url, token: 's3cret', batch: 50 });
    answerOf = (lines) => ({ accepted: 0, duplicates: 0, rejected: [{ line: 1, error: 'bad' }], rejectedTotal: lines });
    try {
      await pub.send(recs);
      await pub.flush();
      await pub.drain();
    } finally {
      answerOf = null;
    }
    const c = pub.counts();
    expect(c).toMatchObject({ published: recs.length, acked: 0, rejected: recs.length, failed: 0 });
    expect(c.errors).toHaveLength(c.messages);
    expect(c.errors.every((e) => e.endsWith(': bad'))).toBe(true);
  });

  it('a refused token stops the run with a message naming --token', async () => {
    const pub = createHttpPublisher({ url, token: 'wrong', batch: 10 });
    const run = async () => {
      await pub.send(records(12, 1));
      await pub.flush();
      await pub.drain();
    };
    await expect(run()).rejects.toThrow(/HTTP 401 .*--token/);
  });
});

describe('Window', () => {
  it('never lets more than max holders in and reports idle', async () => {
    const w = new Window(2);
    let peak = 0;
    const jobs = Array.from({ length: 10 }, async () => {
      await w.acquire();
      peak = Math.max(peak, w.inFlight);
      await new Promise((r) => setImmediate(r));
      w.release();
    });
    await Promise.all(jobs);
    await w.idle();
    expect(peak).toBe(2);
    expect(w.inFlight).toBe(0);
  });
});
