/**
 * The system's domain events and who reacts to them (docs/EVENTS.md is generated from this). A module declares
 * its events in `<module>.events.ts` and its reactions in `<module>.subscribers.ts`; both are listed here. The
 * registry refuses, at start-up, a subscriber of an undeclared event and a name taken twice.
 */
import { AlarmEvents } from './modules/alarms/alarms.events.ts';
import { alarmsSubscribers } from './modules/alarms/alarms.subscribers.ts';
import { CaseEvents } from './modules/cases/cases.events.ts';
import { DiagnosisEvents } from './modules/diagnosis/diagnosis.events.ts';
import { diagnosisSubscribers } from './modules/diagnosis/diagnosis.subscribers.ts';
import { IngestEvents } from './modules/ingest/ingest.events.ts';
import { ingestSubscribers } from './modules/ingest/ingest.subscribers.ts';
import { MailEvents } from './modules/mail/mail.events.ts';
import { mailSubscribers } from './modules/mail/mail.subscribers.ts';
import { SimEvents } from './modules/sims/sims.events.ts';
import { simsSubscribers } from './modules/sims/sims.subscribers.ts';
import { SlaEvents } from './modules/sla/sla.events.ts';
import { slaSubscribers } from './modules/sla/sla.subscribers.ts';
import { webhooksSubscribers } from './modules/webhooks/webhooks.subscribers.ts';
import type { EventDef } from './platform/events/define.ts';
import { createEventRegistry, type EventRegistry } from './platform/events/registry.ts';
import type { Services } from './services.ts';

export const ALL_EVENTS: readonly EventDef[] = [
  ...Object.values(CaseEvents),
  ...Object.values(SimEvents),
  ...Object.values(DiagnosisEvents),
  ...Object.values(IngestEvents),
  ...Object.values(MailEvents),
  ...Object.values(SlaEvents),
  ...Object.values(AlarmEvents),
];

const built = new WeakMap<Services, EventRegistry>();

/** The registry for these services (built and checked once). */
export function eventRegistry(services: Services): EventRegistry {
  let registry = built.get(services);
  if (!registry) {
    registry = createEventRegistry(ALL_EVENTS, [
      ...slaSubscribers({
        sla: services.sla,
        cases: services.cases,
        notifications: services.notifications,
        queue: services.jobs,
      }),
      ...diagnosisSubscribers({ caseDiagnosis: services.caseDiagnosis, fleet: services.fleetHealth }),
      ...ingestSubscribers({ ingest: services.ingest }),
      ...simsSubscribers({ usageThresholds: services.simUsageThresholds }),
      ...webhooksSubscribers({ fanout: services.webhookFanout }),
      ...mailSubscribers({ mail: services.mail, composer: services.mailComposer }),
      ...alarmsSubscribers({ alarms: services.alarms }),
    ]);
    built.set(services, registry);
  }
  return registry;
}
