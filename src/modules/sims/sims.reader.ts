import type { Db } from '../../platform/db/client.ts';
import type { AccountRow } from '../accounts/accounts.service.ts';
import { OPERATOR, type PlanField, type SimsAccess } from './sims.reach.ts';
import { type ImsiRow, type SimRow, simsRepo } from './sims.repo.ts';
import type { Viewer } from './sims.viewer.ts';

type Ref = { id: number; name: string | null };
export type SimDetail = {
  sim: SimRow;
  imsis: ImsiRow[];
  account: { id: number; number: string | null; name: string | null };
  communicationPlan: Ref | null;
  ratePlan: Ref | null;
  networkState: string | null;
  /** Who it is shown to: a customer does not see the provider's import metadata (sims.viewer.ts). */
  viewer: Viewer;
};

/**
 * Adds what a SIM view shows beyond its row: IMSIs and network states (one query each per page), account and plan
 * names (one look-up per distinct account and plan on the page, through their modules' services).
 */
export function createSimsReader(db: Db, access: SimsAccess) {
  const repo = simsRepo(db);
  return {
    async enrich(rows: SimRow[], viewer: Viewer): Promise<SimDetail[]> {
      const imsis = new Map<number, ImsiRow[]>();
      for (const i of await repo.imsisOf(rows.map((r) => r.id))) {
        const list = imsis.get(i.simId) ?? [];
        list.push(i);
        imsis.set(i.simId, list);
      }
      const states = await access.networkStates(rows.map((r) => r.id));
      const accounts = new Map<number, AccountRow | undefined>();
      for (const id of new Set(rows.map((r) => r.accountId))) accounts.set(id, await access.account(OPERATOR, id));

      // A plan's name is looked up from the first SIM's account that uses it (the plan was available there).
      const plans = new Map<string, string | null>();
      async function plan(field: PlanField, id: number | null, accountId: number): Promise<Ref | null> {
        if (id === null) return null;
        const key = `${field}:${id}`;
        if (!plans.has(key)) {
          const path = accounts.get(accountId)?.path;
          plans.set(key, path === undefined ? null : ((await access.planName(field, id, path)) ?? null));
        }
        return { id, name: plans.get(key) ?? null };
      }

      const out: SimDetail[] = [];
      for (const sim of rows) {
        const a = accounts.get(sim.accountId);
        out.push({
          sim,
          imsis: imsis.get(sim.id) ?? [],
          account: { id: sim.accountId, number: a?.number ?? null, name: a?.name ?? null },
          communicationPlan: await plan('communicationPlanId', sim.communicationPlanId, sim.accountId),
          ratePlan: await plan('ratePlanId', sim.ratePlanId, sim.accountId),
          networkState: states.get(sim.id) ?? null,
          viewer,
        });
      }
      return out;
    },
  };
}
