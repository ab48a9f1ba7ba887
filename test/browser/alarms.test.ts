import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

/**
 * Alarms as the desk meets them (issue 17): a SIM that last talked 30 hours ago (no rhythm yet: a day's silence is
 * news) is alarmed by the worker's silence watch within seconds of its record arriving, not at its next message;
 * the agent finds it by ICCID, acknowledges it, and clears it. A SIM refused again and again (issue 17.1) is alarmed
 * as its refusals arrive, and the alarm says which cause, network and APN.
 */
describe.skipIf(testDbKind !== 'pglite')('alarms (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  let iccid = '';

  const call = (p: Page, method: string, url: string, body?: unknown) =>
    pageCall<{ items?: { iccid: string; networkState?: string | null }[]; secret?: string }>(p, method, url, body);

  beforeAll(async () => {
    desk = await startDemoDesk('alarms', { IOTOPS_SIMULATE: 'off' });
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `alarms-browser-${Date.now()}` });
    expect(cred.status).toBe(201);
    // A SIM in service the demo never brought on the network (created here): its first record, 30 h old.
    const account = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
    const accountId = (account.body.items?.[0] as { account?: { id: number } } | undefined)?.account?.id;
    iccid = `8946070${String(Date.now()).slice(-12)}`;
    const created = await call(admin, 'POST', '/api/v1/sims', { iccid, accountId, state: 'ACTIVATED' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    iccid = (created.body as unknown as { iccid: string }).iccid;
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({
        id: 'alarm-1',
        ts: new Date(Date.now() - 30 * 3_600_000).toISOString(),
        iccid,
        type: 'attach',
        network: { mcc: '240', mnc: '07' },
        rat: 'LTE-M',
      }),
    });
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    agent = await desk.as('agent');
  }, 240_000);
  afterAll(() => desk?.close());

  it('shows the silent SIM’s alarm, found by ICCID; acknowledged, then cleared', async () => {
    // The watch starts with ingest's batch event and fires at the next tick: seconds, on a loaded machine more.
    await expect
      .poll(
        async () => {
          const r = await call(agent, 'GET', `/api/v1/alarms?iccid=${iccid}`);
          return (r.body.items ?? []).length;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);
    await agent.goto(`${desk.url}/alarms`);
    await agent.getByRole('textbox', { name: 'SIM' }).fill(iccid);
    const table = agent.getByRole('table', { name: 'Alarms' });
    await table.getByRole('row').filter({ hasText: iccid }).waitFor();
    const row = table.getByRole('row').filter({ hasText: iccid });
    expect(await row.textContent()).toMatch(/major.*Silent since .*\(attach\); its rhythm allows 24 h.*active/);
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarms-active');
    await row.getByRole('button', { name: `Acknowledge the alarm of ${iccid}` }).click();
    await row.getByText('acknowledged').waitFor();
    await row.getByRole('button', { name: `Clear the alarm of ${iccid}` }).click();
    await agent.getByText('No active alarm.').waitFor();
    await agent.getByText('All', { exact: true }).click();
    await table.getByRole('row').filter({ hasText: iccid }).getByText('cleared').waitFor();
    await shot(agent, 'alarms-cleared');
  });

  it('shows a refusal burst in words (its cause, network and APN), found by its type', async () => {
    const rule = await call(agent, 'POST', '/api/v1/alarm-rules', {
      name: `Refused APN ${Date.now()}`,
      kind: 'refusal_burst',
      params: { count: 3, windowMinutes: 15, causes: [27] },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `bursts-browser-${Date.now()}` });
    const sims = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
    const accountId = (sims.body.items?.[0] as { account?: { id: number } } | undefined)?.account?.id;
    const created = await call(admin, 'POST', '/api/v1/sims', {
      iccid: `8946071${String(Date.now()).slice(-12)}`,
      accountId,
      state: 'ACTIVATED',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const refused = (created.body as unknown as { iccid: string }).iccid;
    // Three session refusals a minute apart, each "missing or unknown APN": the APN typed wrong on the device.
    const records = [3, 2, 1].map((m) =>
      JSON.stringify({
        id: `burst-${m}`,
        ts: new Date(Date.now() - m * 60_000).toISOString(),
        iccid: refused,
        type: 'session_rejected',
        network: { mcc: '240', mnc: '07' },
        apn: 'iot.exmaple.com',
        cause: 27,
      }),
    );
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: records.join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [] });
    await expect
      .poll(
        async () => {
          const r = await call(agent, 'GET', `/api/v1/alarms?iccid=${refused}&type=refusal_burst`);
          return (r.body.items ?? []).length;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);

    await agent.goto(`${desk.url}/alarms`);
    await agent.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Refusal burst' });
    const row = agent.getByRole('table', { name: 'Alarms' }).getByRole('row').filter({ hasText: refused });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /major.*Refusal burst.*Refused 3 times within 15 min.*last refusal: session, cause 27 Missing or unknown APN, network 24007, APN iot\.exmaple\.com.*Rule: Refused APN.*active/,
    );
    expect(await row.getByRole('link', { name: refused, exact: true }).getAttribute('href')).toBe(`/sims/${refused}`);
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarms-refusal-burst');
  });

  it("groups an outage's SIM alarms under the network's alarm (one row), opened on demand", async () => {
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `outage-browser-${Date.now()}` });
    const sims = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
    const accountId = (sims.body.items?.[0] as { account?: { id: number } } | undefined)?.account?.id;
    // The account's own rule (more specific than the test above's): attach refusals of any cause.
    const rule = await call(agent, 'POST', '/api/v1/alarm-rules', {
      name: `Refused attach ${Date.now()}`,
      kind: 'refusal_burst',
      scope: { accountIds: [accountId] },
      params: { count: 3, windowMinutes: 15, attempts: ['attach'] },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const victims: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await call(admin, 'POST', '/api/v1/sims', {
        iccid: `894607${i}${String(Date.now()).slice(-12)}`,
        accountId,
        state: 'ACTIVATED',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      victims.push((created.body as unknown as { iccid: string }).iccid);
    }
    // A network nobody else uses refuses each of them four times in half an hour: an outage, as the diagnosis sees it.
    const records = victims.flatMap((iccid, v) =>
      [30, 25, 20, 15].map((m) =>
        JSON.stringify({
          id: `outage-${v}-${m}`,
          ts: new Date(Date.now() - m * 60_000).toISOString(),
          iccid,
          type: 'attach_rejected',
          network: { mcc: '262', mnc: '09' },
          cause: 17,
        }),
      ),
    );
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: records.join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 24, rejected: [] });
    // The worker's fleet pass runs every minute on a snapshot refreshed every minute: wait for the group to form.
    await expect
      .poll(
        async () => {
          const r = await pageCall<{ items: { groupSize: number | null }[] }>(
            agent,
            'GET',
            '/api/v1/alarms?type=fleet_attach_refusals',
          );
          return r.body.items?.[0]?.groupSize ?? 0;
        },
        { timeout: 240_000, interval: 2000 },
      )
      .toBe(6);

    await agent.goto(`${desk.url}/alarms`);
    const table = agent.getByRole('table', { name: 'Alarms' });
    const outage = table.getByRole('row').filter({ hasText: 'Network 26209' });
    await outage.waitFor();
    // Grouped (the default): the outage once, none of its SIMs beside it.
    expect(await table.getByRole('row').filter({ hasText: victims[0]! }).count()).toBe(0);
    await outage.getByRole('button', { name: 'The 6 SIM alarms of Network 26209' }).click();
    await agent.getByText('SIM alarms of the outage on Network 26209').waitFor();
    for (const iccid of victims) await table.getByRole('row').filter({ hasText: iccid }).waitFor();
    expect(await table.getByRole('row').count()).toBe(7); // the header and the six SIMs
    expect(await table.getByRole('row').filter({ hasText: victims[0]! }).textContent()).toMatch(
      /Refused \d times.*Part of the outage alarm #\d+/,
    );
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarms-outage-group');
    // Back to all alarms, ungrouped: the SIMs are listed among the others.
    await agent.getByRole('button', { name: 'All alarms' }).click();
    await agent.getByRole('checkbox', { name: 'Group by outage' }).uncheck();
    await table.getByRole('row').filter({ hasText: victims[5]! }).waitFor();
  });
});
