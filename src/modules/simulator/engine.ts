/**
 * The simulation proper, free of I/O and wall clocks: every member's actors sit in a min-heap keyed by the
 * simulated instant they want to act at; `until(t)` steps them in time order and returns the records up to t.
 * The same fleet, seed, start and scenario always give the same records with the same ids, however fast or slow
 * the caller drains them.
 */
import { FaultBook, type GroundTruth, type Resolved } from './faults.ts';
import type { FleetMember } from './fleet.ts';
import { NetworkActor, type NetworkWire } from './network.ts';
import { hasTelemetry, TelemetryActor, type TelemetryWire } from './telemetry.ts';

export type SimRecord =
  | { kind: 'network'; key: string; body: NetworkWire }
  | { kind: 'telemetry'; key: string; body: TelemetryWire };

type Entry = { at: number; seq: number; actor: NetworkActor | TelemetryActor };

/** Binary min-heap on (at, seq): seq breaks ties by insertion, which keeps the order deterministic. */
class Heap {
  private readonly a: Entry[] = [];
  get size() {
    return this.a.length;
  }
  peek(): Entry | undefined {
    return this.a[0];
  }
  private less(i: number, j: number) {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
  private swap(i: number, j: number) {
    const t = this.a[i]!;
    this.a[i] = this.a[j]!;
    this.a[j] = t;
  }
  push(e: Entry) {
    this.a.push(e);
    let i = this.a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): Entry | undefined {
    const top = this.a[0];
    const last = this.a.pop();
    if (this.a.length > 0 && last) {
      this.a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.a.length && this.less(l, m)) m = l;
        if (r < this.a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

export type EngineOptions = { fleet: readonly FleetMember[]; seed: number; start: number; resolved: Resolved };

export class Engine {
  private readonly heap = new Heap();
  private seq = 0;
  private counter = 0;
  /** Part of every record id: a rerun with the same seed and start repeats its ids (iotops drops them). */
  readonly runTag: string;
  /** Ground truth known only while running (SIMs that met a PLMN outage). */
  readonly discovered: GroundTruth[] = [];
  private readonly seed: number;

  constructor(opts: EngineOptions) {
    this.seed = opts.seed;
    this.runTag = Math.floor(opts.start / 1000).toString(36);
    const book = new FaultBook(opts.resolved);
    const ctx = {
      seed: opts.seed,
      runTag: this.runTag,
      start: opts.start,
      affected: (g: GroundTruth) => this.discovered.push(g),
    };
    for (const m of opts.fleet) {
      const n = new NetworkActor(m, book, ctx);
      this.heap.push({ at: n.firstAt(), seq: this.seq++, actor: n });
      if (hasTelemetry(m)) {
        const a = new TelemetryActor(m, book, ctx);
        this.heap.push({ at: a.firstAt(), seq: this.seq++, actor: a });
      }
    }
  }

  private id() {
    return `sim-${this.seed}-${this.runTag}-${(this.counter++).toString(36)}`;
  }

  /** The earliest instant anything is due (Infinity when every actor is done). */
  nextAt(): number {
    return this.heap.peek()?.at ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Steps every actor due at or before `t` and returns their records, in time order; stops early once `max`
   * records are out (the rest stays due, so a caller can drain in bounded slices).
   */
  until(t: number, max = Number.POSITIVE_INFINITY): SimRecord[] {
    const out: SimRecord[] = [];
    while (out.length < max) {
      const top = this.heap.peek();
      if (!top || top.at > t) break;
      this.heap.pop();
      const at = top.at;
      const ts = new Date(at).toISOString();
      const actor = top.actor;
      let next: number;
      if (actor instanceof NetworkActor) {
        const m = actor.m;
        next = actor.step(at, (e) =>
          out.push({ kind: 'network', key: m.iccid, body: { id: this.id(), ts, iccid: m.iccid, imsi: m.imsi, ...e } }),
        );
      } else {
        const deviceId = actor.m.deviceId!;
        next = actor.step(at, (metrics) =>
          out.push({ kind: 'telemetry', key: deviceId, body: { id: this.id(), ts, deviceId, metrics } }),
        );
      }
      // Integer milliseconds keep timestamps exact; an actor never steps twice at the same instant.
      if (Number.isFinite(next)) this.heap.push({ at: Math.max(at + 1, Math.round(next)), seq: this.seq++, actor });
    }
    return out;
  }
}
