/**
 * The demo desk's past weeks: a deterministic generator of the cases a provider's desk handled before today —
 * about 30 a week of all four types over the customers, on business days mostly (Mondays busiest), opened on
 * every channel, answered, worked, sometimes waiting for the customer or a partner, resolved after handling
 * times around the field's (working days: incidents 9.3, information requests 7.1, service requests 9.3, orders
 * 12; shared/design/domain.md) — longer in the oldest weeks, as a desk improving against those figures would show —
 * and closed by the verification period three working days later. Pure: the same `now` and seed give the same
 * history. The cases module writes it (case-history.ts).
 */
import { mulberry32 } from '../../platform/random.ts';
import type { HistoricAuthor, HistoricCase, HistoricStep } from '../cases/case-history.ts';
import { addBusinessMinutes, addWorkingDays, businessMsBetween } from '../sla/business-time.ts';
import { type Calendar, compileCalendar, parseCalendarDefinition } from '../sla/calendar.ts';
import { DEFAULT_BUSINESS_CALENDAR, WORKING_DAY_MINUTES } from '../sla/defaults.ts';
import { DAY_MS, MINUTE_MS } from '../sla/tz.ts';
import type { DemoAccount } from './demo.data.ts';
import * as T from './demo.history.texts.ts';

export type HistoryAccount = {
  accountId: number;
  /** Share of the desk's cases (the demo uses the account's share of SIMs). */
  weight: number;
  deviceClass: T.DeviceClass;
  /** E-mail addresses of the customer's contacts (who writes in). */
  contacts: readonly string[];
};

export type DemoHistoryOptions = {
  now: Date;
  accounts: readonly HistoryAccount[];
  assigneeUserId?: number;
  weeks?: number;
  seed?: number;
};

/**
 * The demo's accounts as the history needs them: weighted by SIM share (an account without SIMs, a customer's
 * head office, still asks and orders now and then), with the device class and contacts of the nearest account
 * that has them.
 */
export function historyAccountsOf(tree: readonly DemoAccount[], idOf: (number: string) => number): HistoryAccount[] {
  const out: HistoryAccount[] = [];
  const classOf = (a: DemoAccount): T.DeviceClass | undefined =>
    a.deviceClass ?? (a.children ?? []).map(classOf).find((c) => c !== undefined);
  const walk = (a: DemoAccount, inherited: readonly string[]) => {
    const contacts = a.contacts?.length ? a.contacts.map((c) => c.email) : inherited;
    const deviceClass = classOf(a);
    if (deviceClass && contacts.length > 0)
      out.push({ accountId: idOf(a.number), weight: a.simShare ?? 3, deviceClass, contacts });
    for (const child of a.children ?? []) walk(child, contacts);
  };
  for (const a of tree) walk(a, []);
  return out;
}

type CaseType = HistoricCase['type'];
type Channel = HistoricCase['channel'];
type Severity = HistoricCase['severity'];

/** Mean handling time in working days per type: the field's 2019 figures this desk measures itself against. */
export const FIELD_HANDLING_DAYS: Record<CaseType, number> = {
  incident: 9.3,
  information_request: 7.1,
  service_request: 9.3,
  order: 12,
};
export const VERIFICATION_WORKING_DAYS = 3;

/** New cases per day, Sunday first: Monday morning brings the weekend's problems. */
const PER_DAY = [0.4, 7, 6, 5.5, 5.5, 4.5, 0.4];
const TYPES: [CaseType, number][] = [
  ['incident', 40],
  ['information_request', 25],
  ['service_request', 22],
  ['order', 13],
];
const CHANNELS: Record<CaseType, [Channel, number][]> = {
  incident: [
    ['email', 40],
    ['phone', 30],
    ['portal', 15],
    ['monitoring', 15],
  ],
  information_request: [
    ['email', 50],
    ['portal', 30],
    ['phone', 20],
  ],
  service_request: [
    ['email', 45],
    ['portal', 35],
    ['api', 10],
    ['phone', 10],
  ],
  order: [
    ['api', 40],
    ['email', 35],
    ['portal', 25],
  ],
};
const SEVERITIES: Record<CaseType, [Severity, number][]> = {
  incident: [
    ['critical', 5],
    ['high', 25],
    ['medium', 50],
    ['low', 20],
  ],
  information_request: [['low', 1]],
  service_request: [
    ['medium', 40],
    ['low', 60],
  ],
  order: [
    ['medium', 70],
    ['low', 30],
  ],
};
/** Spread of handling times (log-normal sigma): most cases near the mean, a tail of long ones. */
const SIGMA = 0.55;

let businessCalendar: Calendar | undefined;
/** The desk's default business calendar (Stockholm, 08–17 on working days): the one the SLA reports use. */
const calendar = () => {
  businessCalendar ??= compileCalendar(parseCalendarDefinition(DEFAULT_BUSINESS_CALENDAR));
  return businessCalendar;
};

export function demoHistory(o: DemoHistoryOptions): HistoricCase[] {
  const random = mulberry32(o.seed ?? 2019);
  const cal = calendar();
  const weeks = o.weeks ?? 8;
  const now = o.now.getTime();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const weighted = <T>(xs: readonly [T, number][]): T => {
    let x = random() * xs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of xs) {
      x -= w;
      if (x < 0) return v;
    }
    return xs[xs.length - 1]![0];
  };
  const poisson = (mean: number) => {
    let k = 0;
    for (let p = random(), limit = Math.exp(-mean); p > limit; p *= random()) k++;
    return k;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const workingDays = (from: number, to: number) =>
    businessMsBetween(cal, from, to) / (WORKING_DAY_MINUTES * MINUTE_MS);
  const plusWorkingDays = (from: number, days: number) =>
    addBusinessMinutes(cal, from, Math.round(days * WORKING_DAY_MINUTES)).getTime();
  const accounts = o.accounts.map((a) => [a, a.weight] as [HistoryAccount, number]);

  const out: HistoricCase[] = [];
  const firstDay = Math.floor(now / DAY_MS) - weeks * 7;
  // Up to yesterday: today's cases are the open desk (demo.cases.ts).
  for (let day = firstDay; day < Math.floor(now / DAY_MS); day++) {
    const dayStart = day * DAY_MS;
    const open = businessMsBetween(cal, dayStart, dayStart + DAY_MS) > 0;
    const weekday = new Date(dayStart).getUTCDay();
    const count = poisson(open ? PER_DAY[weekday]! : PER_DAY[0]!);
    for (let k = 0; k < count; k++) {
      // Closed days only get what monitoring raises; business days' cases come in office hours, more in the morning.
      const type = open ? weighted(TYPES) : 'incident';
      const channel = open ? weighted(CHANNELS[type]) : 'monitoring';
      const createdAt = open
        ? addBusinessMinutes(cal, dayStart, Math.floor(random() ** 1.4 * WORKING_DAY_MINUTES)).getTime()
        : dayStart + Math.floor(random() * DAY_MS);
      const age = (now - createdAt) / (weeks * 7 * DAY_MS);
      const c = oneCase({ type, channel, createdAt, age });
      if (c) out.push(c);
    }
  }
  return out;

  function oneCase(f: { type: CaseType; channel: Channel; createdAt: number; age: number }): HistoricCase | null {
    const account = weighted(accounts);
    const severity =
      f.channel === 'monitoring' ? weighted(SEVERITIES.incident.slice(0, 2)) : weighted(SEVERITIES[f.type]);
    const topics =
      f.type === 'incident'
        ? T.INCIDENTS[account.deviceClass]
        : f.type === 'service_request'
          ? T.SERVICE_REQUESTS
          : f.type === 'information_request'
            ? T.INFORMATION_REQUESTS
            : T.ORDERS;
    const topic = pick(topics);
    const fill = (s: string, n: number, place: string) => s.replaceAll('{n}', String(n)).replaceAll('{place}', place);
    const n = 2 + Math.floor(random() ** 2 * 400);
    const place = pick(T.PLACES[account.deviceClass]);
    const customer: HistoricAuthor = { customer: pick(account.contacts) };

    // Handling time: the field's mean for the type, up to 30 % longer in the oldest weeks; critical faults are
    // restored within hours.
    const mean = FIELD_HANDLING_DAYS[f.type] * (1 + 0.3 * f.age);
    const draw = () =>
      severity === 'critical'
        ? 0.1 + random() * 0.4
        : (mean / Math.exp((SIGMA * SIGMA) / 2)) * Math.exp(SIGMA * normal());
    // A recent case is in the history only once resolved. One that would still run (in a real desk it is open;
    // here today's desk, demo.cases.ts, stands for those) is drawn again to end before the last verification
    // period, else the last days would hold every squeezed resolution.
    const available = workingDays(f.createdAt, now - 30 * MINUTE_MS) * 0.95;
    if (available < 0.1) return null;
    let days = draw();
    if (days > available) {
      const limit = available > VERIFICATION_WORKING_DAYS + 0.5 ? available - VERIFICATION_WORKING_DAYS : available;
      for (let tries = 0; days > limit && tries < 20; tries++) days = draw();
      if (days > limit) days = limit * (0.3 + 0.7 * random());
    }
    const at = (share: number) => plusWorkingDays(f.createdAt, days * share) + Math.floor(random() * 5) * MINUTE_MS;

    const steps: HistoricStep[] = [];
    const message = (t: number, by: HistoricAuthor, body: string, visibility: 'public' | 'internal' = 'public') => {
      const kind =
        by === 'staff' || by === 'system'
          ? visibility === 'internal'
            ? 'note'
            : f.channel === 'email'
              ? 'email_out'
              : 'portal_message'
          : f.channel === 'email'
            ? 'email_in'
            : 'portal_message';
      steps.push({ at: new Date(t), kind, visibility, body, by });
    };
    const opening = f.createdAt;
    if (f.channel === 'email') message(opening, customer, fill(topic.subject, n, place));
    if (f.channel === 'phone')
      steps.push({
        at: new Date(opening),
        kind: 'phone_call',
        visibility: 'public',
        body: `Customer called: ${fill(topic.subject, n, place).toLowerCase()}.`,
        durationSeconds: 120 + Math.floor(random() * 480),
      });
    if (f.channel === 'monitoring')
      message(opening, 'system', `Alarm: ${fill(topic.subject, n, place).toLowerCase()}.`, 'internal');

    // First response within the hour usually (a share of the handling time for the quick ones).
    const firstAt = Math.min(plusWorkingDays(f.createdAt, 0.02 + random() * 0.15), at(0.1));
    steps.push({ at: new Date(firstAt), to: 'open' });
    message(firstAt + MINUTE_MS, 'staff', pick(T.FIRST_REPLIES));
    message(Math.max(at(0.25), firstAt + 2 * MINUTE_MS), 'staff', pick(T.WORK_NOTES), 'internal');
    // Some wait for the customer's answer, some incidents for a roaming partner.
    let paused: [number, number] = [0, 0];
    if (days > 1 && random() < 0.3) {
      paused = [at(0.4), at(0.55)];
      message(paused[0], 'staff', pick(T.QUESTIONS));
      steps.push({ at: new Date(paused[0] + MINUTE_MS), to: 'pending_customer' });
      message(paused[1], customer, pick(T.CUSTOMER_REPLIES));
      steps.push({ at: new Date(paused[1] + MINUTE_MS), to: 'open' });
    } else if (f.type === 'incident' && days > 2 && random() < 0.25) {
      paused = [at(0.4), at(0.75)];
      message(paused[0], 'staff', pick(T.PROVIDER_NOTES), 'internal');
      steps.push({ at: new Date(paused[0] + MINUTE_MS), to: 'pending_provider' });
      steps.push({ at: new Date(paused[1]), to: 'open' });
    }
    // Customer updates every day or two while it is worked (incidents more often).
    const every = f.type === 'incident' ? 1 + random() : 1.5 + random();
    for (let u = every; u < days - 0.3; u += every) {
      const t = plusWorkingDays(f.createdAt, u);
      const waiting = t >= paused[0] - MINUTE_MS && t <= paused[1] + 2 * MINUTE_MS;
      if (!waiting && t > firstAt + 2 * MINUTE_MS) message(t, 'staff', pick(T.UPDATES));
    }
    const resolvedAt = Math.max(at(1), ...steps.map((s) => s.at.getTime() + MINUTE_MS));
    if (resolvedAt >= now) return null;
    steps.sort((a, b) => +a.at - +b.at);
    steps.push({ at: new Date(resolvedAt), to: 'resolved', note: fill(topic.resolution, n, place) });
    const closedAt = addWorkingDays(cal, resolvedAt, VERIFICATION_WORKING_DAYS).getTime();
    if (closedAt < now)
      steps.push({
        at: new Date(closedAt),
        to: 'closed',
        by: 'system',
        reason: {
          code: 'verification_period_ended',
          text: `verified, no reply within ${VERIFICATION_WORKING_DAYS} working day(s) of the resolution`,
        },
      });
    return {
      accountId: account.accountId,
      type: f.type,
      channel: f.channel,
      severity,
      subject: fill(topic.subject, n, place),
      description: f.channel === 'monitoring' ? 'Raised by fleet monitoring.' : '',
      queue: 'first-line',
      ...(o.assigneeUserId !== undefined ? { assigneeUserId: o.assigneeUserId } : {}),
      tags: topic.tags ?? [],
      createdAt: new Date(f.createdAt),
      openedBy:
        f.channel === 'portal' || f.channel === 'api' ? customer : f.channel === 'monitoring' ? 'system' : 'staff',
      steps,
    };
  }
}
