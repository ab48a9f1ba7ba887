/**
 * Data volumes against rate plans. A reader of the events may count a MB as 10^6 or 2^20 bytes, may or may not
 * count bytes of a session that began before the window or the month, and may count both directions or downlink
 * only; the crossing is shaped so every such reading puts it at the same record, and SIMs that must stay under
 * their allowance stay under it on the most generous reading.
 */
import { monthStartUtc } from './clock.ts';
import type { SimEvent } from './device.ts';
import type { FleetRatePlan } from './truth.ts';

export const MB_DECIMAL = 1_000_000;
export const MB_BINARY = 1_048_576;

const isData = (e: SimEvent) => e.ev.type === 'session_update' || e.ev.type === 'session_end';
const up = (e: SimEvent) => e.ev.bytes_up ?? 0;
const down = (e: SimEvent) => e.ev.bytes_down ?? 0;

/** Sum over sessions of each one's latest cumulative bytes among the given events (ordered by time). */
export function usage(events: readonly SimEvent[], measure: (e: SimEvent) => number = (e) => up(e) + down(e)): number {
  const last = new Map<string, number>();
  for (const e of events) if (isData(e)) last.set(e.ev.session_id ?? '', measure(e));
  let sum = 0;
  for (const v of last.values()) sum += v;
  return sum;
}

function scale(events: readonly SimEvent[], k: number, pick: (e: SimEvent) => boolean = () => true): void {
  if (k >= 1) return;
  for (const e of events) {
    if (!isData(e) || !pick(e)) continue;
    e.ev.bytes_up = Math.floor(up(e) * k);
    e.ev.bytes_down = Math.floor(down(e) * k);
  }
}

/** A SIM that must not cross its per-SIM allowance ends the window below 80 % of it. */
export function governPerSim(events: readonly SimEvent[], includedDataMb: number): void {
  const u = usage(events);
  const cap = 0.8 * includedDataMb * MB_DECIMAL;
  if (u > cap) scale(events, (0.75 * includedDataMb * MB_DECIMAL) / u);
}

/** A pool stays below 80 % of its allowance (whether or not a reader multiplies it by the SIM count). */
export function governPool(sims: readonly (readonly SimEvent[])[], includedDataMb: number): void {
  const u = sims.reduce((s, ev) => s + usage(ev), 0);
  const cap = 0.8 * includedDataMb * MB_DECIMAL;
  if (u <= cap) return;
  const k = (0.75 * includedDataMb * MB_DECIMAL) / u;
  for (const ev of sims) scale(ev, k);
}

export interface Crossing {
  crossedAt: number;
  usageAtCrossing: number;
}

/**
 * Sets the volumes of a SIM whose bulk transfer crosses its allowance at the record marked `crossing`: other
 * traffic stays under half the allowance, the transfer ramps to 85 % of it, and the crossing record takes the
 * downlink of this month's sessions alone past 107 % of the allowance in binary MB.
 */
export function shapeCrossing(events: SimEvent[], rate: FleetRatePlan, from: number, to: number): Crossing | undefined {
  const c = events.find((e) => e.crossing);
  const sid = c?.ev.session_id;
  if (!c || sid === undefined || c.sessionStart === undefined) return undefined;
  const allowance = rate.includedDataMb * MB_DECIMAL;
  const inBulk = (e: SimEvent) => e.ev.session_id === sid;
  const before = (e: SimEvent) => e.ms < c.ms;

  const others = usage(events.filter((e) => !inBulk(e) && before(e)));
  if (others > 0.5 * allowance) scale(events, (0.5 * allowance) / others, (e) => !inBulk(e));
  const ramp = 0.85 * allowance - usage(events.filter((e) => !inBulk(e) && before(e)));
  const span = Math.max(1, c.ms - c.sessionStart);
  for (const e of events) {
    if (!inBulk(e) || !isData(e) || !before(e)) continue;
    const v = (ramp * (e.ms - c.sessionStart)) / span;
    e.ev.bytes_down = Math.floor(v * 0.92);
    e.ev.bytes_up = Math.floor(v * 0.08);
  }
  const prev = events.filter((e) => inBulk(e) && isData(e) && before(e)).at(-1);
  const monthStart = Math.max(from, monthStartUtc(to));
  const counted = events.filter(
    (e) => !inBulk(e) && e.ms <= c.ms && e.sessionStart !== undefined && e.sessionStart >= monthStart,
  );
  const need = Math.ceil(1.07 * rate.includedDataMb * MB_BINARY - usage(counted, down));
  c.ev.bytes_down = Math.max(need, (prev ? down(prev) : 0) + 1);
  c.ev.bytes_up = (prev ? up(prev) : 0) + Math.floor(0.01 * allowance);

  // After the crossing the transfer (and everything else) goes on only where the plan lets it.
  const bps = rate.overageAction.action === 'throttle' ? (rate.overageAction.rateKbps * 1000) / 8 : undefined;
  const step = Math.floor(0.03 * allowance);
  let last = c;
  for (const e of events) {
    if (!inBulk(e) || !isData(e) || e.ms <= c.ms) continue;
    const room = bps === undefined ? step : Math.min(step, Math.floor((bps * (e.ms - last.ms)) / 1000));
    e.ev.bytes_down = down(last) + Math.floor(room * 0.92);
    e.ev.bytes_up = up(last) + Math.floor(room * 0.08);
    last = e;
  }
  if (bps !== undefined) throttleOthers(events, c.ms, bps, inBulk);
  return { crossedAt: c.ms, usageAtCrossing: usage(events.filter((e) => e.ms <= c.ms)) };
}

/** Caps every other session's growth after the crossing at the throttled rate. */
function throttleOthers(events: SimEvent[], after: number, bps: number, skip: (e: SimEvent) => boolean): void {
  const prev = new Map<string, { ms: number; upOld: number; downOld: number; upNew: number; downNew: number }>();
  for (const e of events) {
    if (!isData(e) || skip(e)) continue;
    const sid = e.ev.session_id ?? '';
    const start = e.sessionStart ?? e.ms;
    const zero = { ms: start, upOld: 0, downOld: 0, upNew: 0, downNew: 0 };
    const p = prev.get(sid) ?? (start >= after ? zero : undefined);
    const cur = { ms: e.ms, upOld: up(e), downOld: down(e), upNew: up(e), downNew: down(e) };
    if (p && e.ms > after) {
      const incUp = cur.upOld - p.upOld;
      const incDown = cur.downOld - p.downOld;
      const room = (bps * (e.ms - Math.max(p.ms, after))) / 1000;
      const k = incUp + incDown > room ? room / (incUp + incDown) : 1;
      cur.upNew = p.upNew + Math.floor(incUp * k);
      cur.downNew = p.downNew + Math.floor(incDown * k);
      e.ev.bytes_up = cur.upNew;
      e.ev.bytes_down = cur.downNew;
    }
    prev.set(sid, cur);
  }
}
