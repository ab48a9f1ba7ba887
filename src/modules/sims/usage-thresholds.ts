/**
 * Usage thresholds (issue 14: customers subscribe to usage events, as emnify's and Control Center's do): when a
 * day's usage is rolled up, each SIM of the account whose data use this month went past 80 % or 100 % of its
 * per-SIM rate plan's allowance that day is announced, once per threshold and month. A pooled plan's allowance is
 * the account's, not a SIM's: it is not judged here.
 */
import type { Db } from '../../platform/db/client.ts';
import { emit } from '../../platform/events/emit.ts';
import type { Logger } from '../../platform/log.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import type { UsageDayClosed } from '../ingest/ingest.events.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { SimEvents, simOrderingKey } from './sims.events.ts';
import { type SimRow, simsRepo } from './sims.repo.ts';

export const USAGE_THRESHOLDS = [80, 100] as const;
const MB = 1024 * 1024;

export type UsageThresholdDeps = {
  ingest: Pick<IngestService, 'monthToDate'>;
  catalog: Pick<CatalogService, 'ratePlanAllowances'>;
};

export function usageThresholds(db: Db, deps: UsageThresholdDeps) {
  /** Announces the crossings of one account's day; answers how many. */
  return async function announce(day: UsageDayClosed, log: Logger): Promise<number> {
    const usage = await deps.ingest.monthToDate(day.accountId, day.day);
    if (usage.length === 0) return 0;
    // In chunks: an account may have 100,000 SIMs with usage, one query parameter each.
    const sims = new Map<number, SimRow>();
    for (let i = 0; i < usage.length; i += 10_000)
      for (const s of await simsRepo(db).byIds(usage.slice(i, i + 10_000).map((u) => u.simId))) sims.set(s.id, s);
    const planIds = [...new Set([...sims.values()].flatMap((s) => (s.ratePlanId === null ? [] : [s.ratePlanId])))];
    const plans = await deps.catalog.ratePlanAllowances(planIds);
    let announced = 0;
    for (const u of usage) {
      const sim = sims.get(u.simId);
      const plan = sim?.ratePlanId == null ? undefined : plans.get(sim.ratePlanId);
      if (!sim || !plan || plan.pooling !== 'per_sim' || plan.includedDataMb <= 0) continue;
      const allowance = plan.includedDataMb * MB;
      for (const threshold of USAGE_THRESHOLDS) {
        const at = (allowance * threshold) / 100;
        if (!(u.before < at && u.through >= at)) continue;
        await emit(
          db,
          SimEvents.usageThresholdCrossed,
          {
            simId: sim.id,
            tenantId: sim.tenantId,
            accountId: sim.accountId,
            day: day.day,
            threshold,
            usedBytes: u.through,
            allowanceBytes: allowance,
            ratePlanId: sim.ratePlanId!,
          },
          // Once per SIM, month and threshold, however often the day is announced.
          { orderingKey: simOrderingKey(sim.id), dedupeKey: `usage:${sim.id}:${day.day.slice(0, 7)}:${threshold}` },
        );
        announced += 1;
      }
    }
    if (announced > 0) log.info({ accountId: day.accountId, day: day.day, announced }, 'usage thresholds crossed');
    return announced;
  };
}
