/**
 * What the simulation hands records to. Both transports keep a bounded number of messages/requests in flight:
 * `send` waits for room, so a slow iotops slows the simulation down instead of filling memory.
 */
import type { SimRecord } from '../engine.ts';

export type Counts = {
  /** Records handed to the transport. */
  published: number;
  /** Records the receiver confirmed (MQTT PUBACK at QoS 1; HTTP accepted + duplicates). */
  acked: number;
  /** Records the receiver refused (HTTP rejected lines; MQTT PUBACK with a failure reason code). */
  rejected: number;
  /** Records iotops already had (HTTP only: MQTT does not say). */
  duplicates: number;
  /** Records lost to transport errors after retries (never confirmed). */
  failed: number;
  /** Messages (MQTT) or requests (HTTP) sent. */
  messages: number;
  /** The first few refusals, for the summary. */
  errors: string[];
};

export const emptyCounts = (): Counts => ({
  published: 0,
  acked: 0,
  rejected: 0,
  duplicates: 0,
  failed: 0,
  messages: 0,
  errors: [],
});
export const MAX_ERRORS = 20;
export function noteError(c: Counts, text: string) {
  if (c.errors.length < MAX_ERRORS) c.errors.push(text);
}

export interface Publisher {
  readonly transport: 'mqtt' | 'http';
  /** Queues the records; resolves once they are in flight (not yet acknowledged). */
  send(records: readonly SimRecord[]): Promise<void>;
  /** Sends what a batch buffer still holds (called at the end of every tick). */
  flush(): Promise<void>;
  /** Waits until nothing is in flight any more. */
  drain(): Promise<void>;
  close(): Promise<void>;
  counts(): Counts;
}

/** Bounded concurrency: at most `max` holders at once; `idle` resolves when none is left. */
export class Window {
  private held = 0;
  private readonly waiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get inFlight() {
    return this.held;
  }
  acquire(): Promise<void> {
    if (this.held < this.max) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.held--;
    if (this.held === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of idle) w();
    }
  }
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

export const NETWORK_TOPIC = (iccid: string) => `iotops/v1/network/${iccid}`;
export const TELEMETRY_TOPIC = (deviceId: string) => `iotops/v1/devices/${deviceId}/telemetry`;
export const topicOf = (r: SimRecord) => (r.kind === 'network' ? NETWORK_TOPIC(r.key) : TELEMETRY_TOPIC(r.key));

/** Consecutive runs of at most `size` records per topic, each run keeping the records' order. */
export function batchesByTopic(records: readonly SimRecord[], size: number): { topic: string; records: SimRecord[] }[] {
  const open = new Map<string, SimRecord[]>();
  const out: { topic: string; records: SimRecord[] }[] = [];
  for (const r of records) {
    const topic = topicOf(r);
    let batch = open.get(topic);
    if (!batch) {
      batch = [];
      open.set(topic, batch);
      out.push({ topic, records: batch });
    }
    batch.push(r);
    if (batch.length >= size) open.delete(topic);
  }
  return out;
}
