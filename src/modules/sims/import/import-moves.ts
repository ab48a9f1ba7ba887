/**
 * --upsert lines that move an existing SIM to another account (outside probe round 5: an import moved a SIM into
 * another customer, with the old customer's private plans, and its new owner read the old owner's history).
 * - Across customers (tenants) an import refuses the move: a SIM's events, sessions, usage, cases and audit belong
 *   to the customer it served, and nothing here hands them over or hides them. Staff release and re-import a SIM
 *   once that exists; until then, the line is an error that says so.
 * - Within a customer the move is made, but a plan the line does not name is kept only if the new account may use
 *   it (its own, an ancestor's, or a shared plan); otherwise the line must name one.
 */
import type { AccountRef, Lookups, RowError } from './csv-row.ts';

/** A staged line whose ICCID exists under another account: the line's values and the SIM's as they are. */
export type MovedSim = {
  line: number;
  iccidRaw: string;
  accountId: number;
  tenantId: number;
  communicationPlanId: number | null;
  ratePlanId: number | null;
  currentTenantId: number;
  currentCommunicationPlanId: number | null;
  currentRatePlanId: number | null;
};

export function moveErrors(
  moves: readonly MovedSim[],
  accountById: (id: number) => AccountRef | undefined,
  lk: Pick<Lookups, 'communicationPlan' | 'ratePlan'>,
): RowError[] {
  const errors: RowError[] = [];
  for (const m of moves) {
    if (m.tenantId !== m.currentTenantId) {
      errors.push({
        line: m.line,
        field: 'account',
        value: m.iccidRaw,
        reason: 'this SIM belongs to another customer; an import moves a SIM only within its customer’s account tree',
      });
      continue;
    }
    const path = accountById(m.accountId)?.path;
    if (path === undefined) continue; // the line's account was checked when the line was read
    const kept = [
      ['communication_plan', m.communicationPlanId, m.currentCommunicationPlanId, lk.communicationPlan],
      ['rate_plan', m.ratePlanId, m.currentRatePlanId, lk.ratePlan],
    ] as const;
    for (const [field, given, current, plans] of kept) {
      if (given === null && current !== null && !plans.isAvailable(current, path)) {
        errors.push({
          line: m.line,
          field,
          value: null,
          reason: `the SIM's current ${field.replace('_', ' ')} is not available to the new account; name one that is`,
        });
      }
    }
  }
  return errors;
}
