/**
 * Valid SIM identifiers for tests and the import benchmark: sequence number n → ICCID (with its Luhn digit),
 * IMSI (MCC 240, Sweden), MSISDN (+46) and IMEI, all unique per n. `base` separates parallel tests.
 */
import { luhnDigit } from '../identifiers.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export type FakeSim = { iccid: string; imsi: string; msisdn: string; imei: string };

export function fakeSim(n: number): FakeSim {
  const body = `8946${pad(n, 15)}`;
  const imeiBody = `35${pad(n % 1e12, 12)}`;
  return {
    iccid: body + String(luhnDigit(body)),
    imsi: `24099${pad(n, 10)}`,
    msisdn: `46${pad(n, 11)}`,
    imei: imeiBody + String(luhnDigit(imeiBody)),
  };
}

/** A random base with room for `room` sequence numbers (n stays below 1e10), so parallel tests rarely collide. */
export const randomBase = (room = 1_000) => Math.floor(Math.random() * (1e10 / room - 1)) * room;
