import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const inject = (app: Harness['app'], method: 'GET' | 'POST', url: string, headers: Headers, payload?: Json) =>
  app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function openCase(hh: Harness, tt: Tenant, headers: Headers, accountId = tt.child.id): Promise<string> {
  const res = await inject(hh.app, 'POST', '/api/v1/cases', headers, {
    accountId,
    type: 'incident',
    subject: 'No data',
  });
  expect(res.statusCode).toBe(201);
  return res.json().number;
}
const actionEntries = async (hh: Harness, number: string, headers: Headers) =>
  ((await inject(hh.app, 'GET', `/api/v1/cases/${number}/events`, headers)).json().items as Json[]).filter((e) =>
    String((e.data as Json | null)?.action ?? '').startsWith('network_action_'),
  );

describe('POST /api/v1/sims/:iccid/actions with a caseNumber', () => {
  it("writes internal entries into the case's timeline when requested and when applied", async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const number = await openCase(h, t, t.agent);
    const res = await inject(h.app, 'POST', `/api/v1/sims/${s!.iccid20}/actions`, t.agent, {
      kind: 'connectivity_reset',
      reason: 'device stuck since Monday',
      caseNumber: number,
    });
    expect(res.statusCode).toBe(202);
    const a = res.json();
    expect(a).toMatchObject({ caseNumber: number, status: 'requested' });

    const requested = await actionEntries(h, number, t.agent);
    expect(requested).toEqual([
      expect.objectContaining({
        kind: 'system',
        visibility: 'internal',
        authorLabel: expect.stringMatching(/^agent-/),
        body: `Network action #${a.id} (connectivity reset) on SIM ${s!.iccid20} requested: device stuck since Monday`,
        data: {
          action: 'network_action_requested',
          networkAction: expect.objectContaining({ id: a.id, kind: 'connectivity_reset', status: 'requested' }),
        },
      }),
    ]);

    await h.runJobs();
    const after = await actionEntries(h, number, t.agent);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({
      visibility: 'internal',
      authorLabel: 'iotops',
      body: expect.stringContaining(`Network action #${a.id} (connectivity reset) on SIM ${s!.iccid20} applied: `),
      data: { action: 'network_action_applied', networkAction: expect.objectContaining({ status: 'applied' }) },
    });
    // Running the job again changes nothing: the outcome and its entry were written once.
    await h.runJobs();
    expect(await actionEntries(h, number, t.agent)).toHaveLength(2);
    // Internal: the customer's timeline has none of it; the action itself shows its case.
    expect(await actionEntries(h, number, t.customer)).toEqual([]);
    const shown = await inject(h.app, 'GET', `/api/v1/sims/${s!.iccid}/actions/${a.id}`, t.customer);
    expect(shown.json()).toMatchObject({ caseNumber: number, status: 'applied' });
  });

  it('lets a customer run one for its own case', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const number = await openCase(h, t, t.customer);
    const res = await inject(h.app, 'POST', `/api/v1/sims/${s!.iccid}/actions`, t.customer, {
      kind: 'connectivity_reset',
      caseNumber: number,
    });
    expect(res.statusCode).toBe(202);
    expect(await actionEntries(h, number, t.agent)).toEqual([
      expect.objectContaining({ authorLabel: expect.stringMatching(/^cust-/), visibility: 'internal' }),
    ]);
  });

  it('404 naming caseNumber for a case the caller cannot reach, 400 for a malformed one or another customer’s', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const url = `/api/v1/sims/${s!.iccid}/actions`;
    const parentCase = await openCase(h, t, t.agent, t.root.id);
    const theirs = await openCase(h, other, other.agent);
    const cases: [Headers, string, number, string][] = [
      [t.agent, 'C-1999-999999', 404, 'network_actions.case_not_found'],
      // A sub-account's customer does not see its parent account's cases.
      [t.customer, parentCase, 404, 'network_actions.case_not_found'],
      [t.agent, theirs, 400, 'network_actions.case_other_customer'],
      [t.agent, 'case-1', 400, 'request.invalid'],
    ];
    for (const [headers, caseNumber, status, code] of cases) {
      const res = await inject(h.app, 'POST', url, headers, { kind: 'connectivity_reset', caseNumber });
      expect(res.statusCode, caseNumber).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.details).toContainEqual(
        expect.objectContaining({ field: 'caseNumber', value: caseNumber }),
      );
    }
    // Nothing was requested, nothing written on the cases.
    expect((await inject(h.app, 'GET', url, t.agent)).json().items).toEqual([]);
    expect(await actionEntries(h, parentCase, t.agent)).toEqual([]);
    expect(await actionEntries(h, theirs, other.agent)).toEqual([]);
  });
});

describe('an action that fails, with a caseNumber', () => {
  let hn: Harness;
  beforeAll(async () => {
    hn = await harness({ networkAdapter: 'none' });
  });
  afterAll(() => hn.close());

  it("records the failure in the case's timeline with the reason", async () => {
    const tn = await makeTenant(hn.services);
    const [s] = await makeSims(hn.services, tn.child.id, 1, { state: 'ACTIVATED' });
    const number = await openCase(hn, tn, tn.agent);
    const res = await inject(hn.app, 'POST', `/api/v1/sims/${s!.iccid}/actions`, tn.agent, {
      kind: 'send_config_sms',
      params: { apn: 'iot.example' },
      caseNumber: number,
    });
    expect(res.statusCode).toBe(202);
    await hn.runJobs();
    const entries = await actionEntries(hn, number, tn.agent);
    expect(entries.map((e) => (e.data as Json).action)).toEqual(['network_action_requested', 'network_action_failed']);
    expect(entries[1]).toMatchObject({
      body: expect.stringMatching(
        / \(send config sms\) on SIM \d{20} failed: Configuration SMS \(APN iot\.example\) not sent: /,
      ),
      data: { networkAction: expect.objectContaining({ status: 'failed', outcome: expect.any(String) }) },
    });
  });
});
