import type { CaseType, Priority, VipTier } from '../cases/priority.ts';
import { matchPolicy, type SlaPolicy } from './defaults.ts';
import type { SlaPolicyRow } from './sla.repo.ts';

/** The policy a case falls under: contracts match the case's account or its enterprise. */
export function matchCasePolicy(
  rows: SlaPolicyRow[],
  c: { type: string; priority: string; accountId: number },
  tenantId: number,
  vipTier: string,
) {
  const candidates = rows.map((r) => ({
    row: r,
    policy: {
      key: String(r.id),
      name: r.name,
      calendar: String(r.calendarId),
      match: {
        caseTypes: (r.caseTypes ?? undefined) as CaseType[] | undefined,
        priorities: (r.priorities ?? undefined) as Priority[] | undefined,
        vipTiers: (r.vipTiers ?? undefined) as VipTier[] | undefined,
        contractIds: r.accountIds?.length
          ? [r.accountIds.some((id) => id === c.accountId || id === tenantId) ? 'this' : 'other']
          : undefined,
      },
      targets: {
        firstResponseMinutes: r.firstResponseMin,
        periodicUpdateMinutes: r.updateIntervalMin,
        resolutionMinutes: r.resolutionMin,
      },
      pauseStates: r.pauseStates as SlaPolicy['pauseStates'],
      verificationWorkingDays: r.verificationWorkingDays,
    } satisfies SlaPolicy,
  }));
  const best = matchPolicy(
    candidates.map((x) => x.policy),
    {
      caseType: c.type as CaseType,
      priority: c.priority as Priority,
      vipTier: vipTier as VipTier,
      contractId: 'this',
    },
  );
  return candidates.find((x) => x.policy === best);
}
