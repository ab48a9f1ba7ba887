/**
 * Domain events → webhook messages (docs/WEBHOOKS.md): for each event, the subscriptions that receive it — the
 * provider's, and those of the event's account or an account above it — each get one delivery, whose body is the
 * thing as that owner sees it (a customer's is the customer view: no staff-only field, staff shown as the desk).
 * One delivery per (subscription, event): a re-run of the fan-out adds none. Events come in batches (the worker
 * hands the subscriber every job it claimed): a batch costs a few queries whatever its size, then the first
 * attempts are made at once, in parallel.
 */
import type { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import type { DeliveredEvent } from '../../platform/events/define.ts';
import type { Logger } from '../../platform/log.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { AlarmEvents, customerAlarmDetails } from '../alarms/alarms.events.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import type { CasesService } from '../cases/cases.service.ts';
import { DiagnosisEvents } from '../diagnosis/diagnosis.events.ts';
import type { DiagnosisBatch } from '../diagnosis/diagnosis-batch.ts';
import { IngestEvents, type UsageDayClosed } from '../ingest/ingest.events.ts';
import { SimEvents } from '../sims/sims.events.ts';
import type { SimsService } from '../sims/sims.service.ts';
import type { createWebhookDelivery } from './webhooks.delivery.ts';
import { type SubscriptionRow, webhooksRepo } from './webhooks.repo.ts';
import { messageBody, newMessageId } from './webhooks.service.ts';
import type { WebhookEventType } from './webhooks.types.ts';

export type FanoutDeps = {
  cases: Pick<CasesService, 'messageViews'>;
  accounts: Pick<AccountsService, 'placesOf'>;
  sims: Pick<SimsService, 'iccidsOf'>;
  diagnoses: Pick<DiagnosisBatch, 'summaryOf'>;
  /** The first attempt is made at once, here, rather than by a job of its own (webhooks.delivery.ts). */
  delivery: Pick<ReturnType<typeof createWebhookDelivery>, 'attemptMany'>;
  /** When a first attempt not made (a crash) is swept up: after the attempt's own timeout, with a margin. */
  safetyDelayMs: number;
};

type Data = Record<string, unknown>;
/** The message's data for staff and for the customer (null: customers do not receive this one). */
type Message = {
  event: DeliveredEvent;
  type: WebhookEventType;
  /** What it is about: an account (its place is looked up), a place already known, or the provider's (null). */
  accountId: number | null;
  place?: { tenantId: number; path: string } | null;
  staff: Data;
  customer: Data | null;
};
type Payload = {
  caseId?: number;
  entryId?: number;
  from?: string;
  to?: string;
  importId?: number;
  simId?: number;
  accountId?: number;
  jobId?: number;
  tenantId?: number | null;
  accountPath?: string | null;
};

const SIM_EVENTS = new Set<string>([
  SimEvents.stateChanged.name,
  SimEvents.usageThresholdCrossed.name,
  AlarmEvents.raised.name,
  AlarmEvents.cleared.name,
]);
type AlarmRaised = z.infer<typeof AlarmEvents.raised.payload>;
type AlarmCleared = z.infer<typeof AlarmEvents.cleared.payload>;
type UsageThreshold = z.infer<typeof SimEvents.usageThresholdCrossed.payload>;

const CASE_TYPES: Record<string, WebhookEventType> = {
  [CaseEvents.opened.name]: 'case.opened',
  [CaseEvents.stateChanged.name]: 'case.state_changed',
  [CaseEvents.publicEntry.name]: 'case.public_update',
};

/** Does this subscription receive a message of this type about this account (tenant, path)? */
function receives(s: SubscriptionRow, type: string, at: { tenantId: number; path: string } | null): boolean {
  if (!s.eventTypes.includes('*') && !s.eventTypes.includes(type)) return false;
  if (s.tenantId === null) return true;
  return at !== null && s.tenantId === at.tenantId && at.path.startsWith(s.accountPath ?? '\u0000');
}

export function createWebhookFanout(ctx: Pick<Ctx, 'database'>, deps: FanoutDeps) {
  const db = ctx.database.db;

  /** What each event says to subscribers; events about a thing that is gone say nothing. */
  async function messagesOf(events: readonly DeliveredEvent[]): Promise<Message[]> {
    const refs = events.flatMap((e) => {
      const p = e.payload as Payload;
      return CASE_TYPES[e.name] && p.caseId !== undefined ? [{ caseId: p.caseId, entryId: p.entryId }] : [];
    });
    const views = await deps.cases.messageViews(refs);
    const simIds = events.flatMap((e) => {
      const p = e.payload as Payload;
      return SIM_EVENTS.has(e.name) && p.simId !== undefined ? [p.simId] : [];
    });
    const iccids = simIds.length > 0 ? await deps.sims.iccidsOf([...new Set(simIds)]) : new Map<number, string>();
    const summaries = new Map<number, NonNullable<Awaited<ReturnType<DiagnosisBatch['summaryOf']>>>>();
    for (const e of events) {
      const jobId = (e.payload as Payload).jobId;
      if (e.name !== DiagnosisEvents.jobFinished.name || jobId === undefined) continue;
      const summary = await deps.diagnoses.summaryOf(jobId);
      if (summary) summaries.set(jobId, summary);
    }
    return events.flatMap((e): Message[] => {
      const p = e.payload as Payload;
      if (e.name === SimEvents.added.name)
        return [{ event: e, type: 'sims.imported', accountId: null, staff: { importId: p.importId }, customer: null }];
      if (e.name === DiagnosisEvents.jobFinished.name) {
        const summary = p.jobId === undefined ? undefined : summaries.get(p.jobId);
        if (!summary) return [];
        // A customer's job goes to the subscriptions at or above the account that asked; staff jobs to the provider's.
        const place = p.tenantId && p.accountPath ? { tenantId: p.tenantId, path: p.accountPath } : null;
        return [
          {
            event: e,
            type: 'diagnosis.completed',
            accountId: null,
            place,
            staff: { job: summary },
            customer: place ? { job: summary } : null,
          },
        ];
      }
      if (e.name === IngestEvents.usageDayClosed.name) {
        const { tenantId: _tenant, ...day } = e.payload as UsageDayClosed;
        return [{ event: e, type: 'usage.daily', accountId: day.accountId, staff: day, customer: day }];
      }
      if (e.name === SimEvents.usageThresholdCrossed.name) {
        const iccid = p.simId === undefined ? undefined : iccids.get(p.simId);
        if (!iccid || p.accountId === undefined) return [];
        const { simId: _id, tenantId: _tenant, accountId, ...crossed } = e.payload as UsageThreshold;
        const data = { sim: { iccid, accountId }, ...crossed };
        return [{ event: e, type: 'sim.usage_threshold', accountId, staff: data, customer: data }];
      }
      if (e.name === AlarmEvents.raised.name || e.name === AlarmEvents.cleared.name) {
        const iccid = p.simId === undefined ? undefined : iccids.get(p.simId);
        if (!iccid || p.accountId === undefined) return [];
        const a = e.payload as AlarmRaised | AlarmCleared;
        const data = {
          alarm: { id: a.alarmId, type: a.type, severity: a.severity },
          sim: { iccid, accountId: a.accountId },
          at: a.at,
          ...('details' in a ? { details: a.details } : { by: a.by }),
        };
        const type = e.name === AlarmEvents.raised.name ? 'alarm.raised' : 'alarm.cleared';
        // The customer gets the condition's facts, not the rule that raised it.
        const customer = 'details' in a ? { ...data, details: customerAlarmDetails(a.details) } : data;
        return [{ event: e, type, accountId: a.accountId, staff: data, customer }];
      }
      if (e.name === SimEvents.stateChanged.name) {
        const iccid = p.simId === undefined ? undefined : iccids.get(p.simId);
        if (!iccid || p.accountId === undefined) return [];
        // The same for staff and customer: what moved, not who moved it or why (sims.viewer.ts).
        const data = { sim: { iccid, accountId: p.accountId }, from: p.from, to: p.to };
        return [{ event: e, type: 'sim.state_changed', accountId: p.accountId, staff: data, customer: data }];
      }
      const type = CASE_TYPES[e.name];
      const v = type && p.caseId !== undefined ? views.get(`${p.caseId}:${p.entryId ?? ''}`) : undefined;
      if (!type || !v) return [];
      const base = { event: e, type, accountId: v.accountId };
      if (type === 'case.state_changed') {
        const move = { from: p.from, to: p.to };
        return [{ ...base, staff: { ...v.staff, ...move }, customer: { ...v.customer, ...move } }];
      }
      // A public update goes to a customer only while the entry is public.
      if (type === 'case.public_update')
        return [{ ...base, staff: v.staff, customer: 'entry' in v.customer ? v.customer : null }];
      return [{ ...base, staff: v.staff, customer: v.customer }];
    });
  }

  async function fanOutMany(events: readonly DeliveredEvent[], log: Logger): Promise<number> {
    const messages = await messagesOf(events);
    if (messages.length === 0) return 0;
    const accountIds = messages.flatMap((m) => (m.accountId === null ? [] : [m.accountId]));
    const places = await deps.accounts.placesOf(accountIds);
    const tenants = [
      ...new Set([...places.values(), ...messages.flatMap((m) => (m.place ? [m.place] : []))].map((p) => p.tenantId)),
    ];
    const subs = await webhooksRepo(db).enabledFor(tenants);
    if (subs.length === 0) return 0;
    const safety = new Date(Date.now() + deps.safetyDelayMs);
    const rows = messages.flatMap((m) => {
      const at = m.place !== undefined ? m.place : m.accountId === null ? null : (places.get(m.accountId) ?? null);
      const occurred = new Date(m.event.occurredAt).getTime();
      return subs.flatMap((s) => {
        const data = s.tenantId === null ? m.staff : m.customer;
        // What happened before a subscription existed is not its (the fan-out may run later than the event).
        if (!data || s.createdAt.getTime() > occurred || !receives(s, m.type, at)) return [];
        return [
          {
            nextAttemptAt: safety,
            subscriptionId: s.id,
            tenantId: s.tenantId,
            messageId: newMessageId(),
            eventType: m.type,
            eventId: m.event.id,
            body: messageBody(m.type, data, new Date(m.event.occurredAt)),
          },
        ];
      });
    });
    if (rows.length === 0) return 0;
    // No job per delivery: its first attempt is made here, now. `next_attempt_at` is set past that attempt's
    // timeout, so if this process dies mid-attempt the worker's sweep (sweepUnattempted) gives the delivery a job
    // then: at least once, without a job row per message on the common path.
    const ids = await webhooksRepo(db).insertNewDeliveries(rows);
    const byId = new Map(subs.map((s) => [s.id, s]));
    const attempts = rows.flatMap((r) => {
      const id = ids.get(r.messageId);
      if (id === undefined) return []; // a re-run of the fan-out: this one was made before
      const delivery = { id, messageId: r.messageId, body: r.body };
      return [{ delivery, subscription: byId.get(r.subscriptionId)!, attempt: 1, manual: false }];
    });
    await deps.delivery.attemptMany(attempts, new Date(), log);
    log.debug({ events: events.length, deliveries: attempts.length }, 'webhook messages sent');
    return attempts.length;
  }

  return { fanOut: (e: DeliveredEvent, log: Logger) => fanOutMany([e], log), fanOutMany };
}
