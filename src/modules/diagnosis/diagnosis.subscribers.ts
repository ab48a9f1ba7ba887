/** What the diagnosis module does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import type { CaseDiagnosis } from './case-diagnosis.ts';

export function diagnosisSubscribers(deps: { caseDiagnosis: Pick<CaseDiagnosis, 'onSimsSet'> }): Subscriber[] {
  return [
    defineSubscriber({
      name: 'diagnosis.case_sims',
      module: 'diagnosis',
      description: "Diagnoses a case's affected SIMs and writes the result into its timeline, whatever the channel.",
      on: CaseEvents.simsSet,
      ordered: true,
      handle: (p, _event, job) => deps.caseDiagnosis.onSimsSet(p.caseId, job.at),
    }),
  ];
}
