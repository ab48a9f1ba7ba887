import type { z } from 'zod';
import type { PriorityOverride } from './case-priority.ts';
import type { CaseSummaryRow } from './case-queue.repo.ts';
import type { CaseRecord } from './case-views.ts';
import type { Landed } from './case-writes.ts';
import type { CaseEventRow } from './cases.repo.ts';
import type { CaseEventView, CaseSummaryView, CaseView, PostedCaseEventView } from './cases.schemas.ts';

type CaseJson = z.infer<typeof CaseView>;
type EventJson = z.infer<typeof CaseEventView>;
type SummaryJson = z.infer<typeof CaseSummaryView>;

export function presentCase(c: CaseRecord): CaseJson {
  return {
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
  };
}

/** A queue row (CaseSummary): built field by field, not by trimming presentCase, to skip the work it leaves out. */
export function presentCaseSummary(c: CaseSummaryRow): SummaryJson {
  return {
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
  };
}

export function presentCaseEvent(e: CaseEventRow): EventJson {
  return {
    id: e.id,
    at: e.at.toISOString(),
    kind: e.kind as EventJson['kind'],
    visibility: e.visibility as EventJson['visibility'],
    authorUserId: e.authorUserId,
    authorLabel: e.authorLabel,
    body: e.body,
    data: e.data ?? null,
  };
}

export function presentLanded(l: Landed): z.infer<typeof PostedCaseEventView> {
  return { ...presentCaseEvent(l.event), caseNumber: l.case.number, outcome: l.outcome };
}
