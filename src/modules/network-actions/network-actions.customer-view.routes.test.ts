/**
 * What a customer sees of the network actions on their SIMs (issue 13, F5; docs/SECURITY.md): the desk's actions
 * as 'Service desk' with no user id, without the staff's reason, reference or channel, and the case number only
 * when it is a case the customer can open. Their own actions whole. Staff see everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { STAFF_AUTHOR_FOR_CUSTOMERS } from '../cases/cases.presenter.ts';
import { STAFF_ACTOR_FOR_CUSTOMERS } from '../sims/sims.viewer.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const get = (url: string, headers: Headers) => h.app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Headers, payload: Json) => h.app.inject({ method: 'POST', url, headers, payload });

async function openCase(accountId: number): Promise<string> {
  const res = await post('/api/v1/cases', t.agent, { accountId, type: 'incident', subject: 'No data' });
  expect(res.statusCode).toBe(201);
  return res.json().number;
}
async function act(iccid: string, headers: Headers, payload: Json): Promise<Json> {
  const res = await post(`/api/v1/sims/${iccid}/actions`, headers, payload);
  expect(res.statusCode).toBe(202);
  return res.json();
}

describe("a customer's view of the desk's network actions", () => {
  it("shows the agent as 'Service desk': no e-mail, user id, reason or reference anywhere; the agent sees them", async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const number = await openCase(t.child.id);
    const mine = await act(s!.iccid20, t.agent, {
      kind: 'change_state',
      params: { to: 'DEACTIVATED' },
      reason: 'STAFF-ACTION-REASON',
      reference: 'STAFF-REFERENCE',
      caseNumber: number,
    });
    await h.runJobs();
    const agent = mine.requestedBy as { userId: number; label: string; via: string };
    expect(agent).toMatchObject({ userId: expect.any(Number), label: expect.stringMatching(/^agent-/), via: 'token' });

    const urls = [
      `/api/v1/sims/${s!.iccid}/actions`,
      `/api/v1/sims/${s!.iccid}/actions/${mine.id}`,
      // The action's state change is in the SIM's audit, with the action's reason.
      `/api/v1/sims/${s!.iccid}/history`,
    ];
    for (const url of urls) {
      const res = await get(url, t.customer);
      expect(res.statusCode).toBe(200);
      for (const staffOnly of [
        agent.label,
        'agent-',
        'STAFF-ACTION-REASON',
        'STAFF-REFERENCE',
        `"userId":${agent.userId}`,
      ]) {
        expect(res.body, `${url} shows ${staffOnly}`).not.toContain(staffOnly);
      }
    }
    const seen = (await get(`/api/v1/sims/${s!.iccid}/actions/${mine.id}`, t.customer)).json();
    expect(seen).toMatchObject({
      kind: 'change_state',
      status: 'applied',
      outcome: expect.stringContaining('DEACTIVATED'),
      requestedBy: { userId: null, label: 'Service desk' },
      caseNumber: number, // the customer's own case: they can open it
    });
    expect(seen).not.toHaveProperty('reason');
    expect(seen).not.toHaveProperty('reference');
    expect(seen.requestedBy).not.toHaveProperty('via');
    const listed = (await get(`/api/v1/sims/${s!.iccid}/actions`, t.customer)).json().items as Json[];
    expect(listed).toEqual([seen]);

    // Staff still see who, how and why, in the list, by id and in the history.
    for (const url of urls.slice(0, 2)) {
      const staff = (await get(url, t.agent)).json();
      expect(staff.items?.[0] ?? staff).toMatchObject({
        reason: 'STAFF-ACTION-REASON',
        reference: 'STAFF-REFERENCE',
        caseNumber: number,
        requestedBy: agent,
      });
    }
    const history = (await get(urls[2]!, t.agent)).json().items as Json[];
    expect(history[0]).toMatchObject({
      action: 'state_changed',
      actor: { userId: agent.userId, label: agent.label },
      reason: 'STAFF-ACTION-REASON',
    });
  });

  it("keeps a customer's own action whole: their name, channel, reason and reference", async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const own = await act(s!.iccid, t.customer, {
      kind: 'connectivity_reset',
      reason: 'my tracker is stuck',
      reference: 'ticket 42',
    });
    const seen = (await get(`/api/v1/sims/${s!.iccid}/actions/${own.id}`, t.customer)).json();
    expect(seen).toMatchObject({
      reason: 'my tracker is stuck',
      reference: 'ticket 42',
      caseNumber: null,
      requestedBy: { userId: expect.any(Number), label: expect.stringMatching(/^cust-/), via: 'token' },
    });
    expect(seen).toEqual(own);
    // The enterprise's user (above) sees their colleague's action whole; the sub-account's user sees the
    // enterprise's action as the desk's.
    expect((await get(`/api/v1/sims/${s!.iccid}/actions/${own.id}`, t.rootCustomer)).json()).toEqual(own);
    const fromAbove = await act(s!.iccid, t.rootCustomer, { kind: 'connectivity_reset', reason: 'ROOT-REASON' });
    const below = (await get(`/api/v1/sims/${s!.iccid}/actions/${fromAbove.id}`, t.customer)).json();
    expect(below.requestedBy).toEqual({ userId: null, label: STAFF_ACTOR_FOR_CUSTOMERS });
    expect(below).not.toHaveProperty('reason');
  });

  it('names the case only when the customer can open it: not a major case, not another account', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const rootCase = await openCase(t.root.id);
    const major = await openCase(t.root.id);
    expect((await post(`/api/v1/cases/${major}/transitions`, t.agent, { to: 'open' })).statusCode).toBe(200);
    expect((await post(`/api/v1/cases/${major}/children`, t.agent, { accountIds: [t.child.id] })).statusCode).toBe(201);
    const onRoot = await act(s!.iccid, t.agent, { kind: 'connectivity_reset', caseNumber: rootCase });
    const onMajor = await act(s!.iccid, t.agent, { kind: 'connectivity_reset', caseNumber: major });

    const caseOf = async (headers: Headers, id: unknown) =>
      (await get(`/api/v1/sims/${s!.iccid}/actions/${id}`, headers)).json().caseNumber;
    // The root account's customer opens the root's case; the sub-account's customer does not.
    expect(await caseOf(t.rootCustomer, onRoot.id)).toBe(rootCase);
    expect(await caseOf(t.customer, onRoot.id)).toBeUndefined();
    // A major case is the desk's: no customer opens it (each sees their own child case).
    expect(await caseOf(t.rootCustomer, onMajor.id)).toBeUndefined();
    expect(await caseOf(t.agent, onMajor.id)).toBe(major);

    const list = await get(`/api/v1/sims/${s!.iccid}/actions`, t.customer);
    expect(list.body).not.toContain(rootCase);
    expect(list.body).not.toContain(major);
    expect((await get(`/api/v1/sims/${s!.iccid}/actions`, t.agent)).body).toContain(major);
  });

  it("labels the desk as the case timeline does (the portal translates 'Service desk')", () => {
    expect(STAFF_ACTOR_FOR_CUSTOMERS).toBe(STAFF_AUTHOR_FOR_CUSTOMERS);
  });
});
