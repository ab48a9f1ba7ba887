/** What the diagnosis module does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import type { CaseDiagnosis } from './case-diagnosis.ts';
import type { FleetHealth } from './fleet-health.ts';

export function diagnosisSubscribers(deps: {
  caseDiagnosis: Pick<CaseDiagnosis, 'onSimsSet'>;
  fleet: Pick<FleetHealth, 'refusalsStored'>;
}): Subscriber[] {
  return [
    defineSubscriber({
      name: 'diagnosis.case_sims',
      module: 'diagnosis',
      description: "Diagnoses a case's affected SIMs and writes the result into its timeline, whatever the channel.",
      on: CaseEvents.simsSet,
      ordered: true,
      handle: (p, _event, job) => deps.caseDiagnosis.onSimsSet(p.caseId, job.at),
    }),
    defineSubscriber({
      name: 'diagnosis.fleet_refusals',
      module: 'diagnosis',
      description:
        'New refusals on a PLMN or APN where the fleet snapshot counts none make the snapshot of the process ' +
        'running the job stale after 5 s instead of a minute, so its diagnoses (and, where one process runs every ' +
        'role, GET /network/failing) see a failure that just began. In memory only: no query.',
      on: IngestEvents.batchCommitted,
      // A stale-mark is idempotent and cheap: no order, and nothing worth retrying for long.
      maxAttempts: 2,
      handle: async (p) => {
        if (p.refusals.length > 0) deps.fleet.refusalsStored(p.refusals);
      },
    }),
  ];
}
