import { describe, expect, it } from 'vitest';
import { clip, jsonBodyProblem, MAX_ECHO, MAX_JSON_DEPTH } from './json-body.ts';

const nest = (n: number, inner: unknown = 1): unknown => {
  let v = inner;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};

describe('what every JSON body must be', () => {
  it('takes ordinary bodies, nested up to the limit', () => {
    expect(jsonBodyProblem({ subject: 'Kiruna meters silent', tags: ['a', 'b'], n: 1, ok: true, x: null })).toBeNull();
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH - 1))).toBeNull();
    expect(jsonBodyProblem('emoji 📡 ok')).toBeNull();
  });

  it('refuses nesting past the limit, even 50,000 levels (iterative walk), naming where', () => {
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH + 1))?.reason).toMatch(/nested deeper than 64 levels/);
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    expect(jsonBodyProblem(deep)).toMatchObject({ reason: expect.stringMatching(/nested deeper/) });
  });

  it('refuses NUL and lone surrogates in values and keys, with the field', () => {
    expect(jsonBodyProblem({ accountId: 1, subject: 'a\u0000b' })).toMatchObject({
      field: 'subject',
      value: 'a\u0000b',
      reason: expect.stringMatching(/NUL/),
    });
    expect(jsonBodyProblem({ list: [{ name: 'x\ud800' }] })).toMatchObject({
      field: 'list[0].name',
      reason: expect.stringMatching(/lone UTF-16 surrogate/),
    });
    expect(jsonBodyProblem({ 'k\u0000': 1 })?.reason).toMatch(/^key .*NUL/);
  });

  it('refuses prototype poisoning, saying which key', () => {
    expect(jsonBodyProblem(JSON.parse('{"a":{"__proto__":{"admin":true}}}'))).toMatchObject({
      field: 'a.__proto__',
      reason: 'the key "__proto__" is not allowed',
    });
    expect(jsonBodyProblem({ constructor: { prototype: {} } })?.field).toBe('constructor');
    expect(jsonBodyProblem({ constructor: 'fine as a plain value' })).toBeNull();
  });

  it('cuts echoed values', () => {
    expect(clip('x'.repeat(10_000))).toHaveLength(MAX_ECHO + 1);
    expect(clip({ a: 'short' })).toEqual({ a: 'short' });
    expect(typeof clip({ a: 'y'.repeat(10_000) })).toBe('string');
    expect(clip(nest(100_000))).toBe('[unprintable]');
  });
});
