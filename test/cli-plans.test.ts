import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

// `iotops plans import` as an onboarding script uses it (black-box: a Node process per command).
describe('iotops plans import (black-box)', { timeout: 300_000 }, () => {
  const env = cliEnv();
  const dir = mkdtempSync(join(tmpdir(), 'iotops-plans-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('checks with --dry-run, imports, then refuses the same names unless --upsert', async () => {
    const tag = uniq();
    const catalog = file(
      'catalog.json',
      JSON.stringify({
        communicationPlans: [{ name: `Meters ${tag}`, apns: ['meters.example'], allowedRats: ['NB-IoT'] }],
        ratePlans: [
          {
            name: `Throttle ${tag}`,
            currency: 'EUR',
            monthlyFee: '1.00',
            included: { dataMb: 50 },
            overage: { action: 'throttle', throttleKbps: 64 },
          },
        ],
      }),
    );
    const dry = await runCli(['plans', 'import', catalog, '--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(new RegExp(`would be created\\s+rate plan\\s+-\\s+Throttle ${tag}`));
    expect(dry.stdout).toContain('dry run, nothing written: 2 created, 0 updated');
    const done = await runCli(['plans', 'import', catalog], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`created\\s+communication plan\\s+\\d+\\s+Meters ${tag}\\s+\\(shared\\)`));
    const again = await runCli(['plans', 'import', catalog], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('catalog.import_invalid');
    expect(again.stderr).toMatch(/ratePlans\[0\]\.name \("Throttle [^"]+"\): a plan of this name and owner exists/);
    const up = await runCli(['plans', 'import', catalog, '--upsert'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('0 created, 2 updated');
  });

  it('names the place of a bad field and of a JSON syntax error, with exit code 2', async () => {
    const bad = file(
      'bad.json',
      JSON.stringify({ ratePlans: [{ name: 'x', currency: 'EUR', monthlyFee: '1', overage: { action: 'slow' } }] }),
    );
    const res = await runCli(['plans', 'import', bad], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.json: ratePlans\[0\]\.overage\.action: /);
    const broken = file('broken.json', '{\n  "ratePlans": [\n    { "name": "x", }\n  ]\n}\n');
    const syntax = await runCli(['plans', 'import', broken], env);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/broken\.json is not JSON: .*line 3/);
  });
});
