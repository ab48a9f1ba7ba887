import { createAlarmsService } from '../../src/modules/alarms/alarms.service.ts';
import type { Harness } from './harness.ts';

/** An alarms service on the test's clock over the harness's services, wired as services.ts wires the worker's. */
export function alarmsAt(h: Harness, clock: { now: number }) {
  const s = h.services;
  return createAlarmsService(
    h.ctx,
    {
      lastEventsOf: s.ingest.lastEventsOf,
      thresholdsOf: s.diagnosis.silenceThresholds,
      simsWithStateAfter: s.ingest.simsWithStateAfter,
      iccidsOf: s.sims.iccidsOf,
      locateSim: s.sims.locate,
      inService: async (ids) =>
        new Set((await s.sims.byIds(ids)).filter((x) => x.state === 'ACTIVATED').map((x) => x.id)),
    },
    { now: () => clock.now },
  );
}
