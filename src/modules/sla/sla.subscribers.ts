/** What the SLA module does when cases change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import { createSlaTimers, type SlaJobsDeps } from './sla.jobs.ts';

export function slaSubscribers(deps: SlaJobsDeps): Subscriber[] {
  const timers = createSlaTimers(deps);
  return [
    defineSubscriber({
      name: 'sla.case_clocks',
      module: 'sla',
      description:
        "Recomputes the case's SLA clocks and queue due time, and schedules its warning, breach and " +
        'verification-close timers.',
      on: CaseEvents.changed,
      // Recomputing reads the case as it is now: one case at a time, and one run covers the changes queued behind it
      // (a burst of mail on a case is one recompute, not one per mail).
      ordered: true,
      coalesce: true,
      handle: (p, _event, job) => timers.recompute(p.caseId, job.at),
    }),
  ];
}
