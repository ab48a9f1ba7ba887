import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimDataDir, isAlive, LOCK_FILE, processStartTicks, readOwner } from './embedded-owner.ts';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'iotops-owner-'));
/** The pid of a process that has ended. */
const deadPid = () =>
  spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();

describe('the owner of an embedded data directory', () => {
  it('is the first claimant; a second claim is told who owns it and where it listens', () => {
    const dir = fresh();
    const first = claimDataDir(dir, 'iotops start');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    first.lock.publish('/some/socket/dir');
    const second = claimDataDir(dir, 'iotops sims import');
    expect(second).toMatchObject({
      ok: false,
      owner: { pid: process.pid, command: 'iotops start', socketDir: '/some/socket/dir' },
    });
    first.lock.release();
    expect(readOwner(dir)).toBeNull();
    const third = claimDataDir(dir, 'iotops sims import');
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
  });

  it('takes over the lock of a process that died (SIGKILL), and a lock file cut short', () => {
    const dir = fresh();
    const file = path.join(dir, LOCK_FILE);
    writeFileSync(
      file,
      JSON.stringify({
        pid: Number(deadPid()),
        startTicks: null,
        command: 'x',
        since: '',
        socketDir: null,
        nonce: 'n',
      }),
    );
    const a = claimDataDir(dir, 'iotops start');
    expect(a.ok).toBe(true);
    if (a.ok) a.lock.release();
    writeFileSync(file, '{"pid": 12');
    const b = claimDataDir(dir, 'iotops start');
    expect(b.ok).toBe(true);
    if (b.ok) b.lock.release();
  });

  it('does not take a recycled pid for the owner: the start time must match', () => {
    const ticks = processStartTicks(process.pid);
    expect(isAlive({ pid: process.pid, startTicks: ticks })).toBe(true);
    if (ticks !== null) expect(isAlive({ pid: process.pid, startTicks: ticks + 1 })).toBe(false);
    expect(isAlive({ pid: Number(deadPid()), startTicks: null })).toBe(false);
  });

  it('releases only its own lock (a newer owner keeps its file)', () => {
    const dir = fresh();
    const a = claimDataDir(dir, 'iotops start');
    if (!a.ok) throw new Error('not claimed');
    const file = path.join(dir, LOCK_FILE);
    writeFileSync(file, JSON.stringify({ ...a.lock.owner, nonce: 'someone-else' }));
    a.lock.release();
    expect(JSON.parse(readFileSync(file, 'utf8')).nonce).toBe('someone-else');
  });
});
