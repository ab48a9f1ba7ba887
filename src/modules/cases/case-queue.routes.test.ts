import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { CaseSummaryView } from './cases.schemas.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const post = (url: string, headers: Headers, payload: Json) => h.app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers: Headers) => h.app.inject({ method: 'GET', url, headers });
const numbers = async (url: string, headers: Headers) => {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as Json[]).map((c) => c.number as string);
};

/** The path from new to each state through the API (closed and cancelled are final). */
const PATHS: Record<string, string[]> = {
  new: [],
  open: ['open'],
  pending_customer: ['open', 'pending_customer'],
  pending_provider: ['open', 'pending_provider'],
  resolved: ['open', 'resolved'],
  closed: ['open', 'resolved', 'closed'],
  cancelled: ['cancelled'],
};

async function caseIn(t: Tenant, state: string, extra: Json = {}): Promise<Json> {
  const res = await post('/api/v1/cases', t.agent, {
    accountId: t.child.id,
    type: 'incident',
    subject: `Case ${state}`,
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  for (const to of PATHS[state]!) {
    expect((await post(`/api/v1/cases/${res.json().number}/transitions`, t.agent, { to })).statusCode).toBe(200);
  }
  return res.json();
}

describe('GET /api/v1/cases: states', () => {
  let t: Tenant;
  const byState: Record<string, string> = {};
  let everything: string[];
  beforeAll(async () => {
    t = await makeTenant(h.services);
    for (const state of Object.keys(PATHS)) byState[state] = (await caseIn(t, state)).number as string;
    everything = await numbers(`/api/v1/cases?state=all&accountId=${t.child.id}`, t.agent);
  });
  const only = (...states: string[]) => everything.filter((n) => states.some((s) => byState[s] === n));
  const list = (query: string) => numbers(`/api/v1/cases?accountId=${t.child.id}&${query}`, t.agent);

  it('shows the active cases by default and every case with state=all, in queue order', async () => {
    expect(everything.sort()).toEqual(Object.values(byState).sort());
    everything = await numbers(`/api/v1/cases?state=all&accountId=${t.child.id}`, t.agent);
    expect(await list('')).toEqual(only('new', 'open', 'pending_customer', 'pending_provider'));
    // Naming the active states in full is the default view.
    expect(await list('state=new,open,pending_customer,pending_provider')).toEqual(await list(''));
    expect(await numbers('/api/v1/cases', t.customer)).toEqual(
      only('new', 'open', 'pending_customer', 'pending_provider'),
    );
  });

  it('takes several states, repeated and/or comma-separated, in queue order', async () => {
    expect(await list('state=resolved&state=closed')).toEqual(only('resolved', 'closed'));
    expect(await list('state=resolved,cancelled')).toEqual(only('resolved', 'cancelled'));
    expect(await list('state=open,new&state=closed')).toEqual(only('open', 'new', 'closed'));
    expect(await list('state=closed')).toEqual(only('closed'));
  });

  it('pages several states with the cursor exactly like the one list', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/v1/cases?accountId=${t.child.id}&state=closed,new,cancelled,open&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        t.agent,
      );
      seen.push(...(res.json().items as Json[]).map((c) => c.number as string));
      cursor = res.json().nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).toEqual(only('closed', 'new', 'cancelled', 'open'));
  });

  it('builds the same CaseSummary rows whichever way the states are read', async () => {
    const all = (await get(`/api/v1/cases?accountId=${t.child.id}&state=all`, t.agent)).json().items as Json[];
    const some = (await get(`/api/v1/cases?accountId=${t.child.id}&state=open,closed`, t.agent)).json().items as Json[];
    expect(some).toEqual(all.filter((c) => c.state === 'open' || c.state === 'closed'));
    for (const row of some) expect(CaseSummaryView.strict().parse(row)).toEqual(row);
    expect(some[0]).toMatchObject({ accountName: expect.stringContaining('Sub '), accountNumber: t.child.number });
  });

  it('400 naming state and what was sent for an unknown state, all with others, or nothing', async () => {
    for (const [query, value] of [
      ['state=sleeping', 'sleeping'],
      ['state=open,sleeping', 'open,sleeping'],
      ['state=all&state=open', ['all', 'open']],
      ['state=', ''],
    ] as const) {
      const res = await get(`/api/v1/cases?${query}`, t.agent);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details).toContainEqual(expect.objectContaining({ field: 'querystring.state', value }));
    }
  });
});

describe('GET /api/v1/cases?q=', () => {
  let t: Tenant;
  let other: Tenant;
  let withSim: Json;
  let closed: Json;
  let sim: { iccid: string; iccid20: string; msisdn: string };
  const word = `Zebra${uniq()}`;
  beforeAll(async () => {
    t = await makeTenant(h.services);
    other = await makeTenant(h.services);
    sim = (await makeSims(h.services, t.child.id, 1))[0]!;
    withSim = await caseIn(t, 'open', { subject: `Meters ${word} offline`, affectedIccids: [sim.iccid] });
    closed = await caseIn(t, 'closed', { subject: `Old ${word} outage` });
    await caseIn(t, 'new', { subject: 'Something else' });
    await caseIn(other, 'new', { subject: `Their ${word} case` });
  });
  const search = (q: string, headers: Headers = t.agent, more = '') =>
    numbers(`/api/v1/cases?q=${encodeURIComponent(q)}${more}`, headers);

  it('matches a subject substring case-insensitively, within the other filters (active by default)', async () => {
    expect(await search(word.toLowerCase(), t.agent, `&accountId=${t.child.id}`)).toEqual([withSim.number]);
    expect((await search(word, t.agent, `&accountId=${t.child.id}&state=all`)).sort()).toEqual(
      [withSim.number, closed.number].sort(),
    );
    expect(await search(word, t.agent)).toHaveLength(2); // both tenants' open ones for staff
  });

  it('matches the case number, the account name or number, and an affected SIM by ICCID or MSISDN', async () => {
    expect(await search(String(withSim.number))).toEqual([withSim.number]);
    expect(await search(String(closed.number).toLowerCase(), t.agent, '&state=all')).toEqual([closed.number]);
    const ofAccount = await search(t.child.number.toLowerCase());
    expect(ofAccount).toHaveLength(2);
    expect(ofAccount).toContain(withSim.number);
    const accountName = `Sub ${t.child.number.slice(4)}`;
    expect((await search(accountName.toUpperCase())).sort()).toEqual(ofAccount.sort());
    for (const id of [sim.iccid20, sim.iccid, sim.msisdn, `+${sim.msisdn}`]) {
      expect(await search(id), id).toEqual([withSim.number]);
    }
    // A wrong Luhn digit is no ICCID, and LIKE's wildcards are plain characters.
    expect(await search(`${sim.iccid}${(Number(sim.iccid20.at(-1)) + 1) % 10}`)).toEqual([]);
    expect(await search('%', t.agent, `&accountId=${t.child.id}`)).toEqual([]);
    expect(await search('_', t.agent, `&accountId=${t.child.id}`)).toEqual([]);
  });

  it("keeps customers to their own cases, another tenant's number or SIM finding nothing", async () => {
    expect(await search(word, t.customer)).toEqual([withSim.number]);
    expect(await search(word, other.rootCustomer)).toHaveLength(1);
    expect(await search(String(withSim.number), other.rootCustomer)).toEqual([]);
    expect(await search(sim.iccid20, other.rootCustomer)).toEqual([]);
    expect(await search(sim.msisdn, other.agent)).toEqual([withSim.number]);
  });

  it('400 for an empty or too long q; 401 without auth', async () => {
    for (const q of ['', '   ', 'x'.repeat(101)]) {
      const res = await get(`/api/v1/cases?q=${q}`, t.agent);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ field: 'querystring.q' });
    }
    expect((await get(`/api/v1/cases?q=${word}`, {})).statusCode).toBe(401);
  });
});
