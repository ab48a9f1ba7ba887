import { createServer, type Server } from 'node:net';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client } from 'aedes';
import { forLog, type MqttIngestDeps, mqttIngest, parseIngestTopic } from './mqtt-ingest.ts';

export type EmbeddedBroker = { port: number; close(): Promise<void> };

// CONNACK return codes of MQTT 3.1.1 (aedes speaks 3.1 and 3.1.1 only, not MQTT 5).
const SERVER_UNAVAILABLE = 3 as AuthErrorCode;
const BAD_USERNAME_OR_PASSWORD = 4 as AuthErrorCode;
const NOT_AUTHORIZED = 5 as AuthErrorCode;
const refusal = (code: AuthErrorCode, message: string): AuthenticateError =>
  Object.assign(new Error(message), { returnCode: code });

/**
 * The embedded MQTT broker of the ingest role: producers publish the contract's topics to iotops itself.
 *
 * Acknowledge only after the durable write. aedes runs a PUBLISH through `authorizePublish` and only then
 * `enqueuePublish`, which writes the QoS 1 PUBACK (QoS 2: stores the packet and writes PUBREC) — see
 * node_modules/aedes/lib/handlers/publish.js (`publishActions = [authorizePublish, enqueuePublish]`). So the
 * ingest runs inside `authorizePublish` and its callback is called only once the service has committed: no PUBACK
 * can precede the write. A failed write calls back with the error, which makes aedes close the connection without
 * a PUBACK (MQTT 3.1.1 has no negative PUBACK), so the producer re-sends on reconnect. Invalid records are stored
 * as ingest errors by the service and acknowledged like any other: a bad record must not make a producer retry
 * forever.
 *
 * Backpressure: aedes reads a client's next socket chunk only when every packet of the previous chunk has been
 * handled (`_parsingBatch` / `nextBatch` in node_modules/aedes/lib/client.js), so holding the callback while the
 * service is saturated stops reading from that producer; TCP and the producer's in-flight window do the rest.
 *
 * Nothing is forwarded or kept: subscriptions are refused (producers only publish; fanning the stream out would
 * buffer it for slow subscribers) and the retain flag is cleared (a retained copy per SIM topic would grow the
 * broker's memory with the fleet).
 */
/** The error code of a busy IOTOPS_MQTT_PORT (`start` carries on without MQTT; `serve` stops). */
export const MQTT_PORT_BUSY = 'IOTOPS_MQTT_PORT_BUSY';

export async function startEmbeddedBroker(
  deps: MqttIngestDeps,
  opts: { port: number; host: string },
): Promise<EmbeddedBroker> {
  const { service, log, metrics } = deps;
  const ingest = mqttIngest(deps, 'embedded');
  const credentialOf = new WeakMap<Client, number>();
  const inFlight = new Set<Promise<unknown>>();

  const broker = new Aedes({
    authenticate(client, username, password, done) {
      if (!username || !password) {
        metrics.mqttConnectionsRefused.inc({ reason: 'no_credentials' });
        log.info({ clientId: forLog(client.id) }, 'MQTT connection refused: no username/password');
        done(refusal(NOT_AUTHORIZED, 'username and password (an ingest credential) are required'), false);
        return;
      }
      service.verifyCredential(username, password.toString('utf8')).then(
        (credential) => {
          if (!credential) {
            metrics.mqttConnectionsRefused.inc({ reason: 'bad_credentials' });
            log.info(
              { clientId: forLog(client.id), username: forLog(username) },
              'MQTT connection refused: bad username or password',
            );
            done(refusal(BAD_USERNAME_OR_PASSWORD, 'bad username or password'), false);
            return;
          }
          credentialOf.set(client, credential.id);
          done(null, true);
        },
        (e: unknown) => {
          metrics.mqttConnectionsRefused.inc({ reason: 'unavailable' });
          log.error({ err: e, clientId: forLog(client.id) }, 'MQTT connection refused: credential check failed');
          done(refusal(SERVER_UNAVAILABLE, 'server unavailable'), false);
        },
      );
    },

    authorizePublish(client, packet, done) {
      // client is null only for a will left by a connection of an earlier broker run: nobody to attribute it to.
      const credentialId = client ? credentialOf.get(client) : undefined;
      if (!client || credentialId === undefined) return done(new Error('publisher is not authenticated'));
      const route = parseIngestTopic(packet.topic);
      if (!route) {
        log.info(
          { clientId: forLog(client.id), topic: forLog(packet.topic) },
          'MQTT publish refused: not an ingest topic',
        );
        return done(
          new Error(`topic ${packet.topic} is not iotops/v1/network/{iccid} or iotops/v1/devices/{deviceId}/telemetry`),
        );
      }
      packet.retain = false;
      const write = ingest(route, packet.topic, packet.payload as Buffer, credentialId).then(
        () => done(null),
        (e: unknown) => {
          log.error(
            { err: e, clientId: forLog(client.id), topic: forLog(packet.topic) },
            'MQTT ingest write failed: not acknowledged',
          );
          done(e instanceof Error ? e : new Error(String(e)));
        },
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    },

    authorizeSubscribe(client, sub, done) {
      log.info(
        { clientId: forLog(client.id), topic: forLog(sub.topic) },
        'MQTT subscribe refused: the ingest broker only receives',
      );
      done(null, null);
    },
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: forLog(client.id), err }, 'MQTT client error'));
  broker.on('connectionError', (_client, err) => log.debug({ err }, 'MQTT connection error'));
  await broker.listen();

  const server = createServer(broker.handle);
  try {
    await listen(server, opts.port, opts.host);
  } catch (e) {
    broker.close();
    if ((e as { code?: string }).code === 'EADDRINUSE')
      throw Object.assign(
        new Error(
          `MQTT port ${opts.port} on ${opts.host} is in use (set IOTOPS_MQTT_PORT to another port, or MQTT_URL to use an external broker)`,
        ),
        { code: MQTT_PORT_BUSY },
      );
    throw e;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log.info({ port, host: opts.host }, 'embedded MQTT broker listening');

  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      // Writes already handed to the service finish (their producers are gone, so they re-send; ids dedupe).
      await Promise.allSettled([...inFlight]);
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
