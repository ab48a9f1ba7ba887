import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Who owns an embedded (PGlite) data directory. PGlite is one Postgres backend inside one process: a second
 * process opening the same directory writes pages the first never reads and loses them at its next checkpoint
 * (issue 13: "Import #35 succeeded", then gone). So the first process to open the directory claims it with a
 * lock file, like PostgreSQL's postmaster.pid, and shares the database over a PostgreSQL-protocol Unix socket;
 * every later process connects through that socket instead of opening the files.
 */
export type EmbeddedOwner = {
  pid: number;
  /** The owner's start time in clock ticks since boot (Linux), so a recycled pid is not taken for the owner. */
  startTicks: number | null;
  /** What the owner runs, for the messages of the processes that find it (`iotops start`). */
  command: string;
  since: string;
  /** Directory of the owner's `.s.PGSQL.5432` socket, once it accepts connections; null while it starts. */
  socketDir: string | null;
  /** Random per claim: a release only removes the lock file it wrote. */
  nonce: string;
};

export const LOCK_FILE = 'iotops.lock';

/** `/proc/<pid>/stat` field 22 (starttime); null where there is no /proc or the process is gone. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

export function isAlive(owner: Pick<EmbeddedOwner, 'pid' | 'startTicks'>): boolean {
  // kill(0 or -1, …) would signal a whole process group: never a pid to test.
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTicks === null) return true;
  const now = processStartTicks(owner.pid);
  return now === null || now === owner.startTicks;
}

export function readOwner(dataDir: string): EmbeddedOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text) as EmbeddedOwner;
  } catch {
    // A lock file cut short by a crash while it was written: nobody can be using it.
    return { pid: -1, startTicks: null, command: '?', since: '', socketDir: null, nonce: '' };
  }
}

export type Claim = { ok: true; lock: OwnedLock } | { ok: false; owner: EmbeddedOwner };

export type OwnedLock = {
  owner: EmbeddedOwner;
  /** Records where the socket listens (the lock file is rewritten atomically). */
  publish(socketDir: string): void;
  release(): void;
};

/**
 * Claims `dataDir` for this process, or answers who holds it. A lock left by a dead process (crash, SIGKILL)
 * is taken over. Creating the file with O_EXCL makes two processes starting at once agree on one owner.
 */
export function claimDataDir(dataDir: string, command: string): Claim {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const owner: EmbeddedOwner = {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    command,
    since: new Date().toISOString(),
    socketDir: null,
    nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
      return { ok: true, lock: ownedLock(file, owner) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const current = readOwner(dataDir);
    if (current && isAlive(current)) return { ok: false, owner: current };
    // Stale: remove it only if it is still the same stale file (another starter may have replaced it).
    const again = readOwner(dataDir);
    if (again && again.nonce === current?.nonce) fs.rmSync(file, { force: true });
  }
  throw new Error(`could not claim ${file}: it keeps changing (several iotops processes starting at once?)`);
}

function ownedLock(file: string, owner: EmbeddedOwner): OwnedLock {
  let released = false;
  const releaseSync = () => {
    if (released) return;
    released = true;
    try {
      const now = JSON.parse(fs.readFileSync(file, 'utf8')) as EmbeddedOwner;
      if (now.nonce === owner.nonce) fs.rmSync(file, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  };
  // process.exit() skips close(): the lock must not outlive us (a SIGKILL leaves it; the next claim sees it stale).
  process.once('exit', releaseSync);
  return {
    owner,
    publish(socketDir) {
      owner.socketDir = socketDir;
      const tmp = `${file}.${owner.nonce}`;
      fs.writeFileSync(tmp, JSON.stringify(owner), { mode: 0o600 });
      fs.renameSync(tmp, file);
    },
    release() {
      process.removeListener('exit', releaseSync);
      releaseSync();
    },
  };
}

/** How another process names the owner in its messages. */
export function describeOwner(o: EmbeddedOwner): string {
  return `\`${o.command}\` (pid ${o.pid}${o.since ? `, since ${o.since.slice(0, 19).replace('T', ' ')} UTC` : ''})`;
}
