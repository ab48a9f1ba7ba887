import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnDigit } from '../../src/modules/sims/identifiers.ts';
import { type DemoDesk, launchBrowser, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

// The console and the portal as people use them: `iotops start` with its demo on a fresh embedded data directory,
// Debian's Chromium clicking by role and label. Once per `npm test` (the PGlite run); screenshots in test-artifacts/.
describe.skipIf(testDbKind !== 'pglite')('web console and portal (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  const page = () => desk.page();
  const logIn = (p: Page, email: string, password: string) => desk.logIn(p, email, password);

  beforeAll(async () => {
    desk = await startDemoDesk('web', { IOTOPS_SIMULATE: 'off' });
  }, 240_000);
  afterAll(() => desk?.close());

  it('agent: logs in, filters the queue, opens a case by keyboard, adds a note; deep link and reload', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    const queue = p.getByRole('table', { name: 'Case queue' });
    await expect.poll(() => queue.getByRole('row').count()).toBeGreaterThan(3);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-queue');

    // Search: words of a subject find its cases; the search is in the URL.
    await p.getByLabel('Search: case, subject, customer, ICCID, MSISDN').fill('district heating');
    await p.getByLabel('Search: case, subject, customer, ICCID, MSISDN').press('Enter');
    await expect.poll(() => new URL(p.url()).searchParams.get('q')).toBe('district heating');
    const rows = async () => (await queue.getByRole('row').allTextContents()).slice(1);
    await expect
      .poll(async () => (await rows()).length > 0 && (await rows()).every((r) => /district heating/i.test(r)))
      .toBe(true);
    await p.getByLabel('Search: case, subject, customer, ICCID, MSISDN').fill('');
    await p.getByLabel('Search: case, subject, customer, ICCID, MSISDN').press('Enter');

    // Filter: only open cases; the filter is in the URL.
    await p.getByRole('textbox', { name: 'State' }).click();
    await p.getByRole('option', { name: 'open', exact: true }).click();
    await p.keyboard.press('Escape');
    await expect.poll(() => new URL(p.url()).searchParams.getAll('state')).toEqual(['open']);
    // Every row shown is an open case (the earlier page stays on screen until the filtered one arrives).
    const states = async () =>
      (await queue.getByRole('row').allTextContents())
        .slice(1)
        .map((r) => /pending|resolved|closed|new|open/i.exec(r)?.[0]);
    await expect.poll(async () => new Set(await states())).toEqual(new Set(['open']));

    // j then Enter opens the second row without the mouse.
    const second = (await queue.getByRole('row').nth(2).getByRole('link').textContent())!;
    await p.getByRole('heading', { name: 'Case queue' }).click(); // leave the filter field
    await p.keyboard.press('j');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.url()).toContain(`/cases/${second}`);
    await p.getByRole('heading', { name: new RegExp(second) }).waitFor();

    await p.getByRole('textbox', { name: 'Internal note' }).fill('Checked the HLR: attach rejects from 03:10 on.');
    await p.getByRole('button', { name: 'Add' }).click();
    // Saved: the composer empties (its autosize mirror holds the text until then), the note is in the timeline.
    await expect.poll(() => p.getByRole('textbox', { name: 'Internal note' }).inputValue()).toBe('');
    await p.getByText('Checked the HLR: attach rejects from 03:10 on.').waitFor();
    // Assign the case: the change is written in the timeline.
    await p.getByRole('textbox', { name: 'Assignee' }).click();
    await p.getByRole('option', { name: /Demo Admin/ }).click();
    await p
      .getByText(/^Assignee: .* → Demo Admin/)
      .first()
      .waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-case');

    // Deep link survives a reload.
    await p.reload();
    await p.getByRole('heading', { name: new RegExp(second) }).waitFor();
    await p.getByText('Checked the HLR: attach rejects from 03:10 on.').waitFor();
  });

  it('agent: finds a SIM by ICCID prefix, reads its trace and usage, runs a connectivity reset and sees it applied', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('link', { name: 'SIMs' }).click();
    const search = p.getByLabel('ICCID, IMSI or MSISDN starts with');
    await search.fill('8946070000000');
    await search.press('Enter');
    await expect.poll(() => new URL(p.url()).searchParams.get('q')).toBe('8946070000000');
    const list = p.getByRole('table', { name: 'SIM inventory' });
    await expect.poll(() => list.getByRole('row').count()).toBeGreaterThan(1);
    for (const row of (await list.getByRole('row').allTextContents()).slice(1)) expect(row).toMatch(/^8946070000000/);
    await list.getByRole('row').nth(1).click();
    await p.getByRole('table', { name: 'Network trace' }).waitFor();
    await p.getByRole('tab', { name: 'Usage' }).click();
    await p.getByRole('img', { name: /Data usage per hour/ }).waitFor();
    await p.getByRole('tab', { name: 'Actions' }).click();
    await p.getByRole('button', { name: 'Reset connectivity' }).click();
    const actions = p.getByRole('table', { name: 'Network actions' });
    await actions.getByText('connectivity reset', { exact: true }).first().waitFor();
    await expect.poll(() => actions.getByRole('row').first().textContent(), { timeout: 60_000 }).toMatch(/applied/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-sim-actions');
  });

  it('agent: a case lists its affected SIMs and re-runs their diagnosis into the timeline', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    // The demo's Kiruna outage: a P1 with 300 affected meters, first in the queue.
    await p.getByRole('table', { name: 'Case queue' }).getByRole('link').first().click();
    await p.getByRole('heading', { name: /Kiruna/ }).waitFor();
    await expect.poll(() => p.getByRole('link', { name: /^8946/ }).count()).toBeGreaterThan(5);
    await p.getByRole('button', { name: 'Diagnose the affected SIMs now' }).click();
    await p.getByText('Added to the timeline.').waitFor({ timeout: 60_000 });
    await expect.poll(() => p.getByText(/Automatic diagnosis|Diagnosis of the case/).count()).toBeGreaterThan(0);
    await shot(p, 'agent-case-diagnosis');
  });

  it('agent: the dashboard shows the desk in charts, and the notifications list opens', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('link', { name: 'Dashboard' }).click();
    await p.getByRole('img', { name: /Cases opened per month by channel/ }).waitFor();
    await p.getByRole('img', { name: /Mean handling time in working days/ }).waitFor();
    // The seeded desk has cases this month: the volume chart has bars.
    await expect
      .poll(() =>
        p
          .getByRole('img', { name: /Cases opened per month/ })
          .locator('rect')
          .count(),
      )
      .toBeGreaterThan(0);
    await p.getByRole('table', { name: 'SLA met per policy and metric' }).waitFor({ state: 'attached' });
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-dashboard');
    await p.getByRole('link', { name: 'Notifications' }).click();
    await p.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
  });

  it('agent: imports a CSV with a bad line, sees the counts and the line error', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('link', { name: 'SIM import' }).click();
    const iccid = (n: number) => {
      const body = `894607998${String(n).padStart(10, '0')}`;
      return `${body}${luhnDigit(body)}`;
    };
    const csv = [
      'iccid,imsi,account,state',
      ...[1, 2, 3].map((n) => `${iccid(n)},24007998000000${n},NORDGRID-STHLM,ACTIVATED`),
      `${iccid(4)},24007998000000${4},NO-SUCH-ACCOUNT,ACTIVATED`,
    ].join('\n');
    await p
      .locator('input[type=file]')
      .setInputFiles({ name: 'sims.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) });
    await p.getByLabel('Import the good lines').check();
    await p.getByRole('button', { name: 'Import', exact: true }).click();
    const result = p.getByLabel('Import result');
    await expect
      .poll(() => result.textContent(), { timeout: 60_000 })
      .toMatch(/3 imported, 0 updated, 1 rejected of 4 lines/);
    await p.getByRole('table', { name: 'Line errors' }).getByText('line 5').waitFor();
    await p.getByRole('link', { name: 'Download the line errors (CSV)' }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-import');
  });

  it('agent: opens an account from the list: contacts, sub-accounts, plans, and its SIMs', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('link', { name: 'Accounts' }).click();
    await p.getByLabel('Name or number contains').fill('Nordgrid');
    await p.getByLabel('Name or number contains').press('Enter');
    const accounts = p.getByRole('table', { name: 'Accounts' });
    await accounts.getByRole('link', { name: 'Nordgrid Energi' }).click();
    await p.getByRole('heading', { name: /Nordgrid Energi/ }).waitFor();
    await expect.poll(() => p.getByRole('table', { name: 'Contacts' }).getByRole('row').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'agent-account');
    await p.getByRole('link', { name: 'SIMs of this account' }).click();
    const sims = p.getByRole('table', { name: 'SIM inventory' });
    await expect.poll(() => sims.getByRole('row').count()).toBeGreaterThan(1);
    for (const row of (await sims.getByRole('row').allTextContents()).slice(1)) expect(row).toMatch(/Nordgrid/);
  });

  it('agent: a session that ends mid-reply asks to log in again and keeps the typed text', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('table', { name: 'Case queue' }).getByRole('link').first().click();
    await p.getByRole('heading', { level: 1 }).waitFor();
    await p.getByRole('textbox', { name: 'Internal note' }).fill('Half-written reply that must survive');
    // The session ends on the server (as at expiry): the next call answers 401.
    await p.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }));
    // That call is the Add below, or a background refresh of the page that gets there first; then the login already
    // covers the button, so the click is dispatched to the button itself rather than at its place on the screen.
    await p.getByRole('button', { name: 'Add' }).dispatchEvent('click');
    const dialog = p.getByRole('dialog');
    await dialog.getByLabel('Email').fill('agent@demo.iotops.example');
    await dialog.getByLabel('Password').fill('demo-agent-password');
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => p.getByRole('textbox', { name: 'Internal note' }).inputValue())
      .toBe('Half-written reply that must survive');
    await p.getByRole('button', { name: 'Add' }).click();
    await p.getByText('Half-written reply that must survive', { exact: true }).last().waitFor();
  });

  it('customer: sees only own SIMs, diagnoses one in Swedish, opens a case and finds it in the list', async () => {
    const p = await page();
    await logIn(p, 'ops@nordgrid.example', 'demo-customer-password');
    const sims = p.getByRole('table', { name: 'Mina SIM-kort' });
    await expect.poll(() => sims.getByRole('row').count()).toBeGreaterThan(10);
    const accounts = new Set((await sims.getByRole('row').allTextContents()).slice(1).map((r) => r));
    for (const row of accounts) expect(row).toMatch(/Nordgrid/i);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-sims');

    await sims.getByRole('row').nth(1).click();
    await p.getByRole('button', { name: 'Kontrollera SIM-kortet' }).click();
    const summary = p.getByTestId('customer-summary');
    await summary.waitFor();
    // The customer's summary in the account's language (sv), never the agent text.
    expect(await summary.textContent()).toMatch(/[åäö]|SIM-kort|nät/i);
    await shot(p, 'portal-diagnosis');
    const iccid = (await p.getByRole('heading', { level: 1 }).textContent())!.trim();

    await p.getByRole('link', { name: 'Mina ärenden' }).click();
    await p.getByLabel('Ämne').fill('Mätaren i Kiruna skickar inget');
    await p.getByLabel('Berörda SIM-kort (ICCID, kommaseparerade)').fill(iccid);
    await p.getByRole('button', { name: 'Öppna ärendet' }).click();
    await p.getByRole('heading', { name: /Mätaren i Kiruna skickar inget/ }).waitFor();
    await p.getByRole('link', { name: 'Mina ärenden' }).click();
    await p.getByRole('table', { name: 'Mina ärenden' }).getByText('Mätaren i Kiruna skickar inget').waitFor();
    await shot(p, 'portal-cases');
  });

  it('the API docs page works under its own content security policy (no violation, operations listed)', async () => {
    // Not desk.page(): that context bypasses CSP for axe-core; here the policy must be the real one.
    const browser = await launchBrowser();
    try {
      const p = await (await browser.newContext()).newPage();
      const violations: string[] = [];
      p.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      await p.goto(`${desk.url}/docs/`);
      // Every tag is listed (collapsed); a tag opens to its operations.
      await expect.poll(() => p.locator('.opblock-tag').count(), { timeout: 60_000 }).toBeGreaterThan(15);
      await p.locator('.opblock-tag[data-tag="sims"]').click();
      await expect.poll(() => p.locator('.opblock').count(), { timeout: 60_000 }).toBeGreaterThan(10);
      await p.getByText('Import SIMs from CSV').first().waitFor({ state: 'attached' });
      await p.locator('.opblock-tag[data-tag="mail"]').click();
      await p.getByText('List the mail waiting in triage').first().waitFor({ state: 'attached' });
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
