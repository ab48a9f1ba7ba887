import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import type { App } from '../src/platform/http/app.ts';
import { createHttpApp, openContext } from '../src/server.ts';
import { cliEnv, runCli, startCli } from './support/cli.ts';
import { testDbKind, uniq } from './support/harness.ts';
import { type MadeSim, makeSims } from './support/sims-factory.ts';

const env = cliEnv();
let sim: MadeSim;
const base = Date.now() - 20 * 60_000;
const at = (min: number) => new Date(base + min * 60_000).toISOString();
const net = { network: { mcc: '240', mnc: '07' }, rat: 'LTE-M' };

/** The CLI's database (temp data dir, or the run's PostgreSQL), served in-process to post records over HTTP. */
async function withServer<T>(fn: (post: (records: unknown[]) => Promise<unknown>) => Promise<T>): Promise<T> {
  const { ctx, services } = await openContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  let app: App | undefined;
  try {
    app = await createHttpApp(ctx, services);
    const { secret } = await services.ingest.createCredential(cliPrincipal(), { name: `cli-trace-${uniq()}` });
    const post = async (records: unknown[]) => {
      const res = await app!.inject({
        method: 'POST',
        url: '/api/v1/ingest/network-events',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
        payload: records.map((r) => JSON.stringify(r)).join('\n'),
      });
      expect(res.json()).toMatchObject({ rejected: [] });
      return res.json();
    };
    if (!sim) {
      const account = await services.accounts.create(cliPrincipal(), {
        number: `TRACE-${uniq()}`,
        name: 'CLI trace test',
        vipTier: 'standard',
        language: 'en',
        timeZone: 'UTC',
        country: 'SE',
      });
      [sim] = (await makeSims(services, account.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
    }
    return await fn(post);
  } finally {
    await app?.close();
    await services.ingest.close();
    await ctx.database.close();
  }
}

beforeAll(async () => {
  await withServer((post) =>
    post([
      { id: uniq(), ts: at(0), iccid: sim.iccid20, type: 'attach', ...net },
      {
        id: uniq(),
        ts: at(1),
        iccid: sim.iccid20,
        type: 'session_start',
        ...net,
        apn: 'iot.example',
        session_id: 's1',
        ip: '10.1.2.3',
      },
      {
        id: uniq(),
        ts: at(5),
        iccid: sim.iccid20,
        type: 'session_end',
        ...net,
        apn: 'iot.example',
        session_id: 's1',
        bytes_up: 1200,
        bytes_down: 34000,
      },
      { id: uniq(), ts: at(6), iccid: sim.iccid20, type: 'session_rejected', ...net, apn: 'iot.exmaple', cause: 27 },
    ]),
  );
}, 60_000);

describe('iotops sims trace (black-box)', { timeout: 60_000 }, () => {
  it('prints the events oldest first as aligned lines with the cause meaning and bytes', async () => {
    const res = await runCli(['sims', 'trace', sim.iccid20, '--since', '1h'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(`SIM ${sim.iccid20}: 4 events since ${lines[0]!.split('since ')[1]}`);
    expect(lines[1]).toMatch(/^TIME\s+TYPE\s+PLMN\s+RAT\s+APN\s+CAUSE\s+BYTES \/ DETAIL$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[1])).toEqual([
      'attach',
      'session_start',
      'session_end',
      'session_rejected',
    ]);
    expect(lines[4]).toMatch(
      new RegExp(
        `^${at(5).replace(/\./g, '\\.')}\\s+session_end\\s+240-07\\s+LTE-M\\s+iot\\.example\\s+-\\s+up 1200 down 34000$`,
      ),
    );
    expect(lines[5]).toContain('27 Missing or unknown APN');
    // Columns line up: every field starts where the header's does.
    const apnAt = lines[1]!.indexOf('APN');
    expect(lines.slice(2).every((l) => l[apnAt - 1] === ' ' && l[apnAt] !== ' ')).toBe(true);

    const typed = await runCli(['sims', 'trace', sim.iccid, '--type', 'attach,session_rejected'], env);
    expect(typed.code).toBe(0);
    expect(typed.stdout).toContain('2 events');
  });

  it('exits 1 for an unknown SIM, 2 for a bad ICCID or option, naming it', async () => {
    const unknown = await runCli(['sims', 'trace', '8946000000000000001'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SIM 8946000000000000001 not found');
    const bad = await runCli(['sims', 'trace', '12ab'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ICCID 12ab is invalid/);
    expect(bad.stderr).toContain('iccid');
    const since = await runCli(['sims', 'trace', sim.iccid, '--since', 'yesterday', '--type', 'teleport'], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since: yesterday');
    expect(since.stderr).toContain('--type: unknown event type teleport');
    const past = await runCli(['sims', 'trace', sim.iccid, '--since', '200d'], env);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('--since: 200d reaches past NETWORK_EVENT_RETENTION_DAYS (90 days)');
  });
});

// A follower polls the database while another process writes: PGlite's data directory belongs to one process at a
// time, so this runs on PostgreSQL (the follow loop itself is tested on both in network/follow.test.ts).
describe.skipIf(testDbKind === 'pglite')('iotops sims trace --follow (black-box)', { timeout: 60_000 }, () => {
  let running: ReturnType<typeof startCli> | undefined;
  afterAll(() => running?.signal('SIGKILL'));

  it('prints events as they arrive and exits 0 on Ctrl-C', async () => {
    running = startCli(['sims', 'trace', sim.iccid20, '--follow'], env);
    await running.waitFor(/following/);
    await withServer((post) =>
      post([
        {
          id: uniq(),
          ts: new Date().toISOString(),
          iccid: sim.iccid20,
          type: 'attach_rejected',
          network: { mcc: '262', mnc: '01' },
          cause: 11,
        },
      ]),
    );
    await running.waitFor(/attach_rejected\s+262-01\s+-\s+-\s+11 PLMN not allowed/);
    running.signal('SIGINT');
    const res = await running.exited;
    expect(res.code).toBe(0);
    expect(res.stdout.match(/attach_rejected/g)).toHaveLength(1);
  });
});
