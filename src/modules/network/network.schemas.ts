import { z } from 'zod';
import { DateTimeText } from '../../platform/time-schemas.ts';
import { NETWORK_EVENT_TYPES } from '../ingest/contract.ts';
import { NETWORK_STATUSES } from '../ingest/network-effects.ts';
import { FLEET_BUCKETS, FLEET_DIMENSIONS } from './fleet.repo.ts';
import { listParam } from './window.ts';

const Time = DateTimeText;
export const WindowQuery = {
  from: Time.optional().describe('RFC 3339; default: 24 h before `to`'),
  to: Time.optional().describe('RFC 3339; default: now. The window may not exceed NETWORK_EVENT_RETENTION_DAYS'),
};
const Page = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page (same filters)'),
};
export const EventTypes = z
  .union([z.string(), z.array(z.string())])
  .transform(listParam)
  .pipe(z.array(z.enum(NETWORK_EVENT_TYPES)).min(1));

export const TraceEventsQuery = z.object({
  ...WindowQuery,
  type: EventTypes.optional().describe('One or several event types (comma-separate or repeat)'),
  ...Page,
});
export type TraceEventsQuery = z.infer<typeof TraceEventsQuery>;

export const SessionsQuery = z.object({
  ...WindowQuery,
  open: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only sessions still open; false: only ended ones'),
  ...Page,
});
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const UsageQuery = z.object({ ...WindowQuery, granularity: z.enum(['hour', 'day']).default('hour'), ...Page });
export type UsageQuery = z.infer<typeof UsageQuery>;

export const FleetQuery = z.object({
  ...WindowQuery,
  by: z.enum(FLEET_DIMENSIONS).default('type'),
  type: EventTypes.optional().describe('Count only these event types'),
  bucket: z.enum(Object.keys(FLEET_BUCKETS) as [keyof typeof FLEET_BUCKETS]).default('1h'),
  tenantId: z.coerce.number().int().positive().optional().describe('Staff: one tenant (default: every tenant)'),
});
export type FleetQuery = z.infer<typeof FleetQuery>;

export const FailingQuery = z.object({
  since: Time.optional().describe('Rejects at or after this time (default: the last hour)'),
  tenantId: z.coerce.number().int().positive().optional().describe('Staff: one tenant (default: every tenant)'),
});
export type FailingQuery = z.infer<typeof FailingQuery>;

const Network = z.object({ mcc: z.string(), mnc: z.string() }).describe('PLMN: MCC (3 digits) and MNC (2 or 3)');
const Ts = z.string().describe('RFC 3339');

/** A stored event in the ingest contract's wire shape (../shared/contracts/ingest-v1.md), plus receivedAt. */
export const TraceEventView = z
  .object({
    id: z.string().optional(),
    ts: Ts,
    iccid: z.string().describe('20 digits (with the Luhn digit)'),
    type: z.enum(NETWORK_EVENT_TYPES),
    imsi: z.string().optional(),
    imei: z.string().optional(),
    network: Network.optional(),
    rat: z.string().optional(),
    apn: z.string().optional(),
    session_id: z.string().optional(),
    ip: z.string().optional(),
    bytes_up: z.number().int().optional(),
    bytes_down: z.number().int().optional(),
    cause: z.number().int().optional(),
    status: z.string().optional(),
    seconds: z.number().int().optional(),
    causeMeaning: z.string().optional().describe('What the cause means (EMM for attach, ESM for session rejects)'),
    receivedAt: Ts.describe('When iotops stored it'),
  })
  .meta({ id: 'TraceEvent' });

const WindowView = { from: Ts, to: Ts };
export const TraceEventPage = z
  .object({ ...WindowView, items: z.array(TraceEventView), nextCursor: z.string().nullable() })
  .meta({ id: 'TraceEventPage' });

export const SessionView = z
  .object({
    sessionId: z.string(),
    network: Network.nullable(),
    apn: z.string().nullable(),
    rat: z.string().nullable(),
    ip: z.string().nullable(),
    startedAt: Ts.nullable().describe('null when the start record was never received'),
    endedAt: Ts.nullable().describe('null while open'),
    lastSeenAt: Ts,
    open: z.boolean(),
    bytesUp: z.number().int(),
    bytesDown: z.number().int(),
  })
  .meta({ id: 'DataSession' });
export const SessionPage = z
  .object({ ...WindowView, items: z.array(SessionView), nextCursor: z.string().nullable() })
  .meta({ id: 'DataSessionPage' });

const UsageFigures = {
  bytesUp: z.number().int(),
  bytesDown: z.number().int(),
  smsMo: z.number().int(),
  smsMt: z.number().int().describe('Delivered SMS to the device'),
  voiceSeconds: z.number().int(),
};
export const UsagePage = z
  .object({
    ...WindowView,
    granularity: z.enum(['hour', 'day']),
    items: z.array(z.object({ at: Ts.describe('Start of the UTC hour or day'), ...UsageFigures })),
    totals: z.object(UsageFigures).describe('Over the whole window, not just this page'),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'UsagePage' });

const CauseView = z.object({ code: z.number().int(), name: z.string(), meaning: z.string() });
export const NetworkStateView = z
  .object({
    iccid: z.string(),
    status: z.enum(NETWORK_STATUSES).nullable(),
    reason: z.string().nullable().describe('Why status is null (no network event yet)'),
    lastSeenAt: Ts.nullable(),
    lastEventType: z.string().nullable(),
    network: Network.nullable(),
    apn: z.string().nullable(),
    rat: z.string().nullable(),
    ip: z.string().nullable(),
    imsi: z.string().nullable(),
    openSession: z
      .object({
        sessionId: z.string(),
        startedAt: Ts.nullable(),
        bytesUp: z.number().int(),
        bytesDown: z.number().int(),
      })
      .nullable(),
    lastReject: z
      .object({ type: z.string(), at: Ts, cause: CauseView.nullable(), network: Network.nullable() })
      .nullable(),
    imei: z.string().nullable(),
    imeiChangedAt: Ts.nullable(),
    imeiHistory: z.array(z.object({ imei: z.string(), firstSeenAt: Ts, lastSeenAt: Ts })),
  })
  .meta({ id: 'SimNetworkState' });

export const FleetView = z
  .object({
    ...WindowView,
    by: z.enum(FLEET_DIMENSIONS),
    bucket: z.string(),
    source: z.enum(['rollup', 'events']).describe('rollup: tenant-wide 5-minute counts; events: counted per account'),
    items: z.array(
      z.object({
        at: Ts.describe('Start of the bucket'),
        key: z.string().nullable().describe('PLMN (MCC+MNC), APN (lower-case), cause or type; null = none'),
        events: z.number().int(),
      }),
    ),
    totals: z.array(z.object({ key: z.string().nullable(), events: z.number().int() })),
  })
  .meta({ id: 'FleetEventCounts' });

export const FailingView = z
  .object({
    since: Ts,
    items: z.array(
      z.object({
        plmn: z.string().nullable(),
        network: Network.nullable(),
        apn: z.string().nullable().describe('For session rejects: the APN asked for (lower-case)'),
        rejectType: z.string(),
        cause: CauseView.nullable(),
        sims: z.number().int().describe('Distinct SIMs whose last reject is this one'),
        stillFailing: z.number().int().describe('…of which nothing newer than the reject was seen'),
        tenants: z.number().int().describe('Distinct customers among them (many = likely the network)'),
        lastAt: Ts,
      }),
    ),
  })
  .meta({ id: 'FailingPlmns' });
