/**
 * Per-case SLA evaluation, pure: a case's timeline (state-change system events and public staff
 * entries) + its policy + a compiled calendar + `now` → one view per metric. Everything is derived
 * from the timeline, so a recomputation after a priority or policy change is just another call.
 */
import type { Calendar } from './calendar.ts';
import {
  type ClockOptions,
  type ClockRules,
  DEFAULT_CLOCK_RULES,
  evaluateTarget,
  historySince,
  type StateChange,
} from './clock.ts';
import type { SlaMetricView } from './sla.schemas.ts';
import { MINUTE_MS } from './tz.ts';

export type TimelineEntry = {
  at: Date;
  kind: string;
  visibility: string;
  /** Which side wrote it; entries from before sides were recorded may lack it. */
  authorSide?: string;
  data: Record<string, unknown> | null;
};
export type PolicyClock = {
  pauseStates: readonly string[];
  targets: { firstResponseMinutes: number; periodicUpdateMinutes: number; resolutionMinutes: number };
};

/**
 * Kinds only staff write (emails out, calls, notes). A portal message may come from either side: it is the
 * provider's response when its author side is staff (an agent answering in the portal).
 */
const STAFF_KINDS = new Set(['email_out', 'phone_call', 'note']);
const DONE_STATES = new Set(['resolved', 'closed']);

export const isPublicStaffEntry = (e: TimelineEntry) =>
  e.visibility === 'public' && (STAFF_KINDS.has(e.kind) || (e.kind === 'portal_message' && e.authorSide === 'staff'));

/** The state history from the timeline's system events: the creation and every state change. */
export function stateHistory(events: readonly TimelineEntry[]): StateChange[] {
  const out: StateChange[] = [];
  for (const e of events) {
    if (e.kind !== 'system' || !e.data) continue;
    if (e.data.action === 'created' && typeof e.data.state === 'string') out.push({ at: e.at, state: e.data.state });
    if (e.data.action === 'state_changed') {
      const after = e.data.after as { state?: unknown } | undefined;
      if (typeof after?.state === 'string') out.push({ at: e.at, state: after.state });
    }
  }
  return out;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(
  metric: SlaMetricView['metric'],
  cal: Calendar,
  history: readonly StateChange[],
  rules: ClockRules,
  target: number,
  now: Date,
  achieved: boolean,
  opts: ClockOptions = {},
): SlaMetricView {
  const ev = evaluateTarget(cal, history, rules, target, now, opts);
  const elapsedMinutes = Math.floor(ev.elapsedMs / MINUTE_MS);
  const status = ev.breached ? 'breached' : achieved ? 'met' : ev.status;
  return {
    metric,
    targetMinutes: target,
    elapsedMinutes,
    remainingMinutes: target - elapsedMinutes,
    dueAt: iso(ev.dueAt),
    warn75At: iso(ev.warn75At),
    warn90At: iso(ev.warn90At),
    status,
  };
}

export function evaluateCaseSla(
  cal: Calendar,
  policy: PolicyClock,
  events: readonly TimelineEntry[],
  now: Date,
): SlaMetricView[] {
  const seen = events.filter((e) => e.at <= now);
  const history = stateHistory(seen);
  const rules: ClockRules = { pauseStates: policy.pauseStates, stopStates: DEFAULT_CLOCK_RULES.stopStates };
  const state = history.reduce<string | undefined>((_, c) => c.state, undefined);
  const done = state !== undefined && DONE_STATES.has(state);
  const updates = seen.filter(isPublicStaffEntry);
  const first = updates[0];
  const last = updates[updates.length - 1];
  const t = policy.targets;
  return [
    view('first_response', cal, history, rules, t.firstResponseMinutes, now, first !== undefined, {
      ...(first ? { stopAt: first.at } : {}),
    }),
    // The update clock restarts at every public staff entry; a resolved case owes no more updates.
    view(
      'periodic_update',
      cal,
      last ? historySince(history, last.at) : history,
      rules,
      t.periodicUpdateMinutes,
      now,
      done,
    ),
    view('resolution', cal, history, rules, t.resolutionMinutes, now, done),
  ];
}
