import type { Schemas } from '../api/client.ts';

export type Rule = Schemas['AlarmRule'];
export type Severity = Rule['severity'];
export type Schedule = NonNullable<Rule['schedule']>;
export type Escalation = NonNullable<Rule['escalation']>;
export type Weekday = Schedule['days'][number];
/** The scope fields that name things by id (the API checks each exists); the others are values. */
export type RefField = 'accountIds' | 'communicationPlanIds' | 'ratePlanIds' | 'deviceModelIds';

export const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'warning'];
export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: 'red',
  major: 'orange',
  minor: 'yellow',
  warning: 'blue',
};
export const WEEKDAYS: { value: Weekday; label: string }[] = [
  { value: 'mon', label: 'Mon' },
  { value: 'tue', label: 'Tue' },
  { value: 'wed', label: 'Wed' },
  { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' },
  { value: 'sat', label: 'Sat' },
  { value: 'sun', label: 'Sun' },
];

/** Minutes as a person says them: 45 min, 6 h 30 min, 3 d. */
export function duration(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m >= 2 * 1440 && m % 1440 === 0) return `${m / 1440} d`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

export const thresholdWords = (p: Rule['params']) => `${p.factor} × usual interval + ${duration(p.graceMinutes)}`;

export const escalationWords = (e: Escalation | null) =>
  e ? `to ${e.severity} ${duration(e.afterMinutes)} past the threshold` : 'no escalation';

/** What follows an alarm besides itself, as short phrases (none: an empty list). */
export function followUpWords(r: Pick<Rule, 'openCase' | 'remindMinutes'>): string[] {
  return [
    ...(r.openCase ? ['opens a case for the account'] : []),
    ...(r.remindMinutes != null ? [`reminds the desk every ${duration(r.remindMinutes)} until acknowledged`] : []),
  ];
}

/** Days as ranges where they run on (Mon–Fri, Sat, Sun), in the week's order. */
function dayWords(days: readonly Weekday[]): string {
  const on = WEEKDAYS.map((d) => days.includes(d.value));
  if (on.every(Boolean)) return 'Every day';
  const runs: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!on[i]) continue;
    let j = i;
    while (j + 1 < 7 && on[j + 1]) j++;
    const first = WEEKDAYS[i]!.label;
    const last = WEEKDAYS[j]!.label;
    runs.push(j === i ? first : j === i + 1 ? `${first}, ${last}` : `${first}–${last}`);
    i = j;
  }
  return runs.join(', ');
}

export function scheduleWords(s: Schedule | null): string {
  if (!s) return 'Always';
  // "to" before "from" is how the API says the window runs past midnight.
  const overnight = s.to < s.from ? ' (overnight)' : '';
  return `${dayWords(s.days)} ${s.from}–${s.to}${overnight}, ${s.timeZone}`;
}

/** Names for the ids a scope holds; an id no list knows shows as #id (deleted since, or not visible). */
export type RefNames = Record<RefField, (id: number) => string>;

const SCOPE_LABEL: Record<keyof Rule['scope'], string> = {
  accountIds: 'Accounts',
  communicationPlanIds: 'Communication plans',
  ratePlanIds: 'Rate plans',
  apns: 'APNs',
  plmns: 'Networks (PLMN)',
  deviceModelIds: 'Device models',
};

/** The scope as lines ("Accounts: Nordgrid Energi AB (NORDGRID)"); every line must hold for a SIM to be in. */
export function scopeLines(scope: Rule['scope'], names: RefNames): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const field of Object.keys(SCOPE_LABEL) as (keyof Rule['scope'])[]) {
    const list = scope[field];
    if (!list || list.length === 0) continue;
    const text =
      field === 'apns' || field === 'plmns'
        ? (list as string[]).join(', ')
        : (list as number[]).map((id) => names[field](id)).join(', ');
    out.push({ label: SCOPE_LABEL[field], text });
  }
  return out;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
