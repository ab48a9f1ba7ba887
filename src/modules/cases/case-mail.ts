/**
 * What the mail desk (src/modules/mail) does to cases: land an inbound mail on the case it belongs to, or open the
 * case a new mail asks for, with its sender as the case's contact. Addressed by id and run inside the caller's
 * transaction (the mail row is marked threaded in the same one: a mail is on exactly one case, once, even when its
 * job is retried after a crash). Which case a mail belongs to is the mail module's decision (mail-threading.ts);
 * these only write it, by the rules every reply follows (reply-policy.ts: reopen or follow-up).
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { attachmentsRepo } from './attachments.repo.ts';
import { SYSTEM_AUTHOR } from './case-automation.ts';
import { casePartiesRepo } from './case-parties.repo.ts';
import type { priorityInputsReader } from './case-priority.ts';
import { computedPriorityOf } from './case-priority.ts';
import { insertNumbered, type Landed, landEntry } from './case-writes.ts';
import { type CaseRow, casesRepo } from './cases.repo.ts';
import { caseContacts, caseEvents, caseProviderRefs, cases } from './cases.tables.ts';
import { replyOutcome } from './reply-policy.ts';

/** The entries by which the provider tells the customer how the case goes. */
const PUBLIC_UPDATE_KINDS = ['note', 'email_out', 'portal_message', 'phone_call'];

/** A case as threading needs it: where it stands and whose it is. */
export type MailCaseRef = { id: number; number: string; accountId: number; tenantId: number; state: string };

/** An inbound mail as a timeline entry. `side`: a customer's contact, or the provider's (a partner's ticketing). */
export type InboundEntry = {
  authorLabel: string;
  side: 'customer' | 'staff';
  /** internal: a partner's mail, or an auto-reply or bounce (recorded, never a customer reply). */
  visibility: 'public' | 'internal';
  body: string;
  data: Record<string, unknown>;
  /** The mail's files, kept as the entry's attachments (like files an agent attaches). */
  files?: readonly { filename: string; contentType: string; content: Buffer }[];
};

/** The mail's files as the entry's attachments, in the landing transaction. */
async function attachFiles(tx: Db, landed: Landed, files: InboundEntry['files']): Promise<void> {
  const repo = attachmentsRepo(tx);
  for (const f of files ?? []) {
    await repo.insert({
      tenantId: landed.case.tenantId,
      caseId: landed.case.id,
      eventId: landed.event.id,
      filename: f.filename,
      contentType: f.contentType,
      size: f.content.length,
      sha256: createHash('sha256').update(f.content).digest('hex'),
      content: f.content,
    });
  }
}

/** The timeline entry of an inbound mail (its case and time are the caller's). */
const inboundEvent = (entry: InboundEntry) => ({
  kind: 'email_in',
  visibility: entry.visibility,
  authorUserId: null,
  authorLabel: entry.authorLabel,
  authorSide: entry.side,
  body: entry.body,
  data: entry.data,
});

const SUBJECT_MAX = 200;
const DESCRIPTION_MAX = 20_000;

/** "Re: Fwd: AW: x" → "x": a new case's subject is what the mail is about. */
export function caseSubjectOf(subject: string | null): string {
  const s = (subject ?? '')
    .replace(/^(\s*(re|fwd?|aw|wg|sv|vs|tr|antw|rif|r)\s*(\[\d+\])?\s*:\s*)+/i, '')
    .trim()
    .slice(0, SUBJECT_MAX);
  return s === '' ? '(no subject)' : s;
}

/**
 * Per threading transaction (`burst`): the cases it locked up front and the contacts on them, kept current, and the
 * plain entries `land` holds back to write together when the burst ends (or before any other write to keep the
 * timeline in order).
 */
type Burst = { cases: Map<number, CaseRow>; contacts: Set<string>; held: (typeof caseEvents.$inferInsert)[] };
const lockedIn = new WeakMap<object, Burst>();

/** Writes the entries a burst holds back: one insert, their announcements, one touch of their cases. */
async function settle(tx: Db): Promise<void> {
  const burst = lockedIn.get(tx);
  if (!burst || burst.held.length === 0) return;
  const held = burst.held.splice(0);
  const r = casesRepo(tx);
  await r.insertEvents(held);
  await r.touchMany([...new Set(held.map((e) => e.caseId))]);
}

export function caseMailOps(deps: { db: Db; priorityInputs: ReturnType<typeof priorityInputsReader> }) {
  const rowRef = (c: typeof cases.$inferSelect): MailCaseRef => ({
    id: c.id,
    number: c.number,
    accountId: c.accountId,
    tenantId: c.tenantId,
    state: c.state,
  });
  return {
    /**
     * Cases by number or id. Major cases are left out unless asked for: a customer's mail belongs on its own child
     * case, but a mail already linked to one still shows its number.
     */
    async refs(by: {
      numbers?: readonly string[];
      ids?: readonly number[];
      includeMajor?: boolean;
    }): Promise<MailCaseRef[]> {
      const numbers = [...new Set(by.numbers ?? [])];
      const ids = [...new Set(by.ids ?? [])];
      if (numbers.length === 0 && ids.length === 0) return [];
      const where = numbers.length > 0 ? inArray(cases.number, numbers) : inArray(cases.id, ids);
      const rows = await deps.db
        .select()
        .from(cases)
        .where(and(where, by.includeMajor ? undefined : eq(cases.isMajor, false)));
      return rows.map(rowRef);
    },

    /**
     * What an outgoing mail about a case needs: the case, its contacts' ids, and the timeline entry the mail
     * carries (an agent's reply or public update) when there is one. Undefined when the case is gone.
     */
    async outboundFacts(caseId: number, entryId?: number) {
      const r = casesRepo(deps.db);
      const c = await r.byId(caseId);
      if (!c) return undefined;
      const contactIds = await casePartiesRepo(deps.db).contactIds(caseId);
      const [e] = entryId === undefined ? [] : await r.entriesByIds([entryId]);
      const entry =
        e && e.caseId === caseId
          ? { id: e.id, kind: e.kind, visibility: e.visibility, authorSide: e.authorSide, body: e.body }
          : undefined;
      // The provider's latest words to the customer, for a status mail that has none of its own.
      const [latest] = await deps.db
        .select({ body: caseEvents.body })
        .from(caseEvents)
        .where(
          and(
            eq(caseEvents.caseId, caseId),
            eq(caseEvents.visibility, 'public'),
            eq(caseEvents.authorSide, 'staff'),
            inArray(caseEvents.kind, PUBLIC_UPDATE_KINDS),
          ),
        )
        .orderBy(desc(caseEvents.at), desc(caseEvents.id))
        .limit(1);
      return {
        case: {
          ...rowRef(c),
          subject: c.subject,
          channel: c.channel,
          queue: c.queue,
          isMajor: c.isMajor,
          priority: c.priority,
          affectedSimCount: c.affectedSimCount,
        },
        contactIds,
        entry,
        latestUpdate: latest?.body ?? null,
      };
    },

    /** The newest case holding this partner's ticket number (case_provider_refs). */
    async byProviderTicket(provider: string, ticket: string): Promise<MailCaseRef | undefined> {
      const [row] = await deps.db
        .select({ c: cases })
        .from(caseProviderRefs)
        .innerJoin(cases, eq(cases.id, caseProviderRefs.caseId))
        .where(and(eq(caseProviderRefs.provider, provider), eq(caseProviderRefs.ticket, ticket)))
        .orderBy(caseProviderRefs.id)
        .limit(1);
      return row ? rowRef(row.c) : undefined;
    },

    /**
     * Lands the mail on case `caseId` as a customer reply does: appended, reopening a resolved case within the
     * window, or on a follow-up case after it (landEntry). Internal entries (partners, robots) are only appended.
     */
    async land(
      tx: Db,
      caseId: number,
      entry: InboundEntry,
      contactId: number | null,
      now: Date,
    ): Promise<Pick<Landed, 'case' | 'outcome'>> {
      const r = casesRepo(tx);
      const burst = lockedIn.get(tx);
      const c = burst?.cases.get(caseId) ?? (await r.lockById(caseId));
      if (!c) throw new Error(`case ${caseId} vanished while a mail was threaded onto it`);
      const facts = { kind: 'email_in', visibility: entry.visibility, byCustomer: entry.side === 'customer' };
      const outcome = replyOutcome({ ...facts, state: c.state, resolvedAt: c.resolvedAt }, now);
      const written = inboundEvent(entry);
      let landed: Pick<Landed, 'case' | 'outcome'>;
      if (burst && outcome === 'added' && (entry.files ?? []).length === 0) {
        // Most of a burst: replies appended to open cases, written together when the burst ends.
        burst.held.push({ ...written, caseId: c.id, tenantId: c.tenantId, at: now });
        landed = { case: c, outcome };
      } else {
        await settle(tx);
        let priority = c.priority;
        if (outcome === 'follow_up') {
          const { matrix, vipTierOf } = await deps.priorityInputs(tx, [c.accountId]);
          priority = computedPriorityOf(
            { type: c.type, severity: c.severity, affectedSimCount: 0, vipTier: vipTierOf(c.accountId) },
            matrix,
          );
        }
        const full = await landEntry(r, c, outcome, written, now, { priority, channel: 'email' });
        await attachFiles(tx, full, entry.files);
        landed = full;
      }
      const onCase = `${landed.case.id}:${contactId}`;
      if (contactId !== null && !burst?.contacts.has(onCase)) {
        await casePartiesRepo(tx).addContacts(landed.case.id, landed.case.tenantId, [contactId]);
        burst?.contacts.add(onCase);
      }
      // The locked rows stay current: every change to them in this transaction comes through here.
      burst?.cases.set(landed.case.id, landed.case);
      return landed;
    },

    /**
     * Runs `threadAll` (a burst of mail landing in transaction `tx`) with the cases it may land on locked up front, in
     * one statement and in id order (two bursts never wait on each other crosswise), and the contacts on them known:
     * `land` then neither locks nor adds a contact again, and holds plain replies back to write them all at the end.
     */
    async burst<T>(tx: Db, caseIds: readonly number[], threadAll: () => Promise<T>): Promise<T> {
      const ids = [...new Set(caseIds)].sort((a, b) => a - b);
      const burst: Burst = { cases: new Map(), contacts: new Set(), held: [] };
      lockedIn.set(tx, burst);
      if (ids.length > 0) {
        const rows = await tx.select().from(cases).where(inArray(cases.id, ids)).orderBy(cases.id).for('update');
        for (const c of rows) burst.cases.set(c.id, c);
        const on = await tx
          .select({ caseId: caseContacts.caseId, contactId: caseContacts.contactId })
          .from(caseContacts)
          .where(inArray(caseContacts.caseId, ids));
        for (const x of on) burst.contacts.add(`${x.caseId}:${x.contactId}`);
      }
      try {
        const result = await threadAll();
        await settle(tx);
        return result;
      } finally {
        lockedIn.delete(tx);
      }
    },

    /** Opens a case on the email channel from a new mail, its sender (a contact of the account) on it. */
    async open(
      tx: Db,
      input: { accountId: number; tenantId: number; queue: string; subject: string | null; contactId: number },
      entry: InboundEntry,
      now: Date,
    ): Promise<Landed> {
      await settle(tx);
      const r = casesRepo(tx);
      const { matrix, vipTierOf } = await deps.priorityInputs(tx, [input.accountId]);
      const facts = { type: 'incident', severity: 'medium', affectedSimCount: 0, vipTier: vipTierOf(input.accountId) };
      const priority = computedPriorityOf(facts, matrix);
      const c = await insertNumbered(r, now, {
        tenantId: input.tenantId,
        accountId: input.accountId,
        // The agent retypes it; most mail to an IoT desk is "my device can't send data".
        type: 'incident',
        channel: 'email',
        subject: caseSubjectOf(input.subject),
        description: entry.body.slice(0, DESCRIPTION_MAX),
        severity: 'medium',
        priority,
        computedPriority: priority,
        queue: input.queue,
        tags: [],
      });
      await r.insertEvent({
        caseId: c.id,
        tenantId: c.tenantId,
        at: now,
        kind: 'system',
        visibility: 'public',
        ...SYSTEM_AUTHOR,
        body: 'Case created from an e-mail',
        data: { action: 'created', state: c.state, channel: 'email', priority, affectedSimCount: 0 },
      });
      await casePartiesRepo(tx).addContacts(c.id, c.tenantId, [input.contactId]);
      const landed = await landEntry(r, c, 'added', inboundEvent(entry), now, { priority, channel: 'email' });
      await attachFiles(tx, landed, entry.files);
      return landed;
    },

    /** A staff-only note on a case (a mail that named it but was not let onto it, and where it went instead). */
    async note(tx: Db, caseId: number, body: string, data: Record<string, unknown>, now: Date): Promise<void> {
      await settle(tx);
      const r = casesRepo(tx);
      const c = await r.byId(caseId);
      if (!c) return;
      await r.insertEvent({
        caseId,
        tenantId: c.tenantId,
        at: now,
        kind: 'system',
        visibility: 'internal',
        ...SYSTEM_AUTHOR,
        body,
        data,
      });
      await r.touch(caseId);
    },
  };
}

export type CaseMailOps = ReturnType<typeof caseMailOps>;
