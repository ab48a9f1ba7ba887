/** What the alarms module does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import type { AlarmsService } from './alarms.service.ts';

export function alarmsSubscribers(deps: {
  alarms: Pick<AlarmsService, 'watchSims' | 'onRefusals' | 'onTelemetry'>;
}): Subscriber[] {
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
    defineSubscriber({
      name: 'alarms.telemetry_thresholds',
      module: 'alarms',
      description:
        'Checks the devices the batch stored telemetry of (its telemetryDeviceIds) against the threshold rules of ' +
        'their metrics: a series beyond for its repeats and duration raises its alarm or counts it up, one back ' +
        'inside by the margin clears it. One read of the rules’ series by the series index.',
      on: IngestEvents.batchCommitted,
      handle: async (p) => {
        if (p.telemetryDeviceIds.length > 0) await deps.alarms.onTelemetry(p.telemetryDeviceIds);
      },
    }),
  ];
}
