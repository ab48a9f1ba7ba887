import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { openContext } from '../src/server.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';
import { type MadeSim, makeSims } from './support/sims-factory.ts';

const env = cliEnv();
let sim: MadeSim;

beforeAll(async () => {
  const { ctx, services } = await openContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  try {
    const account = await services.accounts.create(cliPrincipal(), {
      number: `ACT-${uniq()}`,
      name: 'CLI actions test',
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: 'SE',
    });
    [sim] = (await makeSims(services, account.id, 1, { state: 'ACTIVATED' })) as [MadeSim];
  } finally {
    await services.ingest.close();
    await ctx.database.close();
  }
});

// Each CLI run is a Node process loading the CLI and opening the database (~10 s on a loaded 2-core CI machine).
describe('iotops sims reset | sms', { timeout: 120_000 }, () => {
  it('reset: the action is carried out and its outcome printed (exit 0)', async () => {
    const r = await runCli(['sims', 'reset', sim.iccid20, '--reason', 'stuck'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/connectivity_reset on \d{20}: applied \(adapter simulated\)/);
    expect(r.stdout).toContain('location cancelled and data session deleted');
  });

  it('sms --apn: sent; a bad APN is exit 2 naming --apn; an unknown SIM exit 1 with the code', async () => {
    const ok = await runCli(['sims', 'sms', sim.iccid, '--apn', 'iot.example'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Configuration SMS sent: APN iot.example');
    const bad = await runCli(['sims', 'sms', sim.iccid, '--apn', 'bad apn'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--apn: must be an APN/);
    const unknown = await runCli(['sims', 'reset', '8946000000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('sims.not_found');
  });
});
