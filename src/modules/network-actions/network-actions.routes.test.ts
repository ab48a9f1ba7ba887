import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makePlans, makeSims } from '../../../test/support/sims-factory.ts';
import type { SimState } from '../sims/lifecycle.ts';
import type { SimCommand } from '../simulator/commands.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let plans: Awaited<ReturnType<typeof makePlans>>;
const heard: SimCommand[] = [];

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  plans = await makePlans(h.services, t.root.id);
  // What an in-process simulator (`start --simulate`) would receive.
  h.services.networkActions.bus.listen((c) => heard.push(c));
});
afterAll(() => h.close());

const oneSim = async (state: SimState = 'ACTIVATED', accountId = t.child.id) =>
  (await makeSims(h.services, accountId, 1, { state, communicationPlanId: plans.communicationPlanId }))[0]!;
const act = (iccid: string, headers: Record<string, string> | undefined, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: `/api/v1/sims/${iccid}/actions`, headers, payload });
const history = (iccid: string, headers: Record<string, string>) =>
  h.app.inject({ method: 'GET', url: `/api/v1/sims/${iccid}/actions`, headers });

describe('POST /api/v1/sims/:iccid/actions', () => {
  it('connectivity reset by the customer: 202 requested, kept until the worker runs it, then cancel location + delete session', async () => {
    const s = await oneSim();
    const res = await act(s.iccid20, t.customer, {
      kind: 'connectivity_reset',
      reason: 'device stuck',
      reference: 'case:C-1',
    });
    expect(res.statusCode).toBe(202);
    const a = res.json();
    expect(a).toMatchObject({
      iccid: s.iccid20,
      kind: 'connectivity_reset',
      params: {},
      status: 'requested',
      reason: 'device stuck',
      reference: 'case:C-1',
      adapter: 'simulated',
      requestedBy: { label: expect.stringMatching(/^cust-/), via: 'token' },
      finishedAt: null,
    });
    // The outbox: the action and its job are in the database, nothing has reached the network yet.
    const jobs = await h.ctx.database.query<{ state: string }>(
      `select state from jobs where kind = 'network_actions.execute' and payload->>'actionId' = $1`,
      [String(a.id)],
    );
    expect(jobs).toEqual([{ state: 'queued' }]);
    expect(heard.filter((c) => c.iccid === s.iccid20)).toEqual([]);

    await h.runJobs();
    const done = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${s.iccid}/actions/${a.id}`,
      headers: t.customer,
    });
    expect(done.json()).toMatchObject({ status: 'applied', outcome: expect.stringContaining('location cancelled') });
    expect(done.json().result.steps.map((x: { op: string }) => x.op)).toEqual(['cancelLocation', 'deleteSession']);
    expect(heard.filter((c) => c.iccid === s.iccid20).map((c) => c.kind)).toEqual([
      'cancel_location',
      'delete_session',
    ]);
  });

  it('configuration SMS: the APN in the vendor text, in the simulated-commands feed a separate simulator polls', async () => {
    const s = await oneSim();
    const feed = await h.app.inject({ method: 'GET', url: '/api/v1/network/simulated-commands', headers: t.agent });
    expect(feed.json().items).toEqual([]);
    const last = feed.json().last as number;
    const res = await act(s.iccid, t.customer, { kind: 'send_config_sms', params: { apn: 'iot.example' } });
    expect(res.statusCode).toBe(202);
    await h.runJobs();
    const [a] = (await history(s.iccid, t.customer)).json().items;
    expect(a).toMatchObject({ status: 'applied', outcome: 'Configuration SMS sent: APN iot.example' });
    const after = await h.app.inject({
      method: 'GET',
      url: `/api/v1/network/simulated-commands?after=${last}`,
      headers: t.agent,
    });
    expect(after.json().items).toContainEqual(
      expect.objectContaining({
        iccid: s.iccid20,
        kind: 'sms',
        text: expect.stringContaining('setparam 2001:iot.example'),
      }),
    );
    // Customers hold no ingest scope: the feed is for producers and staff.
    const cust = await h.app.inject({ method: 'GET', url: '/api/v1/network/simulated-commands', headers: t.customer });
    expect(cust.statusCode).toBe(403);
  });

  it('change_state through the SIM lifecycle (audited as the customer), then the subscription is withdrawn', async () => {
    const s = await oneSim('ACTIVATED');
    const res = await act(s.iccid, t.customer, {
      kind: 'change_state',
      params: { to: 'DEACTIVATED' },
      reason: 'stolen',
    });
    expect(res.statusCode).toBe(202);
    await h.runJobs();
    expect((await history(s.iccid, t.customer)).json().items[0]).toMatchObject({ status: 'applied' });
    const sim = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}`, headers: t.customer });
    expect(sim.json().state).toBe('DEACTIVATED');
    const audit = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}/history`, headers: t.agent });
    expect(audit.json().items[0]).toMatchObject({
      action: 'state_changed',
      after: { state: 'DEACTIVATED' },
      reason: 'stolen',
      actor: { label: expect.stringMatching(/^cust-/) },
    });
    expect(heard.filter((c) => c.iccid === s.iccid20)).toEqual([
      expect.objectContaining({ kind: 'subscription', active: false }),
    ]);
  });

  it('change_state refused at once as the SIM API refuses it (403/409), and nothing is logged', async () => {
    const s = await oneSim('INVENTORY');
    const forbidden = await act(s.iccid, t.customer, { kind: 'change_state', params: { to: 'ACTIVATED' } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('sims.transition_forbidden');
    const impossible = await act(s.iccid, t.agent, { kind: 'change_state', params: { to: 'DEACTIVATED' } });
    expect(impossible.statusCode).toBe(409);
    expect(impossible.json().error.details[0]).toMatchObject({ field: 'state', value: 'DEACTIVATED' });
    expect((await history(s.iccid, t.agent)).json().items).toEqual([]);
  });

  it('change_plan assigning plans works for the customer as PATCH does; editing the plan is staff only', async () => {
    const s = await oneSim();
    const other = await makePlans(h.services, t.root.id);
    const assign = await act(s.iccid, t.customer, {
      kind: 'change_plan',
      params: { communicationPlanId: other.communicationPlanId },
    });
    expect(assign.statusCode).toBe(202);
    await h.runJobs();
    const sim = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${s.iccid}`, headers: t.customer });
    expect(sim.json().communicationPlan.id).toBe(other.communicationPlanId);

    const edit = { kind: 'change_plan', params: { plan: 'communication', field: 'apns', add: 'iot2.example' } };
    const refused = await act(s.iccid, t.customer, edit);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details[0]).toMatchObject({ field: 'params.field', value: 'apns' });
    const ok = await act(s.iccid, t.agent, edit);
    expect(ok.statusCode).toBe(202);
    expect(ok.json().params).toMatchObject({ planId: other.communicationPlanId });
    await h.runJobs();
    const plan = await h.app.inject({
      method: 'GET',
      url: `/api/v1/communication-plans/${other.communicationPlanId}`,
      headers: t.agent,
    });
    expect(plan.json().apns).toEqual(['iot.example', 'iot2.example']);
    expect((await history(s.iccid, t.agent)).json().items[0]).toMatchObject({ status: 'applied' });
  });

  it('a plan the SIM account may not use: 400 naming the field and value, as PATCH answers', async () => {
    const s = await oneSim();
    const theirs = await makePlans(h.services, other.root.id);
    const res = await act(s.iccid, t.customer, {
      kind: 'change_plan',
      params: { communicationPlanId: theirs.communicationPlanId },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({
      field: 'communicationPlanId',
      value: theirs.communicationPlanId,
    });
  });

  it("another tenant's SIM answers 404, like a missing one (asking and reading)", async () => {
    const [s] = await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' });
    if (!s) throw new Error('no SIM made');
    expect((await act(s.iccid, t.customer, { kind: 'connectivity_reset' })).statusCode).toBe(404);
    expect((await history(s.iccid, t.customer)).statusCode).toBe(404);
    const theirs = await act(s.iccid, other.customer, { kind: 'connectivity_reset' });
    const one = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/${(await oneSim()).iccid}/actions/${theirs.json().id}`,
      headers: t.customer,
    });
    expect(one.statusCode).toBe(404);
  });

  it('400 naming field and value: unknown kind, bad APN, plan edit without its value, extra params', async () => {
    const s = await oneSim();
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ kind: 'reboot' }, 'kind', 'reboot'],
      [{ kind: 'send_config_sms', params: { apn: 'bad apn!' } }, 'params.apn', 'bad apn!'],
      [{ kind: 'change_state', params: { to: 'ON' } }, 'params.to', 'ON'],
      [{ kind: 'change_plan', params: { plan: 'communication', field: 'dataEnabled' } }, 'params.value', undefined],
      [{ kind: 'change_plan', params: { plan: 'communication', field: 'roamingPlmns', add: 'x' } }, 'params.add', 'x'],
      [{ kind: 'connectivity_reset', params: { force: true } }, 'params.force', true],
    ];
    for (const [payload, field, value] of cases) {
      const res = await act(s.iccid, t.agent, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const d = (res.json().error.details as { field: string; value: unknown }[]).find((x) => x.field === field);
      expect(d, `${JSON.stringify(payload)} → ${JSON.stringify(res.json().error.details)}`).toBeDefined();
      if (value !== undefined) expect(d!.value).toEqual(value);
    }
  });

  it('401 without credentials; 403 with a read-only token', async () => {
    const s = await oneSim();
    expect((await act(s.iccid, undefined, { kind: 'connectivity_reset' })).statusCode).toBe(401);
    expect((await act(s.iccid, t.readOnlyAgent, { kind: 'connectivity_reset' })).statusCode).toBe(403);
  });
});

describe('NETWORK_ADAPTER=none', () => {
  let n: Harness;
  let nt: Tenant;
  beforeAll(async () => {
    n = await harness({ networkAdapter: 'none' });
    nt = await makeTenant(n.services);
  });
  afterAll(() => n.close());

  it('the action fails with the reason; nothing pretends to be done', async () => {
    const [s] = await makeSims(n.services, nt.child.id, 1, { state: 'ACTIVATED' });
    const res = await n.app.inject({
      method: 'POST',
      url: `/api/v1/sims/${s!.iccid}/actions`,
      headers: nt.customer,
      payload: { kind: 'connectivity_reset' },
    });
    expect(res.json().adapter).toBe('none');
    await n.runJobs();
    const a = await n.app.inject({ method: 'GET', url: `/api/v1/sims/${s!.iccid}/actions`, headers: nt.customer });
    expect(a.json().items[0]).toMatchObject({
      status: 'failed',
      outcome: expect.stringContaining('NETWORK_ADAPTER=none'),
      finishedAt: expect.any(String),
    });
  });
});
