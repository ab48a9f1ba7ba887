import type { ErrorDetail } from '../errors.ts';

/**
 * What every JSON body must be before any route sees it (issue 13: 48 of 60 write routes answered 500 to deep
 * nesting, NUL and lone surrogates reached PostgreSQL). Checked once, where JSON enters (the content-type parser
 * in app.ts), so no route can forget it:
 * - nesting at most MAX_JSON_DEPTH levels (validators and serialisers recurse; 50,000 nested arrays overflowed
 *   the stack while the error was being written);
 * - no NUL character in a string or key (PostgreSQL text cannot hold it);
 * - no lone UTF-16 surrogate (not Unicode: stored as U+FFFD or refused by the database);
 * - no `__proto__` key, nor `constructor.prototype` (prototype poisoning).
 * The walk is iterative: a hostile body must not be able to overflow it either.
 */
export const MAX_JSON_DEPTH = 64;

export function jsonBodyProblem(root: unknown): ErrorDetail | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const p = stringProblem(value);
      if (p) return { field: path || 'body', value: clip(value), reason: p };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return { field: path || 'body', reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const full = path ? `${path}.${key}` : key;
      const at = full.length > MAX_ECHO ? `${full.slice(0, MAX_ECHO)}…` : full;
      const p = stringProblem(key);
      if (p) return { field: at, reason: `key ${p}` };
      if (key === '__proto__') return { field: at, reason: 'the key "__proto__" is not allowed' };
      if (key === 'constructor' && v !== null && typeof v === 'object' && 'prototype' in v)
        return { field: at, reason: 'the key "constructor" with a "prototype" inside is not allowed' };
      stack.push({ value: v, path: full, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Whether a parsed value nests deeper than `max` levels, walked without recursion. For parsers of their own
 * (the ingest batch routes read raw text): JSON.parse takes any depth, but JSON.stringify and every recursive
 * walk after it overflow the stack on 50,000 levels.
 */
export function nestedDeeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= max) return true;
    for (const v of Array.isArray(value) ? value : Object.values(value)) stack.push([v, depth + 1]);
  }
  return false;
}

export function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (!s.isWellFormed()) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** Echoed values are cut: an error must never be (much) larger than the request that caused it. */
export const MAX_ECHO = 200;
export function clip(value: unknown): unknown {
  return clipTo(value, MAX_ECHO);
}

/** A text cut to `max` characters, marked with '…' when it was. */
export const clipText = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** `clip` to `max` characters (a string, or an object's JSON text when that is longer), for answers that list many. */
export function clipTo(value: unknown, max: number): unknown {
  if (typeof value === 'string') return clipText(value, max);
  if (value === null || typeof value !== 'object') return value;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return '[unprintable]';
  }
  return text.length > max ? clipText(text, max) : value;
}
