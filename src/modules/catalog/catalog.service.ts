import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { cursorParts, encodeCursor as encodeParts, isCursorId, isCursorText } from '../../platform/cursor.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { CatalogErrors as E } from './catalog.errors.ts';
import {
  type CommunicationPlanRow,
  catalogRepo,
  type PlanKind,
  type PlanListFilter,
  type RatePlanRow,
} from './catalog.repo.ts';
import type {
  CreateCommunicationPlanInput,
  CreateRatePlanInput,
  ListPlansInput,
  OVERAGE_ACTIONS,
  UpdateCommunicationPlanInput,
  UpdateRatePlanInput,
} from './catalog.schemas.ts';

type OverageAction = (typeof OVERAGE_ACTIONS)[number];

import { type RoamingZone, roamingZones } from './catalog.zones.ts';

export type CatalogService = ReturnType<typeof createCatalogService>;
export { plmnAllowedByPlan } from './catalog.zones.ts';
export type { CommunicationPlanRow, PlanKind, RatePlanRow };

/**
 * The overage action a create or update leaves: `throttle` needs its rate, the others have none (a change of action
 * away from throttle drops the rate; a rate alone changes a throttling plan's rate).
 */
function overageActionOf(
  over: { action?: OverageAction | undefined; throttleKbps?: number | null | undefined },
  current: { overageAction: string; overageThrottleKbps: number | null },
): { overageAction: OverageAction; overageThrottleKbps: number | null } {
  const action = over.action ?? (current.overageAction as OverageAction);
  const rate = over.throttleKbps !== undefined ? over.throttleKbps : current.overageThrottleKbps;
  if (action === 'throttle' && rate === null)
    throw invalid(E.overageThrottleRate, 'A throttling rate plan needs the rate it throttles to', [
      { field: 'overage.throttleKbps', value: over.throttleKbps ?? null, reason: 'required with action throttle' },
    ]);
  if (action !== 'throttle' && over.throttleKbps != null)
    throw invalid(E.overageThrottleRate, `A rate plan that does not throttle has no throttling rate`, [
      { field: 'overage.throttleKbps', value: over.throttleKbps, reason: `only with action throttle, not ${action}` },
    ]);
  return { overageAction: action, overageThrottleKbps: action === 'throttle' ? rate : null };
}

/** '/1/5/9/' → [1, 5, 9]: the account and its ancestors, the owners whose plans it may use. */
export function ancestorIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** A plan name → the plan an account may use (its own, an ancestor's, or a shared one); `isAvailable` by id. */
export type PlanResolver = ((name: string, accountPath: string) => number | undefined) & {
  isAvailable(id: number, accountPath: string): boolean;
};

/** The resolver over an index of plans (id, name, owner); pure, so its precedence is unit-tested. */
export function makePlanResolver(
  index: readonly { id: number; name: string; accountId: number | null }[],
): PlanResolver {
  const byName = new Map<string, { id: number; accountId: number | null }[]>();
  for (const p of index) {
    const list = byName.get(p.name) ?? [];
    list.push({ id: p.id, accountId: p.accountId });
    byName.set(p.name, list);
  }
  const ownerById = new Map(index.map((p) => [p.id, p.accountId]));
  const resolve = (name: string, accountPath: string) => {
    const candidates = byName.get(name);
    if (!candidates) return undefined;
    const chain = ancestorIds(accountPath);
    for (let i = chain.length - 1; i >= 0; i--) {
      const own = candidates.find((c) => c.accountId === chain[i]);
      if (own) return own.id;
    }
    return candidates.find((c) => c.accountId === null)?.id;
  };
  return Object.assign(resolve, {
    isAvailable(id: number, accountPath: string) {
      const owner = ownerById.get(id);
      return owner === null || (owner !== undefined && ancestorIds(accountPath).includes(owner));
    },
  });
}

/** What the catalog needs from accounts: an account's tenant and path, within a scope. */
/** How many of something use a plan ("SIMs"). */
export type PlanUsage = (kind: PlanKind, id: number) => Promise<{ what: string; count: number }>;

export type AccountLookup = Pick<AccountsService, 'getInScope' | 'subtreeIds'>;

type Page<T> = { items: T[]; nextCursor: string | null };

const encodeCursor = (row: { name: string; id: number }) => encodeParts([row.name, row.id]);
function decodeCursor(cursor: string): { name: string; id: number } {
  const v = cursorParts(cursor, 2);
  if (v && isCursorText(v[0]) && isCursorId(v[1])) return { name: v[0], id: v[1] };
  throw invalid(E.cursorInvalid, 'Invalid cursor', [
    { field: 'cursor', value: cursor, reason: 'not a cursor from this list' },
  ]);
}

export function requireStaff(p: Principal, action: string) {
  if (!isStaff(p)) {
    throw forbidden(E.staffOnly, `Only the provider's staff can ${action}; customers may read plans`, [
      { field: 'role', value: p.role, reason: 'staff only' },
    ]);
  }
}

/** A plan that carries data must name at least one APN the device may use. */
function requireApnWhenData(services: { data: boolean }, apns: readonly string[]) {
  if (services.data && apns.length === 0) {
    throw invalid(E.apnRequired, 'A communication plan with data on needs at least one APN', [
      { field: 'apns', value: [], reason: 'at least one APN is required when services.data is on' },
    ]);
  }
}

function nameTaken(e: unknown, constraint: string, name: string): AppError | undefined {
  if (!isUniqueViolation(e, constraint)) return undefined;
  return conflict(E.planNameTaken, `A plan named '${name}' already exists for this owner`, [
    { field: 'name', value: name, reason: 'already used by another plan of the same owner' },
  ]);
}

export function createCatalogService(ctx: Pick<Ctx, 'database'>, accounts: AccountLookup) {
  const repo = catalogRepo(ctx.database.db);

  /** The account, or `undefined` when the scope cannot see it (or it does not exist). */
  async function accountIn(scope: TenantScope, id: number) {
    try {
      return await accounts.getInScope(scope, id);
    } catch (e) {
      if (e instanceof AppError && e.kind === 'not_found') return undefined;
      throw e;
    }
  }

  /** The owner of a new plan: a bad account id in the body is bad input (400), not a missing resource. */
  async function ownerOf(accountId: number | undefined) {
    if (accountId === undefined) return { accountId: null, tenantId: null };
    const a = await accountIn({ kind: 'operator' }, accountId);
    if (!a) {
      throw invalid(E.accountNotFound, `Account ${accountId} does not exist`, [
        { field: 'accountId', value: accountId, reason: 'unknown account' },
      ]);
    }
    return { accountId: a.id, tenantId: a.tenantId };
  }

  /**
   * Owners whose plans the caller sees: every plan for staff. Customers see shared plans, those of their account
   * and its ancestors (the plans they may use), and those of the accounts below them (the plans their
   * sub-accounts' SIMs use, which they already see).
   */
  async function visibleOwners(p: Principal): Promise<number[] | null> {
    const scope = scopeOf(p);
    if (scope.kind === 'operator') return null;
    const below = await accounts.subtreeIds(scope, scope.accountPath);
    return [...new Set([...ancestorIds(scope.accountPath), ...below])];
  }

  async function listFilter(p: Principal, q: ListPlansInput): Promise<PlanListFilter> {
    let owners = await visibleOwners(p);
    if (q.accountId !== undefined) {
      const scope = scopeOf(p);
      const a = await accountIn(scope, q.accountId);
      if (!a) {
        // Staff asking for a missing account made a typo (400); a customer must not learn whether it exists.
        const detail = [{ field: 'accountId', value: q.accountId, reason: 'unknown account' }];
        const message = `Account ${q.accountId} not found`;
        throw scope.kind === 'operator'
          ? invalid(E.accountNotFound, message, detail)
          : notFound(E.accountNotFound, message, detail);
      }
      const chain = ancestorIds(a.path);
      owners = owners === null ? chain : chain.filter((id) => owners?.includes(id));
    }
    return {
      ancestorIds: owners,
      owner: q.owner,
      q: q.q,
      after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
      limit: q.limit + 1,
    };
  }

  function page<T extends { name: string; id: number }>(rows: T[], limit: number): Page<T> {
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!) : null };
  }

  async function getCommunicationPlan(p: Principal, id: number): Promise<CommunicationPlanRow> {
    const row = await repo.communicationPlan(id, await visibleOwners(p));
    // Another tenant's plan answers exactly like a missing one.
    if (!row) {
      throw notFound(E.communicationPlanNotFound, `Communication plan ${id} not found`, [
        { field: 'id', value: id, reason: 'not found' },
      ]);
    }
    return row;
  }

  async function getRatePlan(p: Principal, id: number): Promise<RatePlanRow> {
    const row = await repo.ratePlan(id, await visibleOwners(p));
    if (!row) {
      throw notFound(E.ratePlanNotFound, `Rate plan ${id} not found`, [
        { field: 'id', value: id, reason: 'not found' },
      ]);
    }
    return row;
  }

  /**
   * Who still uses a plan, asked before it is deleted. The catalog knows no SIM: the composition root registers
   * the SIMs module's count here (services.ts), as it does for the VIP tier hook of accounts.
   */
  const usages: PlanUsage[] = [];

  async function deletePlan(p: Principal, kind: PlanKind, id: number): Promise<void> {
    const row = kind === 'communication' ? await getCommunicationPlan(p, id) : await getRatePlan(p, id);
    requireStaff(p, `delete ${kind} plans`);
    const uses = (await Promise.all(usages.map((u) => u(kind, id)))).filter((u) => u.count > 0);
    if (uses.length > 0) {
      const what = uses.map((u) => `${u.count} ${u.what}`).join(', ');
      throw conflict(
        E.planInUse,
        `The ${kind} plan '${row.name}' is still used by ${what}; move them to another plan first`,
        [{ field: 'id', value: id, reason: `used by ${what}` }],
      );
    }
    // Deleted, not retired: no row keeps a key to a plan (SIMs hold it without a foreign key, and none may hold
    // it here); the SIM audit history keeps the id it had. A SIM moved onto the plan between the count and this
    // delete is the one race left (no foreign key to stop it).
    await repo.deletePlan(kind, id);
  }

  return {
    /** Registers a check of who uses a plan; a delete is refused while any answers a count above 0. */
    addPlanUsage(u: PlanUsage) {
      usages.push(u);
    },
    deleteCommunicationPlan: (p: Principal, id: number) => deletePlan(p, 'communication', id),
    deleteRatePlan: (p: Principal, id: number) => deletePlan(p, 'rate', id),

    /** Loads every plan's (name, owner) once; resolving is then in memory (used by the bulk import). */
    /** Every plan's name by id (a few hundred rows): for bulk readers such as the SIM export. */
    async planNames(kind: PlanKind): Promise<Map<number, string>> {
      return new Map((await repo.planIndex(kind)).map((p) => [p.id, p.name]));
    },

    async planResolver(kind: PlanKind): Promise<PlanResolver> {
      return makePlanResolver(await repo.planIndex(kind));
    },

    /** The plan if the account (by path) may use it; undefined otherwise (unknown or another owner's). */
    availableCommunicationPlan: (id: number, accountPath: string): Promise<CommunicationPlanRow | undefined> =>
      repo.communicationPlan(id, ancestorIds(accountPath)),
    availableRatePlan: (id: number, accountPath: string): Promise<RatePlanRow | undefined> =>
      repo.ratePlan(id, ancestorIds(accountPath)),

    roamingZones: (): readonly RoamingZone[] => roamingZones(),

    /** For other modules (the usage thresholds): each rate plan's data allowance and how it is shared. */
    async ratePlanAllowances(
      ids: readonly number[],
    ): Promise<Map<number, { includedDataMb: number; pooling: string }>> {
      const rows = await repo.ratePlansByIds(ids);
      return new Map(rows.map((r) => [r.id, { includedDataMb: r.includedDataMb, pooling: r.pooling }]));
    },

    getCommunicationPlan,
    getRatePlan,

    async listCommunicationPlans(p: Principal, q: ListPlansInput): Promise<Page<CommunicationPlanRow>> {
      return page(await repo.listCommunicationPlans(await listFilter(p, q)), q.limit);
    },
    async listRatePlans(p: Principal, q: ListPlansInput): Promise<Page<RatePlanRow>> {
      return page(await repo.listRatePlans(await listFilter(p, q)), q.limit);
    },

    async createCommunicationPlan(p: Principal, input: CreateCommunicationPlanInput): Promise<CommunicationPlanRow> {
      requireStaff(p, 'create communication plans');
      requireApnWhenData(input.services, input.apns);
      const owner = await ownerOf(input.accountId);
      try {
        return await repo.insertCommunicationPlan({
          ...owner,
          name: input.name,
          description: input.description ?? null,
          apns: input.apns,
          dataEnabled: input.services.data,
          smsEnabled: input.services.sms,
          voiceEnabled: input.services.voice,
          csdEnabled: input.services.csd,
          allowedRats: input.allowedRats,
          roamingPlmns: input.roamingPlmns,
          roamingZones: input.roamingZones,
          imeiLock: input.imeiLock ?? false,
        });
      } catch (e) {
        throw nameTaken(e, 'communication_plans_owner_name_uq', input.name) ?? e;
      }
    },

    async updateCommunicationPlan(
      p: Principal,
      id: number,
      input: UpdateCommunicationPlanInput,
    ): Promise<CommunicationPlanRow> {
      const row = await getCommunicationPlan(p, id);
      requireStaff(p, 'change communication plans');
      const s = input.services ?? {};
      const services = {
        data: s.data ?? row.dataEnabled,
        sms: s.sms ?? row.smsEnabled,
        voice: s.voice ?? row.voiceEnabled,
        csd: s.csd ?? row.csdEnabled,
      };
      requireApnWhenData(services, input.apns ?? row.apns);
      try {
        return await repo.updateCommunicationPlan(id, {
          name: input.name,
          description: input.description,
          apns: input.apns,
          dataEnabled: services.data,
          smsEnabled: services.sms,
          voiceEnabled: services.voice,
          csdEnabled: services.csd,
          allowedRats: input.allowedRats,
          roamingPlmns: input.roamingPlmns,
          roamingZones: input.roamingZones,
          imeiLock: input.imeiLock,
        });
      } catch (e) {
        throw nameTaken(e, 'communication_plans_owner_name_uq', input.name ?? row.name) ?? e;
      }
    },

    async createRatePlan(p: Principal, input: CreateRatePlanInput): Promise<RatePlanRow> {
      requireStaff(p, 'create rate plans');
      const owner = await ownerOf(input.accountId);
      const { included: inc, overage: over, testReady: test } = input;
      const action = overageActionOf(over, { overageAction: 'charge', overageThrottleKbps: null });
      try {
        return await repo.insertRatePlan({
          ...owner,
          name: input.name,
          description: input.description ?? null,
          currency: input.currency,
          monthlyFee: input.monthlyFee,
          pooling: input.pooling,
          includedDataMb: inc.dataMb ?? 0,
          includedSms: inc.sms ?? 0,
          includedVoiceMin: inc.voiceMin ?? 0,
          overageDataPerMb: over.dataPerMb ?? '0',
          overageSmsEach: over.smsEach ?? '0',
          overageVoicePerMin: over.voicePerMin ?? '0',
          ...action,
          testDataMb: test.dataMb ?? 0,
          testSms: test.sms ?? 0,
          testVoiceMin: test.voiceMin ?? 0,
          testDays: test.days ?? 0,
        });
      } catch (e) {
        throw nameTaken(e, 'rate_plans_owner_name_uq', input.name) ?? e;
      }
    },

    async updateRatePlan(p: Principal, id: number, input: UpdateRatePlanInput): Promise<RatePlanRow> {
      const row = await getRatePlan(p, id);
      requireStaff(p, 'change rate plans');
      const inc = input.included ?? {};
      const over = input.overage ?? {};
      const test = input.testReady ?? {};
      const action = overageActionOf(over, row);
      try {
        // Undefined fields are left as they are (Drizzle skips them in SET).
        return await repo.updateRatePlan(id, {
          name: input.name,
          description: input.description,
          currency: input.currency,
          monthlyFee: input.monthlyFee,
          pooling: input.pooling,
          includedDataMb: inc.dataMb,
          includedSms: inc.sms,
          includedVoiceMin: inc.voiceMin,
          overageDataPerMb: over.dataPerMb,
          overageSmsEach: over.smsEach,
          overageVoicePerMin: over.voicePerMin,
          ...action,
          testDataMb: test.dataMb,
          testSms: test.sms,
          testVoiceMin: test.voiceMin,
          testDays: test.days,
        });
      } catch (e) {
        throw nameTaken(e, 'rate_plans_owner_name_uq', input.name ?? row.name) ?? e;
      }
    },
  };
}
