import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process (tests create their own app, so not a module singleton). */
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'iotops_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'iotops_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'iotops_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    simImportRows: new Counter({
      name: 'iotops_sim_import_rows_total',
      help: 'SIM import rows by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    ingestRecords: new Counter({
      name: 'iotops_ingest_records_total',
      help: 'Ingest records by kind (network, telemetry), transport (mqtt, http) and outcome (accepted, duplicate, rejected)',
      labelNames: ['kind', 'transport', 'outcome'] as const,
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: 'iotops_ingest_rejected_total',
      help: 'Refused ingest records by kind and reason (the contract reason codes, as in GET /api/v1/ingest/errors)',
      labelNames: ['kind', 'reason'] as const,
      registers: [registry],
    }),
    ingestOrphans: new Counter({
      name: 'iotops_ingest_orphans_total',
      help: 'Stored records for an ICCID / deviceId iotops does not know (yet), by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    ingestBatchSize: new Histogram({
      name: 'iotops_ingest_batch_records',
      help: 'Records per durable write (one transaction)',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000],
      registers: [registry],
    }),
    ingestWriteSeconds: new Histogram({
      name: 'iotops_ingest_write_seconds',
      help: 'From a record being received to its batch being committed (what a producer waits for its ack)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ingestLag: new Histogram({
      name: 'iotops_ingest_lag_seconds',
      help: "Age of records when committed: commit time minus the record's ts (network/producer delay + ours)",
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 86400],
      registers: [registry],
    }),
    ingestQueued: new Gauge({
      name: 'iotops_ingest_queued_records',
      help: 'Records waiting for their durable write (bounded by INGEST_QUEUE_MAX: transports pause above it)',
      registers: [registry],
    }),
    mqttMessages: new Counter({
      name: 'iotops_ingest_mqtt_messages_total',
      help: 'MQTT ingest messages by broker (embedded, external), kind (network, telemetry) and outcome (stored = acknowledged after the write, failed = write failed, not acknowledged)',
      labelNames: ['broker', 'kind', 'outcome'] as const,
      registers: [registry],
    }),
    mqttConnectionsRefused: new Counter({
      name: 'iotops_ingest_mqtt_connections_refused_total',
      help: 'Producer connections the embedded MQTT broker refused, by reason (no_credentials, bad_credentials, unavailable)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    jobsByState: new Gauge({
      name: 'iotops_jobs',
      help: 'Jobs waiting or running, by state (queued, failed = waiting for a retry, running); refreshed by the worker',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'iotops_jobs_finished_total',
      help: 'Job attempts by kind and outcome (done, failed = will retry, dead)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    jobsLag: new Histogram({
      name: 'iotops_jobs_lag_seconds',
      help: 'Delay between a job being due (run_at) and a worker claiming it',
      labelNames: ['kind'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    }),
  };
}
