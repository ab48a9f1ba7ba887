import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { luhnDigit } from '../src/modules/sims/identifiers.ts';
import { type RunningCli, runCli, startCli } from './support/cli.ts';
import { testDbKind } from './support/harness.ts';

// Issue 13, first point: with `npm start` running on the embedded database, the README's CLI commands in a second
// terminal must reach that server's data — never a write the server does not see or that a restart loses.
// PGlite only: the embedded default is what is tested. Each CLI run is a Node start (~2–10 s on a loaded
// 2-core machine), so the steps get generous limits and wait on output, rows and ports, never on sleeps.
describe.skipIf(testDbKind !== 'pglite')('CLI beside a running embedded server', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iotops-beside-'));
  const env = { LOG_LEVEL: 'warn', IOTOPS_DATA_DIR: dataDir, PORT: '0', IOTOPS_MQTT_PORT: '0', IOTOPS_SIMULATE: 'off' };
  const running: RunningCli[] = [];
  afterAll(() => {
    for (const r of running) r.signal('SIGKILL');
  });

  async function startServer(): Promise<{ server: RunningCli; url: string }> {
    const server = startCli(['start'], env);
    running.push(server);
    await server.waitFor(/log in \(POST/, 180_000);
    const url = /running at (http:\/\/\S+)/.exec(server.stdout())![1]!;
    return { server, url };
  }
  const cli = async (args: string[], stdin?: string) => {
    const r = await runCli(args, env, stdin);
    if (r.code !== 0) throw new Error(`iotops ${args.join(' ')} exited ${r.code}: ${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const iccid = (n: number) => {
    const body = `894607999${String(n).padStart(10, '0')}`;
    return `${body}${luhnDigit(body)}`;
  };

  it('every write of the README commands is seen by the server and survives its restart', async () => {
    let { server, url } = await startServer();
    const api = (p: string, token: string, init: RequestInit = {}) =>
      fetch(`${url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

    // users create / tokens create: the server knows the user's password and the token.
    await cli(['users', 'create', '--email', 'me@example.test', '--password', 'a-long-password-1', '--role', 'admin']);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'me@example.test', password: 'a-long-password-1' }),
    });
    expect(login.status).toBe(200);
    const token = (await cli(['tokens', 'create', '--email', 'me@example.test', '--scopes', 'read,write']))
      .trim()
      .split('\n')
      .at(-1)!;
    expect((await api('/api/v1/sims?limit=1', token)).status).toBe(200);

    // sims import (COPY through the server) / export
    const file = path.join(dataDir, 'sims.csv');
    const rows = [0, 1, 2, 3, 4].map((i) => `${iccid(i)},24007999000000${i},NORDGRID-STHLM,ACTIVATED`);
    writeFileSync(file, `iccid,imsi,account,state\n${rows.join('\n')}\n`);
    expect(await cli(['sims', 'import', file])).toMatch(/succeeded: 5 imported/);
    expect((await api(`/api/v1/sims/${iccid(3)}`, token)).status).toBe(200);
    const out = path.join(dataDir, 'export.csv');
    await cli(['sims', 'export', '--account', 'NORDGRID-STHLM', '--out', out]);
    expect(readFileSync(out, 'utf8')).toContain(iccid(4));

    // cases create / note / resolve
    const number = (
      await cli([
        'cases',
        'create',
        '--account',
        'NORDGRID-STHLM',
        '--type',
        'incident',
        '--subject',
        'Meters silent since the CLI test',
        '--sims',
        iccid(0),
      ])
    ).match(/C-\d{4}-\d{6}/)![0];
    await cli(['cases', 'note', number, '--text', 'Traced: nothing since 03:00']);
    const timeline = (await (await api(`/api/v1/cases/${number}/events`, token)).json()) as {
      items: { body?: string | null }[];
    };
    expect(JSON.stringify(timeline)).toContain('Traced: nothing since 03:00');

    // ingest-credentials create: the server accepts the printed secret at once.
    const secret = /Bearer (ioi_\S+)/.exec(await cli(['ingest-credentials', 'create', '--name', 'mediation-1']))![1]!;
    const publish = async (id: string, type: string) => {
      const event = {
        v: 1,
        id,
        ts: new Date().toISOString(),
        iccid: iccid(0),
        type,
        network: { mcc: '240', mnc: '07' },
        rat: '4G',
      };
      const r = await fetch(`${url}/api/v1/ingest/network-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
        body: `${JSON.stringify(event)}\n`,
      });
      expect(await r.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    };
    await publish('beside-1', 'attach');

    // sims trace --follow next to the server, then diagnose
    const follow = startCli(['sims', 'trace', iccid(0), '--since', '1h', '--follow'], env);
    running.push(follow);
    await follow.waitFor(/following/, 120_000);
    await publish('beside-2', 'detach');
    await follow.waitFor(/detach/, 60_000);
    follow.signal('SIGINT');
    await follow.exited;
    expect(await cli(['sims', 'diagnose', iccid(0)])).toMatch(/root cause/i);
    await cli(['cases', 'resolve', number, '--note', 'Device re-attached']);

    // alarms list / ack: a SIM last heard 30 h ago is alarmed by the server's worker; the CLI sees and acknowledges it.
    const quiet = await fetch(`${url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ id: 'beside-quiet', ts: new Date(Date.now() - 30 * 3_600_000).toISOString(), iccid: iccid(1), type: 'attach', network: { mcc: '240', mnc: '07' } })}\n`,
    });
    expect(await quiet.json()).toMatchObject({ accepted: 1 });
    let alarmId = 0;
    await expect
      .poll(
        async () => {
          const lines = (await cli(['alarms', 'list', '--iccid', iccid(1), '--json'])).trim();
          alarmId = lines ? (JSON.parse(lines.split('\n')[0]!) as { id: number }).id : 0;
          return alarmId;
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    expect(await cli(['alarms', 'ack', String(alarmId)])).toMatch(new RegExp(`^alarm ${alarmId}: acknowledged`));
    const alarm = (await (await api(`/api/v1/alarms/${alarmId}`, token)).json()) as { acknowledged: boolean };
    expect(alarm.acknowledged).toBe(true);

    // A second server on the same directory is refused, saying who holds it and what to do.
    const second = await runCli(['serve'], env);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/in use by `iotops start` \(pid \d+/);
    expect(second.stderr).toMatch(/IOTOPS_DATA_DIR/);

    // Restart: everything written through the CLI is still there.
    server.signal('SIGTERM');
    expect((await server.exited).code).toBe(0);
    ({ server, url } = await startServer());
    expect((await api(`/api/v1/sims/${iccid(3)}`, token)).status).toBe(200);
    const c = (await (await api(`/api/v1/cases/${number}`, token)).json()) as { state: string };
    expect(c.state).toBe('resolved');
    await publish('beside-3', 'attach');
    const events = (await (await api(`/api/v1/sims/${iccid(0)}/events?limit=10`, token)).json()) as {
      items: { id: string }[];
    };
    expect(events.items.map((e) => e.id).sort()).toEqual(['beside-1', 'beside-2', 'beside-3']);
    server.signal('SIGTERM');
    await server.exited;
  });
});
