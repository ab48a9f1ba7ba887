/**
 * SLA calendars: an IANA zone, weekly opening hours, holidays from date-holidays and custom
 * closed dates. A definition (zod, validated at the boundary) compiles into a Calendar the
 * business-time engine reads: opening windows per weekday in minutes, and a closed-date test.
 */

import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';
import { z } from 'zod';
import { formatPath, invalid } from '../../platform/errors.ts';
import { parseRfc3339 } from '../../platform/time-text.ts';
import { SlaErrors } from './sla.errors.ts';
import { isValidTimeZone } from './tz.ts';

// date-holidays (its country data: ~100 modules) is loaded on first use, not with the SLA module: most CLI commands
// never compute a calendar, and loading it was ~0.1 s of their start-up (docs/PERFORMANCE.md, "CLI start-up").
let holidaysClass: typeof HolidaysClass | undefined;
const Holidays = (): typeof HolidaysClass =>
  (holidaysClass ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysClass);

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const HOLIDAY_TYPES = ['public', 'bank', 'optional', 'school', 'observance'] as const;

const TIME_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** '08:30' → 510; '24:00' → 1440. */
export function parseTime(hhmm: string): number {
  if (hhmm === '24:00') return 1440;
  const m = TIME_RE.exec(hhmm);
  if (!m) throw new Error(`not a time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const Time = z.string().regex(TIME_RE, 'expected HH:MM (00:00–24:00)');
const Interval = z.tuple([Time, Time]);
/** Closed dates one calendar lists beyond its holiday source: ten years of a desk's own closures is plenty. */
const MAX_CLOSED_DATES = 1000;
const DayHours = z.array(Interval).max(24).default([]);

export const WeeklyHours = z
  .object({
    mon: DayHours,
    tue: DayHours,
    wed: DayHours,
    thu: DayHours,
    fri: DayHours,
    sat: DayHours,
    sun: DayHours,
  })
  .superRefine((week, ctx) => {
    for (const day of WEEKDAYS) {
      const intervals = week[day];
      intervals.forEach(([start, end], i) => {
        // Malformed times already have their own issue (zod 4 still runs this refinement).
        if (!TIME_RE.test(start) || !TIME_RE.test(end)) return;
        if (parseTime(start) >= parseTime(end)) {
          ctx.addIssue({ code: 'custom', path: [day, i], message: `start ${start} is not before end ${end}` });
          return;
        }
        for (let j = 0; j < i; j++) {
          const other = intervals[j];
          if (!other) continue;
          const [os, oe] = other;
          if (!TIME_RE.test(os) || !TIME_RE.test(oe)) continue;
          if (parseTime(start) < parseTime(oe) && parseTime(os) < parseTime(end)) {
            ctx.addIssue({ code: 'custom', path: [day, i], message: `overlaps ${os}–${oe}` });
          }
        }
      });
    }
    if (WEEKDAYS.every((d) => week[d].length === 0))
      ctx.addIssue({ code: 'custom', path: [], message: 'at least one opening interval is needed' });
  });

export const HolidaySource = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code like SE'),
    state: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    /** date-holidays types that close the desk; 'bank' matters in e.g. Sweden (midsummer eve). */
    closedTypes: z.array(z.enum(HOLIDAY_TYPES)).min(1).default(['public']),
  })
  .superRefine((h, ctx) => {
    const hd = new (Holidays())();
    const countries = hd.getCountries('en');
    if (!(h.country in countries)) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: `unknown holiday country ${h.country}` });
      return;
    }
    if (h.region && !h.state) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'a region needs a state' });
      return;
    }
    if (h.state) {
      const states = hd.getStates(h.country, 'en') ?? {};
      if (!(h.state in states)) {
        ctx.addIssue({ code: 'custom', path: ['state'], message: `unknown holiday state ${h.state} in ${h.country}` });
        return;
      }
      if (h.region) {
        const regions = hd.getRegions(h.country, h.state, 'en') ?? {};
        if (!(h.region in regions)) {
          ctx.addIssue({
            code: 'custom',
            path: ['region'],
            message: `unknown holiday region ${h.region} in ${h.country}-${h.state}`,
          });
        }
      }
    }
  });

export const CalendarTimeZone = z.string().refine(isValidTimeZone, { message: 'unknown time zone' });
export const ClosedDates = z
  .array(z.string().regex(DATE_RE, 'expected YYYY-MM-DD'))
  .max(MAX_CLOSED_DATES)
  // Date.parse takes 30 February (rolling into March): each date is read field by field.
  .refine((ds) => ds.every((d) => !d.startsWith('0000') && parseRfc3339(`${d}T00:00:00Z`) !== null), 'not a real date');

export const CalendarDefinition = z
  .object({
    name: z.string().min(1).max(100),
    timeZone: CalendarTimeZone,
    weeklyHours: WeeklyHours,
    holidays: HolidaySource.optional(),
    closedDates: ClosedDates.default([]),
  })
  .meta({ id: 'SlaCalendarDefinition' });
export type CalendarDefinition = z.infer<typeof CalendarDefinition>;
export type CalendarDefinitionInput = z.input<typeof CalendarDefinition>;

/** A compiled calendar: what business-time.ts needs, nothing more. */
export type Calendar = {
  readonly name: string;
  readonly timeZone: string;
  /** Opening windows per weekday (0 = Sunday) in minutes since local midnight, sorted, merged. */
  readonly weekly: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** True when the whole local date is closed (holiday or custom date). */
  isClosed(ymd: string): boolean;
  /** True for a calendar open all the time: business time equals wall time. */
  readonly always: boolean;
  /** Per-calendar cache of a local date's open instant ranges (filled by business-time.ts). */
  readonly dayCache: Map<string, ReadonlyArray<readonly [number, number]>>;
};

/** Open around the clock, no holidays: business time = elapsed time. */
export const CALENDAR_24X7: Calendar = {
  name: '24x7',
  timeZone: 'UTC',
  weekly: WEEKDAYS.map(() => [[0, 1440] as const]),
  isClosed: () => false,
  always: true,
  dayCache: new Map(),
};

/** Parses untrusted input; throws AppError naming each bad field (`weeklyHours.mon[1]: overlaps …`). */
export function parseCalendarDefinition(input: unknown): CalendarDefinition {
  const r = CalendarDefinition.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ field: formatPath(i.path), reason: i.message }));
  throw invalid(
    SlaErrors.calendarInvalid,
    `Invalid calendar: ${details.map((d) => (d.field ? `${d.field}: ${d.reason}` : d.reason)).join('; ')}`,
    details,
  );
}

export function compileCalendar(def: CalendarDefinition): Calendar {
  const weekly = WEEKDAYS.map((day) =>
    mergeWindows(def.weeklyHours[day].map(([s, e]) => [parseTime(s), parseTime(e)])),
  );
  const custom = new Set(def.closedDates);
  const source = def.holidays;
  const holidayYears = new Map<number, Set<string>>();
  const holidaysIn = (year: number): Set<string> => {
    let set = holidayYears.get(year);
    if (!set) {
      set = source ? loadHolidays(source, year) : new Set();
      holidayYears.set(year, set);
    }
    return set;
  };
  return {
    name: def.name,
    timeZone: def.timeZone,
    weekly,
    isClosed: (ymd) => custom.has(ymd) || holidaysIn(Number(ymd.slice(0, 4))).has(ymd),
    always: false,
    dayCache: new Map(),
  };
}

function mergeWindows(ws: Array<[number, number]>): Array<readonly [number, number]> {
  const sorted = [...ws].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * Local dates closed by holidays of the configured types. A holiday closes its whole local
 * date even when date-holidays starts it at noon (e.g. Swedish eves): the desk does not
 * open half days. Multi-day holidays close every date they span.
 */
function loadHolidays(source: NonNullable<CalendarDefinition['holidays']>, year: number): Set<string> {
  const hd = source.state
    ? source.region
      ? new (Holidays())(source.country, source.state, source.region)
      : new (Holidays())(source.country, source.state)
    : new (Holidays())(source.country);
  const types = new Set<string>(source.closedTypes);
  const out = new Set<string>();
  // Previous year too: a holiday starting 31 Dec may span into this year.
  for (const y of [year - 1, year]) {
    for (const h of hd.getHolidays(y)) {
      if (!types.has(h.type)) continue;
      const first = Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`);
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < days; i++) out.add(new Date(first + i * 86_400_000).toISOString().slice(0, 10));
    }
  }
  return out;
}
