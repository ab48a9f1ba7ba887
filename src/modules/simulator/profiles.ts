/**
 * How each device class uses the network over a day. Hours are UTC (a fleet's local day would shift the curves
 * by its offset; the shapes are what matter to the desk). Rates are means: actors draw exponential gaps around them.
 */
import type { Rat } from '../ingest/contract.ts';
import type { DeviceClass } from './fleet.ts';
import type { Rng } from './rng.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

export type Profile = {
  rats: readonly Rat[];
  /** Mean gap from the end of one session to the next attempt, at this UTC hour. */
  sessionGap(hour: number): number;
  sessionLength(r: Rng): number;
  /** Mean bytes per second up and down while in session, at this UTC hour. */
  rate(hour: number, r: Rng): { up: number; down: number };
  /** Cumulative updates while a session lasts longer than this (the PGW's interim records). */
  updateEvery: number;
  smsPerDay: number;
  voicePerDay: number;
  /** Mean time between changes of visited network (trackers); 0 = stays put. */
  moveEvery: number;
};

const isDay = (h: number, from: number, to: number) => h >= from && h < to;

export const PROFILES: Record<DeviceClass, Profile> = {
  // Smart meters: the nightly reading upload, a couple of small check-ins during the day; seconds-long sessions.
  meter: {
    rats: ['NB-IoT', 'LTE-M'],
    sessionGap: (h) => (isDay(h, 0, 5) ? 1.5 * HOUR : 6 * HOUR),
    sessionLength: (r) => r.between(15_000, 90_000),
    rate: (_h, r) => ({ up: r.between(100, 400), down: r.between(20, 80) }),
    updateEvery: 15 * MIN,
    smsPerDay: 0.2,
    voicePerDay: 0,
    moveEvery: 0,
  },
  // Trackers: position reports all day while trucks move, little at night; they cross borders.
  tracker: {
    rats: ['LTE-M', '4G'],
    sessionGap: (h) => (isDay(h, 6, 20) ? 20 * MIN : 2 * HOUR),
    sessionLength: (r) => r.between(MIN, 5 * MIN),
    rate: (_h, r) => ({ up: r.between(300, 1500), down: r.between(50, 300) }),
    updateEvery: 5 * MIN,
    smsPerDay: 2,
    voicePerDay: 0,
    moveEvery: 6 * HOUR,
  },
  // Routers: always-on sessions that the network cuts now and then, heavy traffic in business hours.
  router: {
    rats: ['4G', '5G'],
    sessionGap: () => 30_000,
    sessionLength: (r) => r.between(4 * HOUR, 24 * HOUR),
    rate: (h, r) =>
      isDay(h, 7, 19)
        ? { up: r.between(20_000, 80_000), down: r.between(100_000, 400_000) }
        : { up: r.between(1_000, 5_000), down: r.between(2_000, 20_000) },
    updateEvery: 15 * MIN,
    smsPerDay: 0.1,
    voicePerDay: 0,
    moveEvery: 0,
  },
  // Industrial machines: production reports during shifts (06–22), a keep-alive at night.
  machine: {
    rats: ['4G', 'LTE-M'],
    sessionGap: (h) => (isDay(h, 6, 22) ? 45 * MIN : 4 * HOUR),
    sessionLength: (r) => r.between(2 * MIN, 10 * MIN),
    rate: (_h, r) => ({ up: r.between(500, 3000), down: r.between(100, 500) }),
    updateEvery: 5 * MIN,
    smsPerDay: 0,
    voicePerDay: 0,
    moveEvery: 0,
  },
  // Vending machines: sales and stock reports every few hours while shops are open.
  vending: {
    rats: ['LTE-M', '4G'],
    sessionGap: (h) => (isDay(h, 7, 22) ? 2.5 * HOUR : 8 * HOUR),
    sessionLength: (r) => r.between(MIN, 3 * MIN),
    rate: (_h, r) => ({ up: r.between(200, 1000), down: r.between(50, 200) }),
    updateEvery: 5 * MIN,
    smsPerDay: 0.5,
    voicePerDay: 0.1,
    moveEvery: 0,
  },
};

export const hourOf = (t: number) => new Date(t).getUTCHours();

/**
 * Time from t to a device's next attempt when its rate follows the hour of the day (a non-homogeneous Poisson
 * process): one Exp(1) draw spent hour by hour at each hour's rate. Drawing one gap at the rate of the instant it
 * is drawn would let a meter that last reported at 23:55 keep the day's 6-hour mean across its whole night upload
 * window, and a tracker parked at dusk stay quiet as long into the working day: silences no such device has.
 */
export function nextGap(sessionGap: (hour: number) => number, t: number, r: Pick<Rng, 'exp'>): number {
  let need = r.exp(1);
  let at = t;
  // A rate of at least one attempt a day (every profile's) spends any draw within weeks; the bound is a guard.
  for (let i = 0; i < 24 * 366; i++) {
    const mean = sessionGap(hourOf(at));
    const hourEnd = (Math.floor(at / HOUR) + 1) * HOUR;
    const room = (hourEnd - at) / mean;
    if (need <= room) return at + need * mean - t;
    need -= room;
    at = hourEnd;
  }
  return at - t;
}
export { HOUR, MIN };
