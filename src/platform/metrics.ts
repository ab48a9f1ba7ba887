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
