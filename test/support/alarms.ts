import { createAlarmsService } from '../../src/modules/alarms/alarms.service.ts';
import { alarmsDeps } from '../../src/services.ts';
import type { Harness } from './harness.ts';

/** An alarms service on the test's clock over the harness's services, wired as services.ts wires the worker's. */
export function alarmsAt(h: Harness, clock: { now: number }) {
  return createAlarmsService(h.ctx, alarmsDeps(h.services), { now: () => clock.now });
}
