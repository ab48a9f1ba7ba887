/**
 * The triage queue: mail threading would not put on a case by itself (an unknown or ambiguous sender, a robot with
 * no case, a sender past the hourly limit, a partner ticket no case holds). An agent puts each on a case, opens a
 * case for it on an account (its sender becoming that account's contact), or dismisses it. Mail is staff-only: a
 * customer reads its mail as entries of its own cases, never the desk's mailbox.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { emit } from '../../platform/events/emit.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseMailOps } from '../cases/case-mail.ts';
import { MailErrors as E } from './mail.errors.ts';
import { MailEvents } from './mail.events.ts';
import type { AssignMailInput } from './mail.schemas.ts';
import { mailMessages } from './mail.tables.ts';
import { entryOf, keptFiles } from './mail-thread.ts';

export type MailRow = typeof mailMessages.$inferSelect;
/** A mail row with the case numbers its ids stand for (the cases module's, looked up by id). */
export type MailWithCases = { mail: MailRow; caseNumber: string | null; namedCaseNumber: string | null };

const MAX_HEADERS = 300;

export function mailTriage(
  db: Db,
  deps: {
    accounts: Pick<AccountsService, 'get' | 'contactsByEmail' | 'addContact'>;
    cases: CaseMailOps;
    attachmentMaxBytes: number;
    now?: () => Date;
  },
) {
  const clock = deps.now ?? (() => new Date());

  function staffOnly(p: Principal) {
    if (!isStaff(p)) throw forbidden(E.staffOnly, 'The mailbox is the provider’s: staff only');
  }

  async function withCases(rows: MailRow[]): Promise<MailWithCases[]> {
    const ids = rows.flatMap((r) => [r.caseId, r.refusedCaseId]).filter((x): x is number => x !== null);
    const numbers = new Map((await deps.cases.refs({ ids, includeMajor: true })).map((c) => [c.id, c.number]));
    return rows.map((mail) => ({
      mail,
      caseNumber: mail.caseId === null ? null : (numbers.get(mail.caseId) ?? null),
      namedCaseNumber: mail.refusedCaseId === null ? null : (numbers.get(mail.refusedCaseId) ?? null),
    }));
  }

  async function load(id: number): Promise<MailRow> {
    const [m] = await db.select().from(mailMessages).where(eq(mailMessages.id, id));
    if (!m) throw notFound(E.notFound, `Mail ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return m;
  }

  /** Takes the mail out of triage inside `write`'s transaction, or answers 409 if someone else did first. */
  async function handle(id: number, write: (tx: Db, m: MailRow) => Promise<Partial<MailRow>>): Promise<void> {
    await load(id);
    await db.transaction(async (tx) => {
      const [m] = await tx.select().from(mailMessages).where(eq(mailMessages.id, id)).for('update');
      if (m?.threadRule !== 'triage') {
        throw conflict(E.notInTriage, `Mail ${id} is not in triage`, [
          { field: 'id', value: id, reason: `it is ${m?.threadRule ?? 'not threaded yet'}` },
        ]);
      }
      const set = await write(tx, m);
      await tx.update(mailMessages).set(set).where(eq(mailMessages.id, id));
      await emit(tx, MailEvents.threaded, { mailId: id, caseId: set.caseId ?? null, rule: String(set.threadRule) });
    });
  }

  return {
    /** What waits for an agent, oldest first. */
    async list(p: Principal, page: { limit: number; cursor?: string | undefined }) {
      staffOnly(p);
      const rows = await db
        .select()
        .from(mailMessages)
        .where(
          and(
            sql`${mailMessages.threadRule} = 'triage'`,
            page.cursor === undefined ? undefined : gt(mailMessages.id, Number(page.cursor)),
          ),
        )
        .orderBy(asc(mailMessages.id))
        .limit(page.limit + 1);
      const more = rows.length > page.limit;
      const items = await withCases(rows.slice(0, page.limit));
      // All of it, not the page: the console's badge says how much waits (a partial index keeps this cheap).
      const [all] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(mailMessages)
        .where(sql`${mailMessages.threadRule} = 'triage'`);
      return { items, nextCursor: more ? String(items.at(-1)!.mail.id) : null, total: all?.n ?? 0 };
    },

    /** One mail as stored and read, with every header line (re-read from the raw message). */
    async show(p: Principal, id: number): Promise<MailWithCases & { headers: { name: string; value: string }[] }> {
      staffOnly(p);
      const m = await load(id);
      const [withNumbers] = await withCases([m]);
      let headers: { name: string; value: string }[] = [];
      try {
        const parsed = await PostalMime.parse(m.raw, { maxNestingDepth: 32, maxHeadersSize: 256 * 1024 });
        headers = parsed.headerLines.slice(0, MAX_HEADERS).map((h) => {
          const colon = h.line.indexOf(':');
          const clean = (s: string) => s.replaceAll('\u0000', '').toWellFormed();
          return { name: clean(h.line.slice(0, colon)), value: clean(h.line.slice(colon + 1).trim()) };
        });
      } catch {
        // The parse warning stored with the mail says why; the raw message is still there.
      }
      return { ...withNumbers!, headers };
    },

    /** The message exactly as received (message/rfc822). */
    async raw(p: Principal, id: number): Promise<Buffer> {
      staffOnly(p);
      return Buffer.from((await load(id)).raw);
    },

    /** Onto an existing case, or onto a new case of an account with the sender as its contact. */
    async assign(p: Principal, id: number, input: AssignMailInput): Promise<{ caseNumber: string }> {
      staffOnly(p);
      const m = await load(id);
      const by = { handledBy: p.email, handledAt: clock() };
      let caseNumber = '';
      if ('caseNumber' in input) {
        const [c] = await deps.cases.refs({ numbers: [input.caseNumber] });
        if (!c) {
          throw notFound(E.caseNotFound, `Case ${input.caseNumber} not found`, [
            { field: 'caseNumber', value: input.caseNumber, reason: 'no such case (or a major case)' },
          ]);
        }
        // A partner's mail stays on the provider's side whatever the agent picks.
        const internal = input.visibility === 'internal' || m.triageReason === 'partner_ticket_unknown';
        const side = m.triageReason === 'partner_ticket_unknown' ? 'staff' : 'customer';
        const files = await keptFiles(m, deps.attachmentMaxBytes);
        await handle(id, async (tx) => {
          const landed = await deps.cases.land(tx, c.id, entryOf(m, side, internal, files), null, clock());
          await deps.cases.note(
            tx,
            landed.case.id,
            `Mail ${id} put on this case from triage by ${p.email}`,
            { action: 'mail_assigned', mailId: id },
            clock(),
          );
          caseNumber = landed.case.number;
          return { threadRule: 'assigned', caseId: landed.case.id, ...by };
        });
        return { caseNumber };
      }
      if (!m.fromAddress) {
        throw conflict(E.noSender, `Mail ${id} has no sender address to become a contact`, [
          { field: 'accountId', value: input.accountId, reason: 'put it on an existing case instead (caseNumber)' },
        ]);
      }
      const account = await deps.accounts.get(p, input.accountId).catch(() => {
        throw notFound(E.accountNotFound, `Account ${input.accountId} not found`, [
          { field: 'accountId', value: input.accountId, reason: 'not found' },
        ]);
      });
      // The sender becomes the account's contact (unless it is one): the next mail from it threads by itself.
      const known = (await deps.accounts.contactsByEmail(m.fromAddress)).find((k) => k.accountId === account.id);
      const contact =
        known ??
        (await deps.accounts.addContact(p, account.id, {
          name: (m.fromName ?? m.fromAddress).slice(0, 200),
          email: m.fromAddress,
          roles: [],
        }));
      const files = await keptFiles(m, deps.attachmentMaxBytes);
      await handle(id, async (tx) => {
        const landed = await deps.cases.open(
          tx,
          {
            accountId: account.id,
            tenantId: account.tenantId,
            queue: m.queue,
            subject: m.subject,
            contactId: contact.id,
          },
          entryOf(m, 'customer', m.automatic !== null, files),
          clock(),
        );
        await deps.cases.note(
          tx,
          landed.case.id,
          `Opened from triage by ${p.email}`,
          { action: 'mail_assigned', mailId: id },
          clock(),
        );
        caseNumber = landed.case.number;
        return { threadRule: 'assigned', caseId: landed.case.id, contactId: contact.id, ...by };
      });
      return { caseNumber };
    },

    /** Out of triage without a case (spam, a newsletter): kept, listed nowhere. */
    async dismiss(p: Principal, id: number, note: string | undefined): Promise<void> {
      staffOnly(p);
      await handle(id, async () => ({
        threadRule: 'dismissed',
        handledBy: p.email,
        handledAt: clock(),
        handledNote: note ?? null,
      }));
    },
  };
}
