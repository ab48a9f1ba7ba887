import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

// `iotops webhooks` as a script uses it (black-box: a Node process per command, ~10 s each on a loaded machine).
describe('iotops webhooks (black-box)', { timeout: 300_000 }, () => {
  const env = cliEnv();

  it('subscribes (secret once), lists, queues a test message and shows it in the log', async () => {
    const url = `https://hooks-${uniq()}.example.com/iotops`;
    const created = await runCli(
      ['webhooks', 'create', '--url', url, '--events', 'case.opened,case.state_changed'],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = /subscription (\d+) created/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stdout).toMatch(/secret whsec_[A-Za-z0-9+/=]{40,}/);
    const listed = await runCli(['webhooks', 'list'], env);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+enabled\\s+provider-wide\\s+${url.replaceAll('.', '\\.')}`));
    expect(listed.stdout).not.toContain('whsec_');
    expect((await runCli(['webhooks', 'test', id!], env)).stdout).toMatch(/test message msg_\w+ queued/);
    expect((await runCli(['webhooks', 'deliveries', id!], env)).stdout).toMatch(/webhook\.test\s+pending/);
  });

  it('refuses a private or metadata address, naming why, with exit code 2', async () => {
    const res = await runCli(['webhooks', 'create', '--url', 'https://169.254.169.254/latest/meta-data'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('webhooks.url_refused');
    expect(res.stderr).toMatch(/169\.254/);
  });
});
