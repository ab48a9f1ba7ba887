import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { createHttpApp, openContext } from '../src/server.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';
import { type MadeSim, makePlans, makeSims } from './support/sims-factory.ts';

const env = cliEnv();
let typo: MadeSim;
const now = Date.now();
const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
const home = { network: { mcc: '240', mnc: '07' }, rat: '4G' };

/** The CLI's database (temp data dir, or the run's PostgreSQL): a SIM whose device asks for a misspelt APN. */
beforeAll(async () => {
  const { ctx, services } = await openContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  const app = await createHttpApp(ctx, services);
  try {
    const account = await services.accounts.create(cliPrincipal(), {
      number: `DIAG-${uniq()}`,
      name: 'CLI diagnose test',
      vipTier: 'standard',
      language: 'de',
      timeZone: 'UTC',
      country: 'SE',
    });
    const plans = await makePlans(services, account.id);
    [typo] = (await makeSims(services, account.id, 1, { state: 'ACTIVATED', ...plans })) as [MadeSim];
    const { secret } = await services.ingest.createCredential(cliPrincipal(), { name: `cli-diag-${uniq()}` });
    const records = [
      { id: uniq(), ts: at(40), iccid: typo.iccid20, type: 'attach', ...home },
      ...[30, 20, 10].map((m) => ({
        id: uniq(),
        ts: at(m),
        iccid: typo.iccid20,
        type: 'session_rejected',
        ...home,
        apn: 'iot.exmaple',
        cause: 27,
      })),
    ];
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/ingest/network-events',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
      payload: records.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(res.json()).toMatchObject({ accepted: 4, rejected: [] });
  } finally {
    await app.close();
    await services.ingest.close();
    await ctx.database.close();
  }
}, 60_000);

describe('iotops sims diagnose (black-box)', { timeout: 60_000 }, () => {
  it('prints the root cause for agent and customer (account language), then the checks with verdict markers', async () => {
    const res = await runCli(['sims', 'diagnose', typo.iccid20, '--window', '2h'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^SIM ${typo.iccid20}: diagnosis at `));
    expect(lines[1]).toMatch(/^ROOT CAUSE {2}✗ error {2}apn_typo: APN typo on the device \(high confidence\)$/);
    expect(lines[2]).toMatch(/^Agent: .*iot\.exmaple.*iot\.example/);
    expect(lines[3]).toMatch(/^Customer \(de\): .*iot\.example/);
    const header = lines.findIndex((l) => /^VERDICT\s+CHECK\s+TITLE\s+DETAIL$/.test(l));
    expect(header).toBeGreaterThan(3);
    const checks = lines.slice(header + 1);
    expect(checks.length).toBeGreaterThan(5);
    for (const l of checks) expect(l).toMatch(/^(✓ ok|! warning|✗ error|\? unknown)\s+[a-z_]+\.[a-z_]+\s/);
    // Columns line up under the header.
    const checkAt = lines[header]!.indexOf('CHECK');
    expect(checks.every((l) => l[checkAt - 1] === ' ' && l[checkAt] !== ' ')).toBe(true);
  });

  it('--json prints the API answer; --lang picks the customer language', async () => {
    const res = await runCli(['sims', 'diagnose', typo.iccid, '--json', '--lang', 'sv'], env);
    expect(res.code).toBe(0);
    const d = JSON.parse(res.stdout);
    expect(d.rootCause.code).toBe('apn_typo');
    expect(d.summary).toMatchObject({ language: 'sv', customer: d.rootCause.customerSummaries.sv });
  });

  it('exits 1 for an unknown SIM, 2 for a bad option or ICCID, naming it', async () => {
    const unknown = await runCli(['sims', 'diagnose', '8946000000000000001'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SIM 8946000000000000001 not found');
    const bad = await runCli(['sims', 'diagnose', typo.iccid, '--window', 'forever', '--lang', 'xx'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--window: forever');
    expect(bad.stderr).toContain('--lang: xx is not one of en, fr, de, it, ru, sv');
    const past = await runCli(['sims', 'diagnose', typo.iccid, '--window', '200d'], env);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('NETWORK_EVENT_RETENTION_DAYS (90 days)');
    const iccid = await runCli(['sims', 'diagnose', '12ab'], env);
    expect(iccid.code).toBe(2);
    expect(iccid.stderr).toMatch(/ICCID 12ab is invalid/);
  });
});
