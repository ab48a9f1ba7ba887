import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

// The customer portal in the customer's language (issue 12, Languages): the demo customer (Nordgrid, Swedish) switches
// to German and reads case states, SIM states and network states in German, dates in the German way, and never a
// field of the desk's. Once per `npm test` (the PGlite run); screenshots in test-artifacts/.
describe.skipIf(testDbKind !== 'pglite')('customer portal in German (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let p: Page;

  beforeAll(async () => {
    desk = await startDemoDesk('portal');
    p = await desk.as('customer');
  }, 240_000);
  afterAll(() => desk?.close(), 120_000);

  const GERMAN_SIM_STATES = ['Im Lager', 'Testbereit', 'Aktivierungsbereit', 'Aktiv', 'Deaktiviert', 'Außer Betrieb'];
  const GERMAN_NETWORK = ['Eingebucht', 'Online (Daten)', 'Offline', 'Gesperrt', 'Noch keine Netzdaten'];
  const GERMAN_CASE_STATES = [
    'Neu',
    'In Bearbeitung',
    'Wartet auf Sie',
    'Wartet auf Partner',
    'Gelöst',
    'Geschlossen',
    'Zurückgezogen',
  ];
  const cellTexts = async (table: ReturnType<Page['getByRole']>, column: number) =>
    (await table.locator(`tbody tr td:nth-child(${column})`).allTextContents()).map((s) => s.trim());

  it("opens in the account's language (Swedish) and switches to German", async () => {
    await p.getByRole('table', { name: 'Mina SIM-kort' }).waitFor();
    await p.getByRole('textbox', { name: 'Språk' }).click();
    await p.getByRole('option', { name: 'de', exact: true }).click();
    // The choice reloads the app; it is kept for this browser.
    const sims = p.getByRole('table', { name: 'Meine SIMs' });
    await expect.poll(() => sims.locator('tbody tr').count()).toBeGreaterThan(5);
    expect(await p.getByRole('columnheader').allTextContents()).toEqual([
      'ICCID',
      'Rufnummer (MSISDN)',
      'Konto',
      'Status',
      'Netz',
      'Tarif',
    ]);
    const states = await cellTexts(sims, 4);
    for (const s of states) expect(GERMAN_SIM_STATES).toContain(s);
    const network = await cellTexts(sims, 5);
    for (const s of network) expect(GERMAN_NETWORK).toContain(s);
    expect(await sims.textContent()).not.toMatch(/ACTIVATED|ATTACHED|ONLINE|OFFLINE/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-de-sims');
  });

  it('a SIM in German: state, network, last seen, and the self-check explained in German', async () => {
    await p.getByRole('table', { name: 'Meine SIMs' }).locator('tbody tr').first().getByRole('link').click();
    await p.getByText(/^Zuletzt gesehen: /).waitFor();
    await p.getByText(/^Datenverbrauch der letzten 30 Tage: /).waitFor();
    await p.getByRole('button', { name: 'Diese SIM prüfen' }).click();
    const result = p.getByRole('region', { name: 'Ergebnis' });
    await result.waitFor();
    expect(await p.getByTestId('customer-summary').textContent()).toMatch(/[äöüß]|SIM|Netz|Gerät/);
    // Nothing of the desk's SIM page: no trace, audit history, network actions or agent summary.
    const text = (await p.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/Trace|Audit|Apply the fix|Actions|History/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-de-sim-check');
  });

  it('cases in German: states and types in German, German dates, and no staff-only field on a case', async () => {
    await p.getByRole('link', { name: 'Meine Fälle' }).click();
    const cases = p.getByRole('table', { name: 'Meine Fälle' });
    await expect.poll(() => cases.locator('tbody tr').count()).toBeGreaterThan(0);
    for (const s of await cellTexts(cases, 4)) expect(GERMAN_CASE_STATES).toContain(s);
    for (const s of await cellTexts(cases, 3))
      expect(['Störung', 'Frage', 'Serviceanfrage', 'Bestellung']).toContain(s);
    // Dates as Germans write them (Intl, the portal's locale): 04.12.2026, 09:15
    for (const s of await cellTexts(cases, 5)) expect(s).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    expect(await p.getByLabel('Art').locator('option').allTextContents()).toEqual([
      'Störung',
      'Frage',
      'Serviceanfrage',
      'Bestellung',
    ]);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-de-cases');

    // The demo's open "can't send data" case of Nordgrid: a reply lands in it (a closed one opens a follow-up).
    await cases
      .getByRole('row', { name: /can't send data/ })
      .first()
      .getByRole('link')
      .click();
    const history = p.getByRole('list', { name: 'Verlauf' });
    await history.getByRole('listitem').first().waitFor();
    const page = (await p.locator('main').textContent()) ?? '';
    expect(page).not.toMatch(
      /\bQueue\b|Warteschlange|Assignee|Bearbeiter|\bPriority\b|Priorität|Internal note|Interne Notiz|\bSLA\b/,
    );
    // Staff entries are signed in German ('Kundenservice'), not with the API's English 'Service desk'.
    expect(page).not.toMatch(/Service desk/);
    expect(page).toContain('Kundenservice'); // the demo case was opened by the desk
    // And the API behind it sent no internal entry and no desk field to fill them with.
    const number = decodeURIComponent(new URL(p.url()).pathname.split('/').pop()!);
    const events = await p.request.get(`${desk.url}/api/v1/cases/${number}/events`);
    expect(events.ok()).toBe(true);
    const items = (await events.json()).items as { visibility: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => e.visibility === 'public')).toBe(true);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-de-case');

    await p.getByLabel('Ihre Antwort').fill('Das Gerät sendet seit gestern nichts.');
    await p.getByRole('button', { name: 'Antwort senden' }).click();
    await p
      .getByRole('status')
      .filter({ hasText: /Ihre Antwort/ })
      .waitFor();
    await history.getByText('Das Gerät sendet seit gestern nichts.').waitFor();
  });

  it('a resolved case: the customer keeps it open a few more working days, said in German', async () => {
    // The desk resolves one of the customer's active cases.
    const call = (page: Page, method: string, url: string, body?: unknown) =>
      page.evaluate(
        async ([m, u, b]) => {
          const r = await fetch(u as string, {
            method: m as string,
            credentials: 'same-origin',
            headers: b === undefined ? {} : { 'content-type': 'application/json' },
            body: b === undefined ? undefined : JSON.stringify(b),
          });
          return { status: r.status, body: (await r.json()) as { items?: { number: string; state: string }[] } };
        },
        [method, url, body] as const,
      );
    const mine = await call(p, 'GET', '/api/v1/cases?limit=50');
    const kase = mine.body.items!.find((c) => c.state === 'open' || c.state === 'new')!;
    expect(kase).toBeDefined();
    const agent = await desk.as('agent');
    if (kase.state === 'new')
      expect((await call(agent, 'POST', `/api/v1/cases/${kase.number}/transitions`, { to: 'open' })).status).toBe(200);
    const resolved = await call(agent, 'POST', `/api/v1/cases/${kase.number}/transitions`, {
      to: 'resolved',
      note: 'APN corrected on the devices',
      noteVisibility: 'public',
    });
    expect(resolved.status).toBe(200);

    await p.goto(`${desk.url}/portal/cases/${encodeURIComponent(kase.number)}`);
    await p.getByText('Gelöst: Der Fall schließt sich nach einigen Arbeitstagen von selbst').waitFor();
    await p.getByRole('button', { name: '3 Arbeitstage länger offen halten' }).click();
    const history = p.getByRole('list', { name: 'Verlauf' });
    await history.getByText('Auf Ihren Wunsch länger offen gehalten (Arbeitstage): +3').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'portal-de-case-kept-open');
  });
});
