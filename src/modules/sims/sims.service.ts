import { isStaff, type Principal, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { emit } from '../../platform/events/emit.ts';
import { checkEid, checkIccid, checkImei, checkImsi, checkMsisdn, displayIccid } from './identifiers.ts';
import { checkTransition, SIM_STATES, type SimState, TRANSITIONS } from './lifecycle.ts';
import { createBulkChange, selectionWhere } from './sims.bulk.ts';
import { duplicateFrom, SimsErrors as E } from './sims.errors.ts';
import { SimEvents, simOrderingKey } from './sims.events.ts';
import {
  decodeHistoryCursor,
  decodeListCursor,
  encodeHistoryCursor,
  encodeListCursor,
  filterWhere,
  Problems,
  parseIccid,
} from './sims.filters.ts';
import { actorLabel, actorOf, OPERATOR, type SimsDeps, simsAccess } from './sims.reach.ts';
import { createSimsReader, type SimDetail } from './sims.reader.ts';
import {
  type AuditRow,
  type ImportRow,
  type Keyset,
  listQuery,
  type SimReach,
  type SimRow,
  type SimWhere,
  selectionQuery,
  simsRepo,
} from './sims.repo.ts';
import type {
  BulkChangeInput,
  ChangeStateInput,
  CreateSimInput,
  ListSimsQueryInput,
  UpdateSimInput,
} from './sims.schemas.ts';
import { applyUpdate } from './sims.update.ts';
import { type Viewer, viewerOf } from './sims.viewer.ts';

export type SimsService = ReturnType<typeof createSimsService>;
export type { SimDetail, SimRow };
export type HistoryEntry = { viewer: Viewer } & (
  | { kind: 'audit'; row: AuditRow }
  | { kind: 'import'; sim: SimRow; job: ImportRow | undefined; importId: number }
);

/** The lifecycle rule for this caller, or the refusal the SIM API answers (409 no such transition, 403 not yours). */
function requireTransition(p: Principal, from: SimState, to: SimState): void {
  const actor = actorOf(p);
  const check = checkTransition(from, to, actor);
  if (check.ok) return;
  const allowed = TRANSITIONS[from].filter((r) => r.by.includes(actor)).map((r) => r.to);
  const details = [
    { field: 'from', value: from, reason: 'current state' },
    {
      field: 'allowed',
      value: allowed,
      reason: `states ${actor === 'operator' ? 'staff' : 'you'} may set from ${from}`,
    },
  ];
  if (check.reason === 'no_such_transition') {
    throw conflict(E.transitionNotAllowed, `A SIM cannot go from ${from} to ${to}`, [
      { field: 'state', value: to, reason: `no transition from ${from} to ${to}` },
      ...details,
    ]);
  }
  throw forbidden(E.transitionForbidden, `Only the provider may move a SIM from ${from} to ${to}`, [
    { field: 'state', value: to, reason: `only the provider may move a SIM from ${from} to ${to}` },
    ...details,
  ]);
}

export function createSimsService(ctx: Pick<Ctx, 'database'>, deps: SimsDeps) {
  const db: Db = ctx.database.db;
  const repo = simsRepo(db);
  const access = simsAccess(deps);
  const reader = createSimsReader(db, access);

  /** The SIM if the principal may see it; another tenant's (or another branch's) SIM answers like a missing one. */
  async function load(p: Principal, rawIccid: string): Promise<SimRow> {
    const iccid = parseIccid(rawIccid);
    const scope = scopeOf(p);
    const sim = await repo.byIccid(scope.kind === 'customer' ? { tenantId: scope.tenantId } : {}, iccid);
    if (!sim || (scope.kind === 'customer' && !(await access.account(scope, sim.accountId)))) {
      throw notFound(E.notFound, `SIM ${rawIccid} not found`, [
        { field: 'iccid', value: rawIccid, reason: 'not found' },
      ]);
    }
    return sim;
  }

  /** The viewer of rows made by these actors: for a customer, with those of them they may see named. */
  async function viewerFor(p: Principal, actorUserIds: readonly (number | null)[]): Promise<Viewer> {
    if (isStaff(p) || !deps.colleaguesOf) return viewerOf(p);
    return viewerOf(p, await deps.colleaguesOf(p, actorUserIds));
  }

  const one = async (p: Principal, row: SimRow) => (await reader.enrich([row], viewerOf(p)))[0]!;

  return {
    lifecycle() {
      return {
        states: [...SIM_STATES],
        transitions: SIM_STATES.flatMap((from) =>
          TRANSITIONS[from].map((r) => ({ from, to: r.to, by: [...r.by], why: r.why })),
        ),
      };
    },

    get: async (p: Principal, iccid: string): Promise<SimDetail> => one(p, await load(p, iccid)),
    /** The SIM's row if the principal reaches it, else 404 like a missing one: for modules reading by ICCID. */
    locate: load,

    async create(p: Principal, input: CreateSimInput): Promise<SimDetail> {
      if (!isStaff(p)) throw forbidden(E.staffOnly, 'Only the provider creates SIMs');
      const pr = new Problems();
      const iccid = pr.check(checkIccid(input.iccid), E.iccidInvalid, 'iccid', input.iccid);
      const imsis = input.imsis.map((raw, i) => pr.check(checkImsi(raw), E.imsiInvalid, `imsis[${i}]`, raw));
      imsis.forEach((imsi, i) => {
        if (imsis.indexOf(imsi) !== i) pr.add(E.imsiInvalid, { field: `imsis[${i}]`, value: imsi, reason: 'repeated' });
      });
      const opt = (raw: string | undefined, check: typeof checkMsisdn, code: string, field: string) =>
        raw === undefined ? null : pr.check(check(raw), code, field, raw);
      const msisdn = opt(input.msisdn, checkMsisdn, E.msisdnInvalid, 'msisdn');
      const imei = opt(input.imei, checkImei, E.imeiInvalid, 'imei');
      const eid = opt(input.eid, checkEid, E.eidInvalid, 'eid');
      if (input.imeiLock && imei === null)
        pr.add(E.imeiLockWithoutImei, {
          field: 'imeiLock',
          value: true,
          reason: 'an IMEI-locked SIM needs the IMEI it is locked to (imei)',
        });
      pr.throwIfAny('Invalid SIM');

      const account = await access.requireAccount(OPERATOR, input.accountId);
      if (input.communicationPlanId !== undefined)
        await access.requirePlan('communicationPlanId', input.communicationPlanId, account);
      if (input.ratePlanId !== undefined) await access.requirePlan('ratePlanId', input.ratePlanId, account);

      const taken = await repo.taken({ iccid, msisdn, imsis });
      if (taken.iccid || taken.msisdn || taken.imsis.length > 0) {
        throw taken.iccid
          ? conflict(E.iccidTaken, `A SIM with ICCID ${displayIccid(iccid)} already exists`, [
              { field: 'iccid', value: displayIccid(iccid), reason: 'already used by another SIM' },
            ])
          : taken.msisdn
            ? conflict(E.msisdnTaken, `A SIM with MSISDN ${msisdn} already exists`, [
                { field: 'msisdn', value: msisdn, reason: 'already used by another SIM' },
              ])
            : conflict(E.imsiTaken, `IMSI ${taken.imsis.join(', ')} already belongs to another SIM`, [
                ...taken.imsis.map((v) => ({ field: `imsis[${imsis.indexOf(v)}]`, value: v, reason: 'already used' })),
              ]);
      }

      try {
        const row = await db.transaction(async (tx) => {
          const r = simsRepo(tx);
          const sim = await r.insert({
            tenantId: account.tenantId,
            accountId: account.id,
            iccid,
            msisdn,
            imei,
            imeiLock: input.imeiLock ?? false,
            eid,
            communicationPlanId: input.communicationPlanId ?? null,
            ratePlanId: input.ratePlanId ?? null,
            state: input.state,
            labels: input.labels,
            customFields: input.customFields,
          });
          await r.insertImsis(
            imsis.map((imsi, i) => ({ imsi, simId: sim.id, tenantId: sim.tenantId, position: i, isCurrent: i === 0 })),
          );
          await r.insertAudit({
            tenantId: sim.tenantId,
            simId: sim.id,
            actorUserId: p.userId || null,
            actor: actorLabel(p),
            action: 'created',
            before: null,
            after: {
              iccid: displayIccid(iccid),
              imsis,
              msisdn,
              imei,
              imeiLock: sim.imeiLock,
              eid,
              accountId: account.id,
              communicationPlanId: sim.communicationPlanId,
              ratePlanId: sim.ratePlanId,
              state: sim.state,
              labels: sim.labels,
              customFields: sim.customFields,
            },
          });
          return sim;
        });
        return one(p, row);
      } catch (e) {
        throw duplicateFrom(e, { iccid, msisdn, imsis });
      }
    },

    /** `restrict`: only these SIM ids (a case's affected list), within the caller's reach as always. */
    async list(p: Principal, q: ListSimsQueryInput, restrict: { simIds?: number[] } = {}) {
      const filter = { ...q, states: q.state, networkStates: q.networkState };
      const where = { ...filterWhere(filter), ...(await access.reach(p, q)), ...restrict };
      const k: Keyset = { sort: q.sort, dir: q.order };
      if (q.cursor !== undefined) k.after = decodeListCursor(q.cursor, q.sort, q.order);
      const rows = await repo.list(where, k, q.limit + 1);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      const last = page[page.length - 1];
      return {
        items: await reader.enrich(
          page.map((r) => r.row),
          viewerOf(p),
        ),
        nextCursor: more && last ? encodeListCursor(k, last.sortKey, last.row.id) : null,
      };
    },

    /** How many SIMs a filter selects within the caller's reach (a case's saved affected-SIM filter). */
    async countMatching(
      p: Principal,
      q: Omit<ListSimsQueryInput, 'sort' | 'order' | 'limit' | 'cursor'>,
    ): Promise<number> {
      return repo.countWhere({
        ...filterWhere({ ...q, states: q.state, networkStates: q.networkState }),
        ...(await access.reach(p, q)),
      });
    },

    async update(p: Principal, iccid: string, input: UpdateSimInput): Promise<SimDetail> {
      const sim = await load(p, iccid);
      return one(p, await applyUpdate(db, access, p, sim, input));
    },

    /** Throws exactly what `update` would refuse, writing nothing (see checkStateChange). */
    async checkUpdate(p: Principal, iccid: string, input: UpdateSimInput): Promise<SimRow> {
      return applyUpdate(db, access, p, await load(p, iccid), input, { dryRun: true });
    },

    /**
     * Throws exactly what `changeState` would refuse (404, 403, 409), writing nothing: for modules that accept a
     * state change now and apply it later (network actions), so the caller hears a refusal at once.
     */
    async checkStateChange(p: Principal, iccid: string, to: SimState): Promise<SimRow> {
      const sim = await load(p, iccid);
      requireTransition(p, sim.state as SimState, to);
      return sim;
    },

    async changeState(p: Principal, iccid: string, input: ChangeStateInput): Promise<SimDetail> {
      const sim = await load(p, iccid);
      const from = sim.state as SimState;
      const to = input.state;
      requireTransition(p, from, to);
      const row = await db.transaction(async (tx) => {
        const r = simsRepo(tx);
        const updated = await r.setState(sim.id, from, to);
        if (!updated) {
          throw conflict(E.concurrentChange, `SIM ${iccid} changed state meanwhile; reload and retry`, [
            { field: 'state', value: to, reason: `no longer in ${from}` },
          ]);
        }
        await r.insertAudit({
          tenantId: sim.tenantId,
          simId: sim.id,
          actorUserId: p.userId || null,
          actor: actorLabel(p),
          action: 'state_changed',
          before: { state: from },
          after: { state: to },
          reason: input.reason ?? null,
        });
        await emit(
          tx,
          SimEvents.stateChanged,
          { simId: sim.id, tenantId: sim.tenantId, accountId: sim.accountId, from, to },
          { orderingKey: simOrderingKey(sim.id) },
        );
        return updated;
      });
      return one(p, row);
    },

    async history(p: Principal, iccid: string, q: { limit: number; cursor?: string | undefined }) {
      const sim = await load(p, iccid);
      const before = q.cursor === undefined ? undefined : decodeHistoryCursor(q.cursor);
      const rows = await repo.history(sim.id, before, q.limit + 1);
      const more = rows.length > q.limit;
      const page = more ? rows.slice(0, q.limit) : rows;
      const viewer = await viewerFor(
        p,
        page.map((r) => r.actorUserId),
      );
      const items: HistoryEntry[] = page.map((row) => ({ kind: 'audit', row, viewer }));
      let nextCursor = more ? encodeHistoryCursor(page[page.length - 1]!.id) : null;
      // Imports write no audit rows: the SIM's first entry is derived from the import job that created it.
      if (!more && sim.importId !== null) {
        if (items.length < q.limit) {
          // The import job (who, which file) is the provider's: not even read for a customer.
          const job = viewer.staff ? await repo.importJob(sim.importId) : undefined;
          items.push({ kind: 'import', sim, job, importId: sim.importId, viewer });
        } else {
          nextCursor = encodeHistoryCursor(page[page.length - 1]?.id ?? 0);
        }
      }
      return { items, nextCursor };
    },

    viewerFor,
    bulk: createBulkChange(db, access),
    /** For other modules' many-SIM work (diagnoses): a selection as a where-clause within the caller's reach. */
    selection: (p: Principal, sel: BulkChangeInput['selection']) => selectionWhere(access, p, sel),
    /**
     * For other modules' many-SIM jobs: a statement yielding `(id, iccid)` of a selection's SIMs (from `selection`)
     * in ICCID order, at most `limit`, for them to run inside their own statement (set-based: no ids through the
     * process).
     */
    selectionQuery: (where: SimWhere, limit: number) => selectionQuery(where, limit),
    /** For other modules' operator-level work (jobs): the SIMs with these ids (missing ones are left out). */
    byIds: (simIds: readonly number[]) => repo.byIds(simIds),
    /** For other modules (alarm rule backtests): in-service SIMs of these accounts and plans, by id, ≤ limit. */
    inServiceIdsWhere: (f: Parameters<typeof repo.inServiceIdsWhere>[0], limit: number) =>
      repo.inServiceIdsWhere(f, limit),
    count: () => repo.count(),
    /** For other modules' operator-level work (jobs): SIM id → ICCID as shown (20 digits). */
    async iccidsOf(simIds: readonly number[]): Promise<Map<number, string>> {
      return new Map((await repo.iccidsOf(simIds)).map((r) => [r.id, displayIccid(r.iccid)]));
    },

    /**
     * For other modules (cases): ICCIDs (19 or 20 digits) → SIM ids within a reach (a tenant, optionally a
     * set of accounts). Invalid ICCIDs and those outside the reach come back in `unknown` exactly as given,
     * never told apart (another tenant's SIM must look like a missing one).
     */
    /**
     * The SIM whose ICCID (19 digits, or 20 with a valid Luhn digit) or MSISDN (E.164, + optional) is exactly `raw`,
     * within `reach`, as ids: a search box's look-up (a case search). Anything else finds nothing.
     */
    async idsByIdentifier(reach: SimReach, raw: string): Promise<number[]> {
      const iccid = checkIccid(raw);
      const msisdn = checkMsisdn(raw);
      if (iccid.ok) return repo.idsWhere({ ...reach, iccids: [iccid.value] }, 1);
      if (msisdn.ok) return repo.idsWhere({ ...reach, msisdns: [msisdn.value] }, 1);
      return [];
    },

    async resolveIccids(reach: SimReach, raw: readonly string[]) {
      const byBody = new Map<string, string>();
      const unknown: string[] = [];
      for (const r of raw) {
        const c = checkIccid(r);
        if (c.ok) byBody.set(c.value, r);
        else unknown.push(r);
      }
      const rows =
        byBody.size === 0
          ? []
          : await listQuery(db, { ...reach, iccids: [...byBody.keys()] }, { sort: 'iccid', dir: 'asc' }, byBody.size);
      const found = rows.map((r) => ({ id: r.row.id, iccid: r.row.iccid }));
      const seen = new Set(found.map((f) => f.iccid));
      for (const [body, r] of byBody) if (!seen.has(body)) unknown.push(r);
      return { found, unknown };
    },
  };
}
