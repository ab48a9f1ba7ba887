import { describe, expect, it } from 'vitest';
import { cliPrincipal } from '../../platform/auth.ts';
import { type FaultWatchDeps, rediagnoseWhenFaultShows } from './demo.live.ts';

/** Fakes: two SIMs whose diagnosis answers what `causes` says at each check; counts the re-runs. */
function fakes(causes: () => string[]) {
  const reruns: string[] = [];
  const deps = {
    cases: {
      affectedSims: async () => ({ items: [{ sim: { id: 1 } }, { sim: { id: 2 } }] }),
    },
    diagnosis: {
      diagnoseRef: async (sim: { id: number }) => ({ diagnosis: { rootCause: { code: causes()[sim.id - 1] } } }),
    },
    caseDiagnosis: { rerun: async (_p: unknown, number: string) => void reruns.push(number) },
    log: { info: () => undefined, warn: () => undefined },
  } as unknown as FaultWatchDeps;
  return { deps, reruns };
}
const agent = cliPrincipal('agent');

describe('the demo re-runs the "can’t send data" diagnosis once the fault shows', () => {
  it('waits until every SIM of the case is diagnosed with the mistyped APN, then re-runs it once', async () => {
    let n = 0;
    const f = fakes(() =>
      ++n < 5 ? ['no_events_yet', 'no_events_yet'] : n < 9 ? ['apn_typo', 'healthy'] : ['apn_typo', 'apn_typo'],
    );
    const watch = rediagnoseWhenFaultShows(f.deps, { agent, number: 'C-2026-000240', everyMs: 5 });
    expect(await watch.done).toBe(true);
    expect(f.reruns).toEqual(['C-2026-000240']);
  });

  it('gives up quietly when the fault never shows', async () => {
    let t = 0;
    const f = fakes(() => ['healthy', 'healthy']);
    const watch = rediagnoseWhenFaultShows(f.deps, {
      agent,
      number: 'C-1',
      everyMs: 5,
      giveUpMs: 50,
      now: () => (t += 10),
    });
    expect(await watch.done).toBe(false);
    expect(f.reruns).toEqual([]);
  });
});
