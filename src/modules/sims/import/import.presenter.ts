import type { z } from 'zod';
import type { ImportJobRow } from './import.repo.ts';
import type { ImportJobView } from './import.schemas.ts';

/** A failed job's message starts with its error code (see import.service.ts). */
const errorCodeOf = (j: ImportJobRow) =>
  j.status === 'failed' ? (/^([a-z]+\.[a-z0-9_]+):/.exec(j.message ?? '')?.[1] ?? 'sims.import_failed') : null;

export function presentImportJob(j: ImportJobRow): z.infer<typeof ImportJobView> {
  const self = `/api/v1/sims/imports/${j.id}`;
  return {
    id: j.id,
    status: j.status,
    errorCode: errorCodeOf(j),
    mode: j.mode,
    upsert: j.upsert,
    source: j.source,
    filename: j.filename,
    createdByUserId: j.createdByUserId,
    counters: {
      rowsRead: j.rowsRead,
      rowsImported: j.rowsImported,
      rowsUpdated: j.rowsUpdated,
      rowsRejected: j.rowsRejected,
    },
    message: j.message,
    startedAt: new Date(j.startedAt).toISOString(),
    finishedAt: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
    links: { self, errors: `${self}/errors` },
  };
}
