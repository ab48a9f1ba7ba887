import type { useI18n } from '../i18n/index.tsx';
import type { PortalKey } from '../i18n/portal.ts';
import type { CustomerAlarm } from './queries.ts';

/**
 * A customer's alarm in their words. Not the console's alarm-words.ts: that one reads the desk's free-form details in
 * English (rule names, fleets, failed rules); the portal gets the cause as typed facts (CustomerAlarm.cause, picked by
 * the server's customer presenter) and words them in the customer's language.
 */
type I18n = Pick<ReturnType<typeof useI18n>, 't' | 'lang' | 'dateTime' | 'number' | 'bytes'>;

/** A catalog template with its `{name}` places filled in. */
export function fillIn(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Minutes as the locale says a span: "45 minutes", "24 hours", "3 days" (Intl units). */
export function span(lang: string, minutes: number | null): string {
  if (minutes === null) return '?';
  const [value, unit] =
    minutes < 90
      ? [minutes, 'minute']
      : minutes < 48 * 60
        ? [Math.round((minutes / 60) * 10) / 10, 'hour']
        : [Math.round((minutes / 1440) * 10) / 10, 'day'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** What happened, as one or two sentences. */
export function alarmText(a: CustomerAlarm, i: I18n): string {
  const c = a.cause;
  if (c.kind === 'silence')
    return fillIn(i.t('portal.alarms.words.silence'), {
      since: c.lastEventAt ? i.dateTime(c.lastEventAt) : '?',
      allowed: span(i.lang, c.allowedMinutes),
    });
  if (c.kind === 'usage_drop') {
    const from = c.windowFrom ? Date.parse(c.windowFrom) : Number.NaN;
    const to = c.windowTo ? Date.parse(c.windowTo) : Number.NaN;
    const vol = (n: number | null) => (n === null ? '?' : i.bytes(n));
    return fillIn(i.t('portal.alarms.words.usageDrop'), {
      bytes: vol(c.bytes),
      span: span(i.lang, Number.isFinite(from) && Number.isFinite(to) ? Math.round((to - from) / 60_000) : null),
      to: i.dateTime(c.windowTo),
      drop:
        c.dropPercent === null ? '?' : new Intl.NumberFormat(i.lang, { style: 'percent' }).format(c.dropPercent / 100),
      usual: vol(c.usualBytes),
    });
  }
  if (c.kind === 'usage_drift') {
    const from = c.windowFrom ? Date.parse(c.windowFrom) : Number.NaN;
    const to = c.windowTo ? Date.parse(c.windowTo) : Number.NaN;
    const days = Number.isFinite(from) && Number.isFinite(to) ? Math.round((to - from) / 86_400_000) : null;
    const perDay = (n: number | null) => (n === null ? '?' : i.bytes(n));
    // Whole UTC days: said in days even for one ("1 day", not "24 hours" as span() would).
    const daysText =
      days === null
        ? '?'
        : new Intl.NumberFormat(i.lang, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(days);
    // The direction the watch wrote; an older alarm without it goes by the change's sign.
    const up = c.direction ? c.direction === 'up' : (c.changePercent ?? 0) >= 0;
    return fillIn(i.t(up ? 'portal.alarms.words.usageDriftUp' : 'portal.alarms.words.usageDriftDown'), {
      bytes: perDay(c.bytesPerDay),
      span: daysText,
      to: i.dateTime(c.windowTo),
      change:
        c.changePercent === null
          ? '?'
          : new Intl.NumberFormat(i.lang, { style: 'percent' }).format(Math.abs(c.changePercent) / 100),
      usual: perDay(c.usualBytesPerDay),
    });
  }
  if (c.kind === 'telemetry_threshold') {
    // Beyond which limit: the one the value passed; an older alarm without its value goes by the limit it has.
    const below = c.below !== null && (c.above === null || (c.value !== null && c.value < c.below));
    const limit = below ? c.below : c.above;
    const n = (v: number | null) => (v === null ? '?' : i.number(v));
    return fillIn(i.t(below ? 'portal.alarms.words.telemetryBelow' : 'portal.alarms.words.telemetryAbove'), {
      metric: c.metric ?? '?',
      value: n(c.value),
      at: i.dateTime(c.valueAt),
      limit: n(limit),
      count: n(c.reportsBeyond),
      since: i.dateTime(c.beyondSince),
    });
  }
  // Refused in a row (slow retries, no window): said as such, whatever the attempt.
  const key: PortalKey = c.inARow
    ? 'portal.alarms.words.refusedInARow'
    : c.attempt === 'attach'
      ? 'portal.alarms.words.refusedAttach'
      : c.attempt === 'session'
        ? 'portal.alarms.words.refusedSession'
        : 'portal.alarms.words.refused';
  const parts = [
    fillIn(i.t(key), {
      count: c.refusals === null ? '?' : i.number(c.refusals),
      window: span(i.lang, c.windowMinutes),
    }),
  ];
  const cause = c.causeLabel ?? (c.causeCode === null ? null : String(c.causeCode));
  if (cause) parts.push(fillIn(i.t('portal.alarms.words.cause'), { cause }));
  const where = [
    c.network ? `${i.t('portal.alarms.words.network')} ${c.network}` : null,
    c.apn ? `APN ${c.apn}` : null,
  ];
  if (where.some(Boolean)) parts.push(`${where.filter(Boolean).join(', ')}.`);
  return parts.join(' ');
}

/** A device alarm's device: its name, or "device #12" when it has none. */
export function deviceText(device: NonNullable<CustomerAlarm['device']>, i: Pick<I18n, 't'>): string {
  return device.name ?? fillIn(i.t('portal.alarms.deviceId'), { id: String(device.id) });
}

/** When: first seen, and how often and how lately when it repeated. */
export function seenText(a: CustomerAlarm, i: I18n): string {
  const first = i.dateTime(a.firstSeenAt);
  if (a.count <= 1) return first;
  return `${first} · ${fillIn(i.t('portal.alarms.repeated'), { count: i.number(a.count), last: i.dateTime(a.lastSeenAt) })}`;
}
