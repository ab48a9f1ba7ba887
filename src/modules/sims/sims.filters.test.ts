import { describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors.ts';
import {
  decodeHistoryCursor,
  decodeListCursor,
  encodeHistoryCursor,
  encodeListCursor,
  filterWhere,
  parseIccid,
  prefixUpperBound,
} from './sims.filters.ts';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('prefixUpperBound', () => {
  it('is the next digit string after every string with the prefix', () => {
    expect(prefixUpperBound('8946')).toBe('8947');
    expect(prefixUpperBound('8949')).toBe('895');
    expect(prefixUpperBound('899')).toBe('9');
    expect(prefixUpperBound('999')).toBeNull();
  });

  it('brackets exactly the strings that start with the prefix', () => {
    const p = '2400';
    const hi = prefixUpperBound(p)!;
    for (const s of ['2400', '24001', '240099999', '2401', '2399', '24', '24010']) {
      expect(s >= p && s < hi).toBe(s.startsWith(p));
    }
  });
});

describe('filterWhere', () => {
  it('turns prefixes into ranges; + is optional on MSISDN; a 20-digit ICCID becomes its body', () => {
    const w = filterWhere({ subtree: true, iccid: '89014103211118510720', msisdn: '+4670', imsi: '24007' });
    expect(w.iccid).toEqual({ from: '8901410321111851072', to: '8901410321111851073' });
    expect(w.msisdn).toEqual({ from: '4670', to: '4671' });
    expect(w.imsi).toEqual({ from: '24007', to: '24008' });
  });

  it('rejects a non-digit prefix naming field and value', () => {
    const e = errorOf(() => filterWhere({ subtree: true, imsi: '24x' }));
    expect(e.code).toBe('sims.prefix_invalid');
    expect(e.details[0]).toMatchObject({ field: 'imsi', value: '24x' });
  });
});

describe('parseIccid', () => {
  it('gives the body or a 400 naming the ICCID', () => {
    expect(parseIccid('89014103211118510720')).toBe('8901410321111851072');
    const e = errorOf(() => parseIccid('89014103211118510721'));
    expect(e.kind).toBe('invalid');
    expect(e.details[0]).toMatchObject({ field: 'iccid', value: '89014103211118510721' });
  });
});

describe('cursors', () => {
  it('list cursors round-trip and only fit their sort and order', () => {
    const c = encodeListCursor({ sort: 'createdAt', dir: 'desc' }, '2025-01-02 03:04:05.123456+00', 42);
    expect(decodeListCursor(c, 'createdAt', 'desc')).toEqual({ key: '2025-01-02 03:04:05.123456+00', id: 42 });
    expect(errorOf(() => decodeListCursor(c, 'createdAt', 'asc')).code).toBe('sims.cursor_invalid');
    expect(errorOf(() => decodeListCursor(c, 'iccid', 'desc')).code).toBe('sims.cursor_invalid');
  });

  it('rejects forged cursors before they reach SQL', () => {
    const forged = Buffer.from(JSON.stringify(['createdAt', 'asc', "x'; drop table sims", 1])).toString('base64url');
    expect(errorOf(() => decodeListCursor(forged, 'createdAt', 'asc')).details[0]?.field).toBe('cursor');
    expect(errorOf(() => decodeListCursor('bm9wZQ', 'iccid', 'asc')).code).toBe('sims.cursor_invalid');
  });

  it('history cursors round-trip', () => {
    expect(decodeHistoryCursor(encodeHistoryCursor(123))).toBe(123);
    expect(errorOf(() => decodeHistoryCursor('eHl6')).code).toBe('sims.cursor_invalid');
  });
});
