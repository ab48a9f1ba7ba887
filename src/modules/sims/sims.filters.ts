/**
 * Turning what a caller typed (path ICCIDs, list/bulk filters, cursors) into what the repository takes,
 * with every rejection naming the field and value. Pure functions: no database.
 */
import { cursorParts, encodeCursor, isCursorId, isCursorTime } from '../../platform/cursor.ts';
import { type ErrorDetail, invalid } from '../../platform/errors.ts';
import { type Checked, checkIccid } from './identifiers.ts';
import { SimsErrors as E } from './sims.errors.ts';
import type { NetworkFilter } from './sims.network-filter.ts';
import type { Keyset, PrefixRange, SimWhere, SortKey } from './sims.repo.ts';
import type { SimFilter } from './sims.schemas.ts';

/** A path ICCID (19 or 20 digits) → the stored 19-digit body, or 400. */
export function parseIccid(raw: string, field = 'iccid'): string {
  const c = checkIccid(raw);
  if (!c.ok)
    throw invalid(E.iccidInvalid, `ICCID ${raw} is invalid: ${c.reason}`, [{ field, value: raw, reason: c.reason }]);
  return c.value;
}

/** Collects identifier problems so one answer lists all of them; `code` is that of the first. */
export class Problems {
  readonly details: ErrorDetail[] = [];
  private code: string | undefined;

  check(c: Checked, code: string, field: string, raw: string): string {
    if (c.ok) return c.value;
    this.code ??= code;
    this.details.push({ field, value: raw, reason: c.reason });
    return raw;
  }

  add(code: string, d: ErrorDetail) {
    this.code ??= code;
    this.details.push(d);
  }

  throwIfAny(what: string) {
    if (this.code === undefined) return;
    const first = this.details[0]!;
    const more = this.details.length > 1 ? ` (and ${this.details.length - 1} more)` : '';
    throw invalid(this.code, `${what}: ${first.field} ${String(first.value)} ${first.reason}${more}`, this.details);
  }
}

/** The smallest digit string above every string starting with `p`; null when p is all nines. */
export function prefixUpperBound(p: string): string | null {
  for (let i = p.length - 1; i >= 0; i--) {
    const d = p.charCodeAt(i) - 48;
    if (d < 9) return p.slice(0, i) + String(d + 1);
  }
  return null;
}

function prefixRange(field: string, raw: string, maxLen: number): PrefixRange {
  let p = raw.trim();
  if (field === 'msisdn' && p.startsWith('+')) p = p.slice(1);
  if (field === 'iccid' && p.length === 20) p = parseIccid(p, 'iccid');
  if (!/^\d+$/.test(p) || p.length > maxLen) {
    throw invalid(E.prefixInvalid, `${field} prefix ${raw} is invalid`, [
      { field, value: raw, reason: `must be 1–${maxLen} digits` },
    ]);
  }
  return { from: p, to: prefixUpperBound(p) };
}

/** The filter fields that need no database (the account part is resolved by the service into a reach). */
export function filterWhere(f: SimFilter): Omit<SimWhere, 'tenantId' | 'accountIds'> {
  return {
    states: f.states,
    communicationPlanId: f.communicationPlanId,
    ratePlanId: f.ratePlanId,
    iccid: f.iccid === undefined ? undefined : prefixRange('iccid', f.iccid, 20),
    imsi: f.imsi === undefined ? undefined : prefixRange('imsi', f.imsi, 15),
    msisdn: f.msisdn === undefined ? undefined : prefixRange('msisdn', f.msisdn, 15),
    label: f.label,
    network: networkFilter(f),
  };
}

/** The network part of a filter (undefined when none is asked: the list then reads no network state). */
function networkFilter(f: SimFilter): NetworkFilter | undefined {
  if (f.networkStates === undefined && f.lastSeenBefore === undefined && f.lastSeenAfter === undefined && !f.failing)
    return undefined;
  return {
    states: f.networkStates,
    seenBefore: f.lastSeenBefore === undefined ? undefined : new Date(f.lastSeenBefore),
    seenAfter: f.lastSeenAfter === undefined ? undefined : new Date(f.lastSeenAfter),
    failing: f.failing,
  };
}

const cursorError = (cursor: string) =>
  invalid(E.cursorInvalid, 'Invalid cursor', [
    { field: 'cursor', value: cursor, reason: 'not a cursor from this list with this sort and order' },
  ]);

const STATE_TEXT = /^[A-Z_]{1,30}$/;

export const encodeListCursor = (k: Keyset, key: string, id: number) => encodeCursor([k.sort, k.dir, key, id]);

/** Opaque keyset cursor: [sort, order, sort value, id]. It only fits the sort and order it was made for. */
export function decodeListCursor(cursor: string, sort: SortKey, dir: 'asc' | 'desc'): Keyset['after'] {
  const v = cursorParts(cursor, 4);
  if (!v || v[0] !== sort || v[1] !== dir) throw cursorError(cursor);
  const [, , key, id] = v;
  if (typeof key !== 'string' || !isCursorId(id)) throw cursorError(cursor);
  const shapeOk = sort === 'iccid' ? /^\d{19}$/.test(key) : sort === 'state' ? STATE_TEXT.test(key) : isCursorTime(key);
  if (!shapeOk) throw cursorError(cursor);
  return { key, id };
}

export const encodeHistoryCursor = (id: number) => Buffer.from(`h${id}`).toString('base64url');

export function decodeHistoryCursor(cursor: string): number {
  const m = /^h(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw cursorError(cursor);
  return Number(m[1]);
}
