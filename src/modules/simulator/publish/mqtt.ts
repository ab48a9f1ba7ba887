/**
 * MQTT publisher (MQTT 5): one topic per SIM / device as the contract says; with batch > 1 a message carries a
 * JSON array of up to `batch` records of the same topic. QoS 1 by default, so PUBACKs count as acknowledgements.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { SimRecord } from '../engine.ts';
import { batchesByTopic, type Counts, emptyCounts, noteError, type Publisher, Window } from './publisher.ts';

export type MqttPublisherOptions = {
  url: string;
  username?: string;
  password?: string;
  qos?: 0 | 1;
  batch?: number;
  /** Messages awaiting PUBACK at most (bounds memory). */
  maxInflight?: number;
  clientId?: string;
  connectTimeoutMs?: number;
  /**
   * 5 (MQTT 5: PUBACK reason codes tell refused records), 4 (MQTT 3.1.1), or auto: 5, and 3.1.1 when the broker
   * refuses 5 — iotops's embedded aedes broker speaks 3.1.1 only, Mosquitto and external brokers speak 5.
   */
  protocolVersion?: 4 | 5 | 'auto';
};

/** Connects (refusals and unreachable brokers reject with a message naming the URL) and returns the publisher. */
export async function createMqttPublisher(o: MqttPublisherOptions): Promise<Publisher> {
  const client = await connectVersion(o);
  const qos = o.qos ?? 1;
  const batch = o.batch ?? 1;
  const window = new Window(o.maxInflight ?? 1000);
  const c: Counts = emptyCounts();

  const publishOne = async (topic: string, records: SimRecord[]) => {
    await window.acquire();
    const payload = JSON.stringify(records.length === 1 && batch === 1 ? records[0]!.body : records.map((r) => r.body));
    c.published += records.length;
    c.messages++;
    client.publish(topic, payload, { qos }, (err, packet) => {
      if (err) {
        const code = (err as { code?: number }).code;
        if (typeof code === 'number' && code >= 0x80) c.rejected += records.length;
        else c.failed += records.length;
        noteError(c, `${topic}: ${err.message}`);
      } else if (qos === 1) {
        const reason = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
        if (reason >= 0x80) {
          c.rejected += records.length;
          noteError(c, `${topic}: PUBACK reason code 0x${reason.toString(16)}`);
        } else c.acked += records.length;
      }
      window.release();
    });
  };

  return {
    transport: 'mqtt',
    async send(records) {
      for (const b of batchesByTopic(records, batch)) await publishOne(b.topic, b.records);
    },
    flush: () => Promise.resolve(),
    drain: () => window.idle(),
    async close() {
      await window.idle();
      await client.endAsync();
    },
    counts: () => ({ ...c, errors: [...c.errors] }),
  };
}

async function connectVersion(o: MqttPublisherOptions): Promise<MqttClient> {
  const version = o.protocolVersion ?? 'auto';
  if (version !== 'auto')
    return connect(o, version).catch((e: unknown) => {
      throw e instanceof ProtocolRefused ? new Error(`MQTT ${o.url}: cannot connect: ${e.message}`) : e;
    });
  try {
    return await connect(o, 5);
  } catch (e) {
    // A 3.1.1 broker answers an MQTT 5 CONNECT with "unacceptable protocol version" or just closes the socket.
    if (!(e instanceof ProtocolRefused)) throw e;
    return connect(o, 4);
  }
}

class ProtocolRefused extends Error {}

function connect(o: MqttPublisherOptions, protocolVersion: 4 | 5): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(o.url, {
      protocolVersion,
      clientId: o.clientId ?? `iotops-sim-${process.pid}-${Date.now().toString(36)}`,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
    });
    const timer = setTimeout(() => fail(new Error('no CONNACK in time')), o.connectTimeoutMs ?? 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      client.removeListener('close', closed);
      client.end(true);
      const code = (e as { code?: unknown }).code;
      const refusedVersion = protocolVersion === 5 && (code === 1 || code === 0x84 || e === closedEarly);
      const error = refusedVersion
        ? new ProtocolRefused(e.message)
        : new Error(`MQTT ${o.url}: cannot connect: ${e.message}`);
      reject(error);
    };
    const closedEarly = new Error('the broker closed the connection before CONNACK');
    // A socket that opens and then closes without CONNACK: the broker did not take the CONNECT (e.g. version 5).
    let opened = false;
    client.stream?.once?.('connect', () => {
      opened = true;
    });
    const closed = () => {
      if (opened) fail(closedEarly);
    };
    client.on('close', closed);
    client.once('connect', () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      client.removeListener('close', closed);
      // After the first connect, errors are transient: mqtt.js reconnects and resends unacknowledged QoS 1.
      client.on('error', () => {});
      resolve(client);
    });
    client.once('error', fail);
  });
}
