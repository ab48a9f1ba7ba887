import { describe, expect, it } from 'vitest';
import { checkIccid, checkImei, checkImsi, checkMsisdn } from '../sims/identifiers.ts';
import { demoSimCsv } from './demo.sims.ts';

describe('demo SIM file', () => {
  const targets = [
    { accountNumber: 'A', share: 3, communicationPlan: 'CP', ratePlan: 'RP', label: 'meter' },
    { accountNumber: 'B', share: 1, communicationPlan: 'CP', ratePlan: 'RP', label: 'tracker' },
  ];
  const lines = [...demoSimCsv(targets, 1001)];

  it('has exactly the asked number of rows, split by share', () => {
    expect(lines).toHaveLength(1002);
    const b = lines.filter((l) => l.includes(',B,')).length;
    expect(b).toBeGreaterThan(230);
    expect(b).toBeLessThan(270);
  });

  it('every identifier passes the import rules and is unique', () => {
    const seen = new Set<string>();
    for (const line of lines.slice(1)) {
      const [iccid, imsi, msisdn, imei] = line.split(',') as [string, string, string, string];
      expect(checkIccid(iccid).ok, iccid).toBe(true);
      expect(checkImsi(imsi).ok, imsi).toBe(true);
      expect(checkMsisdn(msisdn).ok, msisdn).toBe(true);
      expect(checkImei(imei).ok, imei).toBe(true);
      for (const id of [iccid, imsi, msisdn]) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
  });

  it('spreads SIMs over many lifecycle states, deterministically', () => {
    const states = new Set(lines.slice(1).map((l) => l.split(',')[7]));
    expect(states.size).toBeGreaterThanOrEqual(6);
    expect([...demoSimCsv(targets, 1001)]).toEqual(lines);
  });
});
