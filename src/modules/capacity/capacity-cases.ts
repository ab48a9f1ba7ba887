/**
 * The order cases capacity opens, through the cases module's services (src/services.ts hands them in): a draft on
 * the link's account, channel monitoring, for the desk to take to the customer. No contacts are put on it, so no
 * mail goes out by itself — the desk decides what to offer before the customer hears of it.
 */
import { cliPrincipal } from '../../platform/auth.ts';
import type { CaseParties } from '../cases/case-parties.ts';
import { CreateCaseBody } from '../cases/cases.schemas.ts';
import type { CasesService } from '../cases/cases.service.ts';
import { OPEN_STATES } from '../cases/state-machine.ts';
import type { CapacityCaseOps } from './proposals.ts';

/** Who opens them (the timeline says "capacity"). */
const CAPACITY = cliPrincipal('capacity');

export function capacityCases(s: { caseParties: Pick<CaseParties, 'create'>; cases: Pick<CasesService, 'get'> }) {
  const ops: CapacityCaseOps = {
    async open(c) {
      const { case: created } = await s.caseParties.create(
        CAPACITY,
        CreateCaseBody.parse({
          accountId: c.accountId,
          type: 'order',
          channel: 'monitoring',
          subject: c.subject,
          description: c.description,
          severity: c.severity,
          tags: ['capacity', 'upgrade-proposal'],
        }),
      );
      return { id: created.id, number: created.number };
    },
    isOpen: async (number) => (OPEN_STATES as readonly string[]).includes((await s.cases.get(CAPACITY, number)).state),
  };
  return ops;
}
