import { describe, expect, it } from 'vitest';
import { apnTypo } from '../simulator/faults.ts';
import { apnCauseMeaning, apnKey, matchApn, osaDistance } from './apn-match.ts';

describe('osaDistance', () => {
  it.each([
    ['iot.sim', 'iot.sim', 0],
    ['iot.ism', 'iot.sim', 1], // two neighbours swapped
    ['iot.sin', 'iot.sim', 1], // one substituted
    ['iot.simm', 'iot.sim', 1], // one inserted
    ['io.sim', 'iot.sim', 1], // one dropped
    ['internet', 'iot.sim', 6],
  ])('%s ↔ %s = %i', (a, b, d) => {
    expect(osaDistance(a, b)).toBe(d);
    expect(osaDistance(b, a)).toBe(d);
  });

  it('gives up beyond the bound, answering max + 1', () => {
    expect(osaDistance('internet', 'iot.sim', 1)).toBe(2);
    expect(osaDistance('a', 'abcdef', 2)).toBe(3);
  });
});

describe('matchApn', () => {
  const plan = ['iot.sim', 'corp.private.example'];

  it('an exact APN, or one differing only in case, is the plan APN (a case difference is NOT a typo)', () => {
    expect(matchApn('iot.sim', plan)).toEqual({ kind: 'in_plan', apn: 'iot.sim' });
    expect(matchApn('IoT.SIM', plan)).toEqual({ kind: 'in_plan', apn: 'iot.sim' });
    expect(matchApn(' iot.sim ', plan)).toEqual({ kind: 'in_plan', apn: 'iot.sim' });
  });

  it('the operator identifier suffix is not part of the name', () => {
    expect(apnKey('IOT.SIM.mnc007.mcc240.gprs')).toBe('iot.sim');
    expect(matchApn('iot.sim.mnc007.mcc240.gprs', plan).kind).toBe('in_plan');
  });

  it.each([
    ['iot.ism', 'transposition'],
    ['iot.sin', 'substitution'],
    ['iot.simm', 'insertion'],
    ['io.sim', 'deletion'],
    ['IOT.SIN', 'substitution'],
  ] as const)('%s is a probable typo of iot.sim (%s)', (asked, edit) => {
    expect(matchApn(asked, plan)).toEqual({ kind: 'typo', apn: 'iot.sim', distance: 1, edit });
  });

  it('two slips are still a typo of a long APN, not of a short one', () => {
    expect(matchApn('corp.privat.exmaple', plan)).toEqual({
      kind: 'typo',
      apn: 'corp.private.example',
      distance: 2,
      edit: 'two_edits',
    });
    expect(matchApn('iot.xxm', plan)).toEqual({ kind: 'not_in_plan' });
  });

  it('a far miss is not in the plan', () => {
    expect(matchApn('internet', plan)).toEqual({ kind: 'not_in_plan' });
    expect(matchApn('iot.sim', [])).toEqual({ kind: 'not_in_plan' });
  });

  it('names the closest plan APN', () => {
    expect(matchApn('iot.sixm', ['iot.sixxx', 'iot.six'])).toMatchObject({ kind: 'typo', apn: 'iot.six' });
  });

  it('every typo the simulator injects is recognised as a typo of the right APN', () => {
    for (const apn of ['iot.sim', 'amr.sim', 'fleet.sim', 'corp.sim', 'internet']) {
      for (let seed = 0; seed < 200; seed++) {
        const typo = apnTypo(apn, seed, `8946099000${seed}`);
        expect(matchApn(typo, [apn]), `${typo} of ${apn}`).toMatchObject({ kind: 'typo', apn, distance: 1 });
      }
    }
  });
});

describe('apnCauseMeaning', () => {
  it('reads ESM #27 and #33 as evidence about the APN, nothing else', () => {
    expect(apnCauseMeaning(27)).toBe('unknown_apn');
    expect(apnCauseMeaning(33)).toBe('not_subscribed');
    expect(apnCauseMeaning(34)).toBeNull();
    expect(apnCauseMeaning(null)).toBeNull();
  });
  it('the right name with the wrong ending is a typo too; a one-label difference elsewhere is not', () => {
    expect(matchApn('gps.logix.com', ['iot.northwind.net', 'gps.logix.eu'])).toEqual({
      kind: 'typo',
      apn: 'gps.logix.eu',
      distance: 3,
      edit: 'wrong_domain_ending',
    });
    expect(matchApn('fleet.logix.eu', ['gps.logix.eu']).kind).toBe('not_in_plan');
    expect(matchApn('logix.com', ['logix.eu']).kind).toBe('not_in_plan');
  });
});
