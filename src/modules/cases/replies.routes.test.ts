import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import type { App } from '../../platform/http/app.ts';
import { createHttpApp } from '../../server.ts';
import { createCasesService } from './cases.service.ts';
import { priorityMatrixStore } from './priority-matrix.store.ts';
import { REOPEN_WINDOW_MS } from './reply-policy.ts';

let h: Harness;
let t: Tenant;
/** The same services, but with the cases clock a minute past the reopen window. */
let late: App;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  const now = () => new Date(Date.now() + REOPEN_WINDOW_MS + 60_000);
  const cases = createCasesService(h.ctx, {
    accounts: h.services.accounts,
    users: h.services.users,
    sims: h.services.sims,
    priorityMatrix: priorityMatrixStore(h.ctx.database.db),
    now,
  });
  late = await createHttpApp(h.ctx, { ...h.services, cases });
});
afterAll(async () => {
  await late.close();
  await h.close();
});

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const post = (url: string, headers: Headers, payload: Json, app: App = h.app) =>
  app.inject({ method: 'POST', url, headers, payload });
const get = async (url: string, headers: Headers) => (await h.app.inject({ method: 'GET', url, headers })).json();
const reply = { kind: 'portal_message', body: 'Still no data on the meters' };

async function caseIn(...states: string[]): Promise<Json> {
  const res = await post('/api/v1/cases', t.agent, { accountId: t.child.id, type: 'incident', subject: 'No data' });
  expect(res.statusCode).toBe(201);
  for (const to of states) {
    expect((await post(`/api/v1/cases/${res.json().number}/transitions`, t.agent, { to })).statusCode).toBe(200);
  }
  return res.json();
}
const events = async (number: unknown, headers: Headers = t.agent) =>
  (await get(`/api/v1/cases/${number}/events`, headers)).items as Json[];

describe('a customer reply on a resolved or closed case', () => {
  it('reopens a resolved case within the reopen window', async () => {
    const c = await caseIn('open', 'resolved');
    const res = await post(`/api/v1/cases/${c.number}/events`, t.customer, reply);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ caseNumber: c.number, outcome: 'reopened', kind: 'portal_message' });
    expect(await get(`/api/v1/cases/${c.number}`, t.customer)).toMatchObject({ state: 'open', resolvedAt: null });
    const tl = await events(c.number, t.customer);
    expect(tl).toContainEqual(
      expect.objectContaining({
        kind: 'system',
        body: 'Reopened by customer reply',
        visibility: 'public',
        // The SLA clocks read the state history from state_changed entries.
        data: expect.objectContaining({ action: 'state_changed', after: { state: 'open' } }),
      }),
    );
    expect(tl).toContainEqual(expect.objectContaining({ kind: 'portal_message', body: reply.body }));
  });

  it('opens a linked follow-up case after the window, the message landing in the new case', async () => {
    const c = await caseIn('open', 'resolved');
    const res = await post(`/api/v1/cases/${c.number}/events`, t.customer, reply, late);
    expect(res.statusCode).toBe(201);
    const landed = res.json();
    expect(landed.outcome).toBe('follow_up');
    expect(landed.caseNumber).not.toBe(c.number);
    const f = await get(`/api/v1/cases/${landed.caseNumber}`, t.customer);
    expect(f).toMatchObject({
      followUpOf: c.id,
      accountId: t.child.id,
      type: 'incident',
      subject: 'Follow-up: No data',
      state: 'new',
      channel: 'portal',
    });
    expect(await events(landed.caseNumber)).toContainEqual(
      expect.objectContaining({ id: landed.id, kind: 'portal_message', body: reply.body }),
    );
    // The old case stays resolved, untouched but for the link to its follow-up.
    expect((await get(`/api/v1/cases/${c.number}`, t.agent)).state).toBe('resolved');
    const old = await events(c.number, t.customer);
    expect(old).toContainEqual(
      expect.objectContaining({ kind: 'system', data: { action: 'follow_up_opened', followUp: landed.caseNumber } }),
    );
    expect(old.some((e) => e.kind === 'portal_message')).toBe(false);
  });

  it('opens a follow-up on a closed case, even right after closing', async () => {
    const c = await caseIn('open', 'resolved', 'closed');
    const res = await post(`/api/v1/cases/${c.number}/events`, t.customer, reply);
    expect(res.json()).toMatchObject({ outcome: 'follow_up' });
    expect((await get(`/api/v1/cases/${res.json().caseNumber}`, t.agent)).followUpOf).toBe(c.id);
    expect((await get(`/api/v1/cases/${c.number}`, t.agent)).state).toBe('closed');
  });

  it('never reopens on staff entries: notes, calls and staff portal messages are just added', async () => {
    const c = await caseIn('open', 'resolved');
    for (const body of [
      { kind: 'note', body: 'checked the APN' },
      { kind: 'phone_call', body: 'called', durationSeconds: 60 },
      { kind: 'portal_message', body: 'we are watching it' },
    ]) {
      const res = await post(`/api/v1/cases/${c.number}/events`, t.agent, body, late);
      expect(res.json()).toMatchObject({ caseNumber: c.number, outcome: 'added' });
    }
    expect((await get(`/api/v1/cases/${c.number}`, t.agent)).state).toBe('resolved');
  });

  it('a reply on an open case is just added', async () => {
    const c = await caseIn('open');
    const res = await post(`/api/v1/cases/${c.number}/events`, t.customer, reply);
    expect(res.json()).toMatchObject({ caseNumber: c.number, outcome: 'added' });
  });
});
