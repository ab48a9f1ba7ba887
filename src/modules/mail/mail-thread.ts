/**
 * Threading an inbound mail: gathers the facts mail-threading.ts decides on (the sender's contacts, the cases its
 * headers, token and subject name, a partner's ticket), then writes the decision — the mail on its case, a new case,
 * or triage — in one transaction with the mail row marked threaded. The row is locked first and a threaded row is
 * left alone, so a retried job never lands a mail twice.
 */
import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { emit } from '../../platform/events/emit.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseMailOps, InboundEntry, MailCaseRef } from '../cases/case-mail.ts';
import { MailEvents } from './mail.events.ts';
import { mailMessages, mailOutbound } from './mail.tables.ts';
import { attachmentsOf, type MailAttachment } from './mail-parse.ts';
import {
  caseTokenOf,
  decideThread,
  type NamedCase,
  type PartnerPattern,
  partnerOf,
  type SenderContact,
  subjectTagOf,
  type ThreadDecision,
} from './mail-threading.ts';

type MailRow = typeof mailMessages.$inferSelect;

export type MailThreadDeps = {
  accounts: Pick<AccountsService, 'contactsByEmail' | 'placesOf' | 'flagBouncedEmail'>;
  cases: CaseMailOps;
  partners: readonly PartnerPattern[];
  senderLimitPerHour: number;
  /** ATTACHMENT_MAX_BYTES: a mail's file larger than this is named on the entry but not kept. */
  attachmentMaxBytes: number;
  /** Parses a stored mail (mail.service.ts), for a parent threaded ahead of its reply. */
  parse: (mailId: number) => Promise<void>;
  now?: () => Date;
};

const HOUR_MS = 3_600_000;
/** How far up a chain of not yet threaded parents a reply threads them first. */
const MAX_PARENT_DEPTH = 5;

/** "Ann Example <ann@x.example>": how the timeline names a mail's author. */
const authorLabelOf = (m: MailRow) =>
  (m.fromName ? `${m.fromName} <${m.fromAddress ?? ''}>` : (m.fromAddress ?? '(no sender)')).slice(0, 400);

/** What a timeline entry keeps of the mail: the text, and the facts an agent asks for. */
export function entryOf(
  m: MailRow,
  side: InboundEntry['side'],
  internal: boolean,
  files: Kept = { files: [], skipped: [] },
): InboundEntry {
  return {
    files: files.files,
    authorLabel: authorLabelOf(m),
    side,
    visibility: internal ? 'internal' : 'public',
    body: m.textBody ?? '',
    data: {
      mailId: m.id,
      from: m.fromAddress,
      subject: m.subject,
      messageId: m.messageId,
      attachments: m.attachmentCount ?? 0,
      ...(m.automatic ? { automatic: m.automatic } : {}),
      ...(files.skipped.length > 0 ? { attachmentsNotKept: files.skipped } : {}),
    },
  };
}

type Kept = { files: MailAttachment[]; skipped: { filename: string; size: number; reason: string }[] };

/** The mail's files the case keeps: each up to the attachment limit; larger ones are named, not kept. */
export async function keptFiles(m: Pick<MailRow, 'raw' | 'attachmentCount'>, maxBytes: number): Promise<Kept> {
  if (!m.attachmentCount) return { files: [], skipped: [] };
  const all = await attachmentsOf(Buffer.from(m.raw));
  return {
    files: all.filter((f) => f.content.length <= maxBytes),
    skipped: all
      .filter((f) => f.content.length > maxBytes)
      .map((f) => ({ filename: f.filename, size: f.content.length, reason: `larger than ${maxBytes} bytes` })),
  };
}

export function mailThreader(db: Db, deps: MailThreadDeps) {
  const clock = deps.now ?? (() => new Date());

  async function named(refs: readonly (MailCaseRef | undefined)[]): Promise<(NamedCase | null)[]> {
    const places = await deps.accounts.placesOf(refs.flatMap((r) => (r ? [r.accountId] : [])));
    return refs.map((r) => {
      const place = r && places.get(r.accountId);
      return r && place ? { id: r.id, number: r.number, accountId: r.accountId, accountPath: place.path } : null;
    });
  }

  /**
   * The case of the newest mail this one answers: In-Reply-To first, then References from the last. Our own
   * outbound mail (mail_outbound) and earlier inbound mail on a case (a colleague's reply-all) both count.
   */
  async function referencedCase(tx: Db, m: MailRow): Promise<MailCaseRef | undefined> {
    const ids = [...new Set([m.inReplyTo, ...[...(m.references ?? [])].reverse()].filter((x): x is string => !!x))];
    if (ids.length === 0) return undefined;
    const inbound = await tx
      .select({ messageId: mailMessages.messageId, caseId: mailMessages.caseId })
      .from(mailMessages)
      .where(and(inArray(mailMessages.messageId, ids), isNotNull(mailMessages.caseId), lt(mailMessages.id, m.id)))
      .orderBy(desc(mailMessages.id));
    const outbound = await tx
      .select({ messageId: mailOutbound.messageId, caseId: mailOutbound.caseId })
      .from(mailOutbound)
      .where(inArray(mailOutbound.messageId, ids));
    const byId = new Map<string | null, number>();
    for (const r of [...outbound, ...inbound]) if (!byId.has(r.messageId)) byId.set(r.messageId, r.caseId!);
    const caseId = ids.map((i) => byId.get(i)).find((x) => x !== undefined);
    if (caseId === undefined) return undefined;
    return (await deps.cases.refs({ ids: [caseId] }))[0];
  }

  async function facts(tx: Db, m: MailRow) {
    const contacts: SenderContact[] = m.fromAddress
      ? (await deps.accounts.contactsByEmail(m.fromAddress)).map((c) => ({
          id: c.id,
          accountId: c.accountId,
          tenantId: c.tenantId,
          accountPath: c.accountPath,
          name: c.name,
        }))
      : [];
    const partner = partnerOf(deps.partners, m.fromAddress, m.subject, m.textBody);
    const partnerCase = partner?.ticket
      ? await deps.cases.byProviderTicket(partner.provider, partner.ticket)
      : undefined;
    const numbers = {
      token: caseTokenOf([...m.envelopeTo, ...(m.recipients ?? [])], m.textBody),
      tag: subjectTagOf(m.subject),
    };
    const byNumber = new Map(
      (await deps.cases.refs({ numbers: [numbers.token, numbers.tag].filter((x): x is string => !!x) })).map((c) => [
        c.number,
        c,
      ]),
    );
    const [referenced, token, tagged, partnered] = await named([
      await referencedCase(tx, m),
      numbers.token ? byNumber.get(numbers.token) : undefined,
      numbers.tag ? byNumber.get(numbers.tag) : undefined,
      partnerCase,
    ]);
    const [recent] = m.fromAddress
      ? await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(mailMessages)
          .where(
            and(
              eq(mailMessages.fromAddress, m.fromAddress),
              gte(mailMessages.receivedAt, new Date(m.receivedAt.getTime() - HOUR_MS)),
              lt(mailMessages.id, m.id),
            ),
          )
      : [{ n: 0 }];
    return {
      duplicate: m.duplicateOf !== null,
      automatic: m.automatic,
      senderContacts: contacts,
      partner: partner && { ...partner, case: partnered ?? null },
      referenced: referenced ?? null,
      token: token ?? null,
      tagged: tagged ?? null,
      rateLimited: (recent?.n ?? 0) >= deps.senderLimitPerHour,
      senderUnverified: m.senderAuth !== null,
    };
  }

  async function apply(tx: Db, m: MailRow, d: ThreadDecision, now: Date, files: Kept) {
    const done = (set: Partial<MailRow>) =>
      tx
        .update(mailMessages)
        .set({ threadedAt: now, ...set })
        .where(eq(mailMessages.id, m.id));
    switch (d.kind) {
      case 'duplicate':
        await done({ threadRule: 'duplicate' });
        return { caseId: null, rule: 'duplicate' };
      case 'join': {
        const side = d.rule === 'partner_ticket' ? 'staff' : 'customer';
        const landed = await deps.cases.land(tx, d.caseId, entryOf(m, side, d.internal, files), d.contactId, now);
        await done({ threadRule: d.rule, caseId: landed.case.id, contactId: d.contactId });
        return { caseId: landed.case.id, rule: d.rule };
      }
      case 'open': {
        const landed = await deps.cases.open(
          tx,
          { accountId: d.accountId, tenantId: d.tenantId, queue: m.queue, subject: m.subject, contactId: d.contactId },
          entryOf(m, 'customer', false, files),
          now,
        );
        if (d.refused) {
          const body = `A mail from ${m.fromAddress}, a contact of another account, named ${d.refused.number} (${d.refused.rule}); it was not added there.`;
          await deps.cases.note(tx, landed.case.id, body, { action: 'mail_linked', linked: d.refused.number }, now);
          await deps.cases.note(
            tx,
            d.refused.caseId,
            `A mail from ${m.fromAddress}, a contact of another account, named this case; it opened ${landed.case.number} instead.`,
            { action: 'mail_linked', linked: landed.case.number, mailId: m.id },
            now,
          );
        }
        await done({
          threadRule: 'new_case',
          caseId: landed.case.id,
          contactId: d.contactId,
          refusedCaseId: d.refused?.caseId ?? null,
        });
        return { caseId: landed.case.id, rule: 'new_case' };
      }
      case 'triage':
        if (d.refused) {
          await deps.cases.note(
            tx,
            d.refused.caseId,
            `A mail from ${m.fromAddress ?? '(no sender)'} named this case but its sender is not a contact of the case's account; it waits in triage (mail ${m.id}).`,
            { action: 'mail_triaged', mailId: m.id, reason: d.reason },
            now,
          );
        }
        await done({ threadRule: 'triage', triageReason: d.reason, refusedCaseId: d.refused?.caseId ?? null });
        return { caseId: null, rule: 'triage' };
    }
  }

  /** Earlier mail this one answers that is stored but not threaded yet, oldest first. */
  async function unthreadedParents(m: MailRow): Promise<number[]> {
    const ids = [...new Set([m.inReplyTo, ...(m.references ?? [])].filter((x): x is string => !!x))];
    if (ids.length === 0) return [];
    const rows = await db
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(and(inArray(mailMessages.messageId, ids), isNull(mailMessages.threadedAt), lt(mailMessages.id, m.id)))
      .orderBy(mailMessages.id)
      .limit(MAX_PARENT_DEPTH);
    return rows.map((r) => r.id);
  }

  /**
   * Whether another copy of this Message-ID is on a case or in triage already. The transaction-scoped lock on the
   * id makes two copies threaded at once take turns, whichever was parsed first: exactly one lands.
   */
  async function anotherCopyThreaded(tx: Db, m: MailRow): Promise<boolean> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${m.messageId}, 15))`);
    const [other] = await tx
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(
        and(
          eq(mailMessages.messageId, m.messageId!),
          isNotNull(mailMessages.threadedAt),
          sql`${mailMessages.threadRule} <> 'duplicate'`,
          sql`${mailMessages.id} <> ${m.id}`,
        ),
      )
      .limit(1);
    return other !== undefined;
  }

  async function thread(mailId: number, depth = 0): Promise<{ caseId: number | null; rule: string } | undefined> {
    const [m] = await db.select().from(mailMessages).where(eq(mailMessages.id, mailId));
    if (!m || m.parsedAt === null || m.threadedAt !== null) return undefined;
    // The mail this one answers may have arrived just before it and not be threaded yet (its job runs beside
    // this one): thread it first, or this reply would open a second case.
    if (depth < MAX_PARENT_DEPTH) {
      for (const parentId of await unthreadedParents(m)) {
        await deps.parse(parentId);
        await thread(parentId, depth + 1);
      }
    }
    // A hard bounce: the desk stops writing to that address (its contacts show it) until it is changed.
    if (m.automatic === 'bounce')
      for (const r of m.bouncedRecipients ?? []) await deps.accounts.flagBouncedEmail(r, clock());
    const f = await facts(db, m);
    const files = await keptFiles(m, deps.attachmentMaxBytes);
    return db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ threadedAt: mailMessages.threadedAt })
        .from(mailMessages)
        .where(eq(mailMessages.id, mailId))
        .for('update');
      if (!locked || locked.threadedAt !== null) return undefined;
      if (!f.duplicate && m.messageId) f.duplicate = await anotherCopyThreaded(tx, m);
      const out = await apply(tx, m, decideThread(f), clock(), files);
      await emit(tx, MailEvents.threaded, { mailId, caseId: out.caseId, rule: out.rule });
      return out;
    });
  }

  return {
    /**
     * Threads a parsed mail; a mail threaded already (a retried job) is left as it is. The facts are read before
     * the transaction (the embedded database has one connection: a read beside an open transaction would wait for
     * it); the transaction locks the row, checks it is still unthreaded, and writes.
     */
    thread: (mailId: number) => thread(mailId),
  };
}
