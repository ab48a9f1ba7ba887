/**
 * Issue 13, point 9, as the outside probe did it: `kill -9` of the embedded server while a large SIM import runs.
 * The import is all-or-nothing (its transaction never committed), and after the restart its record must say
 * failed, with the reason — not `running` for ever. Embedded database only: on PostgreSQL the sweep waits a
 * minute's grace and asks the import's advisory lock (import-abandoned.test.ts covers that path).
 */
import { describe, expect, it } from 'vitest';
import { fakeSim, randomBase } from '../src/modules/sims/import/sim-fixtures.ts';
import { cliEnv, runCli, startCli } from './support/cli.ts';
import { testDbKind } from './support/harness.ts';
import { freePort } from './support/ports.ts';

describe.skipIf(testDbKind !== 'pglite')(
  'kill -9 during a SIM import (embedded database)',
  { timeout: 300_000 },
  () => {
    it('after the restart the import says failed with the reason, and none of its SIMs exist', async () => {
      const port = await freePort();
      const env = cliEnv({ PORT: String(port), IOTOPS_MQTT_PORT: '0' });
      const email = 'killer@example.test';
      expect(
        (await runCli(['users', 'create', '--email', email, '--password', 'kill-nine-pass', '--role', 'admin'], env))
          .code,
      ).toBe(0);
      const token = await runCli(['tokens', 'create', '--email', email, '--scopes', 'read,write,admin'], env);
      expect(token.code, token.stderr).toBe(0);
      const bearer = { authorization: `Bearer ${token.stdout.trim()}` };
      const base = `http://127.0.0.1:${port}`;

      const first = startCli(['serve'], env);
      await first.waitFor(/iotops is running/, 120_000);
      const account = await fetch(`${base}/api/v1/accounts`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ number: 'KILL9', name: 'Kill nine', country: 'SE' }),
      });
      expect(account.status, await account.clone().text()).toBe(201);
      const n0 = randomBase(1_000_000);
      const rows = Array.from({ length: 100_000 }, (_, i) => `${fakeSim(n0 + i).iccid},KILL9`);
      const started = await fetch(`${base}/api/v1/sims/imports?filename=big.csv`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'text/csv' },
        body: `iccid,account\n${rows.join('\n')}\n`,
      });
      expect(started.status).toBe(202);
      const job = (await started.json()) as { id: number; status: string };
      expect(job.status).toBe('running');
      first.signal('SIGKILL');
      await first.exited;

      const second = startCli(['serve'], env);
      await second.waitFor(/iotops is running/, 120_000);
      try {
        const after = await fetch(`${base}/api/v1/sims/imports/${job.id}`, { headers: bearer });
        const view = (await after.json()) as { status: string; errorCode: string | null; message: string };
        expect(view).toMatchObject({ status: 'failed', errorCode: 'sims.import_abandoned' });
        expect(view.message).toMatch(/stopped before it finished/);
        const sim = await fetch(`${base}/api/v1/sims/${fakeSim(n0).iccid}`, { headers: bearer });
        expect(sim.status).toBe(404);
      } finally {
        second.signal('SIGTERM');
        await second.exited;
      }
    });
  },
);
