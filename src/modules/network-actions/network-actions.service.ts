/**
 * Network actions on one SIM (issue 5, point 3): accepted at once, carried out by the worker. `request` checks
 * everything the caller can be told now (reach → 404, bad params → 400, the SIM API's own lifecycle and plan
 * rules → 403/409, through the SIMs service's dry runs) and then writes the action as `requested` together with
 * its outbox job, in one transaction: an accepted action is never lost, and a refused one leaves nothing behind.
 * The worker (network-actions.jobs.ts → executor) applies it as the requester and records applied/failed.
 * An action run for a case (caseNumber) writes an internal entry into the case's timeline, through the cases
 * service, in the transaction of each of those two steps.
 */
import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, invalid, isAppError, notFound } from '../../platform/errors.ts';
import { enqueueIn } from '../../platform/jobs/outbox.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import { displayIccid } from '../sims/identifiers.ts';
import type { SimRow, SimsService } from '../sims/sims.service.ts';
import { type Viewer, viewerOf } from '../sims/sims.viewer.ts';
import { type CommandBus, SimCommandSchema } from '../simulator/commands.ts';
import type { NetworkAdapter } from './adapter.ts';
import { requestedEntry } from './case-entries.ts';
import { NetworkActionsErrors as E } from './network-actions.errors.ts';
import { createExecutor, EXECUTE_JOB, type Requester } from './network-actions.executor.ts';
import { type ActionRow, networkActionsRepo } from './network-actions.repo.ts';
import type { ActionInput } from './network-actions.schemas.ts';

export type NetworkActionsDeps = {
  sims: Pick<
    SimsService,
    'locate' | 'get' | 'checkStateChange' | 'checkUpdate' | 'changeState' | 'update' | 'viewerFor'
  >;
  catalog: Pick<CatalogService, 'getCommunicationPlan' | 'updateCommunicationPlan'>;
  /** The case an action is run for: reached as the requester, its timeline written through the service. */
  cases: Pick<CasesService, 'get' | 'appendSystemEntry'>;
  adapter: NetworkAdapter;
  bus: CommandBus;
};

export type NetworkActionsService = ReturnType<typeof createNetworkActionsService>;

/**
 * An action as one caller reads it: the row, who reads it (a customer sees neither staff identities nor their
 * words: network-actions.presenter.ts) and whether the case it names is one the caller can open (a customer
 * cannot open a major case, nor another account's).
 */
export type ActionRecord = ActionRow & { viewer: Viewer; caseShown: boolean };

export function createNetworkActionsService(ctx: Pick<Ctx, 'database'>, deps: NetworkActionsDeps) {
  const db: Db = ctx.database.db;
  const repo = networkActionsRepo(db);

  /** The params to store: as asked, plus what the request resolved (the plan a plan edit is about). */
  async function precheck(p: Principal, sim: SimRow, iccid: string, input: ActionInput) {
    switch (input.kind) {
      case 'connectivity_reset':
      case 'send_config_sms':
        // Control Center and emnify let customers reset and configure their own SIMs: reaching the SIM is enough.
        return input.params;
      case 'change_state':
        await deps.sims.checkStateChange(p, iccid, input.params.to);
        return input.params;
      case 'change_plan': {
        const { communicationPlanId, ratePlanId } = input.params;
        if (communicationPlanId !== undefined || ratePlanId !== undefined) {
          await deps.sims.checkUpdate(p, iccid, { communicationPlanId, ratePlanId });
          return input.params;
        }
        if (!isStaff(p)) {
          throw forbidden(E.planEditStaffOnly, "Only the provider's staff change a communication plan's settings", [
            {
              field: 'params.field',
              value: input.params.field,
              reason: 'editing the plan changes it for every SIM on it; ask for another plan (communicationPlanId)',
            },
          ]);
        }
        if (sim.communicationPlanId === null) {
          throw conflict(E.noPlan, `SIM ${displayIccid(sim.iccid)} has no communication plan to change`, [
            { field: 'communicationPlanId', value: null, reason: 'the SIM has no communication plan' },
          ]);
        }
        await deps.catalog.getCommunicationPlan(p, sim.communicationPlanId);
        return { ...input.params, planId: sim.communicationPlanId };
      }
    }
  }

  async function locate(p: Principal, iccid: string) {
    return deps.sims.locate(p, iccid);
  }

  /** The case the action is for: one the caller reaches (else 404), of the SIM's customer (else 400). */
  async function caseFor(p: Principal, sim: SimRow, number: string) {
    const c = await deps.cases.get(p, number).catch((e: unknown) => {
      if (!isAppError(e) || e.kind !== 'not_found') throw e;
      throw notFound(E.caseNotFound, `Case ${number} not found`, [
        { field: 'caseNumber', value: number, reason: 'not found' },
      ]);
    });
    if (c.tenantId !== sim.tenantId) {
      throw invalid(E.caseOtherCustomer, `Case ${number} is not about this SIM's customer`, [
        { field: 'caseNumber', value: number, reason: "the case belongs to another customer than the SIM's" },
      ]);
    }
    return c;
  }

  /** Which of these case numbers the caller can open: staff all; a customer those `cases.get` lets them reach. */
  async function openableCases(
    p: Principal,
    numbers: readonly (string | null)[],
  ): Promise<(n: string | null) => boolean> {
    if (isStaff(p)) return () => true;
    const open = new Set<string>();
    for (const n of new Set(numbers)) {
      if (n === null) continue;
      const reached = await deps.cases.get(p, n).then(
        () => true,
        (e: unknown) => {
          if (isAppError(e) && e.kind === 'not_found') return false;
          throw e;
        },
      );
      if (reached) open.add(n);
    }
    return (n) => n === null || open.has(n);
  }

  async function seenBy(p: Principal, rows: ActionRow[]): Promise<ActionRecord[]> {
    const viewer = await deps.sims.viewerFor(
      p,
      rows.map((r) => r.requestedByUserId),
    );
    const shown = await openableCases(
      p,
      rows.map((r) => r.caseNumber),
    );
    return rows.map((r) => ({ ...r, viewer, caseShown: shown(r.caseNumber) }));
  }

  const executor = createExecutor(db, deps);

  return {
    /** The in-process command bus (`start --simulate` hands it to the simulator). */
    bus: deps.bus,
    adapterName: deps.adapter.name,

    async request(p: Principal, iccid: string, input: ActionInput): Promise<ActionRecord> {
      const sim = await locate(p, iccid);
      const linked = input.caseNumber === undefined ? undefined : await caseFor(p, sim, input.caseNumber);
      const params = await precheck(p, sim, iccid, input);
      const as: Requester = {
        userId: p.userId,
        email: p.email,
        role: p.role,
        tenantId: p.tenantId,
        accountId: p.accountId,
        accountPath: p.accountPath,
        via: p.via,
      };
      const row = await db.transaction(async (tx) => {
        const row = await networkActionsRepo(tx).insert({
          tenantId: sim.tenantId,
          simId: sim.id,
          iccid: sim.iccid,
          kind: input.kind,
          params,
          reason: input.reason ?? null,
          reference: input.reference ?? null,
          caseId: linked?.id ?? null,
          caseNumber: linked?.number ?? null,
          requestedByUserId: p.userId || null,
          requestedBy: p.email,
          requestedVia: p.via,
          adapter: deps.adapter.name,
        });
        await enqueueIn(tx, EXECUTE_JOB, { actionId: row.id, as }, { dedupeKey: `${EXECUTE_JOB}:${row.id}` });
        if (linked) await deps.cases.appendSystemEntry(linked.id, { ...requestedEntry(row), by: p }, tx);
        return row;
      });
      // The requester reached the case just now (caseFor): theirs to see.
      return { ...row, viewer: viewerOf(p), caseShown: true };
    },

    async list(p: Principal, iccid: string, q: { limit: number; cursor?: string | undefined }) {
      const sim = await locate(p, iccid);
      const scope = scopeOf(p);
      const rows = await repo.listForSim(
        sim.id,
        {
          ...(scope.kind === 'customer' ? { tenantId: scope.tenantId } : {}),
          ...(q.cursor === undefined ? {} : { beforeId: Number(q.cursor) }),
        },
        q.limit + 1,
      );
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      return { items: await seenBy(p, items), nextCursor: more ? String(items[items.length - 1]!.id) : null };
    },

    async get(p: Principal, iccid: string, id: number): Promise<ActionRecord> {
      const sim = await locate(p, iccid);
      const row = await repo.byId(id);
      const scope = scopeOf(p);
      if (!row || row.simId !== sim.id || (scope.kind === 'customer' && row.tenantId !== scope.tenantId)) {
        throw notFound(E.notFound, `Action ${id} not found on SIM ${iccid}`, [
          { field: 'id', value: id, reason: 'not found' },
        ]);
      }
      return (await seenBy(p, [row]))[0]!;
    },

    execute: executor.execute,

    /** The simulated network's command feed, for simulators in another process (after = the last id they saw). */
    async simulatedCommands(q: { after?: number | undefined; limit: number }) {
      const last = await repo.lastCommandId();
      if (q.after === undefined) return { items: [], last };
      const rows = await repo.commandsAfter(q.after, q.limit);
      const items = rows.map((r) => SimCommandSchema.parse({ ...r.command, id: r.id, iccid: r.iccid }));
      return { items, last: Math.max(last, ...items.map((c) => c.id)) };
    },
  };
}
