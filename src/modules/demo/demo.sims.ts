/**
 * Generates the demo's SIM file in the public import format (sim-import-v1), so the demo is loaded by the same
 * import path customers use. Deterministic (seeded), valid identifiers, a realistic spread of lifecycle states.
 */

import { mulberry32 } from '../../platform/random.ts';
import { luhnDigit } from '../sims/identifiers.ts';
import { DEMO_HOME_PLMN } from './demo.data.ts';

export type DemoSimTarget = {
  accountNumber: string;
  share: number;
  communicationPlan: string;
  ratePlan: string;
  label: string;
};

/** Weighted lifecycle mix of a live provider: mostly active, some stock and test, a tail of ended SIMs. */
const STATE_MIX: [string, number][] = [
  ['ACTIVATED', 62],
  ['INVENTORY', 8],
  ['TEST_READY', 6],
  ['ACTIVATION_READY', 7],
  ['DEACTIVATED', 11],
  ['RETIRED', 4],
  ['REPLACED', 1],
  ['PURGED', 1],
];

function pick(weights: [string, number][], r: number): string {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [v, w] of weights) {
    x -= w;
    if (x < 0) return v;
  }
  return weights[weights.length - 1]![0];
}

/** The demo's n-th SIM: 89 46 07 (Sweden, issuer 07) + 8-digit serial + padding → 19 digits, with its Luhn digit. */
export function demoIccid(serial: number): string {
  const body = `8946070${String(serial).padStart(8, '0')}0000`;
  return body + String(luhnDigit(body));
}

export function* demoSimCsv(targets: DemoSimTarget[], count: number, seed = 7): Generator<string> {
  const random = mulberry32(seed);
  yield 'iccid,imsi,msisdn,imei,account,communication_plan,rate_plan,state,label\n';
  const totalShare = targets.reduce((s, t) => s + t.share, 0);
  let serial = 0;
  for (const [k, t] of targets.entries()) {
    // The last target takes the rounding remainder, so the file has exactly `count` SIMs.
    const n = k === targets.length - 1 ? count - serial : Math.round((count * t.share) / totalShare);
    for (let i = 0; i < n && serial < count; i++, serial++) {
      const iccid = demoIccid(serial);
      const imsi = `${DEMO_HOME_PLMN}${String(100000000 + serial).padStart(10, '0')}`;
      const msisdn = `4670${String(9000000 + serial).padStart(8, '0')}`;
      const tac = '35693803';
      const imeiBody = tac + String(serial).padStart(6, '0');
      const imei = imeiBody + String(luhnDigit(imeiBody));
      const state = pick(STATE_MIX, random());
      yield `${iccid},${imsi},${msisdn},${imei},${t.accountNumber},${t.communicationPlan},${t.ratePlan},${state},${t.label}\n`;
    }
  }
}
