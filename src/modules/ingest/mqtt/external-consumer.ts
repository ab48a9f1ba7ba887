import { connect, type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import {
  forLog,
  type MqttIngestDeps,
  mqttIngest,
  NETWORK_TOPIC_FILTER,
  parseIngestTopic,
  TELEMETRY_TOPIC_FILTER,
} from './mqtt-ingest.ts';

/**
 * How many unacknowledged messages the broker may have in flight to one connection (MQTT 5 Receive Maximum). With
 * MQTT_CONSUMERS connections it is the consumer's pipelining depth: enough to keep the write lanes' batches full
 * while earlier ones commit. Memory is bounded by INGEST_QUEUE_MAX (the pump stops while the queue is full), so
 * a bigger window buys nothing but messages parked in the heap (~5 KB each, measured).
 */
export const RECEIVE_MAXIMUM = 256;
/** The broker keeps our session (subscription + unacknowledged messages) this long after we disconnect. */
const SESSION_EXPIRY_SECONDS = 86_400;
const SESSION_TAKEN_OVER = 0x8e;

export type ExternalConsumer = { client: MqttClient; close(): Promise<void> };
export type ExternalConsumerOptions = {
  url: string;
  shareGroup: string;
  clientId: string;
  connectTimeoutMs?: number;
  sessionExpirySeconds?: number;
};

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

/**
 * Consumes the ingest topics of an external MQTT 5 broker (MQTT_URL) with a shared subscription
 * (`$share/<group>/…`), so the iotops processes of a group split the stream. The session is persistent
 * (clean: false, stable client id, session expiry): what the broker delivered but we did not acknowledge — a
 * crash, a failed write, a restart — is re-delivered to this client id when it comes back.
 *
 * Acknowledge only after the durable write. mqtt.js sends the PUBACK of a QoS 1 message in the callback of
 * `client.handleMessage` (node_modules/mqtt/build/lib/handlers/publish.js, case 1:
 * `client.handleMessage(packet, (err) => … _sendPacket({ cmd: 'puback' }, done))`), and its packet pump handles
 * the next packet only after that `done` (`work`/`nextTickWork` in build/lib/client.js). Holding the callback
 * until the write commits would therefore allow ONE message in flight per connection: one commit per message.
 * Instead the callback releases the pump at once and the PUBACK itself is held: `_sendPacket` is wrapped so a
 * PUBACK leaves only when that message's write has committed, and never when it failed. In-flight messages are
 * then bounded by RECEIVE_MAXIMUM (the broker stops sending when that many are unacknowledged), which is the
 * backpressure; while the service is saturated the callback waits for it to drain, which also stops the pump.
 * A failed write drops the connection: MQTT 5 re-delivers unacknowledged messages only on reconnect.
 */
export async function startExternalConsumer(
  deps: MqttIngestDeps,
  opts: ExternalConsumerOptions,
): Promise<ExternalConsumer> {
  const { service, log } = deps;
  const ingest = mqttIngest(deps, 'external');
  const where = redact(opts.url);
  const filters = [NETWORK_TOPIC_FILTER, TELEMETRY_TOPIC_FILTER].map((f) => `$share/${opts.shareGroup}/${f}`);
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    resubscribe: false,
    properties: {
      sessionExpiryInterval: opts.sessionExpirySeconds ?? SESSION_EXPIRY_SECONDS,
      receiveMaximum: RECEIVE_MAXIMUM,
    },
  };
  const client = connect(opts.url, options);

  // Bumped when a connection closes: acknowledgements of an earlier connection must not be sent on a later one,
  // where their message ids may name other messages (the broker re-delivers those messages instead).
  let connection = 0;
  const heldAcks = new Map<number, { write: Promise<unknown>; connection: number }>();
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;

  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    const held = packet.cmd === 'puback' && packet.messageId !== undefined ? heldAcks.get(packet.messageId) : undefined;
    if (!held || packet.messageId === undefined) return send(packet, cb, cbStorePut, noStore);
    heldAcks.delete(packet.messageId);
    cb?.(); // releases mqtt.js' pump for the next message; the PUBACK itself waits for the write
    held.write.then(
      () => {
        if (held.connection === connection && client.connected) send(packet, undefined, undefined, true);
      },
      () => {},
    );
  };

  client.handleMessage = (packet: IPublishPacket, callback) => {
    // Closing: neither processed nor acknowledged; the broker re-delivers it to this session or the group.
    if (closing) return;
    const route = parseIngestTopic(packet.topic);
    if (!route) {
      log.warn({ topic: forLog(packet.topic) }, 'MQTT message outside the ingest topics ignored');
      callback();
      return;
    }
    const arrivedOn = connection;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const take = () => {
      const write = ingest(route, packet.topic, payload, null);
      inFlight.add(write);
      write.then(
        () => inFlight.delete(write),
        (e: unknown) => {
          inFlight.delete(write);
          if (arrivedOn !== connection) return;
          log.error(
            { err: e, topic: forLog(packet.topic) },
            'MQTT ingest write failed: not acknowledged, reconnecting',
          );
          client.stream.destroy();
        },
      );
      if (packet.qos > 0 && packet.messageId !== undefined)
        heldAcks.set(packet.messageId, { write, connection: arrivedOn });
      callback();
    };
    if (service.saturated()) void service.drained().then(take);
    else take();
  };

  client.on('close', () => {
    connection++;
    heldAcks.clear();
  });
  // Subscribing on every connect is harmless with a present session (the broker replaces the subscription) and
  // needed without one (expired, or a broker that lost its state).
  let subscribed: ((err: Error | null) => void) | null = null;
  client.on('connect', () => {
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      const refused = granted?.find((g) => g.qos > 2);
      const e = err ?? (refused ? new Error(`subscription to ${refused.topic} refused (code ${refused.qos})`) : null);
      if (e) log.error({ err: e, filters }, 'MQTT subscribe to the ingest topics failed');
      subscribed?.(e);
      subscribed = null;
    });
  });
  client.on('disconnect', (packet) => {
    if (packet.reasonCode === SESSION_TAKEN_OVER)
      log.error(
        { clientId: opts.clientId },
        `another MQTT client connected with client id ${opts.clientId}: give every iotops process its own MQTT_CLIENT_ID`,
      );
  });
  client.on('reconnect', () => log.info({ broker: where }, 'MQTT reconnecting'));
  client.on('error', (err) => log.warn({ err, broker: where }, 'MQTT client error'));

  try {
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.connectTimeout ?? 10_000;
      const timer = setTimeout(() => done(new Error(`not connected and subscribed within ${timeoutMs} ms`)), timeoutMs);
      const done = (e: Error | null) => {
        clearTimeout(timer);
        client.off('error', done);
        subscribed = null;
        if (e) reject(e);
        else resolve();
      };
      client.on('error', done);
      subscribed = done;
    });
  } catch (e) {
    client.end(true);
    throw new Error(`cannot consume from the MQTT broker at MQTT_URL=${where}: ${(e as Error).message}`);
  }
  log.info({ broker: where, filters, clientId: opts.clientId }, 'consuming ingest topics from the external broker');

  return {
    client,
    async close() {
      closing = true;
      // Writes already taken commit and their held PUBACKs go out before the DISCONNECT.
      await Promise.allSettled([...inFlight]);
      await client.endAsync(false);
    },
  };
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
