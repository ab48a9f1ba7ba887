/** Webhooks react to the events customers and staff subscribe to (docs/EVENTS.md, docs/WEBHOOKS.md). */
import { defineMultiSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { AlarmEvents } from '../alarms/alarms.events.ts';
import { CaseEvents } from '../cases/cases.events.ts';
import { DiagnosisEvents } from '../diagnosis/diagnosis.events.ts';
import { IngestEvents } from '../ingest/ingest.events.ts';
import { SimEvents } from '../sims/sims.events.ts';
import type { createWebhookFanout } from './webhooks.fanout.ts';

export function webhooksSubscribers(deps: { fanout: ReturnType<typeof createWebhookFanout> }): Subscriber[] {
  return [
    defineMultiSubscriber({
      name: 'webhooks.fan_out',
      module: 'webhooks',
      description: 'Turns the event into one signed message per webhook subscription that receives it.',
      on: [
        CaseEvents.opened,
        CaseEvents.stateChanged,
        CaseEvents.publicEntry,
        SimEvents.added,
        SimEvents.stateChanged,
        SimEvents.usageThresholdCrossed,
        IngestEvents.usageDayClosed,
        DiagnosisEvents.jobFinished,
        AlarmEvents.raised,
        AlarmEvents.cleared,
      ],
      // Per case and per SIM in order: a receiver sees a case opened before its state changes.
      ordered: true,
      handle: async (event, job) => {
        await deps.fanout.fanOut(event, job.log);
      },
      handleMany: async (events, job) => {
        await deps.fanout.fanOutMany(events, job.log);
      },
    }),
  ];
}
