/**
 * Which case an inbound mail belongs to: pure, so every rule is testable without a mail server or a database.
 *
 * The rules, in order (issue 15):
 *  1. a Message-ID already stored: a duplicate (a sender's retry, a loop) — dropped;
 *  2. a mail from a partner provider's ticketing system (its domain, MAIL_PARTNERS) joins the case holding that
 *     partner's ticket number, as a staff-only entry; no such case → triage;
 *  3. In-Reply-To / References naming a mail already on a case (our outbound, or an earlier inbound one);
 *  4. a case token: the plus-address `support+C-2026-000123@…` or the `[ref:C-2026-000123]` line our mail carries;
 *  5. the subject tag `[C-2026-000123]`;
 *  6. otherwise a new case on the sender's account.
 * A case named by 3–5 is joined **only if the sender is a contact of that case's account or of an account above
 * it** (Zammad's worst-reported bug is a reply threaded into another customer's case by its subject). A sender of
 * another account gets a new case of its own, linked for the agent; an unknown sender's mail waits in triage.
 * Robots (auto-replies, bounces, list mail) are recorded on a case they belong to as staff-only entries, which
 * never reopen it — by their headers or token even when a mailer daemon sends them — and never open a case; a sender past the hourly limit goes to triage (a mail storm).
 */

/** A contact the sender's address belongs to, with its account's place in the tree (`/tenant/…/account/`). */
export type SenderContact = { id: number; accountId: number; tenantId: number; accountPath: string; name: string };

/** A case a rule named, with its account's place. */
export type NamedCase = { id: number; number: string; accountId: number; accountPath: string };

export type ThreadFacts = {
  duplicate: boolean;
  /** 'auto-reply' | 'bounce' | 'bulk' (mail-parse.ts), null for a person's mail. */
  automatic: string | null;
  senderContacts: readonly SenderContact[];
  /** The sender's domain is a partner's (MAIL_PARTNERS): its name, the ticket its subject names (if any), the case. */
  partner: { provider: string; ticket: string | null; case: NamedCase | null } | null;
  /** What rules 3–5 found, each null when the rule found nothing. */
  referenced: NamedCase | null;
  token: NamedCase | null;
  tagged: NamedCase | null;
  /** The sender sent more than the hourly limit already. */
  rateLimited: boolean;
  /** The receiving MX judged the From address forged (DMARC or SPF failed): who it claims to be proves nothing. */
  senderUnverified: boolean;
};

export type ThreadRule = 'reference' | 'token' | 'subject_tag' | 'partner_ticket';
export type TriageReason =
  | 'unknown_sender'
  | 'ambiguous_sender'
  | 'automatic'
  | 'rate_limited'
  | 'partner_ticket_unknown'
  | 'sender_unverified';

export type ThreadDecision =
  | { kind: 'duplicate' }
  | { kind: 'join'; rule: ThreadRule; caseId: number; contactId: number | null; internal: boolean }
  | {
      kind: 'open';
      accountId: number;
      tenantId: number;
      contactId: number;
      /** The case the mail named but may not join (another account's): both get a staff-only link. */
      refused: Refused | null;
    }
  | { kind: 'triage'; reason: TriageReason; refused: Refused | null };

/** A case a rule named that the sender may not write on. */
export type Refused = { caseId: number; number: string; rule: ThreadRule };

/** The sender's contact that may write on `c`: of its account or an account above it (same rule as case contacts). */
export function eligibleContact(contacts: readonly SenderContact[], c: NamedCase): SenderContact | undefined {
  return contacts.find((k) => c.accountPath.startsWith(k.accountPath));
}

export function decideThread(f: ThreadFacts): ThreadDecision {
  if (f.duplicate) return { kind: 'duplicate' };
  const named: [ThreadRule, NamedCase | null][] = [
    ['reference', f.referenced],
    ['token', f.token],
    ['subject_tag', f.tagged],
  ];
  // A forged From would otherwise write as the customer (or partner) it names: an agent looks first, with the
  // case it names linked.
  if (f.senderUnverified) {
    const [rule, c] = named.find(([, x]) => x !== null) ?? [];
    return {
      kind: 'triage',
      reason: 'sender_unverified',
      refused: rule && c ? { caseId: c.id, number: c.number, rule } : null,
    };
  }
  if (f.partner) {
    if (f.partner.case) {
      return { kind: 'join', rule: 'partner_ticket', caseId: f.partner.case.id, contactId: null, internal: true };
    }
    return { kind: 'triage', reason: 'partner_ticket_unknown', refused: null };
  }
  if (f.rateLimited) return { kind: 'triage', reason: 'rate_limited', refused: null };
  let refused: Refused | null = null;
  for (const [rule, c] of named) {
    if (!c) continue;
    const contact = eligibleContact(f.senderContacts, c);
    if (contact) return { kind: 'join', rule, caseId: c.id, contactId: contact.id, internal: f.automatic !== null };
    // A robot answering our own mail (a bounce quoting its Message-ID, an auto-reply to its plus-address) is
    // recorded staff-only whoever sends it: no customer sees it, and the agent learns the mail did not arrive.
    if (f.automatic !== null && rule !== 'subject_tag')
      return { kind: 'join', rule, caseId: c.id, contactId: null, internal: true };
    refused ??= { caseId: c.id, number: c.number, rule };
  }
  if (f.automatic !== null) return { kind: 'triage', reason: 'automatic', refused };
  const accounts = new Map(f.senderContacts.map((k) => [k.accountId, k]));
  if (accounts.size === 1) {
    const k = [...accounts.values()][0]!;
    return { kind: 'open', accountId: k.accountId, tenantId: k.tenantId, contactId: k.id, refused };
  }
  return { kind: 'triage', reason: accounts.size === 0 ? 'unknown_sender' : 'ambiguous_sender', refused };
}

const CASE_NUMBER = 'C-\\d{4}-\\d{6}';
const SUBJECT_TAG = new RegExp(`\\[(${CASE_NUMBER})\\]`);
const BODY_TOKEN = new RegExp(`\\[ref:(${CASE_NUMBER})\\]`);
const PLUS_TOKEN = new RegExp(`^[^@+]+\\+(${CASE_NUMBER})@`, 'i');

/** The case number of a `[C-2026-000123]` subject tag. */
export const subjectTagOf = (subject: string | null): string | null => subject?.match(SUBJECT_TAG)?.[1] ?? null;

/** The case number of a plus-address among the recipients, else of the `[ref:…]` token in the (quoted) text. */
export function caseTokenOf(recipients: readonly string[], text: string | null): string | null {
  for (const r of recipients) {
    const m = r.match(PLUS_TOKEN);
    if (m) return m[1]!.toUpperCase();
  }
  return text?.match(BODY_TOKEN)?.[1] ?? null;
}

/** The token line our outbound mail carries at its end, so a reply that lost its headers still finds its case. */
export const bodyToken = (caseNumber: string) => `[ref:${caseNumber}]`;

export type PartnerPattern = { provider: string; domains: readonly string[]; ticket: RegExp };

/** The partner whose domain the sender is at, and the ticket number its subject (else its text) names. */
export function partnerOf(
  patterns: readonly PartnerPattern[],
  fromAddress: string | null,
  subject: string | null,
  text: string | null,
): { provider: string; ticket: string | null } | null {
  const domain = fromAddress?.split('@')[1]?.toLowerCase();
  if (!domain) return null;
  const p = patterns.find((x) => x.domains.some((d) => domain === d || domain.endsWith(`.${d}`)));
  if (!p) return null;
  const ticket = subject?.match(p.ticket)?.[0] ?? text?.slice(0, 5000).match(p.ticket)?.[0] ?? null;
  return { provider: p.provider, ticket };
}
