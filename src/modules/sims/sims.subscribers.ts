/** What the SIM inventory does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import type { usageThresholds } from './usage-thresholds.ts';

export function simsSubscribers(deps: { usageThresholds: ReturnType<typeof usageThresholds> }): Subscriber[] {
  return [
    defineSubscriber({
      name: 'sims.usage_thresholds',
      module: 'sims',
      description:
        "Announces the account's SIMs whose data use this month reached 80 % or 100 % of their per-SIM allowance that day.",
      on: IngestEvents.usageDayClosed,
      handle: async (day, _event, job) => {
        await deps.usageThresholds(day, job.log);
      },
    }),
  ];
}
