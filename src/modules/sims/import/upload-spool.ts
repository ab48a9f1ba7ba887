import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * On the embedded database an HTTP upload is received whole into a private temporary file before the import takes
 * the database's one session (probe round 3, F5). The owner's pid is in the directory's name, so that a later start
 * can tell a killed process's leftover from another live process's upload (probe round 4, N3).
 */
const SPOOL_PREFIX = 'iotops-import-';

/** The whole upload into a private temporary file; its read stream and how to remove it. */
export async function spool(upload: Readable): Promise<{ stream: Readable; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `${SPOOL_PREFIX}${process.pid}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'upload.csv');
  try {
    await pipeline(upload, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    await remove();
    throw e;
  }
  return { stream: createReadStream(file), remove };
}

/**
 * Removes the spool directories of processes that no longer exist (kill -9 skips every cleanup) and answers how
 * many. Another iotops on the same machine may be receiving an upload right now: its directory is left alone.
 */
export async function removeStaleSpools(dir = tmpdir()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(SPOOL_PREFIX)) continue;
    // A name without a pid is from a version before pids were recorded: its process is long gone.
    const pid = Number(/^iotops-import-(\d+)-/.exec(name)?.[1]);
    if (pid === process.pid || (Number.isInteger(pid) && alive(pid))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
