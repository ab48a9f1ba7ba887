/**
 * Is the APN a device asked for one of its plan's APNs, a probable typo of one, or something else?
 *
 * APN network identifiers compare case-insensitively (3GPP TS 23.003 §9.1), so "IoT.SIM" IS "iot.sim": a case
 * difference is never a typo. A device may also send the full APN with the operator identifier
 * ("iot.sim.mnc007.mcc240.gprs"); that suffix is not part of the name the plan lists.
 *
 * A near miss is measured with the optimal-string-alignment (restricted Damerau-Levenshtein) distance: one letter
 * replaced, added, dropped, or two neighbours swapped costs 1 — the mistakes a technician typing on a device
 * keypad makes. Distance 1 is a typo for any APN of 3+ characters; distance 2 only for long APNs (≥ 10), where two
 * slips still leave the intended name obvious, while two short APNs two letters apart are simply different names.
 * One more slip is common enough to name apart: the right name with the wrong ending ("gps.logix.com" for
 * "gps.logix.eu") — every label the same but the last, and at least two labels before it.
 */

export type ApnEdit = 'substitution' | 'insertion' | 'deletion' | 'transposition' | 'two_edits' | 'wrong_domain_ending';

export type ApnMatch =
  /** Asked for a plan APN (the plan's spelling). */
  | { kind: 'in_plan'; apn: string }
  /** A near miss of `apn` (the plan's APN the device most likely meant). */
  | { kind: 'typo'; apn: string; distance: 1 | 2 | 3; edit: ApnEdit }
  | { kind: 'not_in_plan' };

/** Shortest APN a distance-1 miss counts as a typo of, and shortest one a distance-2 miss does. */
export const TYPO_MIN_LENGTH = 3;
export const TWO_EDIT_MIN_LENGTH = 10;

const OPERATOR_SUFFIX = /\.mnc\d{3}\.mcc\d{3}\.gprs$/;

/** The network identifier as compared: trimmed, lower case, without the operator identifier suffix. */
export const apnKey = (apn: string) => apn.trim().toLowerCase().replace(OPERATOR_SUFFIX, '');

/**
 * Optimal string alignment distance; gives up (returning max + 1) once two rows in a row cost more than `max`
 * everywhere, so a far miss costs a few rows, not the whole table.
 */
export function osaDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  let prevMin = 0;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    // Later cells derive from this row and the one before (a swap reaches back two rows), never from older ones.
    if (rowMin > max && prevMin > max) return max + 1;
    prevMin = rowMin;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

function editOf(asked: string, meant: string, distance: number): ApnEdit {
  if (distance === 2) return 'two_edits';
  if (asked.length > meant.length) return 'insertion';
  if (asked.length < meant.length) return 'deletion';
  const diff: number[] = [];
  for (let i = 0; i < asked.length && diff.length < 3; i++) if (asked[i] !== meant[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0]! + 1 ? 'transposition' : 'substitution';
}

/** Matches `asked` against the plan's APNs; on a tie between two near misses the plan's first APN is named. */
export function matchApn(asked: string, planApns: readonly string[]): ApnMatch {
  const key = apnKey(asked);
  for (const apn of planApns) if (apnKey(apn) === key) return { kind: 'in_plan', apn };
  let best: { apn: string; distance: number } | null = null;
  for (const apn of planApns) {
    const meant = apnKey(apn);
    if (meant.length < TYPO_MIN_LENGTH) continue;
    const max = meant.length >= TWO_EDIT_MIN_LENGTH ? 2 : 1;
    const d = osaDistance(key, meant, max);
    if (d <= max && (best === null || d < best.distance)) best = { apn, distance: d };
  }
  if (best === null) {
    const ending = planApns.find((apn) => sameButEnding(key, apnKey(apn)));
    return ending ? { kind: 'typo', apn: ending, distance: 3, edit: 'wrong_domain_ending' } : { kind: 'not_in_plan' };
  }
  const distance = best.distance === 2 ? 2 : 1;
  return { kind: 'typo', apn: best.apn, distance, edit: editOf(key, apnKey(best.apn), distance) };
}

/** "gps.logix.com" and "gps.logix.eu": the same labels but the last one, with two or more labels before it. */
function sameButEnding(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  if (x.length !== y.length || x.length < 3) return false;
  return x.slice(0, -1).join('.') === y.slice(0, -1).join('.') && x.at(-1) !== y.at(-1);
}

/**
 * What an ESM cause on a session reject says about the APN: 27 "missing or unknown APN" — the network has no
 * such APN (a typo, or an APN of another operator); 33 "requested service option not subscribed" — the APN exists
 * but this SIM's subscription does not include it (not in the plan, or not provisioned in the HSS).
 */
export function apnCauseMeaning(cause: number | null): 'unknown_apn' | 'not_subscribed' | null {
  if (cause === 27) return 'unknown_apn';
  if (cause === 33) return 'not_subscribed';
  return null;
}
