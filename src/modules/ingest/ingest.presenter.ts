import { displayIccid } from '../sims/identifiers.ts';
import type { IngestCredentialRow, IngestErrorRow } from './ingest.repo.ts';

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
