import { describe, expect, it } from 'vitest';
import { charsetProblem } from './charset.ts';

describe('charsetProblem', () => {
  it('accepts no charset, UTF-8 in any spelling and US-ASCII', () => {
    for (const ct of [
      undefined,
      'text/csv',
      'text/csv; charset=utf-8',
      'application/json;charset="UTF-8"',
      'text/csv; charset=US-ASCII',
    ])
      expect(charsetProblem(ct), String(ct)).toBeNull();
  });

  it('refuses any other declared charset with 415, naming it and how to convert', () => {
    const e = charsetProblem('text/csv; charset=latin1');
    expect(e).toMatchObject({ kind: 'unsupported_media', code: 'request.charset_unsupported' });
    expect(e?.message).toMatch(/not latin1: convert it \(e\.g\. iconv -f latin1 -t utf-8\)/);
    expect(e?.details).toEqual([
      { field: 'content-type', value: 'text/csv; charset=latin1', reason: 'charset latin1 is not UTF-8' },
    ]);
    expect(charsetProblem('application/json; charset=utf-16')?.kind).toBe('unsupported_media');
  });
});
