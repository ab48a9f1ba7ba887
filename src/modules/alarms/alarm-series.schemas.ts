import { z } from 'zod';
import { DateTimeText } from '../../platform/time-schemas.ts';
import { NETWORK_EVENT_TYPES } from '../ingest/contract.ts';

/**
 * Bucket widths a chart may ask for. Multiples of 5 minutes only: a network's or APN's series comes from the 5-minute
 * roll-up, and a bucket that cut one of its buckets in two would count it twice or not at all.
 */
export const SERIES_BUCKET_MINUTES = [5, 15, 30, 60, 180, 360, 1440] as const;
/** Longest window one answer covers (a week of a SIM's events is read by its trace index). */
export const SERIES_MAX_SPAN_DAYS = 7;
/** More buckets than this is a chart nobody can read, and an answer nobody needs. */
export const SERIES_MAX_BUCKETS = 1000;
export const REFUSAL_TYPES: readonly string[] = ['attach_rejected', 'session_rejected'];

export const AlarmSeriesQuery = z.object({
  from: DateTimeText.optional().describe(
    'RFC 3339; default: 6 h before the condition began (a silence: its last event; a burst: its first refusal)',
  ),
  to: DateTimeText.optional().describe('RFC 3339; default: 1 h after the alarm cleared, or now while it is active'),
  bucketMinutes: z
    .enum(SERIES_BUCKET_MINUTES.map(String) as [string, ...string[]])
    .transform(Number)
    .optional()
    .describe(`Bucket width in minutes; default: the smallest giving at most 200 buckets over the window`),
});
export type AlarmSeriesInput = z.infer<typeof AlarmSeriesQuery>;

const Ts = z.string().describe('RFC 3339, UTC');
const EventType = z.enum(NETWORK_EVENT_TYPES);

export const AlarmSeriesBucket = z
  .object({
    at: Ts.describe("The bucket's start; it covers [at, at + bucketMinutes)"),
    accepted: z.number().int().describe('Events the network accepted or reported (every type but the refusals)'),
    refused: z.number().int().describe('attach_rejected + session_rejected'),
    byType: z.partialRecord(EventType, z.number().int()).describe('Events per type; types with none are left out'),
    bytes: z
      .number()
      .nullable()
      .describe(
        "Data volume (up + down) the SIM's sessions reported in the bucket; null for a network's or APN's series " +
          '(the fleet roll-up holds no volume)',
      ),
  })
  .meta({ id: 'AlarmSeriesBucket' });

export const AlarmSeriesView = z
  .object({
    alarmId: z.number().int(),
    scope: z
      .enum(['sim', 'plmn', 'apn'])
      .describe("sim: the SIM's own events; plmn / apn: that network's or APN's events over the provider's fleet"),
    subject: z.string().describe("The SIM's ICCID, the network's MCC+MNC or the APN"),
    from: Ts.describe('Start of the first bucket'),
    to: Ts.describe('End of the last bucket'),
    bucketMinutes: z.number().int(),
    buckets: z.array(AlarmSeriesBucket).describe('Every bucket of the window in time order, empty ones included'),
    totals: z.object({ accepted: z.number().int(), refused: z.number().int(), bytes: z.number().nullable() }),
    marks: z
      .object({
        firstSeenAt: Ts,
        lastSeenAt: Ts,
        clearedAt: Ts.nullable(),
        lastEventAt: Ts.nullable().describe('A silence: the last event before it'),
        dueAt: Ts.nullable().describe('A silence: when it became news (last event + threshold)'),
        thresholdMinutes: z.number().nullable().describe("A silence: the silence the SIM's rule allowed"),
      })
      .describe("The alarm's instants to draw over the series"),
  })
  .meta({ id: 'AlarmSeries' });
export type AlarmSeries = z.infer<typeof AlarmSeriesView>;
