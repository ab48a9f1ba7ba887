/**
 * Threading inbound mail: gathers the facts mail-threading.ts decides on (mail-thread-facts.ts: the sender's contacts,
 * the cases its headers, token, subject and partner ticket name), then writes each decision — the mail on its case, a
 * new case, or triage — with the mail row marked threaded. A burst (the mails one worker claimed together) is read
 * in a few set-based queries and written in one transaction, oldest mail first, so a reply in the burst joins the
 * case its parent just opened. The rows are locked first and a threaded row is left alone, so a retried job never
 * lands a mail twice; one lock serializes the threading transactions of all workers, which would otherwise lock the
 * same cases in different orders.
 */
import { and, inArray, isNotNull, isNull, lt, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { emitMany } from '../../platform/events/emit.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseMailOps, InboundEntry } from '../cases/case-mail.ts';
import { MailEvents } from './mail.events.ts';
import { mailMessages } from './mail.tables.ts';
import { attachmentsOf, type MailAttachment } from './mail-parse.ts';
import { answeredIds, burstFacts, type MailRow } from './mail-thread-facts.ts';
import { decideThread, type PartnerPattern, type ThreadDecision } from './mail-threading.ts';

export type MailThreadDeps = {
  accounts: Pick<AccountsService, 'contactsByEmails' | 'placesOf' | 'flagBouncedEmail'>;
  cases: CaseMailOps;
  partners: readonly PartnerPattern[];
  senderLimitPerHour: number;
  /** ATTACHMENT_MAX_BYTES: a mail's file larger than this is named on the entry but not kept. */
  attachmentMaxBytes: number;
  /** Parses a stored mail (mail.service.ts), for a parent threaded ahead of its reply. */
  parse: (mailIds: readonly number[]) => Promise<void>;
  now?: () => Date;
};

/** pg_advisory_xact_lock key of threading transactions ("iotops mail thread"; any constant unique in the database). */
const THREAD_LOCK = 7_202_612_015;
type Outcome = { caseId: number | null; rule: string };
/** Where one mail of a burst went, as its row is to say. */
type Threaded = Outcome & {
  id: number;
  contactId?: number | null;
  triageReason?: string | null;
  refusedCaseId?: number | null;
  /** The case it landed on (for a reply behind it in the burst). */
  landed?: { id: number; number: string; accountId: number };
};
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

  /**
   * Writes decision `d` for mail `m` (its case entry, a new case, notes) and answers what the mail row is to say;
   * the rows of a burst are written together after (markThreaded).
   */
  async function apply(tx: Db, m: MailRow, d: ThreadDecision, now: Date, files: Kept): Promise<Threaded> {
    switch (d.kind) {
      case 'duplicate':
        return { id: m.id, rule: 'duplicate', caseId: null };
      case 'join': {
        const side = d.rule === 'partner_ticket' ? 'staff' : 'customer';
        const landed = await deps.cases.land(tx, d.caseId, entryOf(m, side, d.internal, files), d.contactId, now);
        return { id: m.id, rule: d.rule, caseId: landed.case.id, contactId: d.contactId, landed: landed.case };
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
        return {
          id: m.id,
          rule: 'new_case',
          caseId: landed.case.id,
          contactId: d.contactId,
          refusedCaseId: d.refused?.caseId ?? null,
          landed: landed.case,
        };
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
        return {
          id: m.id,
          rule: 'triage',
          caseId: null,
          triageReason: d.reason,
          refusedCaseId: d.refused?.caseId ?? null,
        };
    }
  }

  /** Earlier mail these answer that is stored but not threaded yet and not among them, oldest first. */
  async function unthreadedParents(rows: readonly MailRow[]): Promise<number[]> {
    const ids = [...new Set(rows.flatMap(answeredIds))];
    if (ids.length === 0) return [];
    const own = new Set(rows.map((m) => m.id));
    const found = await db
      .select({ id: mailMessages.id })
      .from(mailMessages)
      .where(
        and(
          inArray(mailMessages.messageId, ids),
          isNull(mailMessages.threadedAt),
          lt(mailMessages.id, Math.max(...own)),
        ),
      )
      .orderBy(mailMessages.id)
      .limit(MAX_PARENT_DEPTH + own.size);
    return found.map((r) => r.id).filter((id) => !own.has(id));
  }

  /**
   * The Message-IDs of these mails that another copy already holds on a case or in triage (threading holds
   * THREAD_LOCK, so two copies threaded at once take turns, whichever was parsed first: exactly one lands).
   */
  async function threadedElsewhere(tx: Db, rows: readonly MailRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const ids = [...new Set(rows.flatMap((m) => (m.messageId ? [m.messageId] : [])))];
    if (ids.length === 0) return new Set();
    const found = await tx
      .selectDistinct({ messageId: mailMessages.messageId })
      .from(mailMessages)
      .where(
        and(
          inArray(mailMessages.messageId, ids),
          isNotNull(mailMessages.threadedAt),
          sql`${mailMessages.threadRule} <> 'duplicate'`,
          notInArray(
            mailMessages.id,
            rows.map((m) => m.id),
          ),
        ),
      );
    return new Set(found.map((r) => r.messageId!));
  }

  /** The burst's rows say where each mail went, in one statement. */
  async function markThreaded(tx: Db, done: readonly Threaded[], at: Date): Promise<void> {
    if (done.length === 0) return;
    await tx.execute(sql`
      update ${mailMessages} m
         set threaded_at = ${at.toISOString()}::timestamptz, thread_rule = v.rule, case_id = v.case_id,
             contact_id = v.contact_id, triage_reason = v.triage_reason, refused_case_id = v.refused_case_id
        from jsonb_to_recordset(${JSON.stringify(
          done.map((d) => ({
            id: d.id,
            rule: d.rule,
            case_id: d.caseId,
            contact_id: d.contactId ?? null,
            triage_reason: d.triageReason ?? null,
            refused_case_id: d.refusedCaseId ?? null,
          })),
        )}::jsonb) as v(id bigint, rule text, case_id bigint, contact_id bigint, triage_reason text, refused_case_id bigint)
       where m.id = v.id`);
    await emitMany(
      tx,
      MailEvents.threaded,
      done.map((d) => ({ payload: { mailId: d.id, caseId: d.caseId, rule: d.rule } })),
    );
  }

  async function threadMany(mailIds: readonly number[], depth = 0): Promise<Map<number, Outcome>> {
    const out = new Map<number, Outcome>();
    if (mailIds.length === 0) return out;
    const rows = await db
      .select()
      .from(mailMessages)
      .where(
        and(
          inArray(mailMessages.id, [...new Set(mailIds)]),
          isNotNull(mailMessages.parsedAt),
          isNull(mailMessages.threadedAt),
        ),
      )
      .orderBy(mailMessages.id);
    if (rows.length === 0) return out;
    // A mail these answer may have arrived just before them and not be threaded yet (its job runs beside this
    // one): threaded first, or a reply would open a second case.
    if (depth < MAX_PARENT_DEPTH) {
      const parents = await unthreadedParents(rows);
      if (parents.length > 0) {
        await deps.parse(parents);
        await threadMany(parents, depth + 1);
      }
    }
    // A hard bounce: the desk stops writing to that address (its contacts show it) until it is changed.
    for (const m of rows)
      if (m.automatic === 'bounce')
        for (const r of m.bouncedRecipients ?? []) await deps.accounts.flagBouncedEmail(r, clock());
    const burst = await burstFacts(db, deps, rows);
    const files = new Map<number, Kept>();
    for (const m of rows) files.set(m.id, await keptFiles(m, deps.attachmentMaxBytes));
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${THREAD_LOCK})`);
      const locked = await tx
        .select({ id: mailMessages.id, threadedAt: mailMessages.threadedAt })
        .from(mailMessages)
        .where(
          inArray(
            mailMessages.id,
            rows.map((m) => m.id),
          ),
        )
        .orderBy(mailMessages.id)
        .for('update');
      const open = new Set(locked.filter((l) => l.threadedAt === null).map((l) => l.id));
      // Mails of the burst another worker threaded meanwhile count as elsewhere too.
      const landedIds = await threadedElsewhere(
        tx,
        rows.filter((m) => open.has(m.id)),
      );
      const done: Threaded[] = [];
      const now = clock();
      await deps.cases.burst(tx, burst.caseIds, async () => {
        for (const m of rows) {
          if (!open.has(m.id)) continue;
          const f = { ...burst.facts.get(m.id)!, referenced: burst.chain.caseOf(m) };
          if (!f.duplicate && m.messageId) f.duplicate = landedIds.has(m.messageId);
          const r = await apply(tx, m, decideThread(f), now, files.get(m.id)!);
          done.push(r);
          if (m.messageId && r.rule !== 'duplicate') landedIds.add(m.messageId);
          const place = r.landed && burst.placeOf(r.landed.accountId);
          if (r.landed && place)
            burst.chain.landedOn(m, {
              id: r.landed.id,
              number: r.landed.number,
              accountId: r.landed.accountId,
              accountPath: place,
            });
          out.set(m.id, { caseId: r.caseId, rule: r.rule });
        }
      });
      await markThreaded(tx, done, now);
    });
    return out;
  }

  return {
    /** Threads one parsed mail; a mail threaded already (a retried job) is left as it is (undefined). */
    thread: async (mailId: number): Promise<Outcome | undefined> => (await threadMany([mailId])).get(mailId),
    /** Threads parsed mails as one burst, oldest first: a reply in it finds the case its parent opened. */
    threadMany: async (mailIds: readonly number[]): Promise<void> => {
      await threadMany(mailIds);
    },
  };
}
