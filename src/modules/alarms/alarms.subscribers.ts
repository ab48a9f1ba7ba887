/** What the alarms module does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import type { AlarmsService } from './alarms.service.ts';

export function alarmsSubscribers(deps: { alarms: Pick<AlarmsService, 'watchSims' | 'onRefusals'> }): Subscriber[] {
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
    defineSubscriber({
      name: 'alarms.refusal_bursts',
      module: 'alarms',
      description:
        'Checks the refused SIMs of the batch (its refusedIccids) against the refusal-burst rules: a SIM refused ' +
        '`count` times within the window raises its alarm, or counts it up. One read of their recent refusals.',
      on: IngestEvents.batchCommitted,
      handle: async (p) => {
        if (p.refusedIccids.length > 0) await deps.alarms.onRefusals(p.refusedIccids);
      },
    }),
  ];
}
