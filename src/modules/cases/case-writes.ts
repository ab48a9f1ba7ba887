import { isStaff, type Principal } from '../../platform/auth.ts';
import type { CaseEventRow, CaseRow, casesRepo } from './cases.repo.ts';
import type { cases } from './cases.tables.ts';
import type { ReplyOutcome } from './reply-policy.ts';

/**
 * Writes shared by the use cases that create or move cases inside a transaction the caller holds
 * (create, the follow-up a late reply opens, major-case children).
 */
type Repo = ReturnType<typeof casesRepo>;
type NewCase = Omit<typeof cases.$inferInsert, 'number' | 'createdAt' | 'updatedAt'>;
type NewEvent = Omit<typeof import('./cases.tables.ts').caseEvents.$inferInsert, 'caseId' | 'tenantId' | 'at'>;

const SUBJECT_MAX = 200;

/** Who wrote a timeline entry, and on which side (reports count customer contacts, SLA clocks staff replies). */
export const authorOf = (p: Principal) => ({
  authorUserId: p.userId > 0 ? p.userId : null,
  authorLabel: p.email,
  authorSide: isStaff(p) ? ('staff' as const) : ('customer' as const),
});

/** A system entry recording a change someone made to `c` (contacts, provider references), and `c` touched. */
export async function recordChange(
  r: Repo,
  c: Pick<CaseRow, 'id' | 'tenantId'>,
  p: Principal,
  entry: { visibility: 'public' | 'internal'; body: string; data: Record<string, unknown> },
): Promise<void> {
  await r.insertEvent({ caseId: c.id, tenantId: c.tenantId, kind: 'system', ...authorOf(p), ...entry });
  await r.touch(c.id);
}

/** A case's number: its creation year and that year's sequence. */
export const caseNumber = (year: number, seq: number) => `C-${year}-${String(seq).padStart(6, '0')}`;

/** Inserts a case under the next `C-<year>-<seq>` number of `now`'s year (see casesRepo.nextNumber). */
export async function insertNumbered(r: Repo, now: Date, values: NewCase): Promise<CaseRow> {
  const year = now.getUTCFullYear();
  const seq = await r.nextNumber(year);
  return r.insert({ ...values, number: caseNumber(year, seq), createdAt: now, updatedAt: now });
}

export const followUpSubject = (subject: string) => `Follow-up: ${subject}`.slice(0, SUBJECT_MAX);

export type Landed = { event: CaseEventRow; case: CaseRow; outcome: ReplyOutcome };

/**
 * Lands a timeline entry on `c` according to `outcome`: appended as is, appended after reopening the
 * resolved case, or appended to a new follow-up case linked both ways to `c`.
 * `followUp` carries what the new case needs beyond `c` (its computed priority and channel).
 */
export async function landEntry(
  r: Repo,
  c: CaseRow,
  outcome: ReplyOutcome,
  entry: NewEvent,
  now: Date,
  followUp: { priority: string; channel: string },
): Promise<Landed> {
  const who = {
    authorUserId: entry.authorUserId ?? null,
    authorLabel: entry.authorLabel,
    authorSide: entry.authorSide,
  };
  if (outcome === 'follow_up') {
    const n = await insertNumbered(r, now, {
      tenantId: c.tenantId,
      accountId: c.accountId,
      type: c.type,
      channel: followUp.channel,
      subject: followUpSubject(c.subject),
      description: '',
      severity: c.severity,
      priority: followUp.priority,
      computedPriority: followUp.priority,
      queue: c.queue,
      assigneeUserId: c.assigneeUserId,
      tags: c.tags,
      followUpOf: c.id,
      createdBy: entry.authorUserId ?? null,
    });
    await r.insertEvent({
      caseId: n.id,
      tenantId: n.tenantId,
      at: now,
      kind: 'system',
      visibility: 'public',
      ...who,
      body: `Case created as a follow-up of ${c.number}`,
      data: { action: 'created', state: n.state, channel: n.channel, priority: n.priority, followUpOf: c.number },
    });
    const event = await r.insertEvent({ ...entry, caseId: n.id, tenantId: n.tenantId, at: now });
    await r.insertEvent({
      caseId: c.id,
      tenantId: c.tenantId,
      at: now,
      kind: 'system',
      visibility: 'public',
      ...who,
      body: `Customer reply after ${c.state === 'closed' ? 'closing' : 'the reopen window'}: follow-up ${n.number} opened`,
      data: { action: 'follow_up_opened', followUp: n.number },
    });
    await r.touch(c.id);
    return { event, case: n, outcome };
  }
  let landedOn = c;
  if (outcome === 'reopened') {
    const moved = await r.setState(c.id, 'resolved', { state: 'open', resolvedAt: null });
    // A concurrent change moved the case away from resolved: the reply is simply appended.
    if (moved) {
      landedOn = moved;
      await r.insertEvent({
        caseId: c.id,
        tenantId: c.tenantId,
        at: now,
        kind: 'system',
        visibility: 'public',
        ...who,
        body: 'Reopened by customer reply',
        // action state_changed: the SLA clocks rebuild the state history from exactly these entries.
        data: {
          action: 'state_changed',
          reason: 'customer_reply',
          before: { state: 'resolved' },
          after: { state: 'open' },
        },
      });
    }
  } else {
    await r.touch(c.id);
  }
  const event = await r.insertEvent({ ...entry, caseId: c.id, tenantId: c.tenantId, at: now });
  return { event, case: landedOn, outcome: landedOn === c && outcome === 'reopened' ? 'added' : outcome };
}
