/**
 * The living demo's one scripted moment. The desk's "can't send data" case is diagnosed when it is seeded, before
 * any traffic, so its first diagnosis entry can only say "no events yet". Once the simulated traffic shows the
 * mistyped APN on the case's SIMs (the fault begins two minutes in; the meters retry every few minutes), the
 * case's diagnosis is re-run as the demo agent would, and the timeline names the cause. Runs once, after the first
 * start seeded the demo; gives up quietly when the fault never shows (the SIMs were changed, say).
 */
import type { Principal } from '../../platform/auth.ts';
import type { Logger } from '../../platform/log.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { CaseDiagnosis } from '../diagnosis/case-diagnosis.ts';
import type { DiagnosisService } from '../diagnosis/diagnosis.service.ts';

export type FaultWatchDeps = {
  cases: Pick<CasesService, 'affectedSims'>;
  diagnosis: Pick<DiagnosisService, 'diagnoseRef'>;
  caseDiagnosis: Pick<CaseDiagnosis, 'rerun'>;
  log: Pick<Logger, 'info' | 'warn'>;
};

const DAY_MS = 86_400_000;

export function rediagnoseWhenFaultShows(
  deps: FaultWatchDeps,
  o: { agent: Principal; number: string; everyMs?: number; giveUpMs?: number; now?: () => number },
): { stop(): void; done: Promise<boolean> } {
  const now = o.now ?? Date.now;
  const giveUpAt = now() + (o.giveUpMs ?? 30 * 60_000);
  let timer: NodeJS.Timeout | undefined;
  let finish: (rediagnosed: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  const stop = (rediagnosed = false) => {
    clearInterval(timer);
    finish(rediagnosed);
  };

  /** True once every SIM of the case is diagnosed with the mistyped APN. */
  async function faultShows(): Promise<boolean> {
    const page = await deps.cases.affectedSims(o.agent, o.number, { limit: 10 });
    if (page.items.length === 0) return false;
    const window = { from: new Date(now() - DAY_MS), to: new Date(now()) };
    for (const item of page.items) {
      const r = await deps.diagnosis.diagnoseRef(item.sim, window);
      if (r.diagnosis.rootCause.code !== 'apn_typo') return false;
    }
    return true;
  }

  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      if (await faultShows()) {
        await deps.caseDiagnosis.rerun(o.agent, o.number);
        deps.log.info({ case: o.number }, 'demo: the simulated APN typo shows; case diagnosis re-run');
        stop(true);
      } else if (now() >= giveUpAt) stop(false);
    } catch (e) {
      deps.log.warn({ err: e, case: o.number }, 'demo: re-running the case diagnosis failed');
      stop(false);
    } finally {
      busy = false;
    }
  };
  timer = setInterval(() => void check(), o.everyMs ?? 30_000);
  // The desk must not stay up for this: a stopping server just never re-runs it.
  timer.unref();
  return { stop: () => stop(false), done };
}
