import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';
import { shotFromTop, startRulesDesk, untilBacktestFinds } from '../support/rules-desk.ts';

/**
 * The alarm-rule editor's usage and telemetry kinds (issue 17.1), as the desk uses them: a usage-drop rule
 * backtested on a SIM that carried 1 MB in the same hour of each of the four weeks before and nothing since, a
 * telemetry-threshold rule (device scope only, no case; backtested on a device whose reports ran hot for five minutes,
 * saved once given a bound), and a usage-drift rule backtested on a SIM that carried 1 MB a day for three weeks and
 * nothing since. Each wrong field is named under it.
 */
describe.skipIf(testDbKind !== 'pglite')('alarm rules: usage (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  let admin: Page;
  let ingestSecret = '';
  let account = { id: 0, label: '' };

  const call = (p: Page, method: string, url: string, body?: unknown) => pageCall(p, method, url, body);

  beforeAll(async () => {
    ({ desk, admin, agent, ingestSecret, account } = await startRulesDesk('alarm-rules-usage'));
  }, 240_000);
  afterAll(() => desk?.close());

  it('creates a usage-drop rule: its fields in words, a wrong one named under it, backtested with its drop, saved', async () => {
    const drop = `Cameras gone thin ${Date.now()}`;
    // Its own APN, so the rule's scope takes in this SIM only (the APN of its last session); and the account, as a
    // backtest reads at most 5,000 SIMs (the first by id, and the demo holds more: this new one is past them).
    const apn = `drop${Date.now()}.example`;
    const created = await call(admin, 'POST', '/api/v1/sims', {
      iccid: `8946071${String(Date.now()).slice(-12)}`,
      accountId: account.id,
      state: 'ACTIVATED',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const thin = created.body.iccid as string;
    // 1 MB in the hour before T in each of the four weeks before T (T two days ago), nothing since: the backtest's
    // hours to T find the SIM 100 % below its usual.
    const HOUR = 3_600_000;
    const T = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
    const records = [1, 2, 3, 4].flatMap((w) => {
      const at = T - w * 168 * HOUR;
      const session = { iccid: thin, network: { mcc: '240', mnc: '07' }, apn, session_id: `drop-${w}` };
      return [
        { ...session, id: `drop-${thin}-${w}-s`, ts: new Date(at - 40 * 60_000).toISOString(), type: 'session_start' },
        {
          ...session,
          id: `drop-${thin}-${w}-e`,
          ts: new Date(at - 20 * 60_000).toISOString(),
          type: 'session_end',
          bytes_up: 200_000,
          bytes_down: 800_000,
        },
      ];
    });
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestSecret}`, 'content-type': 'application/x-ndjson' },
      body: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 8, rejected: [] });
    // The hourly usage is written a moment after the records are accepted.
    await untilBacktestFinds(
      agent,
      {
        kind: 'usage_drop',
        scope: { accountIds: [account.id], apns: [apn] },
      },
      thin,
    );

    await agent.goto(`${desk.url}/alarms/rules/new`);
    await agent.getByRole('heading', { name: 'New alarm rule' }).waitFor();
    await agent.getByRole('radiogroup', { name: 'Kind of rule' }).getByText('Usage drop', { exact: true }).click();
    await agent.getByText('carries much less data than usual', { exact: false }).waitFor();
    await agent.getByLabel('Name').fill(drop);
    const accounts = agent.getByRole('textbox', { name: 'Accounts' });
    await accounts.fill(account.label.slice(0, 6));
    await agent.getByRole('option', { name: account.label }).click();
    await agent.getByRole('textbox', { name: 'APNs' }).fill(apn);
    await agent.getByRole('textbox', { name: 'Drop (%)' }).fill('60');
    await agent.getByRole('textbox', { name: 'Least usual volume (kB)' }).fill('500');
    // Out of its range (1 to 24): the API's answer shows under the field, and nothing is backtested.
    const hours = agent.getByRole('textbox', { name: 'Hours judged' });
    await hours.fill('30');
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent
      .getByRole('alert')
      .getByText(/^params\.hours \(30\): /)
      .waitFor();
    await agent.getByText('Too big: expected number to be <=24', { exact: true }).waitFor();
    await expect.poll(() => hours.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-drop-invalid');

    await hours.fill('3');
    await agent
      .getByText(
        /whose last 3 hours carried 60 % less than its usual for the same 3 hours of the week \(the median of 4 weeks.*if it usually carries at least 500 kB then/,
      )
      .waitFor();
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent.getByText(/^On the last 7 days this rule would have fired 1 time on 1 of 1 SIM\.$/).waitFor();
    const sims = agent.getByRole('table', { name: 'SIMs it would have fired on' });
    await sims.getByRole('columnheader', { name: 'Deepest drop below its usual' }).waitFor();
    await sims.getByRole('row', { name: thin }).getByText('−100 %').waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-drop-backtest');

    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: drop });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      new RegExp(
        `Usage drop.*enabled.*Accounts: ${account.label.replace(/[()]/g, '\\$&')}.*APNs: ${apn.replace(/\./g, '\\.')}.*a SIM carries 60 % less than its usual for the same 3 hours ` +
          'of the week \\(median of 4 weeks, beyond 3 MADs\\), if it usually carries ≥ 500 kB.*major',
      ),
    );
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        name: drop,
        kind: 'usage_drop',
        scope: { accountIds: [account.id], apns: [apn] },
        params: { dropPercent: 60, k: 3, hours: 3, learnWeeks: 4, minUsualKb: 500 },
      }),
    );
    await shot(agent, 'alarm-rules-drop-list');

    // Its editor shows the saved figures back.
    await row.getByRole('link', { name: `Edit ${drop}` }).click();
    await agent.getByRole('heading', { name: `Edit ${drop}` }).waitFor();
    await expect
      .poll(() => agent.getByRole('textbox', { name: 'Least usual volume (kB)' }).inputValue(), { timeout: 10_000 })
      .toBe('500');
    expect(await agent.getByRole('textbox', { name: 'Drop (%)' }).inputValue()).toBe('60');
    await agent.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Delete ${drop}` }).click();
    await agent
      .getByRole('dialog', { name: `Delete the rule ${drop}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row.waitFor({ state: 'detached' });
  });

  it('creates a usage-drift rule: a wrong field named under it, backtested with its drift, saved', async () => {
    const drift = `Meters fading ${Date.now()}`;
    // Its own APN and the account, as for the drop: the scope takes in this SIM only.
    const apn = `drift${Date.now()}.example`;
    const created = await call(admin, 'POST', '/api/v1/sims', {
      iccid: `8946072${String(Date.now()).slice(-12)}`,
      accountId: account.id,
      state: 'ACTIVATED',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const fading = created.body.iccid as string;
    // 1 MB on each of the 21 UTC days before T (two days ago), nothing since: judged on its newest day alone (λ 1)
    // against the 7 days before, the day after T is 100 % below its mean; the day after that is held (its mean now
    // counts an empty day), so the backtest's 7 days find one alarm.
    const DAY = 86_400_000;
    const T = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const records = Array.from({ length: 21 }, (_, i) => i + 1).flatMap((d) => {
      const at = T - d * DAY + 10 * 3_600_000;
      const session = { iccid: fading, network: { mcc: '240', mnc: '07' }, apn, session_id: `drift-${d}` };
      return [
        { ...session, id: `drift-${fading}-${d}-s`, ts: new Date(at).toISOString(), type: 'session_start' },
        {
          ...session,
          id: `drift-${fading}-${d}-e`,
          ts: new Date(at + 20 * 60_000).toISOString(),
          type: 'session_end',
          bytes_up: 200_000,
          bytes_down: 800_000,
        },
      ];
    });
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestSecret}`, 'content-type': 'application/x-ndjson' },
      body: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 42, rejected: [] });
    const params = { days: 1, learnDays: 7, lambda: 1, direction: 'down' };
    // The daily usage is written a moment after the records are accepted.
    await untilBacktestFinds(
      agent,
      {
        kind: 'usage_drift',
        scope: { accountIds: [account.id], apns: [apn] },
        params,
      },
      fading,
    );

    await agent.goto(`${desk.url}/alarms/rules/new`);
    await agent.getByRole('heading', { name: 'New alarm rule' }).waitFor();
    await agent.getByRole('radiogroup', { name: 'Kind of rule' }).getByText('Usage drift', { exact: true }).click();
    await agent.getByText('daily data volume drifts slowly away from its usual', { exact: false }).waitFor();
    await agent.getByLabel('Name').fill(drift);
    const accounts = agent.getByRole('textbox', { name: 'Accounts' });
    await accounts.fill(account.label.slice(0, 6));
    await agent.getByRole('option', { name: account.label }).click();
    await agent.getByRole('textbox', { name: 'APNs' }).fill(apn);
    await agent.getByRole('combobox', { name: 'Direction' }).selectOption('down');
    await agent.getByRole('textbox', { name: 'Days judged' }).fill('1');
    await agent.getByRole('textbox', { name: 'Weight of the newest day (λ)' }).fill('1');
    // Out of its range (7 to 60): the API's answer shows under the field, and nothing is backtested.
    const learn = agent.getByRole('textbox', { name: 'Mean of (days)' });
    await learn.fill('3');
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent
      .getByRole('alert')
      .getByText(/^params\.learnDays \(3\): /)
      .waitFor();
    await agent.getByText('Too small: expected number to be >=7', { exact: true }).waitFor();
    await expect.poll(() => learn.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-drift-invalid');

    await learn.fill('7');
    await agent
      .getByText(
        /whose daily volume over 1 day, weighted to the newest \(λ 1\), drifts below its mean of the 7 days before/,
      )
      .waitFor();
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent.getByText(/^On the last 7 days this rule would have fired 1 time on 1 of 1 SIM\.$/).waitFor();
    const sims = agent.getByRole('table', { name: 'SIMs it would have fired on' });
    await sims.getByRole('columnheader', { name: 'Largest drift from its mean' }).waitFor();
    await sims.getByRole('row', { name: fading }).getByText('−100 %').waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-drift-backtest');

    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: drift });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /Usage drift.*enabled.*a SIM's daily volume over 1 day \(EWMA, λ 1\) drifts below its mean of the 7 days before by more than 3 σ and ≥ 25 %, if it usually carries ≥ 100 kB a day.*major/,
    );
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        name: drift,
        kind: 'usage_drift',
        scope: { accountIds: [account.id], apns: [apn] },
        params: { ...params, limit: 3, minChangePercent: 25, minUsualKb: 100 },
      }),
    );
    await shot(agent, 'alarm-rules-drift-list');

    await row.getByRole('link', { name: `Edit ${drift}` }).click();
    await agent.getByRole('heading', { name: `Edit ${drift}` }).waitFor();
    await expect
      .poll(() => agent.getByRole('combobox', { name: 'Direction' }).inputValue(), { timeout: 10_000 })
      .toBe('down');
    expect(await agent.getByRole('textbox', { name: 'Mean of (days)' }).inputValue()).toBe('7');
    await agent.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Delete ${drift}` }).click();
    await agent
      .getByRole('dialog', { name: `Delete the rule ${drift}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row.waitFor({ state: 'detached' });
  });
});
