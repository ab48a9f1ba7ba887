import { expect } from 'vitest';
import { createAlarmsService } from '../../src/modules/alarms/alarms.service.ts';
import { alarmsDeps } from '../../src/services.ts';
import { type Harness, uniq } from './harness.ts';

/** An alarms service on the test's clock over the harness's services, wired as services.ts wires the worker's. */
export function alarmsAt(h: Harness, clock: { now: number }) {
  return createAlarmsService(h.ctx, alarmsDeps(h.services), { now: () => clock.now });
}

/**
 * Network records through the real ingest (over HTTP as a credential-less source), each given an id; then the batch
 * events' jobs run (the alarms' subscribers: the silence watch, refusal bursts). Every record must be accepted.
 */
export async function ingestNetwork(h: Harness, values: readonly Record<string, unknown>[]): Promise<void> {
  const lines = values.map((value, i) => ({ line: i + 1, value: { id: uniq(), ...value } }));
  expect(await h.services.ingest.acceptNetwork(lines, NETWORK_SOURCE)).toMatchObject({ accepted: lines.length });
  await h.services.ingest.drained();
  await h.runJobs();
}
const NETWORK_SOURCE = { transport: 'http' as const, credentialId: null };
