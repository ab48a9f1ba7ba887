import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/client.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

// Each CLI run is a Node process loading the CLI and opening the database (~10 s on a loaded 2-core CI machine);
// a test of three runs passed 30 s there.
describe('iotops users create / tokens create (black-box)', { timeout: 120_000 }, () => {
  const env = cliEnv();

  it('creates the first admin and a token for it', async () => {
    const email = `first-${uniq()}@example.test`;
    const created = await runCli(['users', 'create', '--email', email, '--password', 'a-long-password'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`user ${email} created`);
    const token = await runCli(['tokens', 'create', '--email', email, '--scopes', 'read,admin'], env);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^iot_[A-Za-z0-9_-]{20,}$/);
  });

  it('rejects bad input naming the option, with exit code 2', async () => {
    const res = await runCli(['users', 'create', '--email', 'nope', '--password', 'short'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--email');
    expect(res.stderr).toContain('--password');
  });

  it('refuses a duplicate email with the error code', async () => {
    const email = `dup-${uniq()}@example.test`;
    expect((await runCli(['users', 'create', '--email', email, '--password', 'a-long-password'], env)).code).toBe(0);
    const again = await runCli(['users', 'create', '--email', email, '--password', 'a-long-password'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('users.email_taken');
  });

  it('unlock lifts a login lockout and says what it forgot; an unknown e-mail exits 1', async () => {
    const email = `locked-${uniq()}@example.test`;
    expect((await runCli(['users', 'create', '--email', email, '--password', 'a-long-password'], env)).code).toBe(0);
    // The lock as 20 failed logins leave it (the throttle's own tests make it through the API).
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.IOTOPS_DATA_DIR! });
    await db.query(`insert into login_throttle (subject, failures, last_at) values ($1, 20, now())`, [
      `account:${email}`,
    ]);
    await db.close();
    const unlocked = await runCli(['users', 'unlock', '--email', email], env);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toMatch(`${email} may log in again: 20 failed logins forgotten (was refused until`);
    const unknown = await runCli(['users', 'unlock', '--email', `nobody-${uniq()}@example.test`], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--email: no user');
  });
});
