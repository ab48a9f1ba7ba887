import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleSpools } from './upload-spool.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spool-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('removeStaleSpools', () => {
  it('removes the uploads of dead processes and keeps those of live ones', async () => {
    // A pid that existed and is gone: a child that has exited.
    const dead = spawnSync('true').pid;
    const names = {
      dead: `iotops-import-${dead}-abc`,
      old: 'iotops-import-XyZ123',
      mine: `iotops-import-${process.pid}-def`,
      parent: `iotops-import-${process.ppid}-ghi`,
      other: 'something-else',
    };
    for (const n of Object.values(names)) await mkdir(path.join(dir, n));
    expect(await removeStaleSpools(dir)).toBe(2);
    expect(existsSync(path.join(dir, names.dead))).toBe(false);
    expect(existsSync(path.join(dir, names.old))).toBe(false);
    expect(existsSync(path.join(dir, names.mine))).toBe(true);
    expect(existsSync(path.join(dir, names.parent))).toBe(true);
    expect(existsSync(path.join(dir, names.other))).toBe(true);
  });
});
