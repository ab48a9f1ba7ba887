import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

/**
 * Capacity as the desk meets it (issue 17.5): two store routers with eight weeks of hourly link utilisation sent
 * through HTTP ingest — one climbing a point a day to saturation tomorrow, one flat. The worker's capacity run (every
 * minute here) forecasts both and opens one upgrade proposal; the agent finds the saturating link first in the
 * Capacity list, opens its chart and plan, and follows the proposal to its order case.
 */
describe.skipIf(testDbKind !== 'pglite')('capacity (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const stamp = String(Date.now()).slice(-6);
  const rising = `store-rtr-${stamp}-12`;
  const flat = `store-rtr-${stamp}-07`;

  const call = (p: Page, method: string, url: string, body?: unknown) => pageCall(p, method, url, body);

  /** Office hours busy, nights quiet: a shop's router. */
  const diurnal = (at: number) => {
    const h = new Date(at).getUTCHours();
    return h >= 7 && h < 19 ? 1 : 0.3;
  };

  beforeAll(async () => {
    desk = await startDemoDesk('capacity', { IOTOPS_SIMULATE: 'off', CAPACITY_RUN_MINUTES: '1' });
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `capacity-browser-${stamp}` });
    expect(cred.status).toBe(201);
    const accounts = await call(admin, 'GET', '/api/v1/accounts?limit=50');
    const retail = (accounts.body.items as { id: number; name: string }[]).find((a) => /kauf/i.test(a.name));
    expect(retail, JSON.stringify(accounts.body).slice(0, 300)).toBeDefined();
    const model = await call(admin, 'POST', '/api/v1/device-models', {
      name: `LTE store router ${stamp}`,
      kind: 'router',
      maxLinkKbps: 15_000,
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    for (const [externalId, name] of [
      [rising, 'Store 12 Munich'],
      [flat, 'Store 7 Augsburg'],
    ] as const) {
      const d = await call(admin, 'POST', '/api/v1/devices', {
        externalId,
        name,
        accountId: retail!.id,
        modelId: model.body.id,
        linkKbps: 10_000,
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
    }
    // Eight weeks of complete hours up to the last one, one record an hour per router.
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    const start = Math.floor(end / DAY) * DAY - 56 * DAY;
    const lines: string[] = [];
    for (let at = start; at < end; at += HOUR) {
      const day = (at - start) / DAY;
      const values = { [rising]: (33 + day) * diurnal(at), [flat]: 55 * diurnal(at) + (day % 7 < 5 ? 5 : 0) };
      for (const [deviceId, v] of Object.entries(values))
        lines.push(
          JSON.stringify({
            id: `${deviceId}-${at}`,
            ts: new Date(at + 11 * 60_000).toISOString(),
            deviceId,
            metrics: { link_utilization_pct: Math.min(100, Math.round(v * 100) / 100) },
          }),
        );
    }
    const res = await fetch(`${desk.url}/api/v1/ingest/telemetry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: lines.length, rejected: [] });
    agent = await desk.as('agent');
  }, 240_000);
  afterAll(() => desk?.close());

  it('lists the saturating link first with its proposal; its chart and plan; the order case', async () => {
    // The worker's next minute's run forecasts both links and opens the proposal.
    await expect
      .poll(
        async () => {
          const r = await call(agent, 'GET', '/api/v1/capacity/links');
          const first = (r.body.items as { externalId: string; proposal: unknown }[] | undefined)?.[0];
          return first?.externalId === rising && first.proposal !== null;
        },
        { timeout: 150_000, interval: 2000 },
      )
      .toBe(true);
    await agent.goto(`${desk.url}/capacity`);
    const table = agent.getByRole('table', { name: 'Links' });
    const row = table.getByRole('row').filter({ hasText: rising });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Store 12 Munich.*\+7\.\d points\/week.*upgrade due.*10 Mbit\/s.*C-\d{4}-/);
    const other = table.getByRole('row').filter({ hasText: flat });
    expect(await other.textContent()).toContain('not within 90 days');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'capacity-links');

    await row.getByRole('link', { name: 'Store 12 Munich' }).click();
    await agent.getByRole('heading', { name: `Link Store 12 Munich (${rising})` }).waitFor();
    await agent.getByRole('img', { name: /Daily p95 link utilisation: \d+ days measured, 28 days forecast/ }).waitFor();
    await agent.getByText('Now: raise to 15 Mbit/s, the most the current equipment').waitFor();
    await agent.getByText(/^After the hardware change: \d+ Mbit\/s\.$/).waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'capacity-link');

    await agent.getByRole('link', { name: /^C-\d{4}-\d+$/ }).click();
    await agent.getByText(`Capacity: upgrade proposal for link Store 12 Munich (${rising})`).first().waitFor();
    await shot(agent, 'capacity-proposal-case');
  });
});
