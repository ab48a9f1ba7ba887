import type { Config } from '../../../config.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import { startExternalConsumer } from './external-consumer.ts';
import type { MqttIngestDeps } from './mqtt-ingest.ts';

export type MqttTransport = {
  /** For the start-up line: where producers publish. */
  description: string;
  /** Stops taking messages, lets the writes already taken commit (and be acknowledged), then disconnects. */
  stop(): Promise<void>;
};

/**
 * The MQTT side of the ingest role: the embedded broker on IOTOPS_MQTT_PORT, or, when MQTT_URL is set, a
 * consumer of that broker (then nothing listens here). Stop it before the ingest service and the database close.
 */
export async function startMqttTransport(
  deps: MqttIngestDeps,
  config: Pick<Config, 'host' | 'mqttPort' | 'mqttUrl' | 'mqttShareGroup' | 'mqttClientId' | 'mqttConsumers'>,
): Promise<MqttTransport> {
  if (config.mqttUrl) {
    // Several members of the shared subscription: the broker caps unacknowledged messages per connection
    // (Mosquitto's max_inflight_messages, 20 by default) and our PUBACKs wait for the commit, so one connection
    // would carry at most 20 messages per commit. Each member has its own persistent session (client id).
    const url = config.mqttUrl;
    const consumers = await Promise.all(
      Array.from({ length: config.mqttConsumers }, (_, i) =>
        startExternalConsumer(deps, {
          url,
          shareGroup: config.mqttShareGroup,
          clientId: config.mqttConsumers === 1 ? config.mqttClientId : `${config.mqttClientId}-${i}`,
        }),
      ),
    );
    const broker = config.mqttUrl.replace(/\/\/[^@/]*@/, '//');
    return {
      description: `MQTT ingest from ${broker} (shared subscription group ${config.mqttShareGroup}, ${config.mqttConsumers} connection(s), client id ${config.mqttClientId})`,
      stop: async () => {
        await Promise.all(consumers.map((c) => c.close()));
      },
    };
  }
  const broker = await startEmbeddedBroker(deps, { port: config.mqttPort, host: config.host });
  return {
    description: `MQTT ingest broker at mqtt://${config.host}:${broker.port}`,
    stop: () => broker.close(),
  };
}
