/**
 * What a customer sees of a SIM's history and of the SIM itself (issue 13, F5; docs/SECURITY.md): staff changes as
 * 'Service desk' with no user id and without the staff's reason; no import metadata (import id, source, file name).
 * Their own changes stay theirs. Staff see everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { simsRepo } from './sims.repo.ts';
import { simImports } from './sims.tables.ts';

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
const send = async (method: 'POST' | 'PATCH', url: string, headers: Headers, payload: Json) => {
  const res = await h.app.inject({ method, url, headers, payload });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** A SIM of the customer's, loaded by a provider import from a named file (as `iotops sims import` records it). */
async function importedSim() {
  const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED', labels: ['pump'] });
  const db = h.ctx.database.db;
  const [job] = await db
    .insert(simImports)
    .values({ status: 'succeeded', mode: 'atomic', source: 'cli', filename: 'STAFF-FILE.csv' })
    .returning();
  const row = await simsRepo(db).byIccid({}, s!.iccid);
  await simsRepo(db).update(row!.id, { importId: job!.id });
  return { ...s!, importId: job!.id };
}

describe("a customer's view of a SIM and its history", () => {
  it("shows the desk's changes as 'Service desk' without reasons or import metadata; the agent sees them", async () => {
    const s = await importedSim();
    const base = `/api/v1/sims/${s.iccid}`;
    await send('POST', `${base}/state`, t.agent, { state: 'DEACTIVATED', reason: 'STAFF-STATE-REASON' });
    await send('PATCH', base, t.agent, { labels: ['pump', 'north'] });
    await send('POST', '/api/v1/sims/bulk', t.agent, {
      selection: { iccids: [s.iccid] },
      change: { state: 'ACTIVATED', reason: 'STAFF-BULK-REASON' },
    });
    const staffHistory = (await get(`${base}/history`, t.agent)).json().items as Json[];
    const agent = staffHistory[0]!.actor as { userId: number; label: string };
    expect(agent).toEqual({ userId: expect.any(Number), label: expect.stringMatching(/^agent-/) });

    const views = [
      `${base}/history`,
      base,
      `/api/v1/sims?iccid=${s.iccid}`,
      `/api/v1/sims?accountId=${t.child.id}&label=pump`,
    ];
    for (const url of views) {
      const res = await get(url, t.customer);
      expect(res.statusCode).toBe(200);
      for (const staffOnly of [
        agent.label,
        'agent-',
        `"userId":${agent.userId}`,
        'STAFF-STATE-REASON',
        'STAFF-BULK-REASON',
        'STAFF-FILE.csv',
        'importId',
        'import #',
        '"source"',
        'sims-factory', // the staff tool that created the SIM
      ]) {
        expect(res.body, `${url} shows ${staffOnly}`).not.toContain(staffOnly);
      }
    }

    const desk = { userId: null, label: 'Service desk' };
    const history = (await get(`${base}/history`, t.customer)).json().items as Json[];
    expect(history.map((e) => [e.action, e.actor])).toEqual([
      ['state_changed', desk],
      ['updated', desk],
      ['state_changed', desk],
      ['created', desk],
      ['imported', desk],
    ]);
    // What changed stays (it is the customer's SIM); why the desk did it does not.
    expect(history[0]).toMatchObject({ before: { state: 'DEACTIVATED' }, after: { state: 'ACTIVATED' } });
    for (const e of history) expect(e).not.toHaveProperty('reason');
    expect(history[4]).toMatchObject({ id: null, action: 'imported', before: null, after: null });
    expect((await get(base, t.customer)).json()).not.toHaveProperty('importId');

    // Staff: every actor, reason and the import job.
    expect(staffHistory.map((e) => e.reason)).toEqual([
      'STAFF-BULK-REASON',
      null,
      'STAFF-STATE-REASON',
      null,
      `imported by import #${s.importId}`,
    ]);
    expect(staffHistory[1]).toMatchObject({ actor: agent, reason: null });
    expect(staffHistory[4]).toMatchObject({
      actor: { label: `import #${s.importId}` },
      after: { importId: s.importId, source: 'cli', filename: 'STAFF-FILE.csv' },
    });
    expect((await get(base, t.agent)).json().importId).toBe(s.importId);
  });

  it("keeps a customer's own change attributed to them, with their reason", async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    await send('POST', `/api/v1/sims/${s!.iccid}/state`, t.customer, { state: 'DEACTIVATED', reason: 'device stolen' });
    const [own] = (await get(`/api/v1/sims/${s!.iccid}/history`, t.customer)).json().items as Json[];
    expect(own).toMatchObject({
      action: 'state_changed',
      actor: { userId: expect.any(Number), label: expect.stringMatching(/^cust-/) },
      reason: 'device stolen',
    });
  });

  it('names colleagues at or below the reader; users above and of other tenants show as the desk', async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const base = `/api/v1/sims/${s!.iccid}`;
    const colleagueEmail = `colleague-${uniq()}@example.test`;
    const colleague = await bearer(h.services, colleagueEmail, 'customer', t.child.id);
    await send('POST', `${base}/state`, colleague, { state: 'DEACTIVATED', reason: 'COLLEAGUE-REASON' });
    await send('PATCH', base, t.rootCustomer, { labels: ['ROOT-LABEL'] });
    await send('POST', `${base}/state`, t.customer, { state: 'ACTIVATED', reason: 'OWN-REASON' });

    const seen = async (headers: Headers) =>
      ((await get(`${base}/history`, headers)).json().items as Json[]).map((e) => [
        (e.actor as { label: string }).label,
        'reason' in e ? e.reason : 'no reason shown',
      ]);
    // The sub-account's user: their colleague by name, the enterprise's user (above them) as the desk.
    expect((await seen(t.customer)).slice(0, 3)).toEqual([
      [expect.stringMatching(/^cust-/), 'OWN-REASON'],
      ['Service desk', 'no reason shown'],
      [colleagueEmail, 'COLLEAGUE-REASON'],
    ]);
    // The enterprise's user reaches the whole tree: everyone of theirs by name.
    expect((await seen(t.rootCustomer)).slice(0, 3)).toEqual([
      [expect.stringMatching(/^cust-/), 'OWN-REASON'],
      [expect.stringMatching(/^root-/), null],
      [colleagueEmail, 'COLLEAGUE-REASON'],
    ]);
    // A user of another customer never counts as a colleague, even when their id is on a row.
    const other = await makeTenant(h.services);
    const outsider = await h.services.users.byEmail(`cust-${(other.root.number as string).slice(4)}@example.test`);
    expect(outsider).toBeDefined();
    const customerPrincipal = await h.services.users.principalFromToken((t.customer.authorization ?? '').slice(7));
    expect([...(await h.services.users.colleaguesAmong(customerPrincipal!, [outsider!.id]))]).toEqual([]);
  });

  it("shows an upsert import's change (it answered 500: an action the API had no name for); its import id to staff only", async () => {
    const [s] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const csv = `iccid,account,label\n${s!.iccid20},${t.child.number},UPSERTED\n`;
    const done = await h.services.simImports.importCsv(cliPrincipal('import'), csv, { mode: 'atomic', upsert: true });
    expect(done.job.status, JSON.stringify(done)).toBe('succeeded');
    const staffView = await get(`/api/v1/sims/${s!.iccid}/history`, t.agent);
    expect(staffView.statusCode, staffView.body).toBe(200);
    const [change] = staffView.json().items as Json[];
    expect(change).toMatchObject({ action: 'import_updated', after: { importId: done.job.id, label: 'UPSERTED' } });
    const customerView = await get(`/api/v1/sims/${s!.iccid}/history`, t.customer);
    expect(customerView.statusCode, customerView.body).toBe(200);
    const [seen] = customerView.json().items as Json[];
    expect(seen).toMatchObject({ action: 'import_updated', actor: { userId: null, label: 'Service desk' } });
    expect(seen!.after).toEqual({ accountId: t.child.id, label: 'UPSERTED' });
    expect(seen).not.toHaveProperty('reason');
  });

  it("hides the import id on a case's affected SIMs too", async () => {
    const s = await importedSim();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: t.customer,
      payload: { accountId: t.child.id, type: 'incident', subject: 'No data', affectedIccids: [s.iccid] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const url = `/api/v1/cases/${res.json().number}/sims`;
    const customer = await get(url, t.customer);
    expect(customer.statusCode).toBe(200);
    expect(customer.json().items).toHaveLength(1);
    expect(customer.body).not.toContain('importId');
    expect((await get(url, t.agent)).json().items[0].importId).toBe(s.importId);
  });
});
