import { type Line, parseNetworkEvent, parseTelemetry } from '../contract.ts';
import type { IngestResult, IngestSource } from '../ingest.service.ts';
import type { IngestPort } from './mqtt-ingest.ts';

export type RecordedCall = {
  kind: 'network' | 'telemetry';
  lines: Line[];
  source: IngestSource;
  topicId: string | undefined;
  result: IngestResult;
  /** performance.now() when the call resolved (the "commit"). */
  committedAt: number;
};

/**
 * The transport tests' stand-in for the ingest service: parses with the real contract, "commits" after a
 * configurable delay, can fail writes (database down) and be saturated. It records what it got, so a test checks
 * what reached the service and when.
 */
export class FakeIngestService implements IngestPort {
  calls: RecordedCall[] = [];
  delayMs = 0;
  /**
   * Delay only this topic's messages: other test files publish to the same broker topics at the same time, and
   * their messages must not queue behind this test's slow commits.
   */
  delayTopicId: string | null = null;
  failWrites = false;
  private credentials = new Map<string, { id: number; password: string }>();
  private isSaturated = false;
  private drainWaiters: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  private callWaiters: { n: number; resolve: () => void }[] = [];

  addCredential(username: string, password: string, id: number) {
    this.credentials.set(username, { id, password });
  }

  async verifyCredential(username: string, password: string) {
    const c = this.credentials.get(username);
    return c && c.password === password ? { id: c.id } : null;
  }

  saturated() {
    return this.isSaturated;
  }

  drained() {
    if (!this.isSaturated) return Promise.resolve();
    for (const w of this.heldWaiters.splice(0)) w();
    return new Promise<void>((r) => this.drainWaiters.push(r));
  }

  /** Resolves when a transport waits for the drain: a message is being held (tests wait for this, not a sleep). */
  whenHeld(): Promise<void> {
    if (this.drainWaiters.length > 0) return Promise.resolve();
    return new Promise((r) => this.heldWaiters.push(r));
  }

  setSaturated(on: boolean) {
    this.isSaturated = on;
    if (!on) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Resolves once `n` calls have committed. */
  waitForCalls(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ n, resolve }));
  }

  acceptNetwork(lines: Line[], source: IngestSource, opts: { topicIccid?: string } = {}) {
    return this.accept('network', lines, source, opts.topicIccid, (v) => parseNetworkEvent(v, opts));
  }

  acceptTelemetry(lines: Line[], source: IngestSource, opts: { topicDeviceId?: string } = {}) {
    return this.accept('telemetry', lines, source, opts.topicDeviceId, (v) => parseTelemetry(v, opts));
  }

  private async accept(
    kind: RecordedCall['kind'],
    lines: Line[],
    source: IngestSource,
    topicId: string | undefined,
    parse: (v: unknown) => { ok: true } | { ok: false; reason: string; message: string },
  ): Promise<IngestResult> {
    if (this.delayMs > 0 && (this.delayTopicId === null || this.delayTopicId === topicId))
      await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWrites) throw new Error('database unavailable (fake)');
    const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
    for (const l of lines) {
      const p = 'rejection' in l ? l.rejection : parse(l.value);
      if (p.ok) result.accepted++;
      else result.rejected.push({ line: l.line, error: `${p.reason}: ${p.message}`, reason: p.reason });
    }
    this.calls.push({ kind, lines, source, topicId, result, committedAt: performance.now() });
    for (const w of this.callWaiters.filter((w) => this.calls.length >= w.n)) {
      this.callWaiters.splice(this.callWaiters.indexOf(w), 1);
      w.resolve();
    }
    return result;
  }
}
