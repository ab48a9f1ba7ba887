import { describe, expect, it } from 'vitest';
import { parseRoles } from './serve.ts';

describe('serve --roles', () => {
  it('takes api, worker, ingest or several, ignoring spaces and repeats', () => {
    expect(parseRoles('api')).toEqual(['api']);
    expect(parseRoles('api, worker,api')).toEqual(['api', 'worker']);
    expect(parseRoles('ingest')).toEqual(['ingest']);
  });
  it('names unknown roles and lists the available ones', () => {
    expect(() => parseRoles('api,mail')).toThrow('--roles: unknown role(s) mail; available: api, worker, ingest');
    expect(() => parseRoles('')).toThrow('unknown role(s)');
  });
});
