import type { Schemas } from '../api/client.ts';
import { boundWords, duration, plural, signedPercent } from './rule-words.ts';

export type Alarm = Schemas['Alarm'];
export type AlarmType = Alarm['type'];
export const ALARM_TYPES: AlarmType[] = [
  'silence',
  'refusal_burst',
  'usage_drop',
  'usage_drift',
  'telemetry_threshold',
  'fleet_attach_refusals',
  'fleet_session_refusals',
  'rule_failed',
];

// Details are free-form JSON written by each watch (silence-watch.ts, refusal-bursts.ts, usage-drops.ts,
// usage-drift.ts, telemetry-thresholds.ts, fleet-watch.ts, and rules.service.ts for a rule that failed): a key an
// older alarm lacks reads as unknown rather than failing the row.
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

type DateTime = (iso: string) => string;
/** The formatters an alarm's words need: the i18n's, in the user's locale. */
type Formats = { dateTime: DateTime; number: (n: number) => string; bytes: (n: number) => string };

function silenceWords(d: Record<string, unknown>, dateTime: DateTime): string {
  const last = str(d.lastEventAt);
  const threshold = num(d.thresholdMinutes);
  const hours = threshold === null ? '?' : `${Math.round((threshold / 60) * 10) / 10} h`;
  return `Silent since ${last ? dateTime(last) : '?'} (${str(d.lastEventType) ?? 'last event'}); its rhythm allows ${hours}`;
}

function burstWords(d: Record<string, unknown>, dateTime: DateTime): string {
  const n = num(d.refusals);
  const window = num(d.windowMinutes);
  const first = str(d.firstAt);
  const last = str(d.lastAt);
  const cause = str(d.causeLabel) ?? (num(d.cause) === null ? null : String(d.cause));
  const where = [
    str(d.lastType)?.replace(/_rejected$/, ''),
    cause ? `cause ${cause}` : 'no cause given',
    str(d.plmn) ? `network ${d.plmn}` : null,
    str(d.apn) ? `APN ${d.apn}` : null,
  ].filter(Boolean);
  const span = first && last && first !== last ? ` from ${dateTime(first)} to ${dateTime(last)}` : '';
  if (str(d.condition) === 'streak') {
    const accepted = str(d.acceptedAt);
    return (
      `Refused ${n === null ? 'repeatedly' : plural(n, 'time')} in a row${span}, ` +
      `${accepted ? `not accepted since ${dateTime(accepted)}` : 'never accepted in between'}; last refusal: ${where.join(', ')}`
    );
  }
  return (
    `Refused ${n === null ? 'repeatedly' : plural(n, 'time')}${window === null ? '' : ` within ${duration(window)}`}` +
    `${span}; last refusal: ${where.join(', ')}`
  );
}

/** "1.2 MB in the 3 h to 14:00, usually 3 MB (−60 %)": the last judged window, against the same hours of past weeks. */
function dropWords(d: Record<string, unknown>, f: Formats): string {
  const observed = num(d.observedBytes);
  const usual = num(d.usualBytes);
  const drop = num(d.dropPercent);
  const hours = num(d.hours);
  const to = str(d.windowTo);
  const threshold = num(d.thresholdBytes);
  const vol = (n: number | null) => (n === null ? '?' : f.bytes(n));
  return (
    `${vol(observed)} in the ${hours === null ? 'last hours' : `${hours} h`}${to ? ` to ${f.dateTime(to)}` : ''}, ` +
    `usually ${vol(usual)}${drop === null ? '' : ` (−${drop} %)`}` +
    (threshold === null ? '' : `; alarmed at ${vol(threshold)} or less`)
  );
}

/**
 * "Drifting up: 2.4 MB a day over the 7 days to 3 Dec (weighted to the newest), usually 1 MB a day (+140 %);
 * limits 0.4 MB to 1.6 MB a day": the EWMA against the mean of the days before and its control limits.
 */
function driftWords(d: Record<string, unknown>, f: Formats): string {
  const perDay = (n: number | null) => (n === null ? '?' : `${f.bytes(n)} a day`);
  const days = num(d.days);
  const to = str(d.windowTo);
  const change = num(d.changePercent);
  const upper = num(d.upperBytesPerDay);
  const lower = num(d.lowerBytesPerDay);
  const direction = str(d.direction);
  return (
    `${direction === 'up' ? 'Drifting up' : direction === 'down' ? 'Drifting down' : 'Drifting'}: ` +
    `${perDay(num(d.ewmaBytesPerDay))} over the ${days === null ? 'last days' : days === 1 ? 'day' : `${days} days`}` +
    `${to ? ` to ${f.dateTime(to)}` : ''} (weighted to the newest), usually ${perDay(num(d.meanBytesPerDay))}` +
    (change === null ? '' : ` (${signedPercent(change)})`) +
    (upper === null || lower === null ? '' : `; limits ${f.bytes(Math.max(0, lower))} to ${perDay(upper)}`)
  );
}

/** "temperature_c 92.5 at 14:03, above 90 for 4 reports in a row since 13:40": the newest value and its run. */
function telemetryWords(d: Record<string, unknown>, f: Formats): string {
  const value = num(d.value);
  const at = str(d.valueAt);
  const reports = num(d.reportsBeyond);
  const since = str(d.beyondSince);
  const above = num(d.above);
  const below = num(d.below);
  return (
    `${str(d.metric) ?? 'Metric'} ${value === null ? '?' : f.number(value)}${at ? ` at ${f.dateTime(at)}` : ''}, ` +
    `${above === null && below === null ? 'beyond its bound' : boundWords(above, below)}` +
    `${reports === null ? '' : ` for ${plural(reports, 'report')} in a row`}${since ? ` since ${f.dateTime(since)}` : ''}`
  );
}

/**
 * A telemetry alarm's device and metric: from the details its watch wrote, else from its originator id
 * (`<deviceId>:<metric>`, the metric may hold colons of its own).
 */
export function deviceOf(a: Alarm): { deviceId: number | null; name: string; metric: string } | null {
  if (a.originator.type !== 'device') return null;
  const cut = a.originator.id.indexOf(':');
  const idPart = cut < 0 ? a.originator.id : a.originator.id.slice(0, cut);
  const deviceId = num(a.details.deviceId) ?? (/^\d+$/.test(idPart) ? Number(idPart) : null);
  const metric = str(a.details.metric) ?? (cut < 0 ? '?' : a.originator.id.slice(cut + 1));
  return { deviceId, name: str(a.details.deviceName) ?? `Device ${deviceId ?? idPart}`, metric };
}

function fleetWords(d: Record<string, unknown>, dateTime: DateTime, number: (n: number) => string): string {
  const share = num(d.share);
  const rejected = num(d.rejected);
  const accepted = num(d.accepted);
  const sims = num(d.failingSims);
  const tenants = num(d.failingTenants);
  const since = str(d.since);
  const attempt = str(d.attempt) ?? 'network';
  const parts = [
    `Refuses ${share === null ? 'many' : `${Math.round(share * 100)} %`} of ${attempt} attempts in the last hour` +
      (rejected !== null && accepted !== null ? ` (${number(rejected)} refused, ${number(accepted)} accepted)` : '') +
      ', well above its own baseline',
    sims !== null
      ? `${plural(sims, 'SIM')} failing${tenants !== null ? ` across ${plural(tenants, 'customer')}` : ''}`
      : null,
    since ? `since ${dateTime(since)}` : null,
  ];
  return parts.filter(Boolean).join('; ');
}

/** What an alarm says, in the desk's words, from the details its watch wrote. */
export function alarmWords(a: Alarm, f: Formats): string {
  const { dateTime, number } = f;
  if (a.type === 'refusal_burst') return burstWords(a.details, dateTime);
  if (a.type === 'usage_drop') return dropWords(a.details, f);
  if (a.type === 'usage_drift') return driftWords(a.details, f);
  if (a.type === 'telemetry_threshold') return telemetryWords(a.details, f);
  if (a.type === 'fleet_attach_refusals' || a.type === 'fleet_session_refusals')
    return fleetWords(a.details, dateTime, number);
  if (a.type === 'rule_failed')
    return `The ${str(a.details.kind)?.replace(/_/g, ' ') ?? 'alarm'} rule failed while applied and was disabled: ${str(a.details.error) ?? 'no reason given'}`;
  return silenceWords(a.details, dateTime);
}

/** The monitoring case the alarm opened or joined (alarm-cases.ts), if any yet. */
export const caseOf = (a: Alarm) => str(a.details.caseNumber);
/** The rule that raised it, by name (none: a built-in rule). */
export const ruleOf = (a: Alarm) => str(a.details.rule);

/**
 * How a clear by its own condition reads, by what the watch waits for (a failed rule is only cleared by hand); a SIM
 * that moved to another account had its alarm cleared for that, whatever its type.
 */
export const clearedByKey = (t: AlarmType, details: Record<string, unknown> = {}) =>
  details.clearedBy === 'moved'
    ? ('alarms.clearedBy.moved' as const)
    : t === 'silence'
      ? ('alarms.clearedBy.silence' as const)
      : t === 'refusal_burst'
        ? ('alarms.clearedBy.refusal_burst' as const)
        : t === 'usage_drop'
          ? ('alarms.clearedBy.usage_drop' as const)
          : t === 'usage_drift'
            ? ('alarms.clearedBy.usage_drift' as const)
            : t === 'telemetry_threshold'
              ? ('alarms.clearedBy.telemetry_threshold' as const)
              : t === 'rule_failed'
                ? null
                : ('alarms.clearedBy.fleet' as const);
