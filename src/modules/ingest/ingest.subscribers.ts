/** What network ingest does when others change (docs/EVENTS.md). */
import { defineSubscriber, type Subscriber } from '../../platform/events/define.ts';
import { SimEvents } from '../sims/sims.events.ts';
import type { IngestService } from './ingest.service.ts';

export function ingestSubscribers(deps: { ingest: Pick<IngestService, 'adoptOrphans'> }): Subscriber[] {
  return [
    defineSubscriber({
      name: 'ingest.adopt_orphans',
      module: 'ingest',
      description: 'Network records and telemetry that arrived before their SIMs existed are given to the new SIMs.',
      on: SimEvents.added,
      handle: async (_p, _event, job) => {
        const adopted = await deps.ingest.adoptOrphans();
        job.log.info({ adopted }, 'orphan records adopted after a SIM import');
      },
    }),
  ];
}
