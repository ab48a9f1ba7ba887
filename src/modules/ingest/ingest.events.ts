/**
 * What network ingest announces (docs/EVENTS.md; src/platform/events): one event per committed batch, never one per
 * record, and only for a batch that changed something another module reacts to (a SIM's network status, a new
 * refusal, a registered device's telemetry). The payload is built from what the batch writer already holds (ingest.writer.ts), bounded whatever the
 * batch size.
 */
import { z } from 'zod';
import { defineEvent } from '../../platform/events/define.ts';

/** At most this many SIM ids in one event; `simsChanged` still counts them all. */
export const BATCH_EVENT_MAX_SIMS = 10_000;
/** At most this many refusal groups in one event (the most refused first); `refusedEvents` counts them all. */
export const BATCH_EVENT_MAX_REFUSAL_GROUPS = 1000;

const count = z.number().int().nonnegative();

export const RefusalGroup = z.object({
  /** attach_rejected: an EMM cause (TS 24.301 §9.9.3.9); session_rejected: an ESM cause (§9.9.4.4). */
  type: z.enum(['attach_rejected', 'session_rejected']),
  /** MCC+MNC of the visited network; null when the record named none. */
  plmn: z.string().nullable(),
  /** Lower-cased (APNs compare case-insensitively); null for attach refusals and records without one. */
  apn: z.string().nullable(),
  cause: z.number().int().nullable(),
  /** Refusal records of this group in the batch. */
  events: z.number().int().positive(),
  /** Distinct ICCIDs among them (SIMs iotops does not know included). */
  sims: z.number().int().positive(),
});
export type RefusalGroup = z.infer<typeof RefusalGroup>;

export const BatchCommitted = z.object({
  network: count.describe('Network records stored by the batch (duplicates not counted)'),
  telemetry: count.describe('Telemetry records stored by the batch'),
  orphans: count.describe('Of the network records, those for ICCIDs iotops does not know'),
  simsChanged: count.describe(
    "SIMs whose network status (ATTACHED, ONLINE, OFFLINE, BLOCKED) the batch changed, a SIM's first state included",
  ),
  simIds: z
    .array(z.number().int().positive())
    .max(BATCH_EVENT_MAX_SIMS)
    .describe(`Those SIMs' ids, ascending: the first ${BATCH_EVENT_MAX_SIMS.toLocaleString('en')}`),
  simIdsTruncated: z.boolean().describe('simIds holds fewer ids than simsChanged counts'),
  refusedEvents: count.describe('New refusal records (attach_rejected, session_rejected) stored by the batch'),
  refusals: z
    .array(RefusalGroup)
    .max(BATCH_EVENT_MAX_REFUSAL_GROUPS)
    .describe(
      'The refusals grouped by (type, plmn, apn, cause), each with its `events` and distinct `sims`; most refused first, at most ' +
        `${BATCH_EVENT_MAX_REFUSAL_GROUPS.toLocaleString('en')} groups. attach_rejected carries an EMM cause, session_rejected an ESM cause`,
    ),
  refusalsTruncated: z.boolean().describe('refusals holds fewer groups than the batch had'),
  refusedIccids: z
    .array(z.string())
    .max(BATCH_EVENT_MAX_SIMS)
    .default([])
    .describe(
      `The ICCIDs (as recorded) of the refusal records, distinct: the first ${BATCH_EVENT_MAX_SIMS.toLocaleString('en')}`,
    ),
  telemetryDeviceIds: z
    .array(z.number().int().positive())
    .max(BATCH_EVENT_MAX_SIMS)
    .default([])
    .describe(
      `The registered devices the batch stored telemetry of, ascending: the first ${BATCH_EVENT_MAX_SIMS.toLocaleString('en')}`,
    ),
});
export type BatchCommitted = z.infer<typeof BatchCommitted>;

export const UsageDayClosed = z.object({
  day: z.iso.date().describe('The UTC day (YYYY-MM-DD) whose usage is now final'),
  tenantId: z.number().int().positive(),
  accountId: z.number().int().positive().describe('The account the SIMs belonged to when they used it'),
  sims: count.describe('SIMs of the account with any usage that day'),
  bytesUp: count,
  bytesDown: count,
  smsMo: count,
  smsMt: count,
  voiceSeconds: count,
});
export type UsageDayClosed = z.infer<typeof UsageDayClosed>;

export const IngestEvents = {
  /** A write batch committed and changed what others react to; emitted in the batch's own transaction. */
  batchCommitted: defineEvent({
    name: 'ingest.batch_committed',
    version: 1,
    producer: 'ingest',
    description:
      'An ingest write batch committed (one event per batch, in its transaction) that changed SIMs’ network status, ' +
      'stored refusals or stored telemetry of registered devices; a batch that did none announces nothing. ' +
      'Unordered; batches of different write lanes ' +
      'and processes commit in any order.',
    payload: BatchCommitted,
  }),
  /** A day's usage was rolled up: one event per account with usage that day. */
  usageDayClosed: defineEvent({
    name: 'ingest.usage_day_closed',
    version: 1,
    producer: 'ingest',
    description:
      "A UTC day's usage is final (the daily roll-up, shortly after midnight): one event per account with usage that " +
      'day, with its totals. Records arriving later for that day are added to the daily rows but not announced again.',
    payload: UsageDayClosed,
  }),
} as const;
