/**
 * Upgrade proposals (issue 17.5): one order case per link while one is open. The capacity_proposals row is claimed
 * before the case is opened (its partial unique index: one opener among workers), the case's number written after;
 * a case resolved, closed or cancelled ends the proposal, and a link is proposed again only a cool-down later or once
 * its contracted speed changed (an upgrade done that still falls short) — a customer who declined is not asked
 * again every hour.
 */
import type { CapacityRepo } from './capacity.repo.ts';

/** A claim older than this belongs to a worker that died between claim and case: taken over. */
export const CLAIM_STALE_MS = 5 * 60_000;
/** After a proposal ended, the same link at the same speed waits this long before the next. */
export const REPROPOSE_AFTER_DAYS = 7;

/** What the capacity module needs of the cases module (src/modules/capacity/capacity-cases.ts builds it). */
export type CapacityCaseOps = {
  open: (c: {
    accountId: number;
    subject: string;
    description: string;
    severity: 'high' | 'medium';
  }) => Promise<{ id: number; number: string }>;
  /** Still being worked on (not resolved, closed or cancelled)? */
  isOpen: (number: string) => Promise<boolean>;
};

export type ProposalRequest = {
  deviceId: number;
  accountId: number;
  linkKbps: number | null;
  text: { subject: string; description: string };
  saturatedNow: boolean;
};

export type ProposalOutcome =
  | { kind: 'opened'; caseNumber: string }
  | { kind: 'open_already'; caseNumber: string }
  | { kind: 'cooling_down'; caseNumber: string | null }
  | { kind: 'busy' };

export function proposals(repo: CapacityRepo, cases: CapacityCaseOps) {
  return async function propose(r: ProposalRequest, now: Date): Promise<ProposalOutcome> {
    for (;;) {
      const current = await repo.currentProposal(r.deviceId);
      if (current?.state === 'open' && current.caseNumber !== null) {
        if (await cases.isOpen(current.caseNumber)) return { kind: 'open_already', caseNumber: current.caseNumber };
        await repo.ended(current.id, now);
        continue;
      }
      if (current) {
        if (now.getTime() - current.createdAt.getTime() < CLAIM_STALE_MS) return { kind: 'busy' };
        // Its opener died before a case existed: nothing was proposed, so no cool-down either.
        await repo.release(current.id);
        continue;
      }
      const last = await repo.lastEnded(r.deviceId);
      if (
        last?.endedAt &&
        now.getTime() - last.endedAt.getTime() < REPROPOSE_AFTER_DAYS * 86_400_000 &&
        last.linkKbps === r.linkKbps
      )
        return { kind: 'cooling_down', caseNumber: last.caseNumber };
      const id = await repo.claim({ deviceId: r.deviceId, accountId: r.accountId, linkKbps: r.linkKbps, at: now });
      if (id === null) continue; // another worker claimed it in between: look again
      try {
        const c = await cases.open({
          accountId: r.accountId,
          ...r.text,
          severity: r.saturatedNow ? 'high' : 'medium',
        });
        await repo.opened(id, c);
        return { kind: 'opened', caseNumber: c.number };
      } catch (e) {
        await repo.release(id);
        throw e;
      }
    }
  };
}
