import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDesk, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

// The admin screens as the demo admin uses them: `iotops start` with its demo on a fresh embedded data directory,
// Debian's Chromium clicking by role and label. Once per `npm test` (the PGlite run); screenshots in test-artifacts/.
describe.skipIf(testDbKind !== 'pglite')('admin screens (browser)', { timeout: 300_000 }, () => {
  let desk: DemoDesk;
  let url: string;
  const page = () => desk.page();
  const logIn = (p: Page, email: string, password: string) => desk.logIn(p, email, password);

  beforeAll(async () => {
    desk = await startDemoDesk('admin');
    url = desk.url;
  }, 240_000);
  afterAll(() => desk?.close());
  async function admin(area: string): Promise<Page> {
    const p = await page();
    await logIn(p, 'admin@demo.iotops.example', 'demo-admin-password');
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await p.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: area }).click();
    return p;
  }

  it('creates an agent; a bad email is refused with the API message and field, and what was typed is kept', async () => {
    const p = await admin('Users');
    const users = p.getByRole('table', { name: 'Users' });
    await users.getByText('agent@demo.iotops.example').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);

    await p.getByRole('button', { name: 'New user' }).click();
    const dialog = p.getByRole('dialog', { name: 'New user' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill('robin@');
    await dialog.getByLabel('Name').fill('Robin Second-Line');
    await dialog.getByLabel('Role').selectOption('agent');
    await dialog.getByLabel('Language').selectOption('sv');
    await dialog.getByLabel('Password').fill('second-line-password');
    await dialog.getByRole('button', { name: 'Create user' }).click();

    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Invalid request \(email: /);
    expect(await alert.textContent()).toMatch(/email \("robin@"\): /);
    expect(await dialog.getByRole('textbox', { name: 'Email' }).getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('Name').inputValue()).toBe('Robin Second-Line');
    expect(await dialog.getByLabel('Language').inputValue()).toBe('sv');
    expect(await dialog.getByLabel('Password').inputValue()).toBe('second-line-password');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-user-invalid');

    await dialog.getByRole('textbox', { name: 'Email' }).fill('robin@demo.iotops.example');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = users.getByRole('row').filter({ hasText: 'robin@demo.iotops.example' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Robin Second-Line.*agent.*sv/);
    await p.getByRole('status').filter({ hasText: 'can now log in as agent' }).waitFor();
    await shot(p, 'admin-users');
  });

  it('creates an ingest credential and sees its MQTT password and HTTP Bearer once', async () => {
    const p = await admin('Ingest credentials');
    await p.getByRole('table', { name: 'Ingest credentials' }).waitFor();
    await p.getByLabel('Producer name (the MQTT username)').fill('mediation 1');
    await p.getByRole('button', { name: 'Create credential' }).click();
    // The API's rule for an MQTT username, shown under the field; then a valid name.
    await p
      .getByRole('alert')
      .filter({ hasText: /name \("mediation 1"\)/ })
      .waitFor();
    await p.getByLabel('Producer name (the MQTT username)').fill('mediation-1');
    await p.getByRole('button', { name: 'Create credential' }).click();

    const secret = p.getByRole('region', { name: 'Credential mediation-1 created' });
    await secret.waitFor();
    expect(await secret.getByLabel('MQTT username', { exact: true }).textContent()).toBe('mediation-1');
    const password = (await secret.getByLabel('MQTT password', { exact: true }).textContent())!;
    expect(password.length).toBeGreaterThan(16);
    expect(await secret.getByLabel('HTTP header', { exact: true }).textContent()).toBe(
      `Authorization: Bearer ${password}`,
    );
    const row = p
      .getByRole('table', { name: 'Ingest credentials' })
      .getByRole('row')
      .filter({ hasText: 'mediation-1' });
    await row.getByText('active').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-ingest-secret');

    // Once: dismissed, it is gone, and coming back to the screen does not show it again.
    await secret.getByRole('button', { name: 'I have copied it' }).click();
    await secret.waitFor({ state: 'hidden' });
    await p.getByRole('link', { name: 'Users' }).click();
    await p.getByRole('link', { name: 'Ingest credentials' }).click();
    await row.waitFor();
    expect(await p.getByText(password).count()).toBe(0);
  });

  it('changes a priority matrix cell, saves it, and finds the change in the history', async () => {
    const p = await admin('Priority matrix');
    const cell = p.getByLabel('Impact (critical, single)');
    expect(await cell.inputValue()).toBe('3');
    await p.getByText('Never changed: the built-in default applies.').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);

    await cell.selectOption('2');
    await p.getByText('1 unsaved change').waitFor();
    await p.getByRole('button', { name: 'Save matrix' }).click();
    await p
      .getByRole('status')
      .filter({ hasText: /Saved as version 1\. \d+ open cases examined/ })
      .waitFor();
    const history = p.getByRole('table', { name: 'Priority matrix history' });
    const v1 = history.getByRole('row').filter({ hasText: 'Changed from the built-in default' });
    expect(await v1.textContent()).toMatch(/^1.*admin@demo\.iotops\.example/);

    await p.getByLabel('Impact (critical, few)').selectOption('1');
    await p.getByRole('button', { name: 'Save matrix' }).click();
    const v2 = history.getByRole('row').filter({ hasText: 'Impact (critical, few): 2 → 1' });
    await v2.waitFor();
    expect(await v2.textContent()).toMatch(/^2.*admin@demo\.iotops\.example/);
    await p.getByText('Version 2 in force').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-priority-matrix');

    await p.getByRole('button', { name: 'Reset to default' }).click();
    // The preview of the reset, from GET /api/v1/sla/priority-matrix/default: the two cells changed above.
    const preview = p.getByRole('dialog').getByRole('region', { name: 'Cells the reset changes' });
    await preview.getByText('2 cells go back to the default:').waitFor();
    expect(await preview.textContent()).toContain('Impact (critical, few): 1 → 2');
    await p.getByRole('dialog').getByRole('button', { name: 'Reset', exact: true }).click();
    await history.getByRole('row').filter({ hasText: 'Reset to the built-in default' }).waitFor();
    await p.getByText('The built-in default is in force').waitFor();
    expect(await p.getByLabel('Impact (critical, single)').inputValue()).toBe('3');
  });

  it('tokens, plans and SLA screens: a token secret once, a plan in its form, a calendar refused with the day named', async () => {
    const p = await admin('API tokens');
    await p.getByLabel('Token name').fill('billing-export');
    await p.getByRole('button', { name: 'Create token' }).click();
    const secret = p.getByRole('region', { name: 'Token billing-export created' });
    await secret.getByLabel('Token', { exact: true }).waitFor();
    await p.getByRole('table', { name: 'API tokens' }).getByText('billing-export').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-tokens');

    await p.getByRole('link', { name: 'Plans' }).click();
    await p.getByRole('table', { name: 'Communication plans' }).getByText('IoT Data EU').waitFor();
    await p.getByRole('table', { name: 'Rate plans' }).getByText('M2M 10 MB').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.getByRole('button', { name: 'Edit IoT Data EU' }).click();
    const plan = p.getByRole('dialog');
    expect(await plan.getByLabel('APNs').inputValue()).toBe('iot.demo');
    await plan.getByLabel('Roaming networks (PLMN codes)').fill('26201, 2620');
    await plan.getByRole('button', { name: 'Save plan' }).click();
    await plan
      .getByRole('alert')
      .filter({ hasText: /roamingPlmns/ })
      .waitFor();
    expect(await plan.getByLabel('Roaming networks (PLMN codes)').inputValue()).toBe('26201, 2620');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-plan-invalid');
    await plan.getByLabel('Roaming networks (PLMN codes)').fill('26201');
    await plan.getByRole('button', { name: 'Save plan' }).click();
    await plan.waitFor({ state: 'hidden' });
    await p.getByRole('table', { name: 'Communication plans' }).getByText('EU EEA, 26201').waitFor();
    await p.getByRole('button', { name: 'Edit M2M 10 MB' }).click();
    const rate = p.getByRole('dialog');
    expect(await rate.getByLabel('Monthly fee per SIM').inputValue()).toBe('0.90');
    // What happens at the allowance (issue 16): throttling needs its rate, the API's refusal names the field.
    await rate.getByLabel('When the data allowance is used up').selectOption('throttle');
    await rate.getByRole('button', { name: 'Save plan' }).click();
    await rate
      .getByRole('alert')
      .filter({ hasText: /throttleKbps/ })
      .waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-rate-plan-throttle-invalid');
    await rate.getByLabel('Throttled rate (kbit/s)').fill('64');
    await rate.getByRole('button', { name: 'Save plan' }).click();
    await rate.waitFor({ state: 'hidden' });
    await p
      .getByRole('table', { name: 'Rate plans' })
      .getByText(/throttled to 64 kbit\/s/)
      .waitFor();
    await shot(p, 'admin-plans');

    await p.getByRole('link', { name: 'SLA calendars and policies' }).click();
    await p.getByRole('table', { name: 'SLA policies' }).getByText('P2, business hours').waitFor();
    await p.getByRole('button', { name: 'Edit calendar Business hours (Stockholm)' }).click();
    const calendar = p.getByRole('dialog');
    await calendar.getByLabel('Monday hours').fill('09:00-08:00');
    await calendar.getByRole('button', { name: 'Save calendar' }).click();
    await calendar
      .getByRole('alert')
      .filter({ hasText: /weeklyHours\.mon/ })
      .waitFor();
    expect(await calendar.getByLabel('Monday hours').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-sla-invalid');
    await calendar.getByLabel('Monday hours').fill('07:00-17:00');
    await calendar.getByRole('button', { name: 'Save calendar' }).click();
    await calendar.waitFor({ state: 'hidden' });
    await p
      .getByRole('table', { name: 'SLA calendars' })
      .getByText(/Mon 07:00-17:00; Tue–Fri 08:00-17:00/)
      .waitFor();
    await p.getByRole('button', { name: 'Edit policy P2, business hours' }).click();
    expect(await p.getByRole('dialog').getByLabel('Resolution (minutes)').inputValue()).toBe('1080');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-sla-policy');
  });

  it("edits and disables a user: the change shows, and that user's login is then refused", async () => {
    const p = await admin('Users');
    await p.getByRole('button', { name: 'New user' }).click();
    const dialog = p.getByRole('dialog', { name: 'New user' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill('kim@demo.iotops.example');
    await dialog.getByLabel('Name').fill('Kim Temp');
    await dialog.getByLabel('Password').fill('kim-temp-password');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = p.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'kim@demo.iotops.example' });
    await row.getByText('active').waitFor();

    // Kim logs in (a session of their own) before being disabled.
    const kim = await page();
    await logIn(kim, 'kim@demo.iotops.example', 'kim-temp-password');
    await kim.getByRole('table', { name: 'Case queue' }).waitFor();
    // …and makes an API token for a script of theirs, which the admin will see and revoke.
    const made = await kim.request.post(`${url}/api/v1/tokens`, { data: { name: 'kim-script', scopes: ['read'] } });
    expect(made.status()).toBe(201);

    await p.getByRole('button', { name: 'Edit kim@demo.iotops.example' }).click();
    const edit = p.getByRole('dialog', { name: 'Edit Kim Temp' });
    // A staff user cannot become a customer: the API's reason shows at the field, what was typed stays.
    await edit.getByLabel('Name').fill('Kim Leaver');
    await edit.getByLabel('Role').selectOption('customer');
    await edit.getByRole('button', { name: 'Save user' }).click();
    await edit
      .getByRole('alert')
      .filter({ hasText: /role \("customer"\)/ })
      .waitFor();
    expect(await edit.getByLabel('Role').getAttribute('aria-invalid')).toBe('true');
    expect(await edit.getByLabel('Name').inputValue()).toBe('Kim Leaver');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-user-edit-invalid');
    await edit.getByLabel('Role').selectOption('agent');
    await edit.getByLabel('Language').selectOption('de');
    await edit.getByRole('checkbox', { name: /Disabled/ }).check();
    await edit.getByRole('button', { name: 'Save user' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('disabled').waitFor();
    await p.getByRole('button', { name: 'API tokens of kim@demo.iotops.example' }).click();
    const tokens = p.getByRole('dialog', { name: 'API tokens of Kim Leaver' });
    await tokens.getByRole('table').getByText('kim-script').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await tokens.getByRole('button', { name: 'Revoke token kim-script' }).click();
    await p
      .getByRole('dialog', { name: 'Revoke token kim-script of Kim Leaver?' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await tokens.getByText('No live token.').waitFor();
    await tokens.getByRole('button', { name: 'Close' }).click();
    expect(await row.textContent()).toMatch(/Kim Leaver.*agent.*de/);
    await shot(p, 'admin-user-disabled');

    // Kim's session ended: the next call answers 401 and the app returns to its login form; logging in is refused.
    await kim.reload();
    await kim.getByRole('button', { name: 'Log in' }).waitFor();
    const again = await page();
    await logIn(again, 'kim@demo.iotops.example', 'kim-temp-password');
    await again.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor();
  });

  it('refuses to delete a plan SIMs still hold, with the API message in the dialog', async () => {
    const p = await admin('Plans');
    await p.getByRole('table', { name: 'Communication plans' }).getByText('IoT Data EU').waitFor();
    await p.getByRole('button', { name: 'Delete IoT Data EU' }).click();
    const dialog = p.getByRole('dialog', { name: 'Delete the communication plan IoT Data EU?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/IoT Data EU' is still used by \d+ SIMs/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-plan-in-use');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await p.getByRole('table', { name: 'Communication plans' }).getByText('IoT Data EU').waitFor();
  });

  it('imports plans from a file: a bad plan named by its place, then checked and imported', async () => {
    const p = await admin('Plans');
    await p.getByRole('button', { name: 'Import plans' }).click();
    const dialog = p.getByRole('dialog', { name: 'Import plans' });
    const plan = { name: 'Imported throttle', currency: 'EUR', monthlyFee: '1.50', included: { dataMb: 100 } };
    const upload = (overage: object) =>
      dialog.locator('input[type="file"]').setInputFiles({
        name: 'plans.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ratePlans: [{ ...plan, overage }] })),
      });
    await upload({ action: 'throttle' });
    await dialog.getByRole('button', { name: 'Check' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/ratePlans\[0\]\.overage\.throttleKbps.*required with action throttle/);
    await shot(p, 'admin-plan-import-refused');
    await upload({ action: 'throttle', throttleKbps: 128 });
    await dialog.getByRole('button', { name: 'Check' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Checked, nothing written yet: 1 to create' }).waitFor();
    expect(await dialog.getByRole('table', { name: 'Import result' }).textContent()).toContain('would be created');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: 'Imported: 1 created' }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-plan-import');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = p.getByRole('table', { name: 'Rate plans' }).getByRole('row').filter({ hasText: 'Imported throttle' });
    expect(await row.textContent()).toContain('throttled to 128 kbit/s');
  });

  it('an account: its tree, a contact added and edited with the API reasons at the field, the VIP tier, its lists', async () => {
    const p = await page();
    await logIn(p, 'admin@demo.iotops.example', 'demo-admin-password');
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await p.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: 'Kiruna Fjärrvärme' }).click();
    await p.getByRole('heading', { name: /Kiruna Fjärrvärme/ }).waitFor();
    // Up the tree to its parent, which lists it among its sub-accounts.
    await p.getByRole('navigation', { name: 'This account' }).getByRole('link', { name: 'Nordgrid Norrland' }).click();
    await p.getByRole('heading', { name: /Nordgrid Norrland/ }).waitFor();
    await p.getByRole('link', { name: 'Kiruna Fjärrvärme' }).click();
    await p.getByRole('heading', { name: /Kiruna Fjärrvärme/ }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);

    await p.getByRole('button', { name: 'Add contact' }).click();
    const add = p.getByRole('dialog', { name: 'New contact' });
    await add.getByRole('textbox', { name: 'Name' }).fill('Sara Drift');
    await add.getByRole('textbox', { name: 'Phone' }).fill('0701234567');
    await add.getByRole('button', { name: 'Add contact' }).click();
    await add
      .getByRole('alert')
      .filter({ hasText: /phone \("0701234567"\)/ })
      .waitFor();
    expect(await add.getByRole('textbox', { name: 'Phone' }).getAttribute('aria-invalid')).toBe('true');
    expect(await add.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Sara Drift');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'account-contact-invalid');
    await add.getByRole('textbox', { name: 'Phone' }).fill('+46701234567');
    await add.getByRole('checkbox', { name: 'technical' }).check();
    await add.getByRole('button', { name: 'Add contact' }).click();
    await add.waitFor({ state: 'hidden' });
    const row = p.getByRole('table', { name: 'Contacts' }).getByRole('row').filter({ hasText: 'Sara Drift' });
    expect(await row.textContent()).toMatch(/\+46701234567.*technical/);

    // Emptying the only way to reach her is refused, naming the field; an email instead is taken.
    await p.getByRole('button', { name: 'Edit contact Sara Drift' }).click();
    const edit = p.getByRole('dialog', { name: 'Edit contact Sara Drift' });
    await edit.getByRole('textbox', { name: 'Phone' }).fill('');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await edit.getByRole('alert').filter({ hasText: 'A contact needs an email or a phone' }).waitFor();
    await edit.getByRole('textbox', { name: 'Email' }).fill('sara@kiruna.example');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('sara@kiruna.example').waitFor();

    await p.getByRole('button', { name: 'Change VIP tier' }).click();
    const tier = p.getByRole('dialog', { name: 'VIP tier of Kiruna Fjärrvärme' });
    await tier.getByLabel('VIP tier').selectOption('platinum');
    await tier.getByRole('button', { name: 'Save tier' }).click();
    await tier.waitFor({ state: 'hidden' });
    await p.getByText('VIP platinum').waitFor();
    await p
      .getByText(/Communication: |Rate: /)
      .first()
      .waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'account-page');

    const id = new URL(p.url()).pathname.split('/').pop();
    await p.getByRole('link', { name: 'SIMs of this account' }).click();
    await expect.poll(() => new URL(p.url()).search).toBe(`?accountId=${id}`);
    await p.goBack();
    await p.getByRole('link', { name: 'Cases of this account' }).click();
    await expect.poll(() => new URL(p.url()).pathname + new URL(p.url()).search).toBe(`/cases?accountId=${id}`);
  });

  it('a user held back by failed logins sees the 429 message; the admin unlocks them and reads the login audit', async () => {
    const p = await admin('Users');
    const email = `lee-${Date.now()}@demo.iotops.example`;
    const made = await p.request.post(`${url}/api/v1/users`, {
      data: { email, name: 'Lee Typo', password: 'lee-right-password', role: 'agent' },
    });
    expect(made.status()).toBe(201);

    // Lee's form is ready first: the 5 s wait after the fifth failure must not have passed by the click.
    const lee = await page();
    await lee.goto(url);
    await lee.getByLabel('Email').fill(email);
    await lee.getByLabel('Password').fill('lee-right-password');
    for (let i = 0; i < 5; i++) {
      const r = await lee.request.post(`${url}/api/v1/auth/login`, { data: { email, password: 'lee-typo' } });
      expect(r.status()).toBe(401);
    }
    await lee.getByRole('button', { name: 'Log in' }).click();
    await lee
      .getByRole('alert')
      .filter({ hasText: /Too many failed logins for this account: wait \d+ s before trying again/ })
      .waitFor();

    await p.reload();
    const row = p.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: email });
    await row.getByText('5 failed logins in a row').waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-user-failed-logins');
    await p.getByRole('button', { name: `Unlock ${email}` }).click();
    await p
      .getByRole('status')
      .filter({ hasText: `${email} may log in again: 5 failed logins forgotten` })
      .waitFor();
    await row.getByText('active').waitFor();
    expect(await row.getByText(/failed login/).count()).toBe(0);
    expect(await p.getByRole('button', { name: `Unlock ${email}` }).count()).toBe(0);

    // The login audit of Lee: the unlock on top, then the five failures, the admin named.
    await p.getByRole('link', { name: `Logins of ${email}` }).click();
    const audit = p.getByRole('table', { name: 'Login audit' });
    await audit.getByText('unlocked', { exact: true }).waitFor();
    expect(await audit.getByRole('row').filter({ hasText: 'wrong_password' }).count()).toBe(5);
    expect(await audit.getByRole('row').nth(1).textContent()).toMatch(/unlocked.*by admin #\d+.*127\.0\.0\.1/);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await shot(p, 'admin-login-audit');

    // Lee logs in at once.
    await lee.getByRole('button', { name: 'Log in' }).click();
    await lee.getByRole('table', { name: 'Case queue' }).waitFor();
  });

  it('is offered to admins only', async () => {
    const p = await page();
    await logIn(p, 'agent@demo.iotops.example', 'demo-agent-password');
    await p.getByRole('table', { name: 'Case queue' }).waitFor();
    expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await p.goto(`${url}/admin/users`);
    await p.getByRole('alert').filter({ hasText: 'Admins only' }).waitFor();
  });
});
