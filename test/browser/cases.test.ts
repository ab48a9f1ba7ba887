import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, type DemoDesk, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

// The case page and the queue as an agent works them on the living demo (its traffic runs: the "can't send data"
// case's diagnosis finds the APN typo once the meters' sessions are refused). Screenshots in test-artifacts/.
describe.skipIf(testDbKind !== 'pglite')('case page and queue (browser)', { timeout: 400_000 }, () => {
  let desk: DemoDesk;
  beforeAll(async () => {
    desk = await startDemoDesk('cases');
  }, 240_000);
  afterAll(() => desk?.close());

  const openCantSendData = async (p: Page) => {
    const search = p.getByLabel('Search: case, subject, customer, ICCID, MSISDN');
    await search.fill('Luleå');
    await search.press('Enter');
    // The previous page stays on screen until the search's answer arrives: pick the case's own row.
    await p
      .getByRole('table', { name: 'Case queue' })
      .getByRole('row', { name: /can't send data/ })
      .first()
      .getByRole('link')
      .click();
    await p.getByRole('heading', { name: /can't send data/ }).waitFor();
  };

  it('agent: overrides the priority with a reason and clears it; attaches a file to a note and downloads it', async () => {
    const p = await desk.as('agent');
    await openCantSendData(p);
    const computed = (await p.getByTestId('computed-priority').textContent())!;
    expect(computed).toMatch(/computed: P[1-4]/);
    // Times are the browser's zone, said so; the SLA calendar's zone is named beside the clocks.
    await p.getByText(/^Times in your time zone: \S+/).waitFor();

    await p.getByRole('textbox', { name: 'New priority' }).click();
    await p.getByRole('option', { name: 'P1', exact: true }).click();
    await p.getByRole('textbox', { name: 'Reason for the override' }).fill('Hospital meters: the customer’s VIP site');
    await p.getByRole('button', { name: 'Override priority' }).click();
    const override = p.getByTestId('priority-override');
    await override.getByText(/^Overridden to P1 · /).waitFor();
    await override.getByText('Hospital meters: the customer’s VIP site').waitFor();
    expect(await p.getByTestId('computed-priority').textContent()).toBe(computed);
    await p.getByLabel('priority P1').first().waitFor();
    // The override is written in the timeline with its reason.
    await expect.poll(() => p.getByText(/Hospital meters: the customer’s VIP site/).count()).toBeGreaterThan(1);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'case-priority-override');

    await p.getByRole('button', { name: 'Clear the override' }).click();
    await override.waitFor({ state: 'detached' });

    // In another time zone than the SLA calendar's (the demo's: UTC for 24x7, Europe/Stockholm for business hours),
    // due times are the user's, with the calendar's beside them.
    const cdp = await p.context().newCDPSession(p);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'America/New_York' });
    await p.reload();
    await p.getByText('Times in your time zone: America/New_York').waitFor();
    await expect.poll(() => p.getByText(/· due .* \(America\/New_York\)$/).count()).toBeGreaterThan(0);
    await expect
      .poll(() => p.getByTestId('sla-calendar-time').first().textContent())
      .toMatch(/^= .* (UTC|Europe\/Stockholm) \(the SLA calendar's time\)$/);

    // A note with a file: the file is attached to the entry the note created, listed there and downloadable.
    await p.getByRole('textbox', { name: 'Internal note' }).fill('Modem log from the technician attached.');
    const [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.getByLabel('Attach files').click()]);
    const log = 'AT+CGDCONT=1,"IP","iot.exmaple"\r\nOK\r\n';
    await chooser.setFiles({ name: 'modem-log.txt', mimeType: 'text/plain', buffer: Buffer.from(log) });
    await p.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => p.getByRole('textbox', { name: 'Internal note' }).inputValue()).toBe('');
    const file = p.getByRole('button', { name: 'Download modem-log.txt' });
    await file.waitFor();
    const [download] = await Promise.all([p.waitForEvent('download'), file.click()]);
    expect(download.suggestedFilename()).toBe('modem-log.txt');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(log);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'case-attachment');
  });

  it('agent: reads the diagnosis layer by layer (APN typo on top) and applies the proposed fix in one click', async () => {
    const p = await desk.as('agent');
    await openCantSendData(p);
    const layers = p.getByTestId('diagnosis-layers');
    const rerun = p.getByRole('button', { name: 'Diagnose the affected SIMs now' });
    // The traffic shows the typo within a minute of the start; until the diagnosis has it, re-run it.
    await expect
      .poll(
        async () => {
          if ((await layers.getByText(/Root cause: apn typo/).count()) > 0) return true;
          if (await rerun.isEnabled()) await rerun.click();
          return false;
        },
        { timeout: 240_000, interval: 15_000 },
      )
      .toBe(true);
    const dataLayer = layers.getByRole('region', { name: 'Data session and APN' });
    await dataLayer.waitFor();
    await dataLayer.getByText('error').first().waitFor();
    await expect.poll(() => dataLayer.getByText(/session_rejected/).count()).toBeGreaterThan(0);
    await layers
      .getByText(/^Fix: /)
      .first()
      .waitFor();
    expect(await layers.getByRole('region').count()).toBeGreaterThan(3);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'case-diagnosis-layers');
    // The panel alone, for the record (the full page grows with the timeline).
    await layers.screenshot({ path: path.join(ARTIFACTS, 'case-diagnosis-panel.png') });

    await layers.getByRole('button', { name: /^Apply the fix: send config sms/ }).click();
    // Requested with the case's number: the request and its outcome land in the case's timeline.
    await p
      .getByText(/Network action #\d+ \(send config sms\) on SIM \d+ (applied|failed)/)
      .first()
      .waitFor({ timeout: 60_000 });
    await shot(p, 'case-diagnosis-action');
  });

  it('agent: saves a queue view, leaves it and re-applies it (kept across a reload)', async () => {
    const p = await desk.as('agent');
    const queue = p.getByRole('table', { name: 'Case queue' });
    await expect.poll(() => queue.getByRole('row').count()).toBeGreaterThan(3);
    await p.getByRole('textbox', { name: 'Type' }).click();
    await p.getByRole('option', { name: 'incident', exact: true }).click();
    await expect.poll(() => new URL(p.url()).searchParams.get('type')).toBe('incident');
    await p.keyboard.press('Escape');
    await p.getByRole('switch', { name: 'Assigned to me' }).click();
    await expect.poll(() => new URL(p.url()).searchParams.get('assignee')).toBe('me');
    await p.getByRole('textbox', { name: 'Name of this view' }).fill('My incidents');
    await p.getByRole('button', { name: 'Save view' }).click();
    await expect.poll(() => p.getByRole('textbox', { name: 'Saved view' }).inputValue()).toBe('My incidents');

    await p.goto(`${desk.url}/cases`);
    await expect.poll(() => p.getByRole('textbox', { name: 'Saved view' }).inputValue()).toBe('');
    await p.getByRole('textbox', { name: 'Saved view' }).click();
    await p.getByRole('option', { name: 'My incidents' }).click();
    await expect
      .poll(() => {
        const s = new URL(p.url()).searchParams;
        return [s.get('type'), s.get('assignee')];
      })
      .toEqual(['incident', 'me']);
    // The rows are the view's, not the previous filter's kept in place by the live update.
    const types = async () =>
      (await queue.getByRole('row').allTextContents())
        .slice(1)
        .map((r) => /incident|information request|service request|order/.exec(r)?.[0]);
    await expect.poll(async () => (await types()).every((t) => t === 'incident')).toBe(true);
    await p.reload();
    await expect.poll(() => p.getByRole('textbox', { name: 'Saved view' }).inputValue()).toBe('My incidents');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'queue-saved-view');
  });

  it('agent: a new case is announced on the next poll, without moving the rows or the keyboard selection', async () => {
    const p = await desk.as('agent');
    const queue = p.getByRole('table', { name: 'Case queue' });
    await expect.poll(() => queue.getByRole('row').count()).toBeGreaterThan(5);
    await p.getByRole('heading', { name: 'Case queue' }).click();
    await p.keyboard.press('j');
    await p.keyboard.press('j');
    const selected = async () => (await queue.locator('tr[aria-selected="true"]').getByRole('link').textContent())!;
    const before = await selected();
    // Case numbers only: the due column counts down on its own.
    const firstRows = async () => (await queue.getByRole('link').allTextContents()).slice(0, 5);
    const top = await firstRows();

    // Another agent opens a critical case: it sorts first, so it would push every row down.
    const [one] = (await (await p.request.get(`${desk.url}/api/v1/cases?limit=1`)).json()).items;
    const created = await p.request.post(`${desk.url}/api/v1/cases`, {
      data: { accountId: one.accountId, type: 'incident', severity: 'critical', subject: 'Whole site offline now' },
    });
    expect(created.status()).toBe(201);
    const { number } = await created.json();

    const news = p.getByRole('status').getByText('1 new case');
    await news.waitFor({ timeout: 60_000 });
    expect(await firstRows()).toEqual(top);
    expect(await selected()).toBe(before);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'queue-new-cases');
    await p.getByRole('button', { name: 'Show them' }).click();
    await queue.getByRole('link', { name: number }).waitFor();
    await news.waitFor({ state: 'detached' });
  });

  it('customer: is offered to withdraw their own open case, in their language (the API says what they may do)', async () => {
    const p = await desk.as('customer');
    await p.goto(`${desk.url}/portal/cases`);
    await p
      .getByRole('row', { name: /can't send data/ })
      .first()
      .getByRole('link')
      .click();
    await p.getByRole('heading', { name: /can't send data/ }).waitFor();
    // The demo customer reads the portal in Swedish (their account's language); the portal's own case view says it
    // in Swedish, the console's case view (which served the portal before it) in English.
    await p.getByRole('button', { name: /^(Dra tillbaka ärendet|Withdraw the case)$/ }).waitFor();
    expect(await p.getByRole('button', { name: 'Override priority' }).count()).toBe(0);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-case-withdraw');
  });
});
