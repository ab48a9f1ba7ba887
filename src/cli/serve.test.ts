import { describe, expect, it } from 'vitest';
import { parseRoles } from './serve.ts';

describe('serve --roles', () => {
  it('takes api, worker or both, ignoring spaces and repeats', () => {
    expect(parseRoles('api')).toEqual(['api']);
    expect(parseRoles('api, worker,api')).toEqual(['api', 'worker']);
  });
  it('names unknown roles and lists the available ones', () => {
    expect(() => parseRoles('api,ingest')).toThrow('--roles: unknown role(s) ingest; available: api, worker');
    expect(() => parseRoles('')).toThrow('unknown role(s)');
  });
});
