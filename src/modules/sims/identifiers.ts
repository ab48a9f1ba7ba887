/**
 * Identifier rules of the SIM import contract (shared/contracts/sim-import-v1.md), as pure functions.
 * Each returns the normalised value or a reason; callers attach line and field.
 * Hot path of the 1M-row import: plain loops, no regex backtracking, no allocation beyond the result.
 */
import { isKnownMcc } from '../plmns/plmns.data.ts';

export type Checked = { ok: true; value: string } | { ok: false; reason: string };

const ok = (value: string): Checked => ({ ok: true, value });
const bad = (reason: string): Checked => ({ ok: false, reason });

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** Luhn check digit (0–9) of a digit string (ITU E.118 Annex B / ISO 7812). */
export function luhnDigit(body: string): number {
  let sum = 0;
  // Double every second digit from the right of the body (the check digit's left neighbour first).
  for (let i = body.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = body.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** ICCID: 19 digits, or 20 whose last is the Luhn digit of the first 19; starts with 89. Stores the 19-digit body. */
export function checkIccid(raw: string): Checked {
  const s = raw.trim();
  if (!allDigits(s)) return bad('must be digits only');
  if (s.length !== 19 && s.length !== 20) return bad(`must be 19 or 20 digits, got ${s.length}`);
  if (s.charCodeAt(0) !== 56 || s.charCodeAt(1) !== 57) return bad('must start with 89 (ITU E.118 telecom)');
  const body = s.slice(0, 19);
  if (s.length === 20) {
    const expected = luhnDigit(body);
    if (s.charCodeAt(19) - 48 !== expected) return bad(`check digit ${s[19]} is wrong (Luhn gives ${expected})`);
  }
  return ok(body);
}

/** The 20-digit ICCID shown to people: body + Luhn digit. */
export const displayIccid = (body: string) => body + String(luhnDigit(body));

/** IMSI (ITU E.212): 14–15 digits, its MCC (first 3) must exist. */
export function checkImsi(raw: string): Checked {
  const s = raw.trim();
  if (!allDigits(s)) return bad('must be digits only');
  if (s.length < 14 || s.length > 15) return bad(`must be 14–15 digits, got ${s.length}`);
  if (!isKnownMcc(s.slice(0, 3))) return bad(`unknown MCC ${s.slice(0, 3)}`);
  return ok(s);
}

/** MSISDN: E.164 digits without '+', at most 15. */
export function checkMsisdn(raw: string): Checked {
  let s = raw.trim();
  if (s.startsWith('+')) s = s.slice(1);
  if (!allDigits(s)) return bad('must be digits only (E.164 without +)');
  if (s.length < 7 || s.length > 15) return bad(`must be 7–15 digits, got ${s.length}`);
  if (s.charCodeAt(0) === 48) return bad('E.164 numbers never start with 0 (give the country code)');
  return ok(s);
}

/** IMEI: 15 digits with valid Luhn, 14 (no check digit), or 16 (IMEISV). */
export function checkImei(raw: string): Checked {
  const s = raw.trim();
  if (!allDigits(s)) return bad('must be digits only');
  if (s.length === 15) {
    const expected = luhnDigit(s.slice(0, 14));
    if (s.charCodeAt(14) - 48 !== expected) return bad(`check digit ${s[14]} is wrong (Luhn gives ${expected})`);
    return ok(s);
  }
  if (s.length === 14 || s.length === 16) return ok(s);
  return bad(`must be 14, 15 or 16 digits, got ${s.length}`);
}

/** EID (eUICC id, GSMA SGP.02): 32 digits. */
export function checkEid(raw: string): Checked {
  const s = raw.trim();
  if (!allDigits(s)) return bad('must be digits only');
  if (s.length !== 32) return bad(`must be 32 digits, got ${s.length}`);
  return ok(s);
}
