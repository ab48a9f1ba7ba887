/**
 * The facts threading decides on (mail-threading.ts), read for a burst of mails at once: the senders' contacts, the
 * cases their headers, tokens, subject tags and partner tickets name, and each sender's count in the last hour, in a
 * handful of set-based reads rather than a dozen per mail. Read before the threading transaction (the embedded
 * database has one connection: a read beside an open transaction would wait for it). A reply whose parent is in the
 * same burst learns the parent's case inside that transaction (`ReferenceChain`).
 */
import { and, desc, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseMailOps, MailCaseRef } from '../cases/case-mail.ts';
import { mailMessages, mailOutbound } from './mail.tables.ts';
import {
  caseTokenOf,
  type NamedCase,
  type PartnerPattern,
  partnerOf,
  type SenderContact,
  subjectTagOf,
  type ThreadFacts,
} from './mail-threading.ts';

export type MailRow = typeof mailMessages.$inferSelect;

export type FactsDeps = {
  accounts: Pick<AccountsService, 'contactsByEmails' | 'placesOf'>;
  cases: Pick<CaseMailOps, 'refs' | 'byProviderTicket'>;
  partners: readonly PartnerPattern[];
  senderLimitPerHour: number;
};

const HOUR_MS = 3_600_000;

/** The Message-IDs a mail answers, newest first: In-Reply-To, then References from the last. */
export const answeredIds = (m: Pick<MailRow, 'inReplyTo' | 'references'>): string[] => [
  ...new Set([m.inReplyTo, ...[...(m.references ?? [])].reverse()].filter((x): x is string => !!x)),
];

/**
 * Which case each Message-ID is on, as threading goes: what was stored before the burst, and what the burst itself
 * puts on cases mail by mail (a reply sent right after its first mail arrives in the same burst).
 */
export type ReferenceChain = {
  /** The case of the newest mail `m` answers that is on one: ours, or an earlier inbound one. */
  caseOf(m: MailRow): NamedCase | null;
  /** `m` went onto case `c` (the first copy of a Message-ID counts, as for stored mail). */
  landedOn(m: MailRow, c: NamedCase): void;
};

/**
 * `inbound`: Message-ID → the mails with it already on a case, newest first; `outbound`: our own mail's
 * Message-ID → its case.
 */
export function referenceChain(
  inbound: ReadonlyMap<string, readonly { mailId: number; c: NamedCase }[]>,
  outbound: ReadonlyMap<string, NamedCase>,
): ReferenceChain {
  const landed = new Map<string, { mailId: number; c: NamedCase }>();
  return {
    caseOf(m) {
      for (const id of answeredIds(m)) {
        const ours = outbound.get(id);
        if (ours) return ours;
        const here = landed.get(id);
        if (here && here.mailId < m.id) return here.c;
        const before = inbound.get(id)?.find((x) => x.mailId < m.id);
        if (before) return before.c;
      }
      return null;
    },
    landedOn(m, c) {
      if (m.messageId && !landed.has(m.messageId)) landed.set(m.messageId, { mailId: m.id, c });
    },
  };
}

export type BurstFacts = {
  /** Per mail: the facts, `referenced` still to be asked of the chain as the burst is threaded. */
  facts: Map<number, Omit<ThreadFacts, 'referenced'>>;
  chain: ReferenceChain;
  /** The place of an account (for a case the burst opens). */
  placeOf: (accountId: number) => string | undefined;
  /** Every case the burst's mails name: what its transaction may land on. */
  caseIds: number[];
};

export async function burstFacts(db: Db, deps: FactsDeps, rows: readonly MailRow[]): Promise<BurstFacts> {
  const senders = [...new Set(rows.flatMap((m) => (m.fromAddress ? [m.fromAddress.toLowerCase()] : [])))];
  const contactsOf = new Map<string, SenderContact[]>(senders.map((a) => [a, []]));
  for (const c of await deps.accounts.contactsByEmails(senders))
    contactsOf.get((c.email ?? '').toLowerCase())?.push({
      id: c.id,
      accountId: c.accountId,
      tenantId: c.tenantId,
      accountPath: c.accountPath,
      name: c.name,
    });

  const numbersOf = new Map(
    rows.map((m) => [
      m.id,
      { token: caseTokenOf([...m.envelopeTo, ...(m.recipients ?? [])], m.textBody), tag: subjectTagOf(m.subject) },
    ]),
  );
  const partnerOfMail = new Map(
    rows.map((m) => [m.id, partnerOf(deps.partners, m.fromAddress, m.subject, m.textBody)]),
  );
  const partnerCase = new Map<number, MailCaseRef | undefined>();
  for (const m of rows) {
    const p = partnerOfMail.get(m.id);
    if (p?.ticket) partnerCase.set(m.id, await deps.cases.byProviderTicket(p.provider, p.ticket));
  }
  const numbers = [...numbersOf.values()].flatMap((n) => [n.token, n.tag].filter((x): x is string => !!x));
  const byNumber = new Map((await deps.cases.refs({ numbers })).map((c) => [c.number, c]));

  // Mail the burst answers that is already on a case: earlier inbound (a colleague's reply-all) and our outbound.
  const answered = [...new Set(rows.flatMap(answeredIds))];
  const maxId = Math.max(...rows.map((m) => m.id));
  const inboundRows =
    answered.length === 0
      ? []
      : await db
          .select({ id: mailMessages.id, messageId: mailMessages.messageId, caseId: mailMessages.caseId })
          .from(mailMessages)
          .where(
            and(inArray(mailMessages.messageId, answered), isNotNull(mailMessages.caseId), lte(mailMessages.id, maxId)),
          )
          .orderBy(desc(mailMessages.id));
  const outboundRows =
    answered.length === 0
      ? []
      : await db
          .select({ messageId: mailOutbound.messageId, caseId: mailOutbound.caseId })
          .from(mailOutbound)
          .where(inArray(mailOutbound.messageId, answered));
  const referencedIds = [...inboundRows, ...outboundRows].map((r) => r.caseId!);
  const byId = new Map((await deps.cases.refs({ ids: referencedIds })).map((c) => [c.id, c]));

  const refs = [...byNumber.values(), ...byId.values(), ...[...partnerCase.values()].filter((c) => c !== undefined)];
  const places = await deps.accounts.placesOf([
    ...refs.map((r) => r.accountId),
    ...[...contactsOf.values()].flat().map((c) => c.accountId),
  ]);
  const named = (r: MailCaseRef | undefined): NamedCase | null => {
    const place = r && places.get(r.accountId);
    return r && place ? { id: r.id, number: r.number, accountId: r.accountId, accountPath: place.path } : null;
  };

  const inbound = new Map<string, { mailId: number; c: NamedCase }[]>();
  for (const r of inboundRows) {
    const c = named(byId.get(r.caseId!));
    if (r.messageId && c) inbound.set(r.messageId, [...(inbound.get(r.messageId) ?? []), { mailId: r.id, c }]);
  }
  const outbound = new Map<string, NamedCase>();
  for (const r of outboundRows) {
    const c = named(byId.get(r.caseId!));
    if (c && !outbound.has(r.messageId)) outbound.set(r.messageId, c);
  }

  // Each sender's mail in the hour before each of its mails (a storm goes to triage).
  const recent = new Map(
    (
      await queryRows<{ id: number; n: number }>(
        db,
        sql`
        select m.id::int as id,
               (select count(*)::int from ${mailMessages} x
                 where x.from_address = m.from_address and x.received_at >= m.received_at - ${`${HOUR_MS} milliseconds`}::interval
                   and x.id < m.id) as n
          from ${mailMessages} m
         where m.id in (select jsonb_array_elements_text(${JSON.stringify(rows.map((m) => m.id))}::jsonb)::bigint)
           and m.from_address is not null`,
      )
    ).map((r) => [Number(r.id), Number(r.n)]),
  );

  const facts = new Map<number, Omit<ThreadFacts, 'referenced'>>();
  for (const m of rows) {
    const n = numbersOf.get(m.id)!;
    const partner = partnerOfMail.get(m.id);
    facts.set(m.id, {
      duplicate: m.duplicateOf !== null,
      automatic: m.automatic,
      senderContacts: m.fromAddress ? (contactsOf.get(m.fromAddress.toLowerCase()) ?? []) : [],
      partner: partner ? { ...partner, case: named(partnerCase.get(m.id)) } : null,
      token: n.token ? named(byNumber.get(n.token)) : null,
      tagged: n.tag ? named(byNumber.get(n.tag)) : null,
      rateLimited: (recent.get(m.id) ?? 0) >= deps.senderLimitPerHour,
      senderUnverified: m.senderAuth !== null,
    });
  }
  return {
    facts,
    caseIds: refs.map((r) => r.id),
    chain: referenceChain(inbound, outbound),
    // The senders' accounts were read with the named cases' (a case the burst opens is on one of them).
    placeOf: (accountId) => places.get(accountId)?.path,
  };
}
