/**
 * A case as the API and the CLI show it: its row, its customer's name and number, and the states the caller may
 * move it to (the console shows only those buttons). The account is read through the accounts service, staff-side:
 * the case was reached in the caller's tenancy already, and its account is part of it.
 */
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { CaseRow } from './cases.repo.ts';
import { CASE_TRANSITIONS, type CaseState, customerMayMove, isCaseState } from './state-machine.ts';

export type CaseRecord = CaseRow & {
  accountName: string;
  accountNumber: string;
  allowedTransitions: readonly CaseState[];
};

/**
 * Staff: every transition the state machine has from the case's state. Customers: their own moves only — withdraw
 * (cancelled) and reopen a resolved case (open) — so the portal offers exactly what the API accepts from them.
 */
export const allowedTransitionsFor = (p: Principal, state: string): readonly CaseState[] => {
  if (!isCaseState(state)) return [];
  const all = CASE_TRANSITIONS[state];
  return isStaff(p) ? all : all.filter((to) => customerMayMove(state, to));
};

export function caseRecords(accounts: Pick<AccountsService, 'namesOf'>) {
  async function many(p: Principal, rows: readonly CaseRow[]): Promise<CaseRecord[]> {
    const names = await accounts.namesOf(rows.map((c) => c.accountId));
    return rows.map((c) => {
      const a = names.get(c.accountId);
      // The queue's SQL shows a missing account the same way (coalesce to ''); accounts are never deleted.
      return {
        ...c,
        accountName: a?.name ?? '',
        accountNumber: a?.number ?? '',
        allowedTransitions: allowedTransitionsFor(p, c.state),
      };
    });
  }
  return {
    many,
    one: async (p: Principal, c: CaseRow): Promise<CaseRecord> => (await many(p, [c]))[0]!,
  };
}
