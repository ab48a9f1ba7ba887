/**
 * Diagnosis on cases against a real database (PGlite, and PostgreSQL in test:pg): a case opened with affected SIMs
 * gets their diagnosis in its timeline from the worker (the cases.sims_set outbox job), an agent can re-run it,
 * above 100 SIMs it is an aggregate; and the entry's text on its own (pure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makePlans, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { caseDiagnosisEntry, FAILING_VIEW, type SimOutcome } from './case-diagnosis.ts';
import type { RootCause } from './diagnosis.model.ts';

const rootCause = (code: RootCause['code'], extra: Partial<RootCause> = {}): RootCause =>
  ({
    code,
    verdict: code === 'healthy' ? 'ok' : 'error',
    confidence: 'high',
    check: null,
    facts: {},
    summary: { agent: `agent text for ${code}`, customer: {} },
    ...extra,
  }) as RootCause;
const window = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };

describe('caseDiagnosisEntry (pure)', () => {
  it("says a SIM's root cause title once (the agent summary opens with it)", () => {
    const agent = 'APN typo on the device (error, high confidence). The device asks for iot.exmaple.';
    const e = caseDiagnosisEntry(
      [
        {
          iccid: '89460000000000000011',
          rootCause: rootCause('apn_typo', { summary: { agent, customer: {} } } as Partial<RootCause>),
        },
      ],
      1,
      window,
    );
    expect(e.body.split('APN typo on the device').length - 1).toBe(1);
  });

  it('lists each SIM up to 100, and names a fleet-wide failure with its link', () => {
    const incident = {
      kind: 'plmn' as const,
      key: '22201',
      since: '2026-11-20T22:05:00.000Z',
      attempt: 'attach' as const,
      rejectShare: 0.8,
      failingSims: 40,
      failingTenants: 6,
    };
    const outcomes: SimOutcome[] = [
      { iccid: '89460000000000000011', rootCause: rootCause('roaming_partner_outage', { fleetIncident: incident }) },
      { iccid: '89460000000000000029', rootCause: rootCause('healthy') },
    ];
    const e = caseDiagnosisEntry(outcomes, 2, window);
    expect(e.body).toContain('Automatic diagnosis of 2 SIMs');
    expect(e.body).toContain('• 89460000000000000011: agent text for roaming_partner_outage');
    expect(e.body).toContain(`Known fleet-wide failure: network 22201 refusing registrations since ${incident.since}`);
    expect(e.body).toContain(FAILING_VIEW);
    expect(e.data).toMatchObject({
      action: 'diagnosis',
      aggregate: false,
      affectedSimCount: 2,
      byRootCause: { roaming_partner_outage: 1, healthy: 1 },
      fleetIncidents: [{ kind: 'plmn', key: '22201', link: FAILING_VIEW }],
      sims: [
        { iccid: '89460000000000000011', rootCause: 'roaming_partner_outage' },
        { iccid: '89460000000000000029', rootCause: 'healthy', verdict: 'ok' },
      ],
    });
  });

  it('above 100 SIMs counts root causes with their share and one example each, no per-SIM list', () => {
    const outcomes: SimOutcome[] = Array.from({ length: 500 }, (_, i) => ({
      iccid: `8946${String(i).padStart(16, '0')}`,
      rootCause: rootCause(i < 400 ? 'apn_gateway_outage' : 'healthy'),
    }));
    const e = caseDiagnosisEntry(outcomes, 12_000, window);
    expect(e.body).toContain("the first 500 by ICCID of the case's 12,000 SIMs");
    expect(e.body).toMatch(/APN gateway[^\n]*: 400 \(80 %\) — e\.g\. 89460000000000000000/);
    expect(e.body).toContain(': 100 (20 %)');
    expect(e.data).toMatchObject({ aggregate: true, diagnosed: 500, byRootCause: { apn_gateway_outage: 400 } });
    expect(e.data).not.toHaveProperty('sims');
  });
});

describe('diagnosis on cases (worker and re-run)', () => {
  let h: Harness;
  let t: Tenant;
  let typo: MadeSim;
  let healthy: MadeSim;
  let many: MadeSim[];
  const now = Date.now();
  const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
  const home = { network: { mcc: '240', mnc: '07' }, rat: '4G' };

  const createCase = (iccids: string[], headers = t.agent) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers,
      payload: { accountId: t.root.id, type: 'incident', subject: 'No data from the meters', affectedIccids: iccids },
    });
  const timeline = async (number: string, headers = t.agent) =>
    (await h.app.inject({ url: `/api/v1/cases/${number}/events`, headers })).json().items as {
      kind: string;
      visibility: string;
      body: string;
      data?: Record<string, unknown>;
    }[];
  const diagnosisEntries = async (number: string, headers = t.agent) =>
    (await timeline(number, headers)).filter((e) => e.data?.action === 'diagnosis');

  beforeAll(async () => {
    h = await harness();
    t = await makeTenant(h.services);
    const plans = await makePlans(h.services, t.root.id);
    [typo, healthy] = (await makeSims(h.services, t.root.id, 2, { state: 'ACTIVATED', ...plans })) as [
      MadeSim,
      MadeSim,
    ];
    many = await makeSims(h.services, t.root.id, 101, { state: 'ACTIVATED', ...plans });
    const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `case-diag-${uniq()}` });
    const records: unknown[] = [];
    for (const [sim, apn] of [
      [typo, 'iot.exmaple'],
      [healthy, 'iot.example'],
    ] as const) {
      records.push({ id: uniq(), ts: at(300), iccid: sim.iccid20, type: 'attach', ...home });
      for (let m = 290; m >= 10; m -= 20) {
        const s = { ...home, apn, session_id: `s-${m}-${uniq()}` };
        if (sim === typo)
          records.push({ id: uniq(), ts: at(m), iccid: sim.iccid20, type: 'session_rejected', ...s, cause: 27 });
        else {
          records.push({ id: uniq(), ts: at(m), iccid: sim.iccid20, type: 'session_start', ...s });
          records.push({
            id: uniq(),
            ts: at(m - 1),
            iccid: sim.iccid20,
            type: 'session_end',
            ...s,
            bytes_up: 900,
            bytes_down: 4000,
          });
        }
      }
    }
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/network-events',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
      payload: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(res.json()).toMatchObject({ rejected: [] });
  });
  afterAll(() => h.close());

  it('a case opened with affected SIMs gets their diagnosis in its timeline from the worker, internal', async () => {
    const c = (await createCase([typo.iccid20, healthy.iccid20])).json();
    expect(await diagnosisEntries(c.number)).toEqual([]); // not before the worker ran
    await h.runJobs();
    const [entry, ...more] = await diagnosisEntries(c.number);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ kind: 'system', visibility: 'internal' });
    expect(entry!.body).toContain('Automatic diagnosis of 2 SIMs');
    expect(entry!.body).toMatch(/APN typo[^\n]*iot\.exmaple[^\n]*iot\.example/);
    expect(entry!.data).toMatchObject({ aggregate: false, diagnosed: 2 });
    expect(entry!.data!.sims).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          iccid: typo.iccid20,
          rootCause: 'apn_typo',
          action: expect.objectContaining({ kind: 'send_config_sms' }),
        }),
        expect.objectContaining({ iccid: healthy.iccid20, rootCause: 'healthy' }),
      ]),
    );
    // Each SIM keeps its checks layer by layer for the console's panel: the typo's data-session check in error
    // with its evidence and the fix, the healthy SIM's checks without an error.
    type Check = { layer: string; verdict: string; evidence: unknown[]; evidenceCount: number; fix?: string };
    const sims = entry!.data!.sims as { iccid: string; fix?: string; checks: Check[] }[];
    const typoSim = sims.find((x) => x.iccid === typo.iccid20)!;
    expect(typoSim.fix).toContain('iot.example');
    const failing = typoSim.checks.filter((x) => x.verdict === 'error');
    expect(failing.map((x) => x.layer)).toContain('data_session');
    expect(failing.filter((x) => x.fix?.includes('iot.example')).length).toBeGreaterThan(0);
    for (const x of typoSim.checks) expect(x.evidence.length).toBeLessThanOrEqual(Math.min(5, x.evidenceCount));
    expect(typoSim.checks.some((x) => x.evidence.length > 0)).toBe(true);
    const healthySim = sims.find((x) => x.iccid === healthy.iccid20)!;
    expect(healthySim.checks.length).toBeGreaterThan(0);
    expect(healthySim.checks.filter((x) => x.verdict === 'error')).toEqual([]);
    // The customer's view of the timeline leaves internal entries out.
    expect(await diagnosisEntries(c.number, t.rootCustomer)).toEqual([]);
  });

  it('an agent re-runs it (another entry); a customer may not; a case without SIMs answers 409 naming why', async () => {
    const c = (await createCase([typo.iccid20])).json();
    await h.runJobs();
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/cases/${c.number}/diagnosis`, headers: t.agent });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'system', visibility: 'internal', data: { action: 'diagnosis' } });
    expect(await diagnosisEntries(c.number)).toHaveLength(2);
    const asCustomer = await h.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.number}/diagnosis`,
      headers: t.rootCustomer,
    });
    expect(asCustomer.statusCode).toBe(403);
    // A window of the agent's choosing, within the retention (the trace's rule: 400 naming the limit).
    const twoHours = await h.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.number}/diagnosis`,
      headers: t.agent,
      payload: { from: at(120) },
    });
    expect(twoHours.json().body).toMatch(/Automatic diagnosis of 1 SIM \(.* 2 h\)/);
    const tooLong = await h.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.number}/diagnosis`,
      headers: t.agent,
      payload: { from: '2020-01-01T00:00:00Z' },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details[0].reason).toContain('NETWORK_EVENT_RETENTION_DAYS');
    const bare = (await createCase([])).json();
    const none = await h.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${bare.number}/diagnosis`,
      headers: t.agent,
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.details).toEqual([expect.objectContaining({ field: 'affectedSimCount', value: 0 })]);
  });

  it('above 100 SIMs the entry is an aggregate by root cause', async () => {
    const c = (await createCase(many.map((s) => s.iccid20))).json();
    await h.runJobs();
    const [entry] = await diagnosisEntries(c.number);
    expect(entry!.body).toContain("Automatic diagnosis of the case's 101 SIMs");
    expect(entry!.data).toMatchObject({ aggregate: true, diagnosed: 101, byRootCause: { no_events_yet: 101 } });
  });
});
