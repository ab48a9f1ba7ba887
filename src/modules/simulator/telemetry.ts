/**
 * A device's own measurements (telemetry contract): routers report link utilisation, machines wear of their
 * named parts and a production counter, vending machines stock levels of their items. Values evolve from the
 * previous ones (wear only rises, counters only grow, stock drains and is refilled), so the series look real.
 */
import type { FaultBook } from './faults.ts';
import type { FleetMember } from './fleet.ts';
import { HOUR, hourOf, MIN } from './profiles.ts';
import { memberRng, type Rng } from './rng.ts';

export type TelemetryWire = { id: string; ts: string; deviceId: string; metrics: Record<string, number> };
export type TelemetryEmit = (metrics: Record<string, number>) => void;

const EVERY = { router: 5 * MIN, machine: 15 * MIN, vending: 15 * MIN } as const;
const round2 = (x: number) => Math.round(x * 100) / 100;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Whether a member publishes telemetry at all: it needs a device, and a class that measures something. */
export const hasTelemetry = (m: FleetMember) => m.deviceId !== undefined && m.deviceClass in EVERY;

export class TelemetryActor {
  private readonly r: Rng;
  private readonly every: number;
  private last: number;
  private readonly wear = new Map<string, { pct: number; perHour: number }>();
  private readonly stock = new Map<string, { pct: number; perHour: number; refillAt: number | null }>();
  private units: number;
  private readonly unitsPerHour: number;
  /** Values at the start of a degrading/draining fault, so the fault ramps from where the device was. */
  private readonly rampFrom = new Map<string, number>();

  readonly m: FleetMember;
  private readonly book: FaultBook;
  private readonly ctx: { seed: number; start: number };

  constructor(m: FleetMember, book: FaultBook, ctx: { seed: number; start: number }) {
    this.m = m;
    this.book = book;
    this.ctx = ctx;
    this.r = memberRng(ctx.seed, m.iccid, 'telemetry');
    this.every = EVERY[m.deviceClass as keyof typeof EVERY];
    this.last = ctx.start;
    for (const part of m.wearParts)
      this.wear.set(part, { pct: this.r.between(5, 60), perHour: this.r.between(0.002, 0.02) });
    for (const item of m.consumables)
      this.stock.set(item, { pct: this.r.between(30, 100), perHour: this.r.between(1, 6), refillAt: null });
    this.units = this.r.int(10_000, 2_000_000);
    this.unitsPerHour = this.r.between(20, 120);
  }

  firstAt(): number {
    return this.ctx.start + Math.floor(this.r.between(0, this.every));
  }

  step(t: number, emit: TelemetryEmit): number {
    const silent = this.book.own(this.m, 'device_silent', t);
    if (silent) {
      this.last = silent.to ?? t;
      return silent.to ?? Number.POSITIVE_INFINITY;
    }
    const hours = (t - this.last) / HOUR;
    this.last = t;
    const metrics: Record<string, number> = {};
    if (this.m.deviceClass === 'router') this.router(t, metrics);
    else if (this.m.deviceClass === 'machine') this.machine(t, hours, metrics);
    else this.vending(t, hours, metrics);
    emit(metrics);
    return t + this.every;
  }

  private router(t: number, out: Record<string, number>) {
    const h = hourOf(t);
    const base = h >= 7 && h < 19 ? 55 : 12;
    const saturating = this.book.own(this.m, 'link_saturating', t);
    out.link_utilization_pct = round2(
      saturating ? this.r.between(95, 100) : clamp(base + this.r.between(-10, 20), 0, 90),
    );
    out.temperature_c = round2(this.r.between(38, 52));
  }

  private machine(t: number, hours: number, out: Record<string, number>) {
    const h = hourOf(t);
    const day = new Date(t).getUTCDay();
    const onShift = h >= 6 && h < 22 && day !== 0;
    const degrade = this.book.own(this.m, 'wear_degrading', t);
    let failed = false;
    for (const [part, w] of this.wear) {
      const key = `wear/${part}`;
      if (degrade && (degrade.part ?? this.m.wearParts[0]) === part) {
        if (!this.rampFrom.has(key)) this.rampFrom.set(key, w.pct);
        const from = this.rampFrom.get(key)!;
        const progress = clamp((t - degrade.from) / degrade.over, 0, 1);
        w.pct = Math.max(w.pct, from + (degrade.reachPct - from) * progress);
      } else {
        if (this.rampFrom.delete(key)) w.pct = this.r.between(0, 2); // the fault ended: the part was replaced
        if (onShift) w.pct = Math.min(100, w.pct + w.perHour * hours);
      }
      if (w.pct >= 100) failed = true;
      out[`wear_pct.${part}`] = round2(w.pct);
    }
    // A failed part stops the line: the counter stands still.
    if (onShift && !failed) this.units += Math.round(this.unitsPerHour * hours * this.r.between(0.8, 1.2));
    out.production_units = this.units;
    out.temperature_c = round2(onShift ? this.r.between(45, 70) : this.r.between(20, 30));
    if (failed) out.fault_code = 1;
  }

  private vending(t: number, hours: number, out: Record<string, number>) {
    const h = hourOf(t);
    const open = h >= 7 && h < 22;
    const drain = this.book.own(this.m, 'stock_draining', t);
    for (const [item, s] of this.stock) {
      const key = `stock/${item}`;
      if (drain && (drain.item ?? this.m.consumables[0]) === item) {
        if (!this.rampFrom.has(key)) this.rampFrom.set(key, s.pct);
        const from = this.rampFrom.get(key)!;
        s.pct = Math.min(s.pct, from * (1 - clamp((t - drain.from) / drain.over, 0, 1)));
        s.refillAt = null;
      } else {
        if (this.rampFrom.delete(key)) s.pct = 100; // the fault ended: the machine was refilled
        if (open) s.pct = Math.max(0, s.pct - s.perHour * hours * this.r.between(0.5, 1.5));
        // The route driver comes some hours after stock runs low.
        if (s.pct < 15 && s.refillAt === null) s.refillAt = t + this.r.between(2 * HOUR, 12 * HOUR);
        if (s.refillAt !== null && t >= s.refillAt) {
          s.pct = 100;
          s.refillAt = null;
        }
      }
      out[`stock_level_pct.${item}`] = round2(s.pct);
    }
    out.temperature_c = round2(this.r.between(3, 7));
  }
}
