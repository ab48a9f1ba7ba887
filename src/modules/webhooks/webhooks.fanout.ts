/**
 * Domain events → webhook messages (docs/WEBHOOKS.md): for each event, the subscriptions that receive it — the
 * provider's, and those of the event's account or an account above it — each get one delivery, whose body is the
 * thing as that owner sees it (a customer's is the customer view: no staff-only field, staff shown as the desk).
 * One delivery per (subscription, event): a re-run of the fan-out adds none.
 */

import type { Ctx } from '../../platform/context.ts';
import type { DeliveredEvent } from '../../platform/events/define.ts';
import type { Logger } from '../../platform/log.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import type { CasesService } from '../cases/cases.service.ts';
import { SimEvents } from '../sims/sims.events.ts';
import type { createWebhookDelivery } from './webhooks.delivery.ts';
import { webhooksRepo } from './webhooks.repo.ts';
import { enqueueDeliveries, messageBody, newMessageId } from './webhooks.service.ts';
import type { WebhookEventType } from './webhooks.types.ts';

export type FanoutDeps = {
  cases: Pick<CasesService, 'messageView'>;
  accounts: Pick<AccountsService, 'getInScope'>;
  /** The first attempt is made at once, here, rather than by a job of its own (webhooks.delivery.ts). */
  delivery: Pick<ReturnType<typeof createWebhookDelivery>, 'attemptNow'>;
  /** How late the safety job of a first attempt runs: after the attempt's own timeout, with a margin. */
  safetyDelayMs: number;
};

type Data = Record<string, unknown>;
/** The message's data for staff and for the customer (null: customers do not receive this one). */
type Message = {
  type: WebhookEventType;
  at: { tenantId: number; accountId: number } | null;
  staff: Data;
  customer: Data | null;
};

export function createWebhookFanout(ctx: Pick<Ctx, 'database'>, deps: FanoutDeps) {
  const db = ctx.database.db;

  /** What an event says to subscribers, or nothing (the thing is gone, or the event is not for webhooks). */
  async function messageOf(e: DeliveredEvent): Promise<Message | undefined> {
    const p = e.payload as { caseId?: number; entryId?: number; from?: string; to?: string; importId?: number };
    if (e.name === SimEvents.added.name) {
      return { type: 'sims.imported', at: null, staff: { importId: p.importId }, customer: null };
    }
    if (p.caseId === undefined) return undefined;
    const v = await deps.cases.messageView(p.caseId, p.entryId);
    if (!v) return undefined;
    const at = { tenantId: v.tenantId, accountId: v.accountId };
    if (e.name === CaseEvents.opened.name) return { type: 'case.opened', at, ...v };
    if (e.name === CaseEvents.stateChanged.name) {
      const move = { from: p.from, to: p.to };
      return {
        type: 'case.state_changed',
        at,
        staff: { ...v.staff, ...move },
        customer: { ...v.customer, ...move },
      };
    }
    if (e.name === CaseEvents.publicEntry.name) {
      // The entry as each sees it; a customer gets it only while it is public.
      return { type: 'case.public_update', at, staff: v.staff, customer: 'entry' in v.customer ? v.customer : null };
    }
    return undefined;
  }

  async function fanOut(e: DeliveredEvent, log: Logger): Promise<number> {
    const m = await messageOf(e);
    if (!m) return 0;
    const account = m.at ? await deps.accounts.getInScope({ kind: 'operator' }, m.at.accountId) : undefined;
    const subs = await webhooksRepo(db).matching(
      m.type,
      m.at && account ? { tenantId: m.at.tenantId, accountPath: account.path } : null,
    );
    const rows = subs.flatMap((s) => {
      const data = s.tenantId === null ? m.staff : m.customer;
      if (!data) return [];
      return [
        {
          subscriptionId: s.id,
          tenantId: s.tenantId,
          messageId: newMessageId(),
          eventType: m.type,
          eventId: e.id,
          body: messageBody(m.type, data, new Date(e.occurredAt)),
        },
      ];
    });
    if (rows.length === 0) return 0;
    // Each delivery gets a job before its first attempt is made here: if this process dies mid-attempt, the job
    // makes it later (at least once); after an attempt was made, the job finds it done and does nothing.
    const safety = new Date(Date.now() + deps.safetyDelayMs);
    const created = await db.transaction(async (tx) => {
      const inserted = await webhooksRepo(tx).insertDeliveries(rows);
      await enqueueDeliveries(tx, inserted, safety);
      return inserted;
    });
    const byId = new Map(subs.map((s) => [s.id, s]));
    const now = new Date();
    await Promise.all(created.map((d) => deps.delivery.attemptNow(d, byId.get(d.subscriptionId)!, 1, false, now, log)));
    log.debug({ event: e.name, eventId: e.id, deliveries: created.length }, 'webhook messages sent');
    return created.length;
  }

  return { fanOut };
}
