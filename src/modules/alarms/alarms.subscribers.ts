/** What the alarms module does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import type { AlarmsService } from './alarms.service.ts';

export function alarmsSubscribers(deps: { alarms: Pick<AlarmsService, 'watchSims'> }): Subscriber[] {
  return [
    defineSubscriber({
      name: 'alarms.watch_silence',
      module: 'alarms',
      description:
        "Starts the silence watch of SIMs whose network status a batch changed (a SIM's first event among them); a " +
        'SIM already watched is left as it is. One insert for the batch.',
      on: IngestEvents.batchCommitted,
      handle: async (p) => {
        if (p.simIds.length > 0) await deps.alarms.watchSims(p.simIds);
      },
    }),
  ];
}
