import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../platform/random.ts';
import { compileCalendar, parseCalendarDefinition } from './calendar.ts';
import {
  DEFAULT_CLOCK_RULES,
  dueInstant,
  elapsedBusinessMs,
  evaluateTarget,
  historySince,
  runningSpans,
  type StateChange,
} from './clock.ts';
import { referencePrefix } from './reference.testkit.ts';
import { MINUTE_MS } from './tz.ts';

const day: Array<[string, string]> = [['08:00', '17:00']];
const STO = compileCalendar(
  parseCalendarDefinition({
    name: 'Stockholm office',
    timeZone: 'Europe/Stockholm',
    weeklyHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
    holidays: { country: 'SE', closedTypes: ['public', 'bank'] },
  }),
);
const h = (at: string, state: string): StateChange => ({ at: new Date(at), state });
const rules = DEFAULT_CLOCK_RULES;

describe('SLA clock from a state history', () => {
  // Mon 23 Mar 2026 (CET, UTC+1): opened 09:00, pending customer 11:00–Tue 10:00, resolved Wed 12:00.
  const history = [
    h('2026-03-23T08:00:00Z', 'new'),
    h('2026-03-23T08:30:00Z', 'open'),
    h('2026-03-23T10:00:00Z', 'pending_customer'),
    h('2026-03-24T09:00:00Z', 'open'),
    h('2026-03-25T11:00:00Z', 'resolved'),
  ];

  it('runs from the start, pauses in pending_customer and stops at resolved', () => {
    // 2 h Monday + 7 h Tuesday + 4 h Wednesday.
    expect(elapsedBusinessMs(STO, history, rules, new Date('2026-03-30T00:00:00Z'))).toBe(13 * 60 * MINUTE_MS);
    expect(elapsedBusinessMs(STO, history, rules, new Date('2026-03-24T12:00:00Z'))).toBe(5 * 60 * MINUTE_MS);
    expect(runningSpans(history, rules).status).toBe('stopped');
  });

  it('finds the due instant through the pause, and recomputes for a new target from the same start', () => {
    // 8 h target: 2 h Monday, then 6 h from Tue 10:00 → Tue 16:00 CET.
    expect(dueInstant(STO, history, rules, 8 * 60)?.toISOString()).toBe('2026-03-24T15:00:00.000Z');
    // Priority raised to a 2 h target: met exactly at the pause.
    expect(dueInstant(STO, history, rules, 120)?.toISOString()).toBe('2026-03-23T10:00:00.000Z');
    // 20 h target is never reached: the clock stopped at 13 h.
    expect(dueInstant(STO, history, rules, 20 * 60)).toBeNull();
  });

  it('counts pending_provider as running unless configured to pause', () => {
    const withProvider = [h('2026-03-23T08:00:00Z', 'open'), h('2026-03-23T09:00:00Z', 'pending_provider')];
    const at = new Date('2026-03-23T12:00:00Z');
    expect(elapsedBusinessMs(STO, withProvider, rules, at)).toBe(4 * 60 * MINUTE_MS);
    const pausing = { ...rules, pauseStates: ['pending_customer', 'pending_provider'] };
    expect(elapsedBusinessMs(STO, withProvider, pausing, at)).toBe(60 * MINUTE_MS);
  });

  it('runs again after a reopen and ends for good at stopAt', () => {
    const reopened = [...history, h('2026-03-26T08:00:00Z', 'open')];
    expect(dueInstant(STO, reopened, rules, 14 * 60)?.toISOString()).toBe('2026-03-26T09:00:00.000Z');
    const firstResponse = { stopAt: new Date('2026-03-23T09:00:00Z') };
    expect(elapsedBusinessMs(STO, history, rules, new Date('2026-03-30T00:00:00Z'), firstResponse)).toBe(
      60 * MINUTE_MS,
    );
    expect(runningSpans(history, rules, firstResponse).status).toBe('stopped');
  });

  it('re-bases the history for the periodic-update clock', () => {
    // Last public update Mon 12:00 CET, during the pause: the update clock restarts Tue 10:00 CET.
    const since = historySince(history, new Date('2026-03-23T11:00:00Z'));
    expect(since[0]).toEqual(h('2026-03-23T11:00:00Z', 'pending_customer'));
    expect(since).toHaveLength(3);
    expect(dueInstant(STO, since, rules, 60)?.toISOString()).toBe('2026-03-24T10:00:00.000Z');
    expect(historySince(history, new Date('2026-03-01T00:00:00Z'))).toHaveLength(5);
  });

  it('evaluates warnings and breach at an instant', () => {
    const open = [h('2026-03-23T07:00:00Z', 'open')];
    const e = evaluateTarget(STO, open, rules, 4 * 60, new Date('2026-03-23T10:30:00Z'));
    expect(e).toMatchObject({
      status: 'running',
      elapsedMs: 210 * MINUTE_MS,
      remainingMs: 30 * MINUTE_MS,
      breached: false,
    });
    expect(e.warn75At?.toISOString()).toBe('2026-03-23T10:00:00.000Z');
    expect(e.warn90At?.toISOString()).toBe('2026-03-23T10:36:00.000Z');
    expect(e.dueAt?.toISOString()).toBe('2026-03-23T11:00:00.000Z');
    const paused = evaluateTarget(
      STO,
      [...open, h('2026-03-23T08:00:00Z', 'pending_customer')],
      rules,
      120,
      new Date('2026-03-23T09:00:00Z'),
    );
    expect(paused).toMatchObject({ status: 'paused', breached: false, dueAt: null, remainingMs: 60 * MINUTE_MS });
    expect(evaluateTarget(STO, open, rules, 60, new Date('2026-03-23T08:00:00Z')).breached).toBe(true);
  });
});

describe.each([
  ['Europe/Stockholm', '2026-03-10T00:00:00Z', '2026-04-20T00:00:00Z'],
  ['America/New_York', '2026-10-20T00:00:00Z', '2026-12-05T00:00:00Z'],
  ['Europe/Moscow', '2026-02-20T00:00:00Z', '2026-03-31T00:00:00Z'],
])('random histories vs the minute-by-minute reference: %s', (timeZone, fromIso, toIso) => {
  const hours: Array<[string, string]> = [
    ['07:30', '12:00'],
    ['13:00', '18:15'],
  ];
  const cal = compileCalendar(
    parseCalendarDefinition({
      name: 'x',
      timeZone,
      weeklyHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sun: [['01:00', '04:00']] },
      holidays: { country: timeZone === 'America/New_York' ? 'US' : timeZone === 'Europe/Moscow' ? 'RU' : 'SE' },
    }),
  );
  const from = Date.parse(fromIso);
  const n = (Date.parse(toIso) - from) / MINUTE_MS;
  const prefix = referencePrefix(cal, from, from + n * MINUTE_MS);
  const ref = (i: number, j: number) => (prefix[j] ?? 0) - (prefix[i] ?? 0);
  const rnd = mulberry32(1101);
  const STATES = ['open', 'open', 'pending_customer', 'pending_provider', 'resolved', 'open'];

  it('elapsed time and due instants agree for 150 random histories', () => {
    const outcomes = { due: 0, none: 0 };
    for (let k = 0; k < 150; k++) {
      // Minute indices of changes within the first 60 % of the window; the rest leaves room for due times.
      let i = Math.floor(rnd() * n * 0.3);
      const changes: Array<[number, string]> = [[i, 'new']];
      const count = Math.floor(rnd() * 6);
      for (let c = 0; c < count; c++) {
        i += Math.floor(rnd() * 3 * 1440);
        changes.push([Math.min(i, Math.floor(n * 0.6)), STATES[Math.floor(rnd() * STATES.length)] ?? 'open']);
      }
      const history = changes.map(([m, state]) => ({ at: new Date(from + m * MINUTE_MS), state }));
      const running = (m: number) => {
        let state = 'none';
        for (const [cm, s] of changes) if (cm <= m) state = s;
        return state === 'new' || state === 'open' || state === 'pending_provider';
      };
      // Reference elapsed at a probe and due instant: walk minutes.
      const probe = Math.floor(rnd() * n * 0.7);
      let elapsed = 0;
      for (let m = 0; m < probe; m++) if (running(m)) elapsed += ref(m, m + 1);
      expect(elapsedBusinessMs(cal, history, rules, new Date(from + probe * MINUTE_MS)), `#${k}`).toBe(
        elapsed * MINUTE_MS,
      );
      const target = Math.floor(rnd() * 2000);
      let used = 0;
      let due: number | null = null;
      for (let m = changes[0]?.[0] ?? 0; m < n && used < target; m++) {
        if (running(m)) used += ref(m, m + 1);
        if (used >= target) due = m + 1;
      }
      if (target === 0) due = changes[0]?.[0] ?? 0;
      const last = changes[changes.length - 1]?.[1] ?? 'new';
      const stillRunning = last === 'new' || last === 'open' || last === 'pending_provider';
      const got = dueInstant(cal, history, rules, target);
      if (due !== null) expect(got?.getTime(), `#${k} target ${target}`).toBe(from + due * MINUTE_MS);
      else expect(stillRunning, `#${k}: reference found no due time within the window`).toBe(false);
      if (due === null) expect(got).toBeNull();
      outcomes[due === null ? 'none' : 'due']++;
    }
    // The generator must exercise both reachable and unreachable targets.
    expect(outcomes.due).toBeGreaterThan(30);
    expect(outcomes.none).toBeGreaterThan(10);
  });
});
