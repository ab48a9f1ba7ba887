/**
 * The simulation proper, free of I/O and wall clocks: every member's actors sit in a min-heap keyed by the
 * simulated instant they want to act at; `until(t)` steps them in time order and returns the records up to t.
 * The same fleet, seed, start and scenario always give the same records with the same ids, however fast or slow
 * the caller drains them.
 */
import type { SimCommand } from './commands.ts';
import { type Clearance, FaultBook, type GroundTruth, type Resolved } from './faults.ts';
import type { FleetMember } from './fleet.ts';
import { NetworkActor, type NetworkWire } from './network.ts';
import { hasTelemetry, TelemetryActor, type TelemetryWire } from './telemetry.ts';

export type SimRecord =
  | { kind: 'network'; key: string; body: NetworkWire }
  | { kind: 'telemetry'; key: string; body: TelemetryWire };

/** `gen`: the network actor's generation when scheduled; a command bumps it, making older entries stale. */
type Entry = { at: number; seq: number; gen: number; actor: NetworkActor | TelemetryActor };

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
  /** Faults network commands ended (a configuration SMS fixing an APN typo), in the order they happened. */
  readonly cleared: Clearance[] = [];
  private readonly seed: number;
  private readonly byIccid = new Map<string, NetworkActor>();

  constructor(opts: EngineOptions) {
    this.seed = opts.seed;
    this.runTag = Math.floor(opts.start / 1000).toString(36);
    const book = new FaultBook(opts.resolved);
    const ctx = {
      seed: opts.seed,
      runTag: this.runTag,
      start: opts.start,
      affected: (g: GroundTruth) => this.discovered.push(g),
      cleared: (c: Clearance) => this.cleared.push(c),
    };
    for (const m of opts.fleet) {
      const n = new NetworkActor(m, book, ctx);
      this.byIccid.set(m.iccid.slice(0, 19), n);
      n.scheduledAt = n.firstAt();
      this.heap.push({ at: n.scheduledAt, seq: this.seq++, gen: 0, actor: n });
      if (hasTelemetry(m)) {
        const a = new TelemetryActor(m, book, ctx);
        this.heap.push({ at: a.firstAt(), seq: this.seq++, gen: 0, actor: a });
      }
    }
  }

  /**
   * A network command for one SIM (19 or 20 digits), applied at simulated instant `at`: the SIM's actor is stepped
   * then, whatever it had planned. False when the SIM is not in this fleet. Callers pass an instant after what
   * `until` already returned; the same commands at the same instants always give the same records.
   */
  command(c: SimCommand, at: number): boolean {
    const actor = this.byIccid.get(c.iccid.slice(0, 19));
    if (!actor) return false;
    actor.command(c, at);
    // The actor keeps any earlier step it had planned; its step answers the command's instant when that is next.
    const when = Math.min(Math.round(at), actor.scheduledAt);
    actor.scheduledAt = when;
    this.heap.push({ at: when, seq: this.seq++, gen: actor.gen, actor });
    return true;
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
      if (top.actor instanceof NetworkActor && top.gen !== top.actor.gen) continue;
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
      const gen = actor instanceof NetworkActor ? actor.gen : 0;
      const when = Number.isFinite(next) ? Math.max(at + 1, Math.round(next)) : Number.POSITIVE_INFINITY;
      if (actor instanceof NetworkActor) actor.scheduledAt = when;
      if (Number.isFinite(when)) this.heap.push({ at: when, seq: this.seq++, gen, actor });
    }
    return out;
  }
}
