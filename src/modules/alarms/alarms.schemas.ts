import { z } from 'zod';

export const ALARM_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export const ALARM_TYPES = [
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
  'fleet_attach_refusals',
  'fleet_session_refusals',
  'rule_failed',
] as const;
export const ORIGINATOR_TYPES = ['sim', 'device', 'plmn', 'apn', 'rule'] as const;
/**
 * The alarms a customer sees: their SIMs' own (originator `sim`) and their devices' telemetry thresholds (originator
 * `device`), of a type with a customer view below. A network's or APN's alarm reaches customers through the
 * monitoring case and its mail; a failed rule is the desk's business. A new alarm type stays staff-only until it has
 * its customer view here.
 */
export const CUSTOMER_ALARM_TYPES = [
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
] as const;
/** Whose alarms a customer sees (with CUSTOMER_ALARM_TYPES): their SIMs' and their devices'. */
export const CUSTOMER_ORIGINATOR_TYPES = ['sim', 'device'] as const;

export const ListAlarmsQuery = z.object({
  status: z
    .enum(['active', 'cleared', 'any'])
    .default('active')
    .describe('active: not cleared (the default); cleared; any'),
  acknowledged: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Only acknowledged (true) or unacknowledged (false) alarms'),
  type: z
    .enum(ALARM_TYPES)
    .optional()
    .describe(
      "Only alarms of this type (telemetry_threshold: devices' alarms); a customer's of a staff-only type: none",
    ),
  accountId: z.coerce.number().int().positive().optional().describe("Only this account's alarms"),
  iccid: z.string().trim().min(1).max(22).optional().describe("Only this SIM's alarms (19 or 20 digits)"),
  grouped: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(
      'true: leave out the SIM alarms grouped under an active fleet alarm (its groupSize counts them) — one row per ' +
        'outage instead of one per SIM',
    ),
  parentId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Only the SIM alarms grouped under this fleet alarm'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});
export type ListAlarmsInput = z.infer<typeof ListAlarmsQuery>;

export const AlarmIdParams = z.object({ id: z.coerce.number().int().positive() });
/** Acknowledge and clear take no body (an empty JSON object, or none). */
export const AlarmActionBody = z.object({}).strict().meta({ id: 'AlarmActionRequest' });

export const AlarmView = z
  .object({
    id: z.number().int(),
    type: z
      .enum(ALARM_TYPES)
      .describe(
        'silence: the SIM stopped talking for longer than its own rhythm allows; refusal_burst: the network refused ' +
          'the SIM repeatedly; usage_drop: the SIM carried much less data than usual for those hours of the week; ' +
          'usage_drift: its daily data volume drifted away from its usual (an EWMA control chart); ' +
          "telemetry_threshold: a device's metric beyond its rule's threshold for its repeats and duration; " +
          'fleet_attach_refusals / fleet_session_refusals: a network (PLMN) or APN refuses many ' +
          'SIMs; rule_failed: an alarm rule threw while applied and was disabled (the others go on)',
      ),
    severity: z.enum(ALARM_SEVERITIES),
    status: z.enum(['active', 'cleared']),
    acknowledged: z.boolean(),
    originator: z.object({
      type: z.enum(ORIGINATOR_TYPES),
      id: z
        .string()
        .describe(
          "The SIM's id; a device's id and metric (<deviceId>:<metric>); the network's MCC+MNC; the APN; the rule's id",
        ),
      iccid: z.string().nullable().describe("A SIM's ICCID (null once the SIM is deleted, and for networks and APNs)"),
    }),
    accountId: z.number().int().nullable(),
    count: z.number().int().describe('How often the condition was found since the alarm was raised'),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    clearedAt: z.string().nullable(),
    clearedBy: z.enum(['condition', 'user']).nullable(),
    acknowledgedAt: z.string().nullable(),
    ruleId: z.number().int().nullable().describe('The rule that raised it (null: the built-in silence rule)'),
    parentId: z
      .number()
      .int()
      .nullable()
      .describe("A SIM's refusal burst: the fleet alarm (its network or APN refusing many SIMs) it is grouped under"),
    groupSize: z
      .number()
      .int()
      .nullable()
      .describe('A fleet alarm: how many SIM alarms are grouped under it (null for other alarms)'),
    details: z
      .record(z.string(), z.unknown())
      .describe(
        'silence: dueAt (when the silence became news), lastEventAt, lastEventType, thresholdMinutes, silentMinutes; ' +
          'usage_drop: windowFrom, windowTo, hours, observedBytes, usualBytes, madBytes, thresholdBytes, dropPercent; ' +
          'usage_drift: windowFrom, windowTo, days, learnDays, direction, meanBytesPerDay, sdBytesPerDay, ' +
          'ewmaBytesPerDay, upperBytesPerDay, lowerBytesPerDay, changePercent; ' +
          'telemetry_threshold: deviceId, deviceName, metric, value, valueAt, above, below, reportsBeyond, beyondSince; ' +
          'rule (its name) when a rule raised it',
      ),
  })
  .meta({ id: 'Alarm' });

export const AlarmPage = z
  .object({ items: z.array(AlarmView), nextCursor: z.string().nullable() })
  .meta({ id: 'AlarmPage' });

/**
 * What a customer sees of an alarm (issue 17.6): what, how bad, since when, how often, on which SIM or device, and the
 * cause as facts the portal puts in the customer's words — never who or which rule raised it, staff names or the
 * desk's bookkeeping (case claim, reminders). Built field by field by presentCustomerAlarm, never by trimming the
 * staff view.
 */
const SilenceCause = z
  .object({
    kind: z.literal('silence'),
    lastEventAt: z.string().nullable().describe('When the SIM last talked'),
    lastEventType: z.string().nullable().describe('What it last did (attach, sms_mo, data_session_start, …)'),
    allowedMinutes: z
      .number()
      .int()
      .nullable()
      .describe('How long a silence its own rhythm allows (from its usual intervals)'),
    silentMinutes: z.number().int().nullable().describe('How long it had been silent at the last check'),
  })
  .describe('silence: the SIM stopped talking for longer than its own rhythm allows');
const RefusalCause = z
  .object({
    kind: z.literal('refusal_burst'),
    refusals: z.number().int().nullable().describe('Refusals counted in the burst'),
    windowMinutes: z.number().int().nullable().describe('Within how many minutes (null when inARow)'),
    inARow: z
      .boolean()
      .describe('Refused again and again with no accepted attempt between, however slow the retries (no window)'),
    attempt: z
      .enum(['attach', 'session'])
      .nullable()
      .describe('What the network refused: the attach or a data session'),
    causeCode: z.number().int().nullable().describe('The 3GPP cause of the last refusal'),
    causeLabel: z.string().nullable().describe('That cause in words: "27 Missing or unknown APN"'),
    network: z.string().nullable().describe('The network (MCC+MNC) that refused it last'),
    apn: z.string().nullable().describe('The APN it asked for last'),
    firstAt: z.string().nullable(),
    lastAt: z.string().nullable(),
  })
  .describe('refusal_burst: the network refused the SIM again and again');
const UsageDropCause = z
  .object({
    kind: z.literal('usage_drop'),
    windowFrom: z.string().nullable().describe('The hours judged: from'),
    windowTo: z.string().nullable().describe('…to (exclusive)'),
    bytes: z.number().int().nullable().describe('Data carried in those hours (up and down)'),
    usualBytes: z
      .number()
      .int()
      .nullable()
      .describe('What the SIM usually carries in the same hours of the week (the median of the last weeks)'),
    dropPercent: z.number().int().nullable().describe('How far below its usual, in percent'),
  })
  .describe('usage_drop: the SIM carried much less data than usual for those hours of the week');
const UsageDriftCause = z
  .object({
    kind: z.literal('usage_drift'),
    windowFrom: z.string().nullable().describe('The days judged: from'),
    windowTo: z.string().nullable().describe('…to (exclusive)'),
    direction: z.enum(['up', 'down']).nullable().describe('up: more data than usual; down: less'),
    bytesPerDay: z
      .number()
      .int()
      .nullable()
      .describe('Its daily volume over those days, weighted to the newest (the EWMA)'),
    usualBytesPerDay: z.number().int().nullable().describe('Its usual daily volume (the mean of the weeks before)'),
    changePercent: z.number().int().nullable().describe('How far from its usual, in percent (negative: less)'),
  })
  .describe('usage_drift: its daily data volume drifted away from its usual');
const TelemetryThresholdCause = z
  .object({
    kind: z.literal('telemetry_threshold'),
    metric: z.string().nullable().describe('What the device measured: temperature_c, wear_pct.brake_pad, …'),
    value: z.number().nullable().describe('Its newest value beyond (as the device reported it)'),
    valueAt: z.string().nullable().describe('When the device reported that value'),
    above: z.number().nullable().describe('The limit it must not exceed (null: no upper limit)'),
    below: z.number().nullable().describe('The limit it must not fall under (null: no lower limit)'),
    reportsBeyond: z.number().int().nullable().describe('How many reports in a row were beyond, up to that value'),
    beyondSince: z.string().nullable().describe('Since when it has been beyond (the first report of that run)'),
  })
  .describe("telemetry_threshold: a device's measurement stayed beyond its limit for several reports");

export const CustomerAlarmView = z
  .object({
    id: z.number().int(),
    type: z.enum(CUSTOMER_ALARM_TYPES),
    severity: z.enum(ALARM_SEVERITIES),
    status: z.enum(['active', 'cleared']),
    acknowledged: z.boolean().describe('The service desk has seen it and is on it'),
    iccid: z.string().nullable().describe("The SIM's ICCID (null once the SIM is deleted, and for a device's alarm)"),
    device: z
      .object({
        id: z.number().int().describe("The device's id"),
        name: z.string().nullable().describe('Its name (null when it has none, or once it is deleted)'),
      })
      .nullable()
      .describe("A device's alarm (telemetry_threshold): the device; null for a SIM's alarm"),
    count: z.number().int().describe('How often the condition was found since the alarm was raised'),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    clearedAt: z.string().nullable(),
    cause: z
      .discriminatedUnion('kind', [
        SilenceCause,
        RefusalCause,
        UsageDropCause,
        UsageDriftCause,
        TelemetryThresholdCause,
      ])
      .describe('Why, as facts (kind = type)'),
  })
  .meta({ id: 'CustomerAlarm' });

export const CustomerAlarmPage = z
  .object({ items: z.array(CustomerAlarmView), nextCursor: z.string().nullable() })
  .meta({ id: 'CustomerAlarmPage' });
