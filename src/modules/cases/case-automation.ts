/**
 * What iotops itself does to cases, not a person: the SLA module's bookkeeping (due time, warning entries) and
 * the verification period's automatic close. Called by job handlers, so everything here is idempotent and
 * addressed by case id (jobs carry ids, never principals).
 */
import type { Db } from '../../platform/db/client.ts';
import { verificationExtraDays } from './case-keep-open.ts';
import { type CaseEventRow, type CaseRow, casesRepo } from './cases.repo.ts';

/** The author of automatic entries: shown as "iotops", on the provider's side. */
export const SYSTEM_AUTHOR = { authorUserId: null, authorLabel: 'iotops', authorSide: 'staff' as const };

/**
 * A check that must pass before a resolved case closes itself (e.g. "the affected SIMs are healthy again",
 * which plugs in with network ingest). `ok: false` reopens the case with the reason in the timeline.
 */
/** A check before the verification period closes a case; it gets the case and its listed affected SIMs' ids. */
export type VerificationCheck = (
  c: CaseRow,
  affected: { simIds: readonly number[] },
) => Promise<{ ok: true } | { ok: false; reason: string }>;

export type AutoCloseOutcome = 'closed' | 'reopened' | 'skipped';

/**
 * Still the resolution the verification period was scheduled for (a reopen and re-resolve starts a new one), and
 * still as long (the customer asked to keep it open longer: the period planned with the longer wait is the one).
 */
const stillResolved = (c: CaseRow | undefined, resolvedAt: string, extraDays?: number): c is CaseRow =>
  c !== undefined &&
  c.state === 'resolved' &&
  c.resolvedAt?.toISOString() === resolvedAt &&
  (extraDays === undefined || verificationExtraDays(c) === extraDays);

export function caseAutomationOps(deps: { db: Db; verificationChecks: readonly VerificationCheck[] }) {
  const { db } = deps;
  const repo = casesRepo(db);
  return {
    /** Operator-level read by id, for jobs. */
    async byId(caseId: number): Promise<CaseRow | undefined> {
      return repo.byId(caseId);
    },
    /** Working days the customer asked to wait longer for the current resolution (case-keep-open.ts). */
    verificationExtraDays,
    /** The whole timeline (internal entries too): SLA clocks are computed from it. */
    async timelineOf(caseId: number): Promise<CaseEventRow[]> {
      return repo.events(caseId, false);
    },
    async recordSlaDue(caseId: number, dueAt: Date | null): Promise<void> {
      await repo.setSlaDue(caseId, dueAt);
    },
    /** An internal system entry about SLA bookkeeping (warnings, breaches): it does not re-trigger the SLA recompute. */
    async recordSystemEntry(caseId: number, entry: { body: string; data: Record<string, unknown> }, at: Date) {
      const c = await repo.byId(caseId);
      if (!c) return undefined;
      return repo.insertEvent(
        {
          caseId,
          tenantId: c.tenantId,
          at,
          kind: 'system',
          visibility: 'internal',
          ...SYSTEM_AUTHOR,
          body: entry.body,
          data: entry.data,
        },
        { outbox: false },
      );
    },

    /**
     * The end of the verification period of the resolution at `resolvedAt`: closes the case unless it has
     * moved on since (a customer reply reopened it, so its resolved_at changed) or a verification check fails,
     * which reopens it with the reason. The case's own lock serialises it with a reply arriving meanwhile.
     */
    async closeAfterVerification(
      caseId: number,
      resolvedAt: string,
      workingDays: number,
      at: Date,
      extraDays?: number,
    ): Promise<AutoCloseOutcome> {
      const current = await repo.byId(caseId);
      if (!stillResolved(current, resolvedAt, extraDays)) return 'skipped';
      const failures: string[] = [];
      const affected = { simIds: deps.verificationChecks.length > 0 ? await repo.simIdsOf(caseId) : [] };
      for (const check of deps.verificationChecks) {
        const r = await check(current, affected);
        if (!r.ok) failures.push(r.reason);
      }
      return db.transaction(async (tx) => {
        const r = casesRepo(tx);
        const c = await r.lockById(caseId);
        if (!stillResolved(c, resolvedAt, extraDays)) return 'skipped';
        const to = failures.length === 0 ? 'closed' : 'open';
        await r.setState(
          caseId,
          'resolved',
          to === 'closed' ? { state: to, closedAt: at } : { state: to, resolvedAt: null },
        );
        await r.insertEvent({
          caseId,
          tenantId: c.tenantId,
          at,
          kind: 'system',
          visibility: 'public',
          ...SYSTEM_AUTHOR,
          body:
            to === 'closed'
              ? `State changed from resolved to closed: verified, no reply within ${workingDays} working day(s) of the resolution`
              : `State changed from resolved to open: verification failed (${failures.join('; ')})`,
          data: {
            action: 'state_changed',
            before: { state: 'resolved' },
            after: { state: to },
            reason: to === 'closed' ? 'verification_period_ended' : 'verification_failed',
            ...(failures.length > 0 ? { failures } : {}),
          },
        });
        return to === 'closed' ? 'closed' : 'reopened';
      });
    },
  };
}
