import { readdirSync, readlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, randomBase } from '../src/modules/sims/import/sim-fixtures.ts';
import { type Harness, harness, makeTenant, type Tenant } from './support/harness.ts';

// Issue 13, points 4–5: the CSV import over a real socket (inject cannot show a dropped connection).
let h: Harness;
let t: Tenant;
let base: string;
const base_ = () => base;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(() => h.close());

const big = (header: string, rows: number) =>
  `${header}\n${Array.from({ length: rows }, (_, i) => `row-${i},x,y`).join('\n')}\n`;

async function importCsv(body: string | Uint8Array, headers: Record<string, string>) {
  const r = await fetch(`${base}/api/v1/sims/imports?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...headers },
    body,
  });
  return {
    status: r.status,
    json: (await r.json()) as { error?: { code: string; message: string; details?: unknown[] } },
  };
}

/** Descriptors of this process still open on an import's spool file (Linux: /proc/self/fd). */
function openSpoolFiles(): string[] {
  const links: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      links.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed between the listing and the read
    }
  }
  return links.filter((l) => l.includes('iotops-import-'));
}

/** The spool's read stream closes a tick after the answer: wait for it, bounded. */
async function noSpoolFileOpen(): Promise<string[]> {
  for (let i = 0; i < 100 && openSpoolFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return openSpoolFiles();
}

describe('SIM import over HTTP: every refusal is an answer, never a dropped connection', () => {
  it('a header lacking a required column is a 400 naming it, even with a large body behind it', async () => {
    const r = await importCsv(big('iccid,account,colour', 50_000), t.agent);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.error)).toMatch(/colour/);
  });

  it('a line with no end is refused as it arrives, while the upload is still open', async () => {
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/api/v1/sims/imports?wait=true`, {
        method: 'POST',
        headers: { ...t.agent, 'content-type': 'text/csv' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      // 1 MB of one line, and the request never ends: only an early refusal answers it.
      req.write(`iccid,account,${'x'.repeat(1024 * 1024)}`);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({
      code: 'sims.import_csv_malformed',
      details: [{ line: 1, reason: expect.stringMatching(/line longer than 65536 bytes/) }],
    });
    expect(answer.body.length).toBeLessThan(2000);
  });

  it('a JSON body is refused with 415 saying the operation takes text/csv', async () => {
    const r = await importCsv('{"iccid":"8946"}', { ...t.agent, 'content-type': 'application/json' });
    expect(r.status).toBe(415);
    expect(r.json.error).toMatchObject({ code: 'request.unsupported_media_type', message: /takes text\/csv/ });
  });

  it('a customer on the import route gets 403, even with a large body', async () => {
    const r = await importCsv(big('iccid,imsi,msisdn', 50_000), t.customer);
    expect(r.status).toBe(403);
  });

  it('no credentials: 401, even with a large body', async () => {
    const r = await importCsv(big('iccid,imsi,msisdn', 50_000), {});
    expect(r.status).toBe(401);
  });

  it('a NUL in a field is a line error naming line and column; the good lines go in with skip-invalid', async () => {
    const base = randomBase();
    const [a, b] = [fakeSim(base + 1), fakeSim(base + 2)];
    const csv = `iccid,account,label\n${a.iccid},${t.child.number},ok\n${b.iccid},${t.child.number},bad\u0000label\n`;
    const r = await fetch(`${base_()}/api/v1/sims/imports?wait=true&mode=skip-invalid`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...t.agent },
      body: csv,
    });
    const job = (await r.json()) as { id: number };
    expect(r.status).toBe(200);
    expect(job).toMatchObject({ counters: { rowsImported: 1, rowsRejected: 1 } });
    const errors = await h.app.inject({
      method: 'GET',
      url: `/api/v1/sims/imports/${job.id}/errors`,
      headers: t.agent,
    });
    expect(errors.json().items[0]).toMatchObject({
      line: 3,
      field: 'label',
      value: 'bad\\u0000label',
      reason: expect.stringMatching(/NUL/),
    });
  });

  it('a Latin-1 file is refused as not UTF-8, naming line and byte, and nothing is imported', async () => {
    const base = randomBase();
    const latin1 = Buffer.from(
      `iccid,account,label\n${fakeSim(base + 1).iccid},${t.child.number},Z\xfcrich\n`,
      'latin1',
    );
    const r = await importCsv(latin1, t.agent);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'sims.import_not_utf8', details: [{ line: 2, value: '0xfc' }] });
    const sim = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${fakeSim(base + 1).iccid}`, headers: t.agent });
    expect(sim.statusCode).toBe(404);
    // The spooled upload (embedded database) is closed, not kept open on a deleted file (probe round 4, N2).
    expect(await noSpoolFileOpen()).toEqual([]);
  });

  it('a file declared in another charset is refused with 415 naming it (charset=latin1 was ignored)', async () => {
    const r = await importCsv(Buffer.from(`iccid,account\n${fakeSim(randomBase()).iccid},Z\xfcrich\n`, 'latin1'), {
      ...t.agent,
      'content-type': 'text/csv; charset=latin1',
    });
    expect(r.status).toBe(415);
    expect(r.json.error).toMatchObject({
      code: 'request.charset_unsupported',
      details: [{ field: 'content-type', value: 'text/csv; charset=latin1' }],
    });
  });

  it('a UTF-16 file (BOM) is refused at its header, and its spooled upload is closed', async () => {
    const r = await importCsv(Buffer.from('\ufefficcid,account\n', 'utf16le'), t.agent);
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('sims.import_not_utf8');
    expect(await noSpoolFileOpen()).toEqual([]);
  });
});
