import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, pageCall, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';
import { shotFromTop, untilBacktestFinds } from '../support/rules-desk.ts';

/**
 * The alarm-rule editor as the desk uses it (issue 17): a rule for one customer's SIMs, first naming an account
 * that does not exist (the API's answer shows under the field), fixed by picking the account; backtested on the
 * stored history — where a SIM of that account last talked 30 hours ago, past the day a SIM without a rhythm is
 * allowed — then saved, disabled and deleted from the list. Then the other kinds (issue 17.1): a refusal-burst rule
 * made with its kind chosen first, and a fleet rule's editor, which has no SIM fields and no backtest. The usage and
 * telemetry kinds: alarm-rules-usage.test.ts.
 */
describe.skipIf(testDbKind !== 'pglite')('alarm rules (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let agent: Page;
  let admin: Page;
  let iccid = '';
  let account = { id: 0, label: '' };
  const name = `Quiet meters ${Date.now()}`;

  const call = (p: Page, method: string, url: string, body?: unknown) => pageCall(p, method, url, body);

  beforeAll(async () => {
    desk = await startDemoDesk('alarm-rules', { IOTOPS_SIMULATE: 'off' });
    admin = await desk.as('admin');
    const cred = await call(admin, 'POST', '/api/v1/ingest/credentials', { name: `rules-browser-${Date.now()}` });
    expect(cred.status).toBe(201);
    const sims = await call(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
    const owner = (sims.body.items as { account: { id: number; name: string; number: string } }[])[0]!.account;
    account = { id: owner.id, label: `${owner.name} (${owner.number})` };
    // A SIM of that account whose only use (an SMS: the backtest learns from hours with usage) is 30 h old: silent
    // for longer than a day, the threshold of a SIM without a rhythm.
    const created = await call(admin, 'POST', '/api/v1/sims', {
      iccid: `8946070${String(Date.now()).slice(-12)}`,
      accountId: account.id,
      state: 'ACTIVATED',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    iccid = created.body.iccid as string;
    const res = await fetch(`${desk.url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cred.body.secret}`, 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({
        id: 'rules-1',
        ts: new Date(Date.now() - 30 * 3_600_000).toISOString(),
        iccid,
        type: 'sms_mo',
        network: { mcc: '240', mnc: '07' },
      }),
    });
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    agent = await desk.as('agent');
  }, 240_000);
  afterAll(() => desk?.close());

  it('names the unknown account under its field; backtested once fixed, then saved, disabled and deleted', async () => {
    // Ingest stores the record's hour a moment later; the backtest reads those hours.
    await untilBacktestFinds(
      agent,
      {
        kind: 'silence',
        scope: { accountIds: [account.id] },
      },
      iccid,
    );
    await agent.goto(`${desk.url}/alarms`);
    await agent.getByRole('heading', { name: 'Alarms' }).waitFor();
    await shot(agent, 'alarm-rules-alarms-page');
    await agent.getByRole('navigation', { name: 'Alarms' }).getByRole('link', { name: 'Rules' }).click();
    await agent.getByRole('link', { name: 'New rule' }).click();
    await agent.getByRole('heading', { name: 'New alarm rule' }).waitFor();

    await agent.getByLabel('Name').fill(name);
    const accounts = agent.getByRole('textbox', { name: 'Accounts' });
    await accounts.fill('999999');
    await accounts.press('Enter');
    await agent.getByLabel('Escalate while the silence lasts').check();
    await agent.getByRole('button', { name: 'Save rule' }).click();
    // Under the field, by the id it names; in the alert, by the field's path.
    await agent.getByText('#999999: does not exist').waitFor();
    await agent.getByRole('alert').getByText('scope.accountIds[0] (999999): does not exist').waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-invalid');

    // Fixed: the wrong id removed, the account picked from the list by its name.
    await accounts.press('Backspace');
    await accounts.fill(account.label.slice(0, 6));
    await agent.getByRole('option', { name: account.label }).click();
    await agent.getByRole('button', { name: 'Backtest' }).click();
    const sentence = agent.getByText(/^On the last 7 days this rule would have fired/);
    await sentence.waitFor();
    expect(await sentence.textContent()).toMatch(/would have fired \d+ times? on \d+ of \d+ SIMs?\.$/);
    expect(await agent.getByText('#999999: does not exist').count()).toBe(0);
    await agent.getByRole('table', { name: 'Alarms per day' }).waitFor();
    const fired = agent.getByRole('table', { name: 'SIMs it would have fired on' }).getByRole('row', { name: iccid });
    // Counted from the start of the record's hour: 31 h once the clock passed an hour since the record was sent.
    expect(await fired.textContent()).toMatch(/30 h|31 h/);
    expect(await fired.getByRole('link').getAttribute('href')).toBe(`/sims/${iccid}`);
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-backtest');

    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: name });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      new RegExp(
        `enabled.*Accounts: ${account.label.replace(/[()]/g, '\\$&')}.*1\\.5 × usual interval \\+ 30 min.*major.*to critical 1 h past the threshold.*Always`,
      ),
    );
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shot(agent, 'alarm-rules-list');

    // Changed in the editor: the saved rule's fields come back as they were, the change shows in the list.
    await row.getByRole('link', { name: `Edit ${name}` }).click();
    await agent.getByRole('heading', { name: `Edit ${name}` }).waitFor();
    await agent.getByText(account.label, { exact: true }).waitFor();
    await agent.getByLabel('Grace (minutes)').fill('45');
    await agent.getByLabel('Remind the desk of an alarm nobody has acknowledged').check();
    await agent.getByLabel('Raise alarms only at certain times', { exact: false }).check();
    await agent.getByLabel('Time zone').fill('Europe/Stockholm');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-edit');
    await agent.getByRole('button', { name: 'Save rule' }).click();
    await row.getByText('1.5 × usual interval + 45 min').waitFor();
    expect(await row.textContent()).toMatch(
      /reminds the desk every 1 h until acknowledged.*Mon–Fri 08:00–18:00, Europe\/Stockholm/,
    );

    await row.getByRole('button', { name: `Disable ${name}` }).click();
    await row.getByText('disabled').waitFor();
    await row.getByRole('button', { name: `Enable ${name}` }).waitFor();
    await row.locator('button[data-loading]').waitFor({ state: 'detached' });
    await shot(agent, 'alarm-rules-disabled');
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(expect.objectContaining({ name, enabled: false }));

    await row.getByRole('button', { name: `Delete ${name}` }).click();
    const confirm = agent.getByRole('dialog', { name: `Delete the rule ${name}?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await agent.getByText('No rule yet').waitFor();
    await shot(agent, 'alarm-rules-deleted');
  });

  it('creates a refusal-burst rule (the kind chosen first; a fleet rule shows no SIM fields and no backtest)', async () => {
    const burst = `APN typos ${Date.now()}`;
    await agent.goto(`${desk.url}/alarms/rules/new`);
    await agent.getByRole('heading', { name: 'New alarm rule' }).waitFor();
    // A segmented control: its radios are hidden behind their labels, which take the click.
    const kind = agent.getByRole('radiogroup', { name: 'Kind of rule' });

    // A fleet rule watches networks and APNs: no account or plan fields, and the server has no backtest for it.
    await kind.getByText('Fleet refusals', { exact: true }).click();
    await agent.getByRole('textbox', { name: 'Networks (PLMN)' }).waitFor();
    expect(await agent.getByRole('textbox', { name: 'Accounts' }).count()).toBe(0);
    expect(await agent.getByRole('button', { name: 'Backtest' }).isDisabled()).toBe(true);
    await agent.getByText('Fleet rules have no backtest', { exact: false }).waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-fleet');

    await kind.getByText('Refusal burst', { exact: true }).click();
    await agent.getByRole('textbox', { name: 'Accounts' }).waitFor();
    await agent.getByLabel('Name').fill(burst);
    await agent.getByRole('textbox', { name: 'Refusals', exact: true }).fill('5');
    await agent.getByRole('textbox', { name: 'Within (minutes)' }).fill('10');
    const causes = agent.getByRole('textbox', { name: 'Causes' });
    await causes.fill('27');
    await causes.press('Enter');
    // The sentence names the common cause it knows.
    await agent
      .getByText(/refused 5 times within 10 min \(attach and session refusals with cause 27 Missing or unknown APN\)/)
      .waitFor();
    // The streak, on by default, catches the slow retriers: 4 in a row here.
    expect(
      await agent.getByRole('checkbox', { name: /refused again and again without being accepted/ }).isChecked(),
    ).toBe(true);
    await agent.getByRole('textbox', { name: 'In a row', exact: true }).fill('4');
    await agent
      .getByText(/So is one refused 4 times in a row with no accepted attach and session between, within 6 h/)
      .waitFor();
    // Sooner for a cause no retry cures (an APN typo is one), also on by default: 3 here.
    expect(await agent.getByRole('checkbox', { name: /Sooner for causes no retry cures/ }).isChecked()).toBe(true);
    await agent.getByRole('textbox', { name: 'In a row, same cause and network' }).fill('3');
    await agent.getByText(/Sooner for a cause no retry cures .*: 3 times in a row for the same cause/).waitFor();
    await agent.getByRole('button', { name: 'Backtest' }).click();
    await agent.getByText(/^On the last 7 days/).waitFor();
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-burst');

    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: burst });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /Refusal burst.*enabled.*Every SIM.*5 refusals within 10 min, or 4 in a row not accepted, or 3 in a row of a cause no retry cures \(within 6 h\) \(cause 27; attach and session\).*major/,
    );
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        name: burst,
        kind: 'refusal_burst',
        params: {
          count: 5,
          windowMinutes: 10,
          causes: [27],
          attempts: ['attach', 'session'],
          clearMinutes: 15,
          streak: 4,
          streakHours: 6,
          permanentStreak: 3,
        },
      }),
    );
    await shot(agent, 'alarm-rules-burst-list');

    // Its editor shows the kind it was made with, and no way to change it.
    await row.getByRole('link', { name: `Edit ${burst}` }).click();
    await agent.getByRole('heading', { name: `Edit ${burst}` }).waitFor();
    expect(await agent.getByRole('radiogroup', { name: 'Kind of rule' }).count()).toBe(0);
    await agent.getByText('Refusal burst', { exact: true }).waitFor();
    expect(await agent.getByRole('textbox', { name: 'Refusals', exact: true }).inputValue()).toBe('5');
    expect(await seriousA11yViolations(agent)).toEqual([]);
    await shotFromTop(agent, 'alarm-rules-burst-edit');
    await agent.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Delete ${burst}` }).click();
    await agent
      .getByRole('dialog', { name: `Delete the rule ${burst}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row.waitFor({ state: 'detached' });
    await agent.getByText('No rule yet').waitFor();
  });

  it('saves a fleet rule for one network: critical, like the built-in one, and only its network in scope', async () => {
    const fleet = `Partner network ${Date.now()}`;
    await agent.goto(`${desk.url}/alarms/rules/new`);
    await agent.getByRole('radiogroup', { name: 'Kind of rule' }).getByText('Fleet refusals', { exact: true }).click();
    await agent.getByLabel('Name').fill(fleet);
    await agent.getByRole('textbox', { name: 'Networks (PLMN)' }).fill('26201');
    await agent.getByLabel('Attach (EMM causes)').uncheck();
    await agent.getByRole('button', { name: 'Save rule' }).click();
    const row = agent.getByRole('table', { name: 'Alarm rules' }).getByRole('row').filter({ hasText: fleet });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /Fleet refusals.*Networks \(PLMN\): 26201.*network or APN refusing many SIMs against its baseline.*session; cleared 10 min.*critical/,
    );
    const saved = await call(agent, 'GET', '/api/v1/alarm-rules');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        name: fleet,
        kind: 'fleet_refusals',
        scope: { plmns: ['26201'] },
        params: { attempts: ['session'], clearMinutes: 10 },
        severity: 'critical',
      }),
    );
    await row.getByRole('button', { name: `Delete ${fleet}` }).click();
    await agent
      .getByRole('dialog', { name: `Delete the rule ${fleet}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await row.waitFor({ state: 'detached' });
  });
});
