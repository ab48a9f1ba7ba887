import { describe, expect, it } from 'vitest';
import { parseRoles, simulationScenario } from './serve.ts';

describe('serve --roles', () => {
  it('takes api, worker, ingest or several, ignoring spaces and repeats', () => {
    expect(parseRoles('api')).toEqual(['api']);
    expect(parseRoles('api, worker,api')).toEqual(['api', 'worker']);
    expect(parseRoles('ingest')).toEqual(['ingest']);
  });
  it('names unknown roles and lists the available ones', () => {
    expect(() => parseRoles('api,smtp')).toThrow('--roles: unknown role(s) smtp; available: api, worker, ingest, mail');
    expect(parseRoles('api,mail')).toEqual(['api', 'mail']);
    expect(() => parseRoles('')).toThrow('unknown role(s)');
  });
});

describe('start: simulated traffic', () => {
  it('runs on the demo by default, unless IOTOPS_SIMULATE=off or --no-simulate; --simulate runs it on any fleet', () => {
    expect(simulationScenario(undefined, 'on', true)).toMatch(/examples\/scenarios\/demo\.json$/);
    expect(simulationScenario(undefined, 'on', false)).toBeNull();
    expect(simulationScenario(undefined, 'off', true)).toBeNull();
    expect(simulationScenario(false, 'on', true)).toBeNull();
    expect(simulationScenario(true, 'off', false)).toMatch(/demo\.json$/);
    expect(simulationScenario('mine.json', 'off', true)).toBe('mine.json');
  });
});
