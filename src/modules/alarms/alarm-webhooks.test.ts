/**
 * Alarm webhooks (issue 17: "the customer is told … through webhooks"): a SIM's silence alarm raised at its due
 * instant and cleared when the SIM talks again reach its customer's subscription, and no other customer's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { NO_PATTERN_WARN_MS } from '../diagnosis/checks/activity.ts';
import { RECHECK_MS } from './silence-watch.ts';

type Message = { type: string; data: Record<string, unknown> };
let h: Harness;
let t: Tenant;
let other: Tenant;
let receiver: Server;
let base: string;
const received = new Map<string, Message[]>();

beforeAll(async () => {
  h = await harness({ webhookAllowHttp: true, webhookAllowCidrs: '127.0.0.1/32' });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      received.set(req.url ?? '/', [...(received.get(req.url ?? '/') ?? []), JSON.parse(body) as Message]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await h.close();
});

async function subscribe(headers: Record<string, string>, path: string) {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/subscriptions',
    headers,
    payload: { url: `${base}${path}`, eventTypes: ['alarm.raised', 'alarm.cleared'] },
  });
  expect(r.statusCode, r.body).toBe(201);
}

describe('alarm webhooks', () => {
  it("tell the SIM's customer when its silence alarm is raised and when it clears, and no one else", async () => {
    await subscribe(t.customer, '/mine');
    await subscribe(other.customer, '/theirs');
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const net = { network: { mcc: '262', mnc: '01' } };
    const talk = async (at: number) => {
      await h.services.ingest.acceptNetwork(
        [{ line: 1, value: { ts: new Date(at).toISOString(), iccid: sim!.iccid20, type: 'attach', ...net } }],
        { transport: 'http', credentialId: null },
      );
      await h.runJobs();
    };
    const last = Date.now() - 30 * 3_600_000;
    await talk(last);
    const clock = { now: last + NO_PATTERN_WARN_MS };
    const alarms = alarmsAt(h, clock);
    expect(await alarms.silenceTick()).toMatchObject({ raised: 1 });
    clock.now += RECHECK_MS; // a repeat says nothing new
    expect(await alarms.silenceTick()).toMatchObject({ repeated: 1 });
    await talk(clock.now + 60_000);
    clock.now += RECHECK_MS;
    expect(await alarms.silenceTick()).toMatchObject({ cleared: 1 });
    await h.runJobs();

    const mine = received.get('/mine') ?? [];
    expect(mine.map((m) => m.type)).toEqual(['alarm.raised', 'alarm.cleared']);
    expect(mine[0]!.data).toMatchObject({
      alarm: { type: 'silence', severity: 'major' },
      sim: { iccid: sim!.iccid20, accountId: t.child.id },
      at: new Date(last + NO_PATTERN_WARN_MS).toISOString(),
      details: { lastEventAt: new Date(last).toISOString(), thresholdMinutes: 1440 },
    });
    expect(mine[1]!.data).toMatchObject({ alarm: { type: 'silence' }, sim: { iccid: sim!.iccid20 }, by: 'traffic' });
    expect(received.get('/theirs') ?? []).toEqual([]);
  });

  it('tell the customer what the network did, never which rule of the desk raised it', async () => {
    await h.services.alarms.rules.create(cliPrincipal('alarm-webhooks-test'), {
      name: 'Desk rule: APN typos of key accounts',
      kind: 'refusal_burst',
      enabled: true,
      scope: { accountIds: [t.child.id] },
      params: {
        count: 3,
        windowMinutes: 15,
        causes: [],
        attempts: ['session'],
        clearMinutes: 15,
        streak: null,
        streakHours: 6,
        permanentStreak: null,
      },
      severity: 'minor',
      escalation: null,
      schedule: null,
      openCase: false,
      remindMinutes: null,
    });
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const now = Date.now();
    const lines = [3, 2, 1].map((m, i) => ({
      line: i + 1,
      value: {
        ts: new Date(now - m * 60_000).toISOString(),
        iccid: sim!.iccid20,
        type: 'session_rejected',
        network: { mcc: '262', mnc: '01' },
        apn: 'iot.exmaple',
        cause: 27,
      },
    }));
    await h.services.ingest.acceptNetwork(lines, { transport: 'http', credentialId: null });
    await h.services.ingest.drained();
    await h.runJobs(); // the burst is raised
    await h.runJobs(); // its event fans out
    const burst = (received.get('/mine') ?? []).find(
      (m) => m.type === 'alarm.raised' && (m.data as { alarm: { type: string } }).alarm.type === 'refusal_burst',
    );
    expect(burst?.data).toMatchObject({
      sim: { iccid: sim!.iccid20 },
      details: {
        refusals: 3,
        cause: 27,
        causeLabel: '27 Missing or unknown APN',
        apn: 'iot.exmaple',
        condition: 'window',
      },
    });
    const details = (burst!.data as { details: Record<string, unknown> }).details;
    expect(Object.keys(details)).not.toContain('rule');
    expect(Object.keys(details)).not.toContain('ruleId');
    expect(JSON.stringify(burst!.data)).not.toContain('Desk rule');
  });
});
