import type { Line } from '../contract.ts';

/**
 * What the MQTT transport needs of the ingest service (src/modules/ingest/ingest.service.ts). Kept as a narrow
 * port so the broker tests can drive the transport with a recording fake.
 */
export type IngestSource = { transport: 'mqtt' | 'http'; credentialId: number | null; topic?: string };
export type IngestResult = { accepted: number; duplicates: number; rejected: { line: number; error: string }[] };

export interface IngestPort {
  /** Resolves only after commit; rejects only when the database write failed (nothing of the call is stored). */
  acceptNetwork(lines: Line[], source: IngestSource, opts?: { topicIccid?: string }): Promise<IngestResult>;
  acceptTelemetry(lines: Line[], source: IngestSource, opts?: { topicDeviceId?: string }): Promise<IngestResult>;
  /** MQTT username/password → credential id, or null (unknown, revoked, wrong secret). */
  verifyCredential(username: string, password: string): Promise<{ id: number } | null>;
  /** True while the write queue is over its bound: stop taking new messages. */
  saturated(): boolean;
  /** Resolves when the queue drained below the bound. */
  drained(): Promise<void>;
}
