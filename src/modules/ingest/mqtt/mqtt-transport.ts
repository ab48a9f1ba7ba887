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
  config: Pick<Config, 'host' | 'mqttPort' | 'mqttUrl' | 'mqttShareGroup' | 'mqttClientId'>,
): Promise<MqttTransport> {
  if (config.mqttUrl) {
    const consumer = await startExternalConsumer(deps, {
      url: config.mqttUrl,
      shareGroup: config.mqttShareGroup,
      clientId: config.mqttClientId,
    });
    const broker = config.mqttUrl.replace(/\/\/[^@/]*@/, '//');
    return {
      description: `MQTT ingest from ${broker} (shared subscription group ${config.mqttShareGroup}, client id ${config.mqttClientId})`,
      stop: () => consumer.close(),
    };
  }
  const broker = await startEmbeddedBroker(deps, { port: config.mqttPort, host: config.host });
  return {
    description: `MQTT ingest broker at mqtt://${config.host}:${broker.port}`,
    stop: () => broker.close(),
  };
}
