/**
 * "Please keep it open a few more days" (issue 17.4, as the seed teams offer): a resolved case waits for its
 * verification period to end before it closes itself; the customer (or staff for them) may extend that period by a
 * few working days, up to KEEP_OPEN_MAX_DAYS per resolution. The timeline entry announces `cases.changed`, so the SLA
 * module reschedules the close (its job carries the extension it was planned with: an older one finds itself moot).
 */
import type { Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseRow, casesRepo } from './cases.repo.ts';

export const KEEP_OPEN_MAX_DAYS = 10;

/** The extension in force for the case's current resolution (an extension of an earlier one does not carry over). */
export const verificationExtraDays = (
  c: Pick<CaseRow, 'resolvedAt' | 'verificationExtraDays' | 'verificationExtendedFor'>,
) =>
  c.resolvedAt !== null && c.verificationExtendedFor?.getTime() === c.resolvedAt.getTime()
    ? c.verificationExtraDays
    : 0;

export function keepOpenOps(deps: {
  db: Db;
  load: (p: Principal, number: string) => Promise<CaseRow>;
  author: (p: Principal) => { authorUserId: number | null; authorLabel: string; authorSide: 'staff' | 'customer' };
}) {
  return async function keepOpen(
    p: Principal,
    number: string,
    input: { workingDays: number; reason?: string | undefined },
  ): Promise<CaseRow> {
    const c = await deps.load(p, number);
    if (c.state !== 'resolved' || c.resolvedAt === null)
      throw conflict(E.notResolved, `Case ${number} is ${c.state}: only a resolved case waits to be verified`, [
        { field: 'number', value: number, reason: `the case is ${c.state}, not resolved` },
      ]);
    const already = verificationExtraDays(c);
    if (already + input.workingDays > KEEP_OPEN_MAX_DAYS)
      throw invalid(
        E.keepOpenTooLong,
        `Case ${number} may be kept open at most ${KEEP_OPEN_MAX_DAYS} more working days`,
        [
          {
            field: 'workingDays',
            value: input.workingDays,
            reason: `at most ${KEEP_OPEN_MAX_DAYS - already} more (already kept open ${already} working day(s) longer)`,
          },
        ],
      );
    return deps.db.transaction(async (tx) => {
      const r = casesRepo(tx);
      const locked = (await r.lockById(c.id)) ?? c;
      if (locked.state !== 'resolved' || locked.resolvedAt?.getTime() !== c.resolvedAt!.getTime())
        throw conflict(E.stateChanged, `Case ${number} changed state meanwhile; reload and retry`, [
          { field: 'number', value: number, reason: `the case is ${locked.state} now` },
        ]);
      const total = already + input.workingDays;
      const row = await r.update(c.id, { verificationExtraDays: total, verificationExtendedFor: c.resolvedAt });
      await r.insertEvent({
        caseId: c.id,
        tenantId: c.tenantId,
        kind: 'system',
        visibility: 'public',
        ...deps.author(p),
        body:
          `Kept open ${input.workingDays} more working day(s) before it closes (${total} in all)` +
          (input.reason ? `: ${input.reason}` : ''),
        data: { action: 'verification_extended', workingDays: input.workingDays, totalExtraDays: total },
      });
      return row!;
    });
  };
}
