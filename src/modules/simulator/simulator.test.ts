import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkEvent, parseTelemetry, splitBody } from '../ingest/contract.ts';
import { createCommandBus } from './commands.ts';
import { OptionError } from './options.ts';
import { startSimulation } from './simulator.ts';

/** A tiny stand-in for iotops's HTTP ingest: parses each line with the contract parser and answers like iotops. */
let posted = 0;
/** Network records seen, in arrival order (the live-command test follows one SIM's). */
const seen: { iccid: string; type: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => {
    body += d.toString();
  });
  req.on('end', () => {
    let accepted = 0;
    const rejected: { line: number; error: string }[] = [];
    for (const l of splitBody(body, 'ndjson')) {
      const p = !('value' in l)
        ? l.rejection
        : req.url!.endsWith('/telemetry')
          ? parseTelemetry(l.value)
          : parseNetworkEvent(l.value);
      if (p.ok) {
        accepted++;
        if ('iccid' in p.record) seen.push({ iccid: p.record.iccid, type: p.record.type });
      } else rejected.push({ line: l.line, error: p.message });
    }
    posted += accepted;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted, duplicates: 0, rejected }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('startSimulation (in-process API)', () => {
  it('runs over HTTP until stop() and returns the summary; everything published was acknowledged', async () => {
    const sim = await startSimulation({ synthetic: 30, speed: 5000, transport: 'http', url, token: 't', batch: 20 });
    await expect.poll(() => posted, { timeout: 10_000 }).toBeGreaterThan(200);
    const s = await sim.stop();
    expect(s.published).toBeGreaterThan(200);
    expect(s).toMatchObject({ transport: 'http', fleet: 30, acked: s.published, rejected: 0, failed: 0 });
    expect(s.network + s.telemetry).toBe(s.published);
    expect(posted).toBe(s.published);
    // No duration at speed > 1: the run started a day back and never stamps records ahead of the wall clock.
    expect(Date.parse(s.simulated.to)).toBeLessThanOrEqual(Date.now());
  });

  it('a network command on the in-process bus reaches the running simulation: cancel location → detach, attach', async () => {
    const bus = createCommandBus();
    seen.length = 0; // only this run's records (the run above had the same synthetic ICCIDs)
    const sim = await startSimulation({
      synthetic: 20,
      speed: 600,
      transport: 'http',
      url,
      token: 't',
      batch: 20,
      commandBus: bus,
    });
    try {
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(50);
      const iccid = seen.find((r) => r.type === 'attach')!.iccid;
      const from = seen.length;
      bus.emit({ id: 1, iccid, kind: 'cancel_location' });
      const typesSince = () =>
        seen
          .slice(from)
          .filter((r) => r.iccid === iccid)
          .map((r) => r.type);
      await expect
        .poll(
          () => typesSince().includes('detach') && typesSince().indexOf('attach', typesSince().indexOf('detach')) > 0,
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
    } finally {
      await sim.stop();
    }
  });

  it('bad options throw OptionError naming the option, value and reason', async () => {
    await expect(startSimulation({ synthetic: 0, transport: 'pigeon' })).rejects.toThrow(OptionError);
    const e = await startSimulation({ synthetic: 5, transport: 'http', url: 'mqtt://x' }).catch((x: unknown) => x);
    expect((e as OptionError).problems).toEqual([
      { option: '--url', value: 'mqtt://x', reason: '--transport http needs http: https: URLs' },
    ]);
  });
});
