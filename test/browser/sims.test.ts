import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

/**
 * The SIM inventory as an agent works it: filter by network state, bulk-suspend through the confirmation built
 * from the API's dry run (with its refusal reason), export the filtered set, open a SIM and read its IMEI history.
 * The demo's traffic is off and the test sends its own network events, so exactly three SIMs are ONLINE.
 */
describe.skipIf(testDbKind !== 'pglite')('SIM inventory (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  /** Three ACTIVATED demo SIMs made ONLINE; the third is then REPLACED (it cannot be suspended). */
  let sims: string[];
  const IMEI_A = '490154203237518';
  const IMEI_B = '356938035643809';

  type Answer = { status: number; body: { items?: { iccid: string }[]; secret?: string } };
  /** A JSON call from inside a logged-in page (its session cookie). */
  const call = (p: Page, method: string, url: string, body?: unknown): Promise<Answer> =>
    pageCall<Answer['body']>(p, method, url, body);

  beforeAll(async () => {
    desk = await startDemoDesk('sims', { IOTOPS_SIMULATE: 'off' });
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `sims-browser-${Date.now()}` });
    expect(cred.status).toBe(201);
    const list = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=3');
    sims = (list.body.items ?? []).map((s) => s.iccid);
    expect(sims).toHaveLength(3);
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const net = { network: { mcc: '240', mnc: '07' }, rat: 'LTE-M' };
    const records = sims.flatMap((iccid, i) => [
      { id: `a-${i}`, ts: ago(30), iccid, type: 'attach', ...net, imei: IMEI_A },
      ...(i === 0 ? [{ id: 'a-0b', ts: ago(10), iccid, type: 'attach', ...net, imei: IMEI_B }] : []),
      { id: `s-${i}`, ts: ago(5), iccid, type: 'session_start', ...net, apn: 'iot.demo', session_id: `s-${i}` },
    ]);
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: records.length, rejected: [] });
    agent = await desk.as('agent');
    const replaced = await call(agent, 'POST', `/api/v1/sims/${sims[2]}/state`, { state: 'REPLACED' });
    expect(replaced.status).toBe(200);
  }, 240_000);
  afterAll(() => desk?.close());

  const table = () => agent.getByRole('table', { name: 'SIM inventory' });
  const rows = async () => (await table().getByRole('row').allTextContents()).slice(1);

  it('filters by network state, bulk-suspends two SIMs through the confirmation, exports the filtered set', async () => {
    await agent.goto(`${desk.url}/sims`);
    await agent.getByRole('textbox', { name: 'Network state' }).click();
    await agent.getByRole('option', { name: 'ONLINE', exact: true }).click();
    await expect.poll(() => new URL(agent.url()).searchParams.get('networkState')).toBe('ONLINE');
    // Exactly the three SIMs the test brought online (the earlier page stays until the filtered one arrives).
    await expect.poll(async () => (await rows()).map((r) => r.slice(0, 20)).sort()).toEqual([...sims].sort());
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'sims-filtered-online');

    // "All matching the filter" counts the filter's SIMs on the server (here the same three).
    await agent.getByRole('checkbox', { name: 'All SIMs matching the filter' }).check();
    await agent.getByText('3 selected').waitFor();
    await agent.getByRole('checkbox', { name: 'All SIMs matching the filter' }).uncheck();
    await agent.getByText('0 selected').waitFor();
    for (const iccid of sims) await agent.getByRole('checkbox', { name: `Select SIM ${iccid}` }).check();
    await agent.getByText('3 selected').waitFor();
    await agent.getByRole('textbox', { name: 'New state' }).click();
    await agent.getByRole('option', { name: 'DEACTIVATED', exact: true }).click();
    await agent.getByRole('button', { name: 'Review change' }).click();

    const dialog = agent.getByRole('dialog', { name: 'Confirm the change' });
    await dialog.getByText('2 SIMs will change').waitFor();
    await dialog.getByText(/3 selected · 0 already as asked · 1 refused/).waitFor();
    await dialog.getByText(`transition not allowed from REPLACED to DEACTIVATED: 1 (e.g. ${sims[2]})`).waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'sims-bulk-confirmation');
    await dialog.getByRole('button', { name: 'Apply to 2 SIMs' }).click();
    await agent.getByRole('status').getByText('2 SIMs changed · 1 refused').waitFor();
    await dialog.waitFor({ state: 'detached' });
    // The list shows the change (the bulk change invalidated it).
    await expect
      .poll(async () =>
        (await rows())
          .filter((r) => r.includes('DEACTIVATED'))
          .map((r) => r.slice(0, 20))
          .sort(),
      )
      .toEqual(sims.slice(0, 2).sort());
    await shot(agent, 'sims-bulk-done');

    // The export downloads the list's filtered set: the same three SIMs, in their states now.
    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      agent.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('sims.csv');
    const csv = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r.iccid, r.state]).sort()).toEqual(
      [
        [sims[0], 'DEACTIVATED'],
        [sims[1], 'DEACTIVATED'],
        [sims[2], 'REPLACED'],
      ].sort(),
    );
  });

  it('opens a SIM from the filtered list and reads its IMEI history', async () => {
    await agent.goto(`${desk.url}/sims?networkState=ONLINE`);
    await table().getByRole('cell', { name: sims[0], exact: true }).click();
    await agent.getByRole('heading', { name: sims[0] }).waitFor();
    await agent.getByRole('tab', { name: 'IMEI history' }).click();
    const history = agent.getByRole('table', { name: 'IMEI history' });
    await expect
      .poll(async () => (await history.getByRole('row').allTextContents()).slice(1).map((r) => r.slice(0, 15)))
      .toEqual([IMEI_B, IMEI_A]);
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'sim-imei-history');
  });
});
