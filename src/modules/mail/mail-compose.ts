/**
 * Outgoing mail about cases: on a case event, which mail is due (decideOutbound, pure), to whom (the case's
 * contacts with an address, each in its language), and with which headers, so that the customer's reply threads
 * back (mail-thread.ts): Message-ID, In-Reply-To and References, the subject tag [C-…], the reply-to plus-address
 * and the [ref:C-…] line. Each mail is a row of mail_outbound written with its `mail.send` job in one transaction,
 * keyed by its event and recipient, so a retried subscriber job never mails twice.
 *
 * Guards, each leaving the row `suppressed` with the reason (the outbox shows it): an address that bounced for good;
 * one of the desk's own addresses (a loop); more than AUTOMATIC_PER_HOUR automatic mails to one address in an hour.
 */
import { createHash } from 'node:crypto';
import { and, eq, gte, sql } from 'drizzle-orm';
import type { TenantScope } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import type { DeliveredEvent } from '../../platform/events/define.ts';
import { enqueueIn } from '../../platform/jobs/outbox.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseMailOps } from '../cases/case-mail.ts';
import { mailMessages, mailOutbound, mailTemplates } from './mail.tables.ts';
import {
  AUTOMATIC_KINDS,
  DEFAULT_TEMPLATES,
  dateWords,
  isLanguage,
  type Language,
  type MailKind,
  render,
  stateWords,
  type Template,
} from './mail-templates.ts';
import { bodyToken } from './mail-threading.ts';

export const SEND_JOB = 'mail.send';
/** Attempts of one mail at the relay: with the queue's backoff (10 s doubling, capped at 1 h) about 5 hours. */
export const SEND_ATTEMPTS = 12;
/** Automatic mails one address gets in an hour at most: two desks auto-answering each other stop here. */
export const AUTOMATIC_PER_HOUR = 10;
const REFERENCES_KEPT = 10;
const OPERATOR: TenantScope = { kind: 'operator' };

/** What happened to the case, as far as outgoing mail cares. */
export type OutboundTrigger =
  | { event: 'opened'; channel: string; isMajor: boolean }
  | { event: 'state_changed'; to: string }
  | { event: 'public_entry'; kind: string; authorSide: string }
  | { event: 'customer_update_due' }
  | { event: 'verification_reminder_due' };

/** Which mail, if any, a case event calls for. */
export function decideOutbound(t: OutboundTrigger): MailKind | null {
  switch (t.event) {
    // Monitoring found it first: the customer is told what was seen and what is done (not "we received your
    // request"); a major case has no customer.
    case 'opened':
      return t.isMajor ? null : t.channel === 'monitoring' ? 'monitoring_opened' : 'case_received';
    case 'state_changed':
      return t.to === 'pending_customer'
        ? 'waiting_for_you'
        : t.to === 'resolved'
          ? 'resolved'
          : t.to === 'closed'
            ? 'closed'
            : null;
    case 'public_entry':
      // Only the provider's words go out: a customer's own mail or portal message is not mailed back to it.
      if (t.authorSide !== 'staff') return null;
      if (t.kind === 'email_out' || t.kind === 'portal_message') return 'agent_reply';
      return t.kind === 'note' || t.kind === 'phone_call' ? 'public_update' : null;
    case 'customer_update_due':
      return 'status_update';
    case 'verification_reminder_due':
      return 'verification_reminder';
  }
}

export type ComposeDeps = {
  accounts: Pick<AccountsService, 'contactsByIds'>;
  cases: CaseMailOps;
  mailFrom: { name: string; address: string };
  /** Accepted address → queue (MAIL_ADDRESSES): replies go to the case queue's plus-address. */
  mailAddresses: ReadonlyMap<string, string>;
  relay: boolean;
  now?: () => Date;
};

export function mailComposer(db: Db, deps: ComposeDeps) {
  const clock = deps.now ?? (() => new Date());
  const domain = deps.mailFrom.address.split('@')[1]!;

  /** The address replies go to: the case queue's (else From's) with the case number as plus-tag. */
  function replyToOf(queue: string | null, number: string): string {
    const address = [...deps.mailAddresses].find(([, q]) => q === queue)?.[0] ?? deps.mailFrom.address;
    const [local, host] = address.split('@');
    return `${local}+${number}@${host}`;
  }

  async function templateOf(kind: MailKind, language: Language): Promise<Template> {
    const [row] = await db
      .select({ subject: mailTemplates.subject, body: mailTemplates.body })
      .from(mailTemplates)
      .where(and(eq(mailTemplates.kind, kind), eq(mailTemplates.language, language)));
    return row ?? DEFAULT_TEMPLATES[kind][language];
  }

  /** The case's thread so far: the newest inbound Message-ID, and the last few ids either way, oldest first. */
  async function threadOf(caseId: number): Promise<{ inReplyTo: string | null; references: string[] }> {
    const rows = await queryRows<{ mid: string; at: Date | string; inbound: boolean }>(
      db,
      sql`
      (select message_id as mid, received_at as at, true as inbound from ${mailMessages}
         where case_id = ${caseId} and message_id is not null order by ${mailMessages.id} desc limit ${REFERENCES_KEPT})
      union all
      (select message_id, created_at, false from ${mailOutbound}
         where case_id = ${caseId} order by ${mailOutbound.id} desc limit ${REFERENCES_KEPT})`,
    );
    const list = rows
      .map((r) => ({ id: r.mid, inbound: r.inbound, at: new Date(r.at).getTime() }))
      .sort((a, b) => a.at - b.at);
    const inbound = list.filter((r) => r.inbound);
    return {
      inReplyTo: inbound.at(-1)?.id ?? null,
      references: [...new Set(list.map((r) => r.id))].slice(-REFERENCES_KEPT),
    };
  }

  async function automaticSentTo(address: string, since: Date): Promise<number> {
    const [r] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(mailOutbound)
      .where(
        and(
          eq(mailOutbound.toAddress, address),
          eq(mailOutbound.automatic, true),
          gte(mailOutbound.createdAt, since),
          sql`${mailOutbound.state} <> 'suppressed'`,
        ),
      );
    return r?.n ?? 0;
  }

  return {
    /**
     * Writes the mails a case event calls for (none, or one per contact with an address). `dates`: the instants an
     * SLA mail names (the next update, the day the case closes).
     */
    async compose(
      e: DeliveredEvent,
      caseId: number,
      trigger: (f: Facts) => OutboundTrigger | null,
      entryId?: number,
      dates: { nextUpdateBy?: Date; closesOn?: Date } = {},
    ) {
      const facts = await deps.cases.outboundFacts(caseId, entryId);
      if (!facts) return 0;
      const t = trigger(facts);
      const kind = t && decideOutbound(t);
      if (!kind) return 0;
      const contacts = (await deps.accounts.contactsByIds(OPERATOR, facts.contactIds)).filter((k) => k.email);
      if (contacts.length === 0) return 0;
      const c = facts.case;
      const automatic = AUTOMATIC_KINDS.has(kind);
      const thread = await threadOf(c.id);
      const now = clock();
      const rows: (typeof mailOutbound.$inferInsert)[] = [];
      for (const k of contacts) {
        const address = k.email!.toLowerCase();
        const language: Language = isLanguage(k.language) ? k.language : 'en';
        const text = render(await templateOf(kind, language), {
          caseNumber: c.number,
          caseSubject: c.subject,
          contactName: k.name,
          // A status mail carries the latest public update (or, before any, what the case is about).
          message: facts.entry?.body ?? (kind === 'status_update' ? (facts.latestUpdate ?? c.subject) : ''),
          caseState: stateWords(c.state, language),
          casePriority: c.priority,
          nextUpdateBy: dates.nextUpdateBy ? dateWords(dates.nextUpdateBy, language) : '',
          closesOn: dates.closesOn ? dateWords(dates.closesOn, language) : '',
          affectedSims: String(c.affectedSimCount),
        });
        const sourceKey = `${e.id}:${k.id}`;
        const hash = createHash('sha256').update(sourceKey).digest('hex').slice(0, 16);
        const suppressed = k.emailBouncedAt
          ? 'the address bounced for good'
          : deps.mailAddresses.has(address) || address === deps.mailFrom.address
            ? "one of the desk's own addresses (a loop)"
            : automatic && (await automaticSentTo(address, new Date(now.getTime() - 3_600_000))) >= AUTOMATIC_PER_HOUR
              ? `more than ${AUTOMATIC_PER_HOUR} automatic mails to this address in an hour`
              : null;
        rows.push({
          caseId: c.id,
          tenantId: c.tenantId,
          contactId: k.id,
          kind,
          automatic,
          sourceKey,
          entryId: facts.entry?.id ?? null,
          toAddress: address,
          toName: k.name,
          language,
          fromAddress: deps.mailFrom.address,
          replyTo: replyToOf(c.queue, c.number),
          subject: `[${c.number}] ${text.subject}`.slice(0, 900),
          textBody: `${text.body}\n\n-- \n${bodyToken(c.number)}`,
          messageId: `<${c.number}.${hash}@${domain}>`,
          inReplyTo: thread.inReplyTo,
          references: thread.references,
          state: suppressed ? 'suppressed' : deps.relay ? 'queued' : 'held',
          lastError: suppressed,
          createdAt: now,
        });
      }
      return db.transaction(async (tx) => {
        const written = await tx
          .insert(mailOutbound)
          .values(rows)
          .onConflictDoNothing({ target: mailOutbound.sourceKey })
          .returning({ id: mailOutbound.id, state: mailOutbound.state });
        for (const w of written) {
          if (w.state === 'queued')
            await enqueueIn(
              tx,
              SEND_JOB,
              { outboundId: w.id },
              { dedupeKey: `${SEND_JOB}:${w.id}`, maxAttempts: SEND_ATTEMPTS },
            );
        }
        return written.length;
      });
    },
  };
}

export type Facts = NonNullable<Awaited<ReturnType<CaseMailOps['outboundFacts']>>>;
