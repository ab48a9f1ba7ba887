import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/modules/webhooks/signing.ts';
import { type DemoDesk, seriousA11yViolations, shot, startDemoDesk } from '../support/browser.ts';
import { testDbKind } from '../support/harness.ts';

type Received = { headers: IncomingHttpHeaders; body: string };

/** A webhook receiver on 127.0.0.1 that keeps every request and answers 200. */
async function startReceiver(): Promise<{ url: string; requests: Received[]; server: Server }> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/iotops`, requests, server };
}

// Webhooks as a customer and the provider's staff use them (issue 14): the demo customer (Nordgrid, whose portal
// speaks Swedish) adds an endpoint in the portal, copies its signing secret (shown once), sends a test message and
// watches it arrive in the delivery log; the receiver, a plain HTTP server on 127.0.0.1 that the desk may reach only
// because this run allows it (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_CIDRS), gets it signed with that secret. Then the
// admin finds the endpoint, with its owner, in the console. Once per `npm test` (the PGlite run).
describe.skipIf(testDbKind !== 'pglite')(
  'webhooks in the portal and the console (browser)',
  { timeout: 300_000 },
  () => {
    let desk: DemoDesk;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeAll(async () => {
      receiver = await startReceiver();
      desk = await startDemoDesk('webhooks', {
        IOTOPS_SIMULATE: 'off',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      });
    }, 240_000);
    afterAll(async () => {
      await desk?.close();
      await new Promise((resolve) => receiver?.server.close(resolve));
    }, 120_000);

    /** The log row of the newest message (the log is newest first). */
    const newestRow = (p: Page) => p.getByRole('table', { name: 'Leveranslogg' }).locator('tbody tr').first();

    it('a customer adds an endpoint, copies its secret once, sends a test and sees it delivered, signed', async () => {
      const p = await desk.as('customer');
      await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: desk.url });
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
      await p.getByText('Ingen slutpunkt ännu.').waitFor();

      // A cloud metadata address is refused, with the API's reason under the field and in the alert.
      await p.getByRole('button', { name: 'Lägg till slutpunkt' }).click();
      const dialog = p.getByRole('dialog', { name: 'Lägg till slutpunkt' });
      const url = dialog.getByRole('textbox', { name: 'Slutpunktens URL' });
      await url.fill('http://169.254.169.254/latest/meta-data');
      // Only the customers' event types are offered (not the staff's sims.imported). They come from the API: wait for
      // the list before counting (count() does not wait; on a loaded machine the list was not there yet).
      await dialog.getByRole('checkbox', { name: 'case.opened' }).waitFor();
      expect(await dialog.getByRole('checkbox', { name: 'case.opened' }).count()).toBe(1);
      expect(await dialog.getByRole('checkbox', { name: 'sims.imported' }).count()).toBe(0);
      await dialog.getByRole('button', { name: 'Skapa slutpunkt' }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/169\.254\.169\.254 is not allowed/);
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await seriousA11yViolations(p)).toEqual([]);

      await url.fill(receiver.url);
      await dialog.getByRole('textbox', { name: 'Beskrivning (valfri)' }).fill('Ärendesynk');
      await dialog.getByRole('button', { name: 'Skapa slutpunkt' }).click();
      const created = dialog.getByRole('region', { name: 'Slutpunkten har skapats' });
      await created.waitFor();
      const secret = (await created.getByLabel('Signeringsnyckel', { exact: true }).textContent())!;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{30,}$/);
      await created.getByRole('button', { name: 'Kopiera signeringsnyckeln' }).click();
      await expect.poll(() => p.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'portal-webhook-secret');

      // Dismissed, it leads to the endpoint, and the secret is shown nowhere again.
      await created.getByRole('button', { name: 'Jag har kopierat den' }).click();
      await p.getByRole('heading', { name: receiver.url }).waitFor();
      expect(await p.getByText(secret).count()).toBe(0);
      await p.getByText('Inget meddelande ännu. Skicka ett testmeddelande för att prova er slutpunkt.').waitFor();

      await p.getByRole('button', { name: 'Skicka ett testmeddelande' }).click();
      await p.getByRole('status').filter({ hasText: 'Testmeddelandet är köat' }).waitFor();
      // The worker delivers within seconds; the log asks again while a message is pending.
      await expect
        .poll(async () => (await newestRow(p).textContent()) ?? '', { timeout: 60_000, interval: 500 })
        .toMatch(/^Levereratwebhook\.test1200/);

      // The receiver got it, with the three Standard Webhooks headers, signed with the secret the customer copied.
      await expect.poll(() => receiver.requests.length, { timeout: 30_000 }).toBeGreaterThan(0);
      const first = receiver.requests[0]!;
      expect(first.headers['webhook-id']).toMatch(/^msg_/);
      expect(first.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(first.headers['webhook-signature']).toMatch(/^v1,/);
      expect(verify(first.headers, first.body, secret).msgId).toBe(first.headers['webhook-id']);
      expect(JSON.parse(first.body)).toMatchObject({ type: 'webhook.test' });
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'portal-webhook-log');

      // The message in the drawer: its body and its attempt; sent again by hand, with the same webhook-id.
      await newestRow(p).getByRole('button', { name: 'Detaljer' }).click();
      const drawer = p.getByRole('dialog', { name: 'Meddelande' });
      await drawer.getByText(String(first.headers['webhook-id'])).waitFor();
      expect(await drawer.locator('pre').last().textContent()).toContain('"type": "webhook.test"');
      const attempts = drawer.getByRole('table', { name: 'Försök' });
      await expect.poll(() => attempts.locator('tbody tr').count()).toBe(1);
      expect(await attempts.locator('tbody tr').first().textContent()).toContain('200');
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'portal-webhook-delivery');
      await drawer.getByRole('button', { name: 'Skicka igen' }).click();
      await drawer.getByRole('status').filter({ hasText: 'Skickat igen' }).waitFor();
      await expect.poll(() => attempts.locator('tbody tr').count(), { timeout: 60_000 }).toBe(2);
      await attempts.getByText('skickat manuellt').waitFor();
      await expect.poll(() => receiver.requests.length, { timeout: 30_000 }).toBe(2);
      expect(receiver.requests[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
      await drawer.getByRole('button', { name: 'Stäng' }).click();
      await drawer.waitFor({ state: 'hidden' });

      // A new secret, shown once; for a day messages carry signatures by both.
      await p.getByRole('button', { name: 'Byt nyckel' }).click();
      await p
        .getByRole('dialog', { name: 'Byta signeringsnyckel?' })
        .getByRole('button', { name: 'Byt nyckel' })
        .click();
      const rotated = p.getByRole('region', { name: 'Ny signeringsnyckel' });
      const newSecret = (await rotated.getByLabel('Signeringsnyckel', { exact: true }).textContent())!;
      expect(newSecret).not.toBe(secret);
      await p.getByText('Den tidigare nyckeln signerar också meddelanden till', { exact: false }).waitFor();
      await rotated.getByRole('button', { name: 'Jag har kopierat den' }).click();
      await rotated.waitFor({ state: 'hidden' });

      // Back in the list: the endpoint, enabled, with its event types.
      await p.getByRole('link', { name: 'Tillbaka till webhooks' }).click();
      const row = p.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: receiver.url });
      expect(await row.textContent()).toMatch(/Ärendesynk.*Alla händelsetyper.*Aktiv/);
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'portal-webhooks');
    });

    it('staff see every endpoint in the console, with its owner, and may disable one', async () => {
      const p = await desk.as('admin');
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
      const row = p.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: receiver.url });
      await row.getByText(/Nordgrid/).waitFor();
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'console-webhooks');

      // Staff may subscribe provider-wide and to the staff's event types.
      await p.getByRole('button', { name: 'Add endpoint' }).click();
      const dialog = p.getByRole('dialog', { name: 'Add endpoint' });
      await dialog.getByRole('checkbox', { name: 'sims.imported' }).waitFor();
      expect(await dialog.getByLabel('Account').inputValue()).toBe('');
      expect(await dialog.getByLabel('Account').locator('option').first().textContent()).toBe(
        'Provider-wide (every account)',
      );
      expect(await seriousA11yViolations(p)).toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // The customer's endpoint, disabled by the admin: the reason says who.
      await row.getByRole('link').click();
      await p.getByRole('table', { name: 'Delivery log' }).locator('tbody tr').first().waitFor();
      await p.getByRole('button', { name: 'Disable', exact: true }).click();
      await p.getByText('Disabled: disabled by admin@demo.iotops.example').waitFor();
      await p.getByRole('button', { name: 'Enable', exact: true }).waitFor();
      expect(await seriousA11yViolations(p)).toEqual([]);
      await shot(p, 'console-webhook');
    });
  },
);
