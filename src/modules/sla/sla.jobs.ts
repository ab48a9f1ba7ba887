/**
 * The SLA module's jobs (run by the worker role, src/jobs.ts):
 * - (sla.subscribers.ts, on `cases.changed`: recompute the case's clocks, write its queue due time, and schedule
 *   its timers: 75 %/90 % warnings and the breach of every running clock, and the verification period's end when
 *   the case is resolved.)
 * - `sla.threshold`: a timer firing. It re-evaluates the case first and only notifies when the threshold
 *   instant is still the one it was scheduled for; a timer whose targets moved (pause, priority change, a
 *   public update restarting the update clock) does nothing, as a newer timer covers the new instant.
 * - `sla.verification_close`: the verification period ended: the case closes itself (case-automation.ts).
 * - `sla.customer_update`: a P1/P2 case's periodic update fell due with none given: announces
 *   `sla.customer_update_due` (the mail module tells the customer where the case stands) and schedules itself one
 *   update interval later, for as long as nobody updates the case. The agent's clock still counts the miss.
 * - `sla.verification_remind`: one working day before the verification period ends, announces
 *   `sla.verification_reminder_due` (the customer is reminded a reply keeps the case open).
 * Timers are deduplicated by (case, metric, threshold, instant), notifications by the same key: a job that
 * runs twice never notifies twice.
 */
import { z } from 'zod';
import type { JobHandler, JobInfo, JobQueue } from '../../platform/jobs/queue.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { addBusinessMinutes, addWorkingDays } from './business-time.ts';
import { CALENDAR_24X7 } from './calendar.ts';
import { SlaEvents } from './sla.events.ts';
import { SLA_METRICS, type SlaMetricView } from './sla.schemas.ts';
import type { SlaService } from './sla.service.ts';

export const SLA_THRESHOLD = 'sla.threshold';
export const SLA_VERIFICATION_CLOSE = 'sla.verification_close';
export const SLA_CUSTOMER_UPDATE = 'sla.customer_update';
export const SLA_VERIFICATION_REMIND = 'sla.verification_remind';
/** The priorities whose customers hear from the desk on the periodic-update clock even when no agent writes. */
const UPDATE_MAIL_PRIORITIES = new Set(['P1', 'P2']);
/** Without a matching policy a resolved case still verifies, for this many days. */
const DEFAULT_VERIFICATION_DAYS = 3;

const CaseId = z.number().int().positive();
const THRESHOLDS = ['warn75', 'warn90', 'breach'] as const;
type Threshold = (typeof THRESHOLDS)[number];
const ThresholdPayload = z.object({
  caseId: CaseId,
  metric: z.enum(SLA_METRICS),
  threshold: z.enum(THRESHOLDS),
  at: z.iso.datetime(),
});
const VerificationPayload = z.object({
  caseId: CaseId,
  resolvedAt: z.iso.datetime(),
  workingDays: z.number().int().min(0),
  /** Of workingDays, those the customer asked for: a job planned before a longer wait finds itself moot. */
  extraDays: z.number().int().min(0).default(0),
});
const CustomerUpdatePayload = z.object({
  caseId: CaseId,
  /** The update clock's due instant this series of reminders belongs to: a public update moves it, ending them. */
  basis: z.iso.datetime(),
  at: z.iso.datetime(),
});
const RemindPayload = z.object({
  caseId: CaseId,
  resolvedAt: z.iso.datetime(),
  closesAt: z.iso.datetime(),
  extraDays: z.number().int().min(0).default(0),
});

export type SlaJobsDeps = {
  sla: Pick<SlaService, 'evaluate' | 'announce'>;
  cases: Pick<CasesService, 'automation'>;
  notifications: Pick<NotificationsService, 'notify'>;
  queue: Pick<JobQueue, 'enqueue' | 'enqueueMany'>;
};

const DONE = new Set(['resolved', 'closed', 'cancelled']);
const clockRuns = (state: string, pauseStates: readonly string[]) => !DONE.has(state) && !pauseStates.includes(state);
const instantOf = (m: SlaMetricView, t: Threshold) =>
  t === 'warn75' ? m.warn75At : t === 'warn90' ? m.warn90At : m.dueAt;
const METRIC_LABEL: Record<SlaMetricView['metric'], string> = {
  first_response: 'first response',
  periodic_update: 'customer update',
  resolution: 'resolution',
};

export function createSlaTimers(deps: SlaJobsDeps) {
  const { automation } = deps.cases;

  /** The case's SLA as of `at`, and which of its metrics still count down (or are overdue). */
  async function evaluate(caseId: number, at: Date) {
    const c = await automation.byId(caseId);
    if (!c) return undefined;
    const r = await deps.sla.evaluate(c, await automation.timelineOf(caseId), at);
    const runs = r.policy !== null && clockRuns(c.state, r.policy.clock.pauseStates);
    const live = runs ? r.metrics.filter((m) => m.status === 'running' || m.status === 'breached') : [];
    return { c, ...r, live };
  }

  async function recompute(caseId: number, at: Date): Promise<void> {
    const e = await evaluate(caseId, at);
    if (!e) return;
    const dues = e.live.flatMap((m) => (m.dueAt ? [m.dueAt] : [])).sort();
    await automation.recordSlaDue(caseId, dues[0] ? new Date(dues[0]) : null);
    // Every timer of the case in one statement: most exist already (the same instants as the last recompute).
    const timers: Parameters<typeof deps.queue.enqueueMany>[0][number][] = [];
    for (const m of e.live) {
      // An overdue clock owes only its breach; the warnings before it are moot.
      for (const threshold of m.status === 'breached' ? (['breach'] as const) : THRESHOLDS) {
        const instant = instantOf(m, threshold);
        if (!instant) continue;
        timers.push({
          kind: SLA_THRESHOLD,
          payload: { caseId, metric: m.metric, threshold, at: instant },
          runAt: new Date(instant),
          dedupeKey: `sla:${caseId}:${m.metric}:${threshold}:${instant}`,
        });
      }
    }
    const { c } = e;
    const update = e.live.find((m) => m.metric === 'periodic_update');
    if (update?.dueAt && UPDATE_MAIL_PRIORITIES.has(c.priority)) {
      const at = update.dueAt;
      timers.push({
        kind: SLA_CUSTOMER_UPDATE,
        payload: { caseId, basis: at, at },
        runAt: new Date(at),
        dedupeKey: `cupdate:${caseId}:${at}:${at}`,
      });
    }
    if (c.state === 'resolved' && c.resolvedAt) {
      const extraDays = automation.verificationExtraDays(c);
      const workingDays = (e.policy?.row.verificationWorkingDays ?? DEFAULT_VERIFICATION_DAYS) + extraDays;
      const calendar = e.policy?.calendar ?? CALENDAR_24X7;
      const resolvedAt = c.resolvedAt.toISOString();
      const closesAt = addWorkingDays(calendar, c.resolvedAt, workingDays);
      // Kept open longer: a new key (the earlier job, planned without the extension, finds itself moot).
      const extended = extraDays > 0 ? `:+${extraDays}` : '';
      timers.push({
        kind: SLA_VERIFICATION_CLOSE,
        payload: { caseId, resolvedAt, workingDays, extraDays },
        runAt: closesAt,
        dedupeKey: `verify:${caseId}:${resolvedAt}${extended}`,
      });
      // A period of one day is all reminder already (the "resolved" mail says it); longer ones get one the day before.
      if (workingDays >= 2)
        timers.push({
          kind: SLA_VERIFICATION_REMIND,
          payload: { caseId, resolvedAt, closesAt: closesAt.toISOString(), extraDays },
          runAt: addWorkingDays(calendar, c.resolvedAt, workingDays - 1),
          dedupeKey: `remind:${caseId}:${resolvedAt}${extended}`,
        });
    }
    await deps.queue.enqueueMany(timers);
  }

  /** The periodic customer update fell due: announce it, unless one was given, and schedule the next one. */
  async function customerUpdate(p: z.infer<typeof CustomerUpdatePayload>, info: Pick<JobInfo, 'at' | 'log'>) {
    const scheduled = new Date(p.at);
    const e = await evaluate(p.caseId, info.at > scheduled ? info.at : scheduled);
    const m = e?.live.find((x) => x.metric === 'periodic_update');
    if (!e?.policy || !m || m.dueAt !== p.basis || !UPDATE_MAIL_PRIORITIES.has(e.c.priority)) {
      info.log.debug({ payload: p }, 'customer update moot: given, paused, done or no longer P1/P2');
      return;
    }
    // Keep the cadence of the due instant; a worker back from an outage skips the missed ones rather than mailing
    // them all at once.
    let next = addBusinessMinutes(e.policy.calendar, scheduled, m.targetMinutes);
    while (next <= info.at) next = addBusinessMinutes(e.policy.calendar, next, m.targetMinutes);
    await deps.sla.announce(
      SlaEvents.customerUpdateDue,
      { caseId: p.caseId, dueAt: p.at, nextUpdateBy: next.toISOString() },
      p.caseId,
      `${p.caseId}:${p.at}`,
    );
    await deps.queue.enqueue(
      SLA_CUSTOMER_UPDATE,
      { caseId: p.caseId, basis: p.basis, at: next.toISOString() },
      { runAt: next, dedupeKey: `cupdate:${p.caseId}:${p.basis}:${next.toISOString()}` },
    );
  }

  /** A working day before the resolved case closes itself: remind the customer, if it is still that resolution. */
  async function remind(p: z.infer<typeof RemindPayload>, info: Pick<JobInfo, 'log'>) {
    const c = await automation.byId(p.caseId);
    if (
      !c ||
      c.state !== 'resolved' ||
      c.resolvedAt?.toISOString() !== p.resolvedAt ||
      automation.verificationExtraDays(c) !== p.extraDays
    ) {
      info.log.debug({ payload: p }, 'verification reminder moot: the case moved on');
      return;
    }
    await deps.sla.announce(SlaEvents.verificationReminderDue, p, p.caseId, `${p.caseId}:${p.resolvedAt}`);
  }

  async function fire(p: z.infer<typeof ThresholdPayload>, info: Pick<JobInfo, 'at' | 'log'>): Promise<void> {
    const scheduled = new Date(p.at);
    const e = await evaluate(p.caseId, info.at > scheduled ? info.at : scheduled);
    const m = e?.live.find((x) => x.metric === p.metric);
    if (!e || !m || instantOf(m, p.threshold) !== p.at) {
      info.log.debug({ payload: p }, 'SLA timer moot: the case or its targets changed since it was scheduled');
      return;
    }
    const { c } = e;
    const label = METRIC_LABEL[p.metric];
    const breach = p.threshold === 'breach';
    const title = breach
      ? `SLA breached: ${c.number} ${label} overdue`
      : `SLA warning: ${c.number} ${label} at ${p.threshold === 'warn75' ? 75 : 90} %`;
    const body = `${c.subject} — ${c.priority}, ${e.policy?.row.name ?? 'no policy'}; due ${m.dueAt}`;
    const key = `sla:${c.id}:${p.metric}:${p.threshold}:${p.at}`;
    const { created } = await deps.notifications.notify({
      userId: c.assigneeUserId,
      queue: c.queue,
      kind: breach ? 'sla_breach' : 'sla_warning',
      caseId: c.id,
      caseNumber: c.number,
      title,
      body,
      data: { metric: p.metric, threshold: p.threshold, dueAt: m.dueAt, policyId: e.policy?.row.id ?? null },
      dedupeKey: key,
    });
    if (!created) return;
    await automation.recordSystemEntry(
      c.id,
      {
        body: `${title} (due ${m.dueAt}); notified ${c.assigneeUserId ? 'the assignee' : c.queue ? `queue ${c.queue}` : 'the desk'}`,
        data: {
          action: breach ? 'sla_breached' : 'sla_warning',
          metric: p.metric,
          threshold: p.threshold,
          dueAt: m.dueAt,
        },
      },
      info.at,
    );
  }

  return { recompute, fire, customerUpdate, remind };
}

/** The handlers the worker registers for the SLA module. */
export function slaJobs(deps: SlaJobsDeps): Record<string, JobHandler> {
  const timers = createSlaTimers(deps);
  return {
    [SLA_THRESHOLD]: defineJob(ThresholdPayload, (p, info) => timers.fire(p, info)),
    [SLA_CUSTOMER_UPDATE]: defineJob(CustomerUpdatePayload, (p, info) => timers.customerUpdate(p, info)),
    [SLA_VERIFICATION_REMIND]: defineJob(RemindPayload, (p, info) => timers.remind(p, info)),
    [SLA_VERIFICATION_CLOSE]: defineJob(VerificationPayload, async (p, info) => {
      const outcome = await deps.cases.automation.closeAfterVerification(
        p.caseId,
        p.resolvedAt,
        p.workingDays,
        info.at,
        p.extraDays,
      );
      info.log.info({ caseId: p.caseId, outcome }, 'verification period ended');
    }),
  };
}
