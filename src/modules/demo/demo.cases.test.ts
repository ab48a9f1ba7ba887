import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../simulator/scenario.ts';
import { APN_TYPO_SERIALS, DEMO_CASES } from './demo.cases.ts';
import { DEMO_CUSTOMERS, type DemoAccount } from './demo.data.ts';
import { demoIccid, demoSimCsv } from './demo.sims.ts';

const scenarioFile = new URL('../../../examples/scenarios/demo.json', import.meta.url);

describe('the demo desk’s "can’t send data" case', () => {
  const iccids = APN_TYPO_SERIALS.map(demoIccid);

  it('lists exactly the SIMs the demo scenario gives a mistyped APN', () => {
    const scenario = parseScenario(readFileSync(scenarioFile, 'utf8'), 'demo.json');
    const typos = scenario.faults.filter((f) => f.type === 'apn_typo').map((f) => f.target.iccid);
    expect(typos.sort()).toEqual([...iccids].sort());
    const c = DEMO_CASES.find((d) => d.key === 'cant_send_data')!;
    expect(c.body.affectedIccids).toEqual(iccids);
  });

  it('names live meters of its account in the 10,000-SIM demo (the simulator only runs SIMs on the network)', () => {
    // The SIM file as demo.service.ts builds it: accounts with SIMs, depth first.
    const targets: Parameters<typeof demoSimCsv>[0] = [];
    const walk = (a: DemoAccount) => {
      if (a.simShare && a.deviceClass)
        targets.push({
          accountNumber: a.number,
          share: a.simShare,
          communicationPlan: 'cp',
          ratePlan: 'rp',
          label: a.deviceClass,
        });
      for (const child of a.children ?? []) walk(child);
    };
    for (const a of DEMO_CUSTOMERS) walk(a);
    const lines = [...demoSimCsv(targets, 10_000)];
    const account = DEMO_CASES.find((d) => d.key === 'cant_send_data')!.account;
    for (const iccid of iccids) {
      const cols = lines
        .find((l) => l.startsWith(`${iccid},`))!
        .trimEnd()
        .split(',');
      expect({ account: cols[4], state: cols[7], label: cols[8] }).toEqual({
        account,
        state: 'ACTIVATED',
        label: 'meter',
      });
    }
  });
});
