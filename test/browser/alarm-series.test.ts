import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

/**
 * An alarm's chart (issue 17, point 6): a SIM that talked every 30 minutes, then nothing for 30 hours, is alarmed by
 * the silence watch; the agent opens the alarm from the list and sees the SIM's traffic around it — its seven
 * attaches, then the empty buckets — with the last event, the silence its rule allowed and the alarm marked.
 */
describe.skipIf(testDbKind !== 'pglite')('alarm series (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  let iccid = '';
  const HOUR = 3_600_000;
  const lastAt = Date.now() - 30 * HOUR;

  const call = (p: Page, method: string, url: string, body?: unknown) =>
    pageCall<{ items?: { id: number; account?: { id: number } }[]; secret?: string; iccid?: string }>(
      p,
      method,
      url,
      body,
    );

  beforeAll(async () => {
    desk = await startDemoDesk('alarm-series', { IOTOPS_SIMULATE: 'off' });
    const admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `series-browser-${Date.now()}` });
    expect(cred.status).toBe(201);
    const sims = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
    const created = await call(admin, 'POST', '/api/v1/sims', {
      iccid: `8946072${String(Date.now()).slice(-12)}`,
      accountId: sims.body.items?.[0]?.account?.id,
      state: 'ACTIVATED',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    iccid = created.body.iccid!;
    // Every 30 minutes for 3 hours, the last one 30 h ago: no rhythm learned yet, so a day's silence is news.
    const records = [6, 5, 4, 3, 2, 1, 0].map((k) =>
      JSON.stringify({
        id: `series-${k}`,
        ts: new Date(lastAt - k * 30 * 60_000).toISOString(),
        iccid,
        type: 'attach',
        network: { mcc: '240', mnc: '07' },
        rat: 'LTE-M',
      }),
    );
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: records.join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 7, rejected: [] });
    agent = await desk.as('agent');
  }, 240_000);
  afterAll(() => desk?.close());

  /** The SIM's alarm, once the watch raised it (at the worker's next tick after the batch event: seconds). */
  async function alarmOfSim(): Promise<number> {
    let id = 0;
    await expect
      .poll(
        async () => {
          id = (await call(agent, 'GET', `/api/v1/alarms?iccid=${iccid}`)).body.items?.[0]?.id ?? 0;
          return id;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    return id;
  }

  it("opens the alarm from the list and shows the SIM's traffic around it, with the alarm's marks", async () => {
    await alarmOfSim();
    await agent.goto(`${desk.url}/alarms`);
    await agent.getByRole('textbox', { name: 'SIM' }).fill(iccid);
    await agent.getByRole('link', { name: `Silence — ${iccid}` }).click();
    await agent.getByRole('heading', { name: `Silence: ${iccid}` }).waitFor();

    const chart = agent.getByRole('img', { name: /^Network events of / });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(
      new RegExp(
        `^Network events of ${iccid} from .* in 15-minute buckets: 7 accepted, 0 refused; alarm raised .*, still active; silent since .*, 24 h allowed$`,
      ),
    );
    // Seven attaches 30 minutes apart: one bar each, in 15-minute buckets.
    const bars = chart.locator('rect title');
    const titles = await bars.allTextContents();
    const attaches = titles.filter((x) => / — attach: \d+$/.test(x)).map((x) => Number(/(\d+)$/.exec(x)![1]));
    expect(attaches.reduce((s, n) => s + n, 0)).toBe(7);
    const marks = agent.getByRole('list', { name: 'Marks on the chart' });
    // (A silence is found again every 5 minutes: on a slow run a "last seen" mark may join these.)
    expect(await marks.getByRole('listitem').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^last event: /),
        expect.stringMatching(/^alarm raised: /),
        expect.stringMatching(/^silence the rule allowed: 24 h, due /),
      ]),
    );
    // The marks are drawn too: a vertical line per instant, and the allowed silence as a band.
    expect(await chart.locator('line title').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^last event: /), expect.stringMatching(/^alarm raised: /)]),
    );
    expect(await chart.locator('rect > title').first().textContent()).toMatch(
      /^silence the rule allowed: 24 h, until /,
    );
    await agent.getByText('attach', { exact: true }).waitFor(); // the legend
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarm-series');

    // A finer bucket redraws from the same events.
    await agent.getByText('5 min', { exact: true }).click();
    await expect.poll(async () => chart.getAttribute('aria-label')).toMatch(/in 5-minute buckets: 7 accepted/);
  });

  it('says so when the window holds no events, and still marks the alarm', async () => {
    // The server's answer with every bucket emptied: what a window with no traffic at all looks like.
    await agent.route('**/api/v1/alarms/*/series*', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { buckets: Record<string, unknown>[]; totals: Record<string, unknown> };
      body.buckets = body.buckets.map((b) => ({ ...b, accepted: 0, refused: 0, byType: {}, bytes: 0 }));
      body.totals = { accepted: 0, refused: 0, bytes: 0 };
      await route.fulfill({ response: res, json: body });
    });
    await agent.goto(`${desk.url}/alarms/${await alarmOfSim()}`);
    await agent.getByText('No network events from this SIM in this window.').waitFor();
    const chart = agent.getByRole('img', { name: /^Network events of / });
    expect(await chart.getAttribute('aria-label')).toMatch(/: 0 accepted, 0 refused; alarm raised /);
    expect(await chart.locator('line title').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^alarm raised: /)]),
    );
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await agent.unroute('**/api/v1/alarms/*/series*');
  });
});
