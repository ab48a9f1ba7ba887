/**
 * The diagnosis API against a real database (PGlite, and PostgreSQL in test:pg), fed through the real ingest
 * route: the records go through the contract, the write queue and the batch writer like a producer's would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makePlans, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateCommunicationPlanBody } from '../catalog/catalog.schemas.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let producer: Record<string, string>;
/** On t.root (language sv): an APN typo, a healthy device, one never seen. On other.child: a roaming victim. */
let typo: MadeSim;
let healthy: MadeSim;
let silent: MadeSim;
let mine: MadeSim;
let victims: MadeSim[];
const now = Date.now();
const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
const home = { network: { mcc: '240', mnc: '07' }, rat: '4G' };
const down = { network: { mcc: '262', mnc: '01' }, rat: '4G' };

const post = (url: string, headers: Record<string, string>, payload?: unknown) =>
  h.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });
const diagnosis = (sim: MadeSim | string) => `/api/v1/sims/${typeof sim === 'string' ? sim : sim.iccid20}/diagnosis`;

async function ingest(records: unknown[]) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/network-events',
    headers: { ...producer, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify(r)).join('\n'),
  });
  expect(res.json()).toMatchObject({ rejected: [] });
}

/** A device working normally: attached 6 h ago, a session with traffic every 20 minutes since, the last 5 min ago. */
function working(iccid: string) {
  const out: unknown[] = [{ id: uniq(), ts: at(361), iccid, type: 'attach', ...home }];
  for (let m = 360; m >= 5; m -= 20) {
    const s = { ...home, apn: 'iot.example', session_id: `s-${m}-${uniq()}` };
    out.push({ id: uniq(), ts: at(m), iccid, type: 'session_start', ...s });
    out.push({ id: uniq(), ts: at(m - 1), iccid, type: 'session_end', ...s, bytes_up: 2000, bytes_down: 8000 });
  }
  return out;
}

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `diag-${uniq()}` });
  producer = { authorization: `Bearer ${secret}` };
  const plans = await makePlans(h.services, t.root.id);
  const otherPlans = await makePlans(h.services, other.root.id);
  // The victims may roam in the EU: their refusals are the partner's doing, not the plan's.
  const roaming = await h.services.catalog.createCommunicationPlan(
    cliPrincipal(),
    CreateCommunicationPlanBody.parse({
      name: `EU ${uniq()}`,
      accountId: other.root.id,
      apns: ['iot.example'],
      allowedRats: ['4G'],
      roamingZones: ['EU_EEA'],
    }),
  );
  const opts = { state: 'ACTIVATED' as const, ...plans };
  [typo, healthy, silent] = (await makeSims(h.services, t.root.id, 3, opts)) as [MadeSim, MadeSim, MadeSim];
  [mine] = (await makeSims(h.services, t.child.id, 1, opts)) as [MadeSim];
  // Six: one customer's SIMs alone make an incident from FLEET_ONE_ACCOUNT_MIN_SIMS others on (fleet.ts).
  victims = await makeSims(h.services, other.child.id, 6, {
    state: 'ACTIVATED',
    ...otherPlans,
    communicationPlanId: roaming.id,
  });
  const rejected = Array.from({ length: 6 }, (_, i) => ({
    id: uniq(),
    ts: at(50 - i * 5),
    iccid: typo.iccid20,
    type: 'session_rejected',
    ...home,
    apn: 'iot.exmaple',
    cause: 27,
  }));
  await ingest([
    { id: uniq(), ts: at(60), iccid: typo.iccid20, type: 'attach', ...home },
    ...rejected,
    ...working(healthy.iccid20),
    ...working(mine.iccid20),
    // Many SIMs of another customer refused at one network: a fleet incident there. Nobody was served there since
    // the first refusal 90 minutes ago, so the run of refusals started then (the quiet buckets between do not end
    // it; a bucket where the network served someone and refused no one would).
    { id: uniq(), ts: at(90), iccid: victims[0]!.iccid20, type: 'attach_rejected', ...down, cause: 17 },
    ...victims.flatMap((v) =>
      Array.from({ length: 4 }, (_, i) => ({
        id: uniq(),
        ts: at(30 - i * 5),
        iccid: v.iccid20,
        type: 'attach_rejected',
        ...down,
        cause: 17,
      })),
    ),
  ]);
});
afterAll(() => h.close());

describe('POST /api/v1/sims/{iccid}/diagnosis', () => {
  it('names an APN typo with both APNs, for the agent and in the account language for the customer', async () => {
    const res = await post(diagnosis(typo), t.agent);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.rootCause).toMatchObject({ code: 'apn_typo', verdict: 'error' });
    expect(d.rootCause.facts).toMatchObject({ apn: 'iot.exmaple', rightApn: 'iot.example' });
    expect(d.summary.language).toBe('sv');
    expect(d.summary.agent).toContain('iot.exmaple');
    expect(d.summary.agent).toContain('iot.example');
    expect(d.summary.customer).toBe(d.rootCause.customerSummaries.sv);
    expect(d.summary.customer).toContain('iot.example');
    expect(d.checks.length).toBeGreaterThan(5);
    expect(d.checks.find((c: { check: string }) => c.check.startsWith('data_session'))).toBeDefined();
    // Another language when asked; the window is the trace's.
    const fr = await post(diagnosis(typo), t.agent, { language: 'fr', from: at(120) });
    expect(fr.json().summary).toMatchObject({ language: 'fr', customer: d.rootCause.customerSummaries.fr });
    expect(fr.json().window.from).toBe(at(120));
  });

  it('refuses a window in year 0000 (PostgreSQL has none) with a 400 naming it', async () => {
    const res = await post(diagnosis(healthy), t.customer, { to: '0000-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: 'to', reason: expect.stringMatching(/year 0000/) });
  });

  it('answers healthy for a working device', async () => {
    const res = await post(diagnosis(healthy), t.admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rootCause).toMatchObject({ code: 'healthy', verdict: 'ok' });
    expect(res.json().checks.filter((c: { verdict: string }) => c.verdict === 'error')).toEqual([]);
  });

  it('answers unknown "no network events received yet" for a SIM never seen, not an error', async () => {
    const res = await post(diagnosis(silent), t.agent, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().rootCause).toMatchObject({ code: 'no_events_yet', verdict: 'unknown' });
    expect(res.json().summary.agent).toContain('No network events received yet');
  });

  it('404 for an unknown ICCID and for another tenant’s SIM (same answer); 400 for a window past retention', async () => {
    const missing = await post(diagnosis('8946000000000000001'), t.agent);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.details[0]).toMatchObject({ field: 'iccid', value: '8946000000000000001' });
    const theirs = await post(diagnosis(typo), other.customer);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.code).toBe(missing.json().error.code);
    // A sub-account customer does not reach its parent's SIMs either.
    expect((await post(diagnosis(typo), t.customer)).statusCode).toBe(404);
    const long = await post(diagnosis(typo), t.agent, { from: '2020-01-01T00:00:00Z' });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0]).toMatchObject({ field: 'from', value: '2020-01-01T00:00:00Z' });
    expect(long.json().error.details[0].reason).toContain('NETWORK_EVENT_RETENTION_DAYS (90 days)');
    const junk = await post(diagnosis(typo), t.agent, { window: '24h' });
    expect(junk.statusCode).toBe(400);
    expect((await post(diagnosis(typo), {})).statusCode).toBe(401);
  });

  it('lets a customer diagnose its own SIM: summary in its account language, no agent words or fleet figures', async () => {
    const own = await post(diagnosis(typo), t.rootCustomer);
    expect(own.statusCode).toBe(200);
    expect(own.json().summary.language).toBe('sv');
    expect(own.json().summary).not.toHaveProperty('agent');
    expect(own.json().rootCause.code).toBe('apn_typo');
    const child = await post(diagnosis(mine), t.customer);
    expect(child.statusCode).toBe(200);
    expect(child.json().summary.language).toBe('en');
    const fleet = child
      .json()
      .checks.flatMap((c: { evidence: { kind: string }[] }) => c.evidence.filter((e) => e.kind === 'fleet'));
    for (const e of fleet) expect(e).not.toHaveProperty('failingTenants');
  });

  it('sees a fleet incident behind a victim SIM: many SIMs refused at one network', async () => {
    const res = await post(diagnosis(victims[0]!), other.agent);
    expect(res.statusCode).toBe(200);
    expect(res.json().rootCause.code).toBe('roaming_partner_outage');
    expect(res.json().rootCause.fleetIncident).toMatchObject({ kind: 'plmn', key: '26201', failingTenants: 1 });
  });
});

describe('GET /api/v1/network/failing', () => {
  it('lists the failing network with figures for staff; only to its users, without figures, for customers', async () => {
    const staff = await get('/api/v1/network/failing', t.agent);
    expect(staff.statusCode).toBe(200);
    const item = staff.json().items.find((i: { key: string }) => i.key === '26201');
    expect(item).toMatchObject({ kind: 'plmn', attempt: 'attach', rejected: 24, failingSims: 6, failingTenants: 1 });
    const bucket = Math.floor((now - 90 * 60_000) / 300_000) * 300_000;
    expect(item.since).toBe(new Date(bucket).toISOString());
    const user = (await get('/api/v1/network/failing', other.customer)).json().items;
    expect(user).toEqual([{ kind: 'plmn', key: '26201', network: item.network, attempt: 'attach', since: item.since }]);
    const bystander = (await get('/api/v1/network/failing', t.customer)).json().items;
    expect(bystander.find((i: { key: string }) => i.key === '26201')).toBeUndefined();
  });
});

describe('POST /api/v1/diagnoses (many SIMs, run by the worker)', () => {
  it('diagnoses the listed SIMs through the job queue: progress, counts per root cause, paged results', async () => {
    const created = await post('/api/v1/diagnoses', t.agent, {
      selection: { iccids: [typo.iccid20, healthy.iccid, silent.iccid20] },
    });
    expect(created.statusCode).toBe(202);
    const { id, total } = created.json();
    expect(total).toBe(3);
    const queued = (await get(`/api/v1/diagnoses/${id}`, t.agent)).json();
    expect(queued).toMatchObject({ status: 'queued', progress: { total: 3, processed: 0 } });
    expect(queued.results.items.map((r: { rootCause: null }) => r.rootCause)).toEqual([null, null, null]);
    await h.runJobs();
    const done = (await get(`/api/v1/diagnoses/${id}`, t.agent)).json();
    expect(done).toMatchObject({ status: 'done', progress: { total: 3, processed: 3, percent: 100 } });
    const counts = Object.fromEntries(
      done.counts.map((c: { rootCause: string; sims: number }) => [c.rootCause, c.sims]),
    );
    expect(counts).toEqual({ apn_typo: 1, healthy: 1, no_events_yet: 1 });
    const typoRow = done.results.items.find((r: { iccid: string }) => r.iccid === typo.iccid20);
    expect(typoRow).toMatchObject({ rootCause: 'apn_typo', verdict: 'error', language: 'sv' });
    expect(typoRow.agentSummary).toContain('iot.exmaple');
    // Paged, with a filter on the root cause.
    const p1 = (await get(`/api/v1/diagnoses/${id}?limit=2`, t.agent)).json();
    expect(p1.results.items).toHaveLength(2);
    const p2 = (await get(`/api/v1/diagnoses/${id}?limit=2&cursor=${p1.results.nextCursor}`, t.agent)).json();
    expect(p2.results.items).toHaveLength(1);
    expect(p2.results.nextCursor).toBeNull();
    const only = (await get(`/api/v1/diagnoses/${id}?rootCause=healthy`, t.agent)).json();
    expect(only.results.items.map((r: { iccid: string }) => r.iccid)).toEqual([healthy.iccid20]);
    // Staff's job is not a customer's to read.
    expect((await get(`/api/v1/diagnoses/${id}`, t.rootCustomer)).statusCode).toBe(404);
  });

  it("a customer's job by filter covers its own subtree only, without agent summaries", async () => {
    const created = await post('/api/v1/diagnoses', t.customer, { selection: { filter: {} }, language: 'de' });
    expect(created.statusCode).toBe(202);
    expect(created.json().total).toBe(1);
    await h.runJobs();
    const done = (await get(`/api/v1/diagnoses/${created.json().id}`, t.customer)).json();
    expect(done.status).toBe('done');
    expect(done.results.items).toEqual([
      expect.objectContaining({ iccid: mine.iccid20, rootCause: 'healthy', language: 'de' }),
    ]);
    expect(done.results.items[0]).not.toHaveProperty('agentSummary');
    expect((await get(`/api/v1/diagnoses/${created.json().id}`, other.customer)).statusCode).toBe(404);
  });

  it('a job its worker gave up on says failed with the reason to staff, and what to do to its customer', async () => {
    const created = await post('/api/v1/diagnoses', t.customer, { selection: { filter: {} } });
    const id = created.json().id as number;
    // What the RUN_JOB handler's onDead does once the queue has no attempts left for a slice.
    await h.services.diagnosisBatch.fail(id, 'gave up after 5 attempts: connection terminated', new Date());
    const staff = (await get(`/api/v1/diagnoses/${id}`, t.agent)).json();
    expect(staff).toMatchObject({ status: 'failed', error: 'gave up after 5 attempts: connection terminated' });
    expect(staff.finishedAt).not.toBeNull();
    const own = (await get(`/api/v1/diagnoses/${id}`, t.customer)).json();
    expect(own).toMatchObject({ status: 'failed', error: 'The diagnosis could not be finished; run it again.' });
    // A late slice of a failed job does nothing.
    await h.runJobs();
    expect((await get(`/api/v1/diagnoses/${id}`, t.agent)).json().status).toBe('failed');
  });

  it('refuses unknown or out-of-reach ICCIDs naming them, an empty selection, a bad cursor', async () => {
    const res = await post('/api/v1/diagnoses', t.customer, {
      selection: { iccids: [mine.iccid20, typo.iccid20] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { field: 'selection.iccids[1]', value: typo.iccid20, reason: 'unknown SIM' },
    ]);
    const none = await post('/api/v1/diagnoses', t.agent, { selection: { filter: { label: `none-${uniq()}` } } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe('diagnosis.no_sims');
    const bad = await get('/api/v1/diagnoses/999999999', t.agent);
    expect(bad.statusCode).toBe(404);
  });
});
