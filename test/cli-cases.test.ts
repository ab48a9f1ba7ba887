import { beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../src/modules/accounts/accounts.service.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

const env = cliEnv();
const account = `CASES-${uniq()}`;

/** There is no `accounts` command yet: seed the CLI's database (temp data dir, or the run's PostgreSQL) directly. */
beforeAll(async () => {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.IOTOPS_DATA_DIR, poolSize: 1 });
  try {
    await migrate(database);
    await createAccountsService({ database }).create(cliPrincipal(), {
      number: account,
      name: 'CLI cases test',
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: 'SE',
    });
  } finally {
    await database.close();
  }
});

const ok = async (args: string[]) => {
  const res = await runCli(args, env);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
};

// Each CLI run is a process start plus a database open (≈1.5 s on PGlite); the flows run a dozen of them.
describe('iotops cases (black-box)', { timeout: 300_000 }, () => {
  it('create → list → note → resolve → show, acting as a named agent', async () => {
    const agent = `agent-${uniq()}@example.test`;
    await ok(['users', 'create', '--email', agent, '--password', 'a-long-password', '--role', 'agent']);
    const subject = `No data on SIM ${uniq()}`;
    const number = (
      await ok(['cases', 'create', '--account', account, '--type', 'incident', '--subject', subject, '--as', agent])
    ).trim();
    expect(number).toMatch(/^C-\d{4}-\d{6,}$/);

    const table = await ok(['cases', 'list', '--account', account]);
    expect(table).toMatch(/^NUMBER\s+PRIO\s+DUE\s+STATE\s+TYPE\s+ACCOUNT\s+SUBJECT\s+AGE/);
    const row = table.split('\n').find((l) => l.startsWith(number));
    // The CLI runs no worker, so the SLA due time is '-' until some worker handles `case.opened`. On the
    // shared PostgreSQL of the test run another file's worker may already have done so ('in 1d 8h').
    expect(row).toMatch(
      new RegExp(`^${number}\\s+P3\\s+(-|in( \\d+[dhm])+)\\s+new\\s+incident\\s+${account}\\s+${subject}\\s+0m$`),
    );
    const lines = (await ok(['cases', 'list', '--account', account, '--state', 'new', '--json'])).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as { number: string })).toContainEqual(
      expect.objectContaining({ number, state: 'new', subject, channel: 'api' }),
    );
    // The API's queue row (CaseSummary): no description.
    expect(lines.flatMap((l) => Object.keys(JSON.parse(l) as object))).not.toContain('description');

    expect(await ok(['cases', 'note', number, '--text', 'Checked the APN', '--as', agent])).toBe(
      `${number}: note added (internal)\n`,
    );
    expect(
      await ok(['cases', 'note', number, '--text', 'Called the customer', '--call-seconds', '95', '--public']),
    ).toBe(`${number}: phone call added (public)\n`);
    expect(await ok(['cases', 'resolve', number, '--note', 'APN corrected', '--as', agent])).toBe(
      `${number}: resolved\n`,
    );

    const shown = await ok(['cases', 'show', number]);
    expect(shown).toContain(`${number}  ${subject}`);
    expect(shown).toContain('state resolved');
    expect(shown).toMatch(new RegExp(`note \\[internal\\]  ${agent}\\n    Checked the APN`));
    expect(shown).toMatch(/phone_call \(95 s\) {2}cli\n {4}Called the customer/);
    expect(shown).toContain('State changed from open to resolved');

    const json = JSON.parse(await ok(['cases', 'show', number, '--json'])) as {
      case: { state: string };
      events: { kind: string; visibility: string; body: string; authorLabel: string; data: unknown }[];
    };
    expect(json.case.state).toBe('resolved');
    expect(json.events.map((e) => e.body)).toEqual([
      'Case created',
      'Checked the APN',
      'Called the customer',
      'State changed from new to open',
      'State changed from open to resolved',
      'APN corrected',
    ]);
    expect(json.events[2]).toMatchObject({ kind: 'phone_call', visibility: 'public', data: { durationSeconds: 95 } });
    expect(json.events[5]).toMatchObject({ kind: 'note', visibility: 'internal', authorLabel: agent });
  });

  it('exit 2 naming the option for bad input', async () => {
    const bad = await runCli(['cases', 'create', '--account', account, '--type', 'outage', '--subject', 'x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --type:');
    expect(bad.stdout).toBe('');

    const noAccount = await runCli(
      ['cases', 'create', '--account', `NOPE-${uniq()}`, '--type', 'order', '--subject', 'x'],
      env,
    );
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toContain('--account: no account with number NOPE-');

    const sims = await runCli(
      [
        'cases',
        'create',
        '--account',
        account,
        '--type',
        'incident',
        '--subject',
        'x',
        '--sims',
        '8946000000000000001',
      ],
      env,
    );
    expect(sims.code).toBe(2);
    expect(sims.stderr).toContain('cases.sims_unknown');
    expect(sims.stderr).toContain('affectedIccids.0 ("8946000000000000001")');

    const secs = await runCli(['cases', 'note', 'C-2026-000001', '--text', 'hi', '--call-seconds', 'long'], env);
    expect(secs.code).toBe(2);
    expect(secs.stderr).toContain('error: --call-seconds:');

    const state = await runCli(['cases', 'list', '--state', 'sleeping'], env);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('error: --state:');

    const limit = await runCli(['cases', 'list', '--limit', '0'], env);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('error: --limit:');

    const number = await runCli(['cases', 'show', '123'], env);
    expect(number.code).toBe(2);
    expect(number.stderr).toContain('error: NUMBER: must look like C-2026-000123');
  });

  it('--as must name an existing staff user', async () => {
    const missing = await runCli(['cases', 'list', '--as', `ghost-${uniq()}@example.test`], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: --as: no user ghost-');
    const customer = `customer-${uniq()}@example.test`;
    await ok([
      'users',
      'create',
      '--email',
      customer,
      '--password',
      'a-long-password',
      '--role',
      'customer',
      '--account',
      account,
    ]);
    const notStaff = await runCli(['cases', 'list', '--as', customer], env);
    expect(notStaff.code).toBe(2);
    expect(notStaff.stderr).toContain(`error: --as: user ${customer} is a customer, not staff`);
  });

  it('exit 1 with cases.not_found for an unknown case', async () => {
    for (const args of [
      ['cases', 'show', 'C-1999-999999'],
      ['cases', 'note', 'C-1999-999999', '--text', 'hello'],
      ['cases', 'resolve', 'C-1999-999999', '--note', 'done'],
    ]) {
      const res = await runCli(args, env);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('error cases.not_found: Case C-1999-999999 not found');
    }
  });
});
