import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';
import { shotFromTop, startRulesDesk } from '../support/rules-desk.ts';

/**
 * The alarm-rule editor's usage and telemetry kinds (issue 17.1), as the desk uses them: a usage-drop rule
 * backtested on a SIM that carried 1 MB in the same hour of each of the four weeks before and nothing since, a
 * telemetry-threshold rule (device scope only, no case; backtested on a device whose reports ran hot for five minutes,
 * saved once given a bound), and a usage-drift rule backtested on a SIM that carried 1 MB a day for three weeks and
 * nothing since. Each wrong field is named under it.
 */
describe.skipIf(testDbKind !== 'pglite')('alarm rules: telemetry (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  let admin: Page;
  let ingestSecret = '';
  let account = { id: 0, label: '' };

  const call = (p: Page, method: string, url: string, body?: unknown) => pageCall(p, method, url, body);

  beforeAll(async () => {
    ({ desk, admin, agent, ingestSecret, account } = await startRulesDesk('alarm-rules-telemetry'));
  }, 240_000);
  afterAll(() => desk?.close());

  it('creates a telemetry-threshold rule: devices scoped by account and model, no case; a missing bound named, backtested on a hot device', async () => {
    const hot = `Hot cabinets ${Date.now()}`;
    // Its own device model, so the rule's scope takes in this device alone: a cabinet in the demo account whose five
    // reports a minute apart, ten minutes ago, ran above 85.5 °C (the fourth in a row, 91.25, raises the alarm).
    const modelName = `Cabinet ${Date.now()}`;
    const model = await call(admin, 'POST', '/api/v1/device-models', {
      name: modelName,
      kind: 'other',
      wearParts: [],
      consumables: [],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    const modelId = model.body.id as number;
    const externalId = `cabinet-${Date.now()}`;
    const deviceName = `Street cabinet ${Date.now()}`;
    const device = await call(admin, 'POST', '/api/v1/devices', {
      externalId,
      name: deviceName,
      accountId: account.id,
      modelId,
    });
    expect(device.status, JSON.stringify(device.body)).toBe(201);
    const deviceId = device.body.id as number;
    const values = [88, 89.5, 90, 91.25, 92];
    const res = await fetch(`${desk.url}/api/v1/ingest/telemetry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestSecret}`, 'content-type': 'application/x-ndjson' },
      body: values
        .map((value, i) =>
          JSON.stringify({
            id: `${externalId}-${i}`,
            ts: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
            deviceId: externalId,
            metrics: { temperature_c: value },
          }),
        )
        .join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 5, rejected: [] });
    // The values are stored a moment after the reports are accepted.
    await expect
      .poll(
        async () => {
          const r = await call(admin, 'GET', `/api/v1/devices/${deviceId}/telemetry?metric=temperature_c`);
          return ((r.body.items as unknown[] | undefined) ?? []).length;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(5);

    await agent.goto(`${desk.url}/alarms/rules/new`);
    await agent.getByRole('heading', { name: 'New alarm rule' }).waitFor();
    await agent
      .getByRole('radiogroup', { name: 'Kind of rule' })
      .getByText('Telemetry threshold', { exact: true })
      .click();
    const metric = agent.getByRole('textbox', { name: 'Metric' });
    await metric.waitFor();
    // It watches devices: accounts and device models only, no "open a case" (the API refuses the rest); it has a
    // backtest (a fleet rule has none).
    await agent.getByRole('group', { name: 'Which devices' }).waitFor();
    await agent.getByRole('textbox', { name: 'Device models' }).waitFor();
    for (const gone of ['APNs', 'Networks (PLMN)', 'Communication plans', 'Rate plans'])
      await agent.getByRole('textbox', { name: gone }).waitFor({ state: 'detached', timeout: 10_000 });
    await agent.getByText('Telemetry alarms open no case', { exact: false }).waitFor();
    await agent.getByRole('checkbox', { name: /Open a case/ }).waitFor({ state: 'detached', timeout: 10_000 });
    await expect
      .poll(() => agent.getByRole('button', { name: 'Backtest' }).isEnabled(), { timeout: 10_000 })
      .toBe(true);
    await agent.getByText('have no backtest', { exact: false }).waitFor({ state: 'detached', timeout: 10_000 });

    await agent.getByLabel('Name').fill(hot);
    const accounts = agent.getByRole('textbox', { name: 'Accounts' });
    await accounts.fill(account.label.slice(0, 6));
    await agent.getByRole('option', { name: account.label }).click();
    await agent.getByRole('textbox', { name: 'Device models' }).fill(modelName);
    await agent.getByRole('option', { name: `${modelName} (other) — shared` }).click();
    await metric.fill('temperature_c');
    await agent.getByRole('textbox', { name: 'Reports in a row' }).fill('4');
    // No bound yet: the API names params.above, and its reason shows under the field.
    await agent.getByRole('button', { name: 'Save rule' }).click();
    await agent
      .getByRole('alert')
      .getByText(/^params\.above/)
      .waitFor();
    await agent.getByText('give above, below or both (a value beyond either is beyond)', { exact: true }).waitFor();
    const above = agent.getByRole('textbox', { name: 'Above', exact: true });
    await expect.poll(() => above.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-telemetry-invalid');

    await above.fill('85.5');
    await agent.getByText(/A device whose temperature_c is above 85\.5 for 4 reports in a row is alarmed/).waitFor();
    // The backtest replays the device's stored reports: one alarm, at the fourth report above the bound.
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent
      .getByText(/^On the last 7 days this rule would have fired 1 time on 1 of 1 device\.$/)
      .waitFor({ timeout: 30_000 });
    const devices = agent.getByRole('table', { name: 'Devices it would have fired on' });
    await devices.getByRole('columnheader', { name: 'Farthest value (temperature_c)' }).waitFor();
    const hotRow = devices.getByRole('row', { name: deviceName });
    await hotRow.getByRole('cell', { name: '91.25', exact: true }).waitFor();
    await hotRow.getByRole('cell', { name: '1', exact: true }).waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-telemetry-backtest');

    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: hot });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      new RegExp(
        `Telemetry threshold.*enabled.*Accounts: ${account.label.replace(/[()]/g, '\\$&')}.*a device's temperature_c above 85\\.5 for 4 reports in a row.*major`,
      ),
    );
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        name: hot,
        kind: 'telemetry_threshold',
        scope: { accountIds: [account.id], deviceModelIds: [modelId] },
        params: { metric: 'temperature_c', above: 85.5, below: null, repeats: 4, durationMinutes: 0, hysteresis: 0 },
        openCase: false,
        schedule: null,
      }),
    );
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarm-rules-telemetry-list');

    // Its editor shows the saved bound back, the lower one still empty.
    await row.getByRole('link', { name: `Edit ${hot}` }).click();
    await agent.getByRole('heading', { name: `Edit ${hot}` }).waitFor();
    await expect
      .poll(() => agent.getByRole('textbox', { name: 'Above', exact: true }).inputValue(), { timeout: 10_000 })
      .toBe('85.5');
    expect(await agent.getByRole('textbox', { name: 'Below', exact: true }).inputValue()).toBe('');
    expect(await agent.getByRole('textbox', { name: 'Metric' }).inputValue()).toBe('temperature_c');
    await agent.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Delete ${hot}` }).click();
    await agent
      .getByRole('dialog', { name: `Delete the rule ${hot}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row.waitFor({ state: 'detached' });
  });
});
