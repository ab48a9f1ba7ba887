import type { z } from 'zod';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { PriorityOverride } from './case-priority.ts';
import type { CaseSummaryRow } from './case-queue.repo.ts';
import type { CaseRecord } from './case-views.ts';
import type { Landed } from './case-writes.ts';
import type { CaseEventRow } from './cases.repo.ts';
import {
  CASE_STAFF_ONLY,
  type CaseEventView,
  type CaseSummaryView,
  type CaseView,
  type PostedCaseEventView,
} from './cases.schemas.ts';

type CaseJson = z.infer<typeof CaseView>;
/** Who reads: staff see everything; a customer neither CASE_STAFF_ONLY nor staff authors' identities. */
export type Audience = 'staff' | 'customer';
export const audienceOf = (p: Principal): Audience => (isStaff(p) ? 'staff' : 'customer');
/** What a customer sees as the author of a staff entry. */
export const STAFF_AUTHOR_FOR_CUSTOMERS = 'Service desk';

function withoutStaffOnly<T extends Record<string, unknown>>(view: T, audience: Audience): T {
  if (audience === 'staff') return view;
  const out: Record<string, unknown> = { ...view };
  for (const k of CASE_STAFF_ONLY) delete out[k];
  return out as T;
}
type EventJson = z.infer<typeof CaseEventView>;
type SummaryJson = z.infer<typeof CaseSummaryView>;

export function presentCase(c: CaseRecord, audience: Audience): CaseJson {
  return withoutStaffOnly<CaseJson>(
    {
      id: c.id,
      number: c.number,
      tenantId: c.tenantId,
      accountId: c.accountId,
      accountName: c.accountName,
      accountNumber: c.accountNumber,
      type: c.type as CaseJson['type'],
      channel: c.channel as CaseJson['channel'],
      subject: c.subject,
      description: c.description,
      severity: c.severity as CaseJson['severity'],
      priority: c.priority as CaseJson['priority'],
      computedPriority: c.computedPriority as CaseJson['computedPriority'],
      override: (c.priorityOverride ?? null) as PriorityOverride | null,
      state: c.state as CaseJson['state'],
      queue: c.queue,
      assigneeUserId: c.assigneeUserId,
      tags: c.tags,
      affectedSimCount: c.affectedSimCount,
      affectedFilter: c.affectedFilter ?? null,
      slaDueAt: c.slaDueAt?.toISOString() ?? null,
      isMajor: c.isMajor,
      parentCaseId: c.parentCaseId,
      followUpOf: c.followUpOf,
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
      resolvedAt: c.resolvedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      allowedTransitions: [...c.allowedTransitions],
    },
    audience,
  );
}

/** A queue row (CaseSummary): built field by field, not by trimming presentCase, to skip the work it leaves out. */
export function presentCaseSummary(c: CaseSummaryRow, audience: Audience = 'staff'): SummaryJson {
  return withoutStaffOnly<SummaryJson>(
    {
      id: c.id,
      number: c.number,
      tenantId: c.tenantId,
      accountId: c.accountId,
      accountName: c.accountName,
      accountNumber: c.accountNumber,
      type: c.type as SummaryJson['type'],
      channel: c.channel as SummaryJson['channel'],
      subject: c.subject,
      severity: c.severity as SummaryJson['severity'],
      priority: c.priority as SummaryJson['priority'],
      computedPriority: c.computedPriority as SummaryJson['computedPriority'],
      state: c.state as SummaryJson['state'],
      queue: c.queue,
      assigneeUserId: c.assigneeUserId,
      tags: c.tags,
      affectedSimCount: c.affectedSimCount,
      isMajor: c.isMajor,
      parentCaseId: c.parentCaseId,
      slaDueAt: c.slaDueAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    },
    audience,
  );
}

/** What an entry's data says only to the desk: the id of a mail in the desk's mail store (staff-only pages). */
const DATA_STAFF_ONLY = ['mailId'];

function dataFor(data: CaseEventRow['data'], audience: Audience): EventJson['data'] {
  if (!data || audience === 'staff') return data ?? null;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !DATA_STAFF_ONLY.includes(k)));
}

export function presentCaseEvent(e: CaseEventRow, audience: Audience): EventJson {
  const hideAuthor = audience === 'customer' && e.authorSide === 'staff';
  return {
    id: e.id,
    at: e.at.toISOString(),
    kind: e.kind as EventJson['kind'],
    visibility: e.visibility as EventJson['visibility'],
    authorUserId: hideAuthor ? null : e.authorUserId,
    authorLabel: hideAuthor ? STAFF_AUTHOR_FOR_CUSTOMERS : e.authorLabel,
    body: e.body,
    data: dataFor(e.data, audience),
  };
}

export function presentLanded(l: Landed, audience: Audience): z.infer<typeof PostedCaseEventView> {
  return { ...presentCaseEvent(l.event, audience), caseNumber: l.case.number, outcome: l.outcome };
}
