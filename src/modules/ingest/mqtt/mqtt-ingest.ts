import { clipTo } from '../../../platform/http/json-body.ts';
import type { Logger } from '../../../platform/log.ts';
import type { Metrics } from '../../../platform/metrics.ts';
import { splitMqttPayload } from '../contract.ts';
import type { IngestResult, IngestService } from '../ingest.service.ts';

/** What the MQTT transport needs of the ingest service (narrow, so the broker tests can drive it with a fake). */
export type IngestPort = Pick<
  IngestService,
  'acceptNetwork' | 'acceptTelemetry' | 'verifyCredential' | 'saturated' | 'drained'
>;

/** The contract's two MQTT topics, with the id the topic names (authoritative over the body). */
export type IngestTopic = { kind: 'network'; iccid: string } | { kind: 'telemetry'; deviceId: string };

export const NETWORK_TOPIC_FILTER = 'iotops/v1/network/+';
export const TELEMETRY_TOPIC_FILTER = 'iotops/v1/devices/+/telemetry';

/**
 * `iotops/v1/network/{iccid}` or `iotops/v1/devices/{deviceId}/telemetry`; anything else is not ingest (null).
 * The id is only checked for presence here: a malformed ICCID or device id is a rejected record (stored with its
 * reason by the parser), not a refused publish, so the producer learns it from the ingest-errors view.
 */
export function parseIngestTopic(topic: string): IngestTopic | null {
  const level = topic.split('/');
  if (level[0] !== 'iotops' || level[1] !== 'v1') return null;
  const id = level[3];
  if (id === undefined || id === '') return null;
  if (level.length === 4 && level[2] === 'network') return { kind: 'network', iccid: id };
  if (level.length === 5 && level[2] === 'devices' && level[4] === 'telemetry')
    return { kind: 'telemetry', deviceId: id };
  return null;
}

export type BrokerKind = 'embedded' | 'external';
export type MqttIngestDeps = { service: IngestPort; metrics: Metrics; log: Logger };

/** One message in, the service's verdict out; rejects only when the durable write failed (do not acknowledge). */
export type IngestMessage = (
  route: IngestTopic,
  topic: string,
  payload: Buffer,
  credentialId: number | null,
) => Promise<IngestResult>;

/**
 * The one path from an MQTT message to the ingest service, shared by the embedded broker and the external
 * consumer: split the payload into numbered records, hand them over with the topic's id, count the outcome.
 * When the service's write queue is over its bound it waits for the queue to drain first, so the caller (which
 * holds the acknowledgement until this resolves) throttles the producer instead of growing memory.
 */
export function mqttIngest(deps: MqttIngestDeps, broker: BrokerKind): IngestMessage {
  const { service, metrics } = deps;
  const logRejected = throttledWarn(deps.log, 'MQTT ingest: record rejected');
  return async (route, topic, payload, credentialId) => {
    if (service.saturated()) await service.drained();
    const lines = splitMqttPayload(payload);
    const source = { transport: 'mqtt' as const, credentialId, topic };
    let result: IngestResult;
    try {
      result =
        route.kind === 'network'
          ? await service.acceptNetwork(lines, source, { topicIccid: route.iccid })
          : await service.acceptTelemetry(lines, source, { topicDeviceId: route.deviceId });
    } catch (e) {
      metrics.mqttMessages.inc({ broker, kind: route.kind, outcome: 'failed' });
      throw e;
    }
    metrics.mqttMessages.inc({ broker, kind: route.kind, outcome: 'stored' });
    // Records by outcome are counted by the service (iotops_ingest_records_total{transport="mqtt"}).
    for (const r of result.rejected) logRejected({ topic, credentialId, line: r.line, error: r.error });
    return result;
  };
}

/**
 * A producer stuck on a bad record can send thousands a second: log the first few per window with their reason
 * (the contract asks for it) and then only how many were left out; every one is counted and stored anyway.
 */
function throttledWarn(log: Logger, msg: string, perWindow = 20, windowMs = 10_000) {
  let windowStart = 0;
  let logged = 0;
  let suppressed = 0;
  return (fields: Record<string, unknown>) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0)
        log.warn({ suppressed }, `${msg}: ${suppressed} more not logged (see GET /api/v1/ingest/errors)`);
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged < perWindow) {
      logged++;
      log.warn(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, forLog(v)])), msg);
    } else suppressed++;
  };
}

/**
 * A value from a producer as it goes into a log line: topics, client ids and user names may be 64 KB each in MQTT,
 * and a rejection's error quotes the record; a log line stays short whatever was sent.
 */
export const forLog = (value: unknown): unknown => clipTo(value, LOG_VALUE_MAX);
const LOG_VALUE_MAX = 200;
