import { clipTo } from '../../platform/http/json-body.ts';
import { displayIccid } from '../sims/identifiers.ts';
import type { IngestCredentialRow, IngestErrorRow } from './ingest.repo.ts';
import type { IngestResult } from './ingest.service.ts';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export const presentCredential = (c: IngestCredentialRow) => ({
  id: c.id,
  name: c.name,
  createdBy: c.createdBy,
  createdAt: new Date(c.createdAt).toISOString(),
  lastUsedAt: iso(c.lastUsedAt),
  revokedAt: iso(c.revokedAt),
});

export const presentIngestError = (e: IngestErrorRow) => ({
  id: e.id,
  receivedAt: new Date(e.receivedAt).toISOString(),
  transport: e.transport,
  kind: e.kind,
  credentialId: e.credentialId,
  reason: e.reason,
  field: e.field,
  value: e.value,
  message: e.message,
  line: e.line,
  topic: e.topic,
  raw: e.raw,
});

type Group = { records: number; first_ts: Date; last_ts: Date };
const group = (g: Group) => ({
  records: g.records,
  firstTs: new Date(g.first_ts).toISOString(),
  lastTs: new Date(g.last_ts).toISOString(),
});

export const presentOrphans = (o: {
  network: (Group & { iccid: string })[];
  telemetry: (Group & { device_id: string })[];
}) => ({
  network: o.network.map((g) => ({ iccid: displayIccid(g.iccid), ...group(g) })),
  telemetry: o.telemetry.map((g) => ({ deviceId: g.device_id, ...group(g) })),
});

/** Echoed values (and fields: a refused key's path) are cut to this many characters in a batch's answer. */
export const ECHO_MAX = 64;
/** An error message says what was wrong with the value; the value itself is echoed cut, so the message is too. */
const ERROR_MAX = 200;
/** At most this many rejected records are listed in full in one answer; `rejectedTotal` then counts them all. */
export const MAX_LISTED_REJECTS = 1000;
/** The answer may grow to the request's size, or to this much for a small request (room for a few rejections). */
export const ANSWER_FLOOR_BYTES = 16 * 1024;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s).toWellFormed();

/**
 * A batch's answer (contract ingest-v1: `{ accepted, duplicates, rejected: [{ line, error }] }`, with `reason`,
 * `field`, `value` and `rejectedTotal` additive). Rule of docs/SECURITY.md: an answer is never larger than the
 * request (issue 13, F8: 5,000 junk lines, 329 kB, were answered with 669 kB, each rejection echoing its line
 * about twice). So echoed values, fields and messages are cut, and rejected records are listed in line order while
 * the answer stays within max(request size, 16 KiB) and MAX_LISTED_REJECTS entries; when some are left out,
 * `rejectedTotal` says how many were rejected in all (every one is in GET /api/v1/ingest/errors). Text is sent
 * as valid Unicode (a lone surrogate, the very thing refused, is echoed as U+FFFD: strict JSON readers refuse it).
 */
export function presentIngestResult(r: IngestResult, requestBytes: number) {
  const budget = Math.max(requestBytes, ANSWER_FLOOR_BYTES) - 100; // 100: the answer's frame and counts
  const rejected: IngestResult['rejected'] = [];
  let bytes = 0;
  for (const x of r.rejected) {
    if (rejected.length >= MAX_LISTED_REJECTS) break;
    const value = clipTo(x.value, ECHO_MAX);
    const entry = {
      line: x.line,
      error: cut(x.error, ERROR_MAX),
      reason: x.reason,
      ...(x.field === undefined ? {} : { field: cut(x.field, ECHO_MAX) }),
      ...(value === undefined ? {} : { value: typeof value === 'string' ? value.toWellFormed() : value }),
    };
    bytes += Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (bytes > budget) break;
    rejected.push(entry);
  }
  return {
    accepted: r.accepted,
    duplicates: r.duplicates,
    rejected,
    ...(rejected.length < r.rejected.length ? { rejectedTotal: r.rejected.length } : {}),
  };
}
