import type { Ctx } from '../../platform/context.ts';
import { type CommunicationPlanRow, catalogRepo, type PlanKind, type RatePlanRow } from './catalog.repo.ts';

export type CatalogService = ReturnType<typeof createCatalogService>;
export type { CommunicationPlanRow, PlanKind, RatePlanRow };

/** '/1/5/9/' → [1, 5, 9]: the account and its ancestors, the owners whose plans it may use. */
export function ancestorIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Resolves a plan name for an account: the nearest owner wins (own account, then ancestors), then shared. */
export type PlanResolver = (name: string, accountPath: string) => number | undefined;

export function createCatalogService(ctx: Pick<Ctx, 'database'>) {
  const repo = catalogRepo(ctx.database.db);

  return {
    /** Loads every plan's (name, owner) once; resolving is then in memory (used by the bulk import). */
    async planResolver(kind: PlanKind): Promise<PlanResolver> {
      const byName = new Map<string, { id: number; accountId: number | null }[]>();
      for (const p of await repo.planIndex(kind)) {
        const list = byName.get(p.name) ?? [];
        list.push({ id: p.id, accountId: p.accountId });
        byName.set(p.name, list);
      }
      return (name, accountPath) => {
        const candidates = byName.get(name);
        if (!candidates) return undefined;
        const chain = ancestorIds(accountPath);
        for (let i = chain.length - 1; i >= 0; i--) {
          const own = candidates.find((c) => c.accountId === chain[i]);
          if (own) return own.id;
        }
        return candidates.find((c) => c.accountId === null)?.id;
      };
    },

    /** The plan if the account (by path) may use it; undefined otherwise (unknown or another owner's). */
    availableCommunicationPlan: (id: number, accountPath: string): Promise<CommunicationPlanRow | undefined> =>
      repo.communicationPlan(id, ancestorIds(accountPath)),
    availableRatePlan: (id: number, accountPath: string): Promise<RatePlanRow | undefined> =>
      repo.ratePlan(id, ancestorIds(accountPath)),
  };
}
