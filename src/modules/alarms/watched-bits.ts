/**
 * SIM ids known to have a silence_watch row, a bit each (1M SIMs: 125 kB), for the watch's hot path
 * (silence-watch.ts `watch`). Only set for rows that exist, cleared when this process drops a watch; SIM ids are
 * never reused, so another process dropping one (its SIM gone) leaves a bit no batch will ask about again. Ids past
 * MAX_BIT are simply not remembered (asked of the database each time).
 */
const MAX_BIT = 1 << 28;

export function watchedBits() {
  let bits = new Uint8Array(1 << 14);
  return {
    has: (id: number) => id >= 0 && id < bits.length * 8 && (bits[id >>> 3]! & (1 << (id & 7))) !== 0,
    add(id: number) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_BIT) return;
      if (id >= bits.length * 8) {
        const grown = new Uint8Array(Math.max(bits.length * 2, (id >>> 3) + 1));
        grown.set(bits);
        bits = grown;
      }
      bits[id >>> 3]! |= 1 << (id & 7);
    },
    delete(id: number) {
      if (id >= 0 && id < bits.length * 8) bits[id >>> 3]! &= ~(1 << (id & 7));
    },
  };
}
