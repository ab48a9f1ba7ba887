/**
 * The SIM list's network filters (network state, last seen, failing now) through HTTP, on state written by real
 * ingest: the list, the bulk change's filter selection (with its refusals grouped by reason) and the export take
 * the same filter, and a customer's filter never reaches beyond their own SIMs.
 */
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { listQuery } from './sims.repo.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
/** Of t.child (the customer's): online now, failing now, seen 2 days ago, never seen. */
let online: MadeSim;
let failing: MadeSim;
let old: MadeSim;
let silent: MadeSim;
/** Of t.root (above the customer): online now. Of another tenant: failing now. */
let parents: MadeSim;
let theirs: MadeSim;

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const net = { network: { mcc: '240', mnc: '07' }, rat: 'LTE-M' };
const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });
const iccidsOf = (res: { json(): { items: { iccid: string }[] } }) =>
  res
    .json()
    .items.map((s) => s.iccid)
    .sort();
const sorted = (...s: MadeSim[]) => s.map((x) => x.iccid20).sort();

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `nf-${uniq()}` });
  [online, failing, old] = (await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' })) as MadeSim[] as [
    MadeSim,
    MadeSim,
    MadeSim,
  ];
  [silent] = (await makeSims(h.services, t.child.id, 1)) as [MadeSim];
  [parents] = (await makeSims(h.services, t.root.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  [theirs] = (await makeSims(h.services, other.child.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  const session = (sim: MadeSim) => ({ ...net, apn: 'iot.example', session_id: `s-${uniq()}`, iccid: sim.iccid20 });
  const records = [
    { ts: ago(20), iccid: online.iccid20, type: 'attach', ...net },
    { ts: ago(19), type: 'session_start', ...session(online) },
    { ts: ago(30), iccid: failing.iccid20, type: 'attach', ...net },
    { ts: ago(5), iccid: failing.iccid20, type: 'attach_rejected', ...net, cause: 15 },
    { ts: ago(2 * 24 * 60), iccid: old.iccid20, type: 'attach', ...net },
    { ts: ago(20), iccid: parents.iccid20, type: 'attach', ...net },
    { ts: ago(19), type: 'session_start', ...session(parents) },
    { ts: ago(5), iccid: theirs.iccid20, type: 'attach_rejected', ...net, cause: 15 },
  ];
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/network-events',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify({ id: uniq(), ...r })).join('\n'),
  });
  expect(res.json()).toMatchObject({ accepted: records.length, rejected: [] });
});
afterAll(() => h.close());

describe('GET /api/v1/sims network filters', () => {
  it('filters by network state (one or several), within an account subtree', async () => {
    const res = await get(`/api/v1/sims?accountId=${t.root.id}&networkState=ONLINE`, t.agent);
    expect(res.statusCode).toBe(200);
    expect(iccidsOf(res)).toEqual(sorted(online, parents));
    expect(res.json().items.every((s: { networkState: string }) => s.networkState === 'ONLINE')).toBe(true);
    const two = await get(`/api/v1/sims?accountId=${t.root.id}&networkState=ATTACHED,OFFLINE`, t.agent);
    expect(iccidsOf(two)).toEqual(sorted(failing, old));
  });

  it('filters by last seen: after an instant, or not seen since one (never seen included)', async () => {
    const recent = await get(
      `/api/v1/sims?accountId=${t.root.id}&lastSeenAfter=${encodeURIComponent(ago(60))}`,
      t.agent,
    );
    expect(iccidsOf(recent)).toEqual(sorted(online, failing, parents));
    const stale = await get(
      `/api/v1/sims?accountId=${t.root.id}&lastSeenBefore=${encodeURIComponent(ago(24 * 60))}`,
      t.agent,
    );
    expect(iccidsOf(stale)).toEqual(sorted(old, silent));
  });

  it('filters the SIMs failing now (newest event a refusal in the last hour), the network module’s meaning', async () => {
    const mine = await get(`/api/v1/sims?accountId=${t.root.id}&failing=true`, t.agent);
    expect(iccidsOf(mine)).toEqual(sorted(failing));
    const everyone = await get('/api/v1/sims?failing=true&limit=1000', t.agent);
    expect(iccidsOf(everyone)).toEqual(expect.arrayContaining(sorted(failing, theirs)));
    expect(iccidsOf(everyone)).not.toContain(online.iccid20);
  });

  it('pages a filtered list with keyset cursors', async () => {
    const first = await get(`/api/v1/sims?accountId=${t.root.id}&networkState=ONLINE&limit=1`, t.agent);
    expect(first.json().items).toHaveLength(1);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBeTruthy();
    const second = await get(
      `/api/v1/sims?accountId=${t.root.id}&networkState=ONLINE&limit=1&cursor=${cursor}`,
      t.agent,
    );
    expect([...iccidsOf(first), ...iccidsOf(second)].sort()).toEqual(sorted(online, parents));
    expect(second.json().nextCursor).toBeNull();
  });

  it('a customer’s filter reaches only their own SIMs', async () => {
    expect(iccidsOf(await get('/api/v1/sims?networkState=ONLINE', t.customer))).toEqual(sorted(online));
    expect(iccidsOf(await get('/api/v1/sims?failing=true', t.customer))).toEqual(sorted(failing));
    expect(iccidsOf(await get('/api/v1/sims?failing=true', other.customer))).toEqual(sorted(theirs));
  });

  it('400 names the field and value of a bad network filter', async () => {
    for (const [q, field] of [
      ['networkState=FLYING', 'networkState'],
      ['lastSeenBefore=yesterday', 'lastSeenBefore'],
      ['lastSeenAfter=2026-13-01', 'lastSeenAfter'],
      ['failing=maybe', 'failing'],
    ] as const) {
      const res = await get(`/api/v1/sims?${q}`, t.agent);
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(res.json().error.details), q).toContain(field);
      expect(JSON.stringify(res.json().error.details), q).toContain(q.split('=')[1]!);
    }
  });

  it('401 without credentials', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/sims?failing=true' })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/sims/count', () => {
  it('counts what the list filter selects, within the caller’s reach; 400 names a bad filter; 401 without auth', async () => {
    const count = (q: string, who: Record<string, string>) => get(`/api/v1/sims/count?${q}`, who);
    expect((await count(`accountId=${t.root.id}&networkState=ONLINE`, t.agent)).json()).toEqual({ count: 2 });
    expect((await count(`accountId=${t.root.id}`, t.agent)).json()).toEqual({ count: 5 });
    expect((await count('networkState=ONLINE', t.customer)).json()).toEqual({ count: 1 });
    expect((await count('', other.customer)).json()).toEqual({ count: 1 });
    const bad = await count('failing=maybe', t.agent);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('failing');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/sims/count' })).statusCode).toBe(401);
  });
});

describe('the network filters in the plan', () => {
  it('every table of the filtered list is reachable through an index (no scan is forced on the plan)', async () => {
    const q = listQuery(
      h.ctx.database.db,
      { network: { states: ['ONLINE'], seenBefore: new Date(), failing: true } },
      { sort: 'iccid', dir: 'asc' },
      51,
    );
    // Tiny test tables make a sequential scan cheapest; with it off the plan shows the paths the query has at 1M
    // (which one the planner takes there depends on how selective the filter is: sims.network-filter.ts).
    const plan = await h.ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return (await queryRows<{ 'QUERY PLAN': string }>(tx, sql`explain ${q}`)).map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using \S+ on sim_network_state/);
    expect(plan).toMatch(/Index Scan using \S+ on sims/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});

describe('POST /api/v1/sims/bulk with a network filter', () => {
  it('a dry run counts what changes and groups the refused SIMs by the rule that refuses them', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/bulk',
      headers: t.agent,
      payload: {
        selection: { filter: { accountId: t.child.id, lastSeenBefore: ago(60) } },
        change: { state: 'DEACTIVATED' },
        dryRun: true,
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      matched: 2,
      wouldChange: 1,
      rejectedCount: 1,
      rejectedByReason: [
        { reason: 'transition not allowed from INVENTORY to DEACTIVATED', count: 1, examples: [silent.iccid20] },
      ],
    });
  });

  it('a customer’s filter selection stays within their SIMs', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sims/bulk',
      headers: t.customer,
      payload: { selection: { filter: { networkState: 'ONLINE' } }, change: { state: 'DEACTIVATED' }, dryRun: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ matched: 1, wouldChange: 1, rejectedByReason: [] });
  });
});

describe('GET /api/v1/sims/export with the list’s filters', () => {
  const rows = (body: string) =>
    (parse(body, { columns: true }) as Record<string, string>[]).map((r) => r.iccid).sort();

  it('exports exactly what the list shows for the same filter', async () => {
    const q = `accountId=${t.root.id}&networkState=ONLINE,ATTACHED&state=ACTIVATED`;
    const list = await get(`/api/v1/sims?${q}`, t.agent);
    const csv = await get(`/api/v1/sims/export?${q}`, t.agent);
    expect(csv.statusCode).toBe(200);
    expect(rows(csv.body)).toEqual(iccidsOf(list));
    expect(rows(csv.body)).toEqual(sorted(online, old, parents));
    const stale = await get(
      `/api/v1/sims/export?accountId=${t.root.id}&lastSeenBefore=${encodeURIComponent(ago(24 * 60))}`,
      t.agent,
    );
    expect(rows(stale.body)).toEqual(sorted(old, silent));
    const prefix = await get(`/api/v1/sims/export?iccid=${online.iccid.slice(0, 19)}`, t.agent);
    expect(rows(prefix.body)).toEqual(sorted(online));
  });

  it('a customer exports only their own failing SIMs; a bad filter is 400 naming it', async () => {
    expect(rows((await get('/api/v1/sims/export?failing=true', t.customer)).body)).toEqual(sorted(failing));
    const bad = await get('/api/v1/sims/export?networkState=FLYING', t.customer);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('networkState');
  });
});
