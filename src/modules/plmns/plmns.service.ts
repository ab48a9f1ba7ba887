import { invalid, notFound } from '../../platform/errors.ts';
import { findPlmn, PLMNS, type Plmn, plmnEntries } from './plmns.data.ts';
import { PlmnsErrors as E } from './plmns.errors.ts';
import type { ListPlmnsInput } from './plmns.schemas.ts';

export type PlmnsService = ReturnType<typeof createPlmnsService>;

/** A stable order for paging: by code, then country, then operator (the reference is static). */
const SORTED: readonly Plmn[] = [...PLMNS].sort(
  (a, b) =>
    a.plmn.localeCompare(b.plmn) ||
    (a.countryCode ?? '').localeCompare(b.countryCode ?? '') ||
    (a.operator ?? '').localeCompare(b.operator ?? ''),
);

const encodeCursor = (index: number) => Buffer.from(`p${index}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^p(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const index = m ? Number(m[1]) : Number.NaN;
  if (!(index >= 0 && index < SORTED.length)) {
    throw invalid(E.cursorInvalid, 'Invalid cursor', [
      { field: 'cursor', value: cursor, reason: 'not a cursor from this list' },
    ]);
  }
  return index;
}

function matches(p: Plmn, q: ListPlmnsInput, needle: string | undefined): boolean {
  if (q.mcc !== undefined && p.mcc !== q.mcc) return false;
  if (q.country !== undefined && !p.countryCodes.includes(q.country)) return false;
  if (needle !== undefined) {
    const hay = `${p.operator ?? ''}\n${p.brand ?? ''}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Read-only use cases over the in-memory reference (ITU E.212 codes from mcc-mnc-list). */
export function createPlmnsService() {
  return {
    list(q: ListPlmnsInput): { items: Plmn[]; nextCursor: string | null } {
      const needle = q.q?.toLowerCase();
      const items: Plmn[] = [];
      let i = q.cursor === undefined ? 0 : decodeCursor(q.cursor) + 1;
      let last = -1;
      for (; i < SORTED.length && items.length < q.limit; i++) {
        const p = SORTED[i]!;
        if (matches(p, q, needle)) {
          items.push(p);
          last = i;
        }
      }
      // Only promise another page if one more match exists, so the last page ends with a null cursor.
      const more = items.length === q.limit && SORTED.slice(last + 1).some((p) => matches(p, q, needle));
      return { items, nextCursor: more ? encodeCursor(last) : null };
    },

    get(plmn: string): { plmn: Plmn; others: readonly Plmn[] } {
      const p = findPlmn(plmn);
      if (!p) {
        throw notFound(E.notFound, `PLMN ${plmn} is not in the MCC+MNC reference`, [
          { field: 'plmn', value: plmn, reason: 'unknown MCC+MNC' },
        ]);
      }
      return { plmn: p, others: plmnEntries(plmn).filter((e) => e !== p) };
    },
  };
}
