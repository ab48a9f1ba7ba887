/**
 * Devices (a customer's assets) and their models. A customer reaches the devices of its own account's subtree;
 * another customer's device answers 404 like a missing one. A device's SIM must sit in the device's account
 * subtree, and its model must be shared or owned by the account or one above it.
 */
import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, forbidden, invalid, isAppError, notFound } from '../../platform/errors.ts';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { decodeCursor, encodeCursor, parseWindow } from '../network/window.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { DevicesErrors as E } from './devices.errors.ts';
import {
  type DeviceRow,
  type DeviceWithSim,
  devicesRepo,
  hourlyP95,
  type ModelRow,
  type Reach,
  telemetrySeries,
} from './devices.repo.ts';
import type {
  CreateDeviceInput,
  CreateModelInput,
  ListDevicesQuery,
  TelemetryQuery,
  UpdateDeviceInput,
  UpdateModelInput,
} from './devices.schemas.ts';
import { telemetryReads } from './telemetry-reads.repo.ts';

export type DevicesDeps = {
  accounts: Pick<AccountsService, 'getInScope' | 'subtreeIds'>;
  sims: Pick<SimsService, 'locate' | 'iccidsOf'>;
  /** Telemetry that arrived before its device was registered is adopted once the device exists. */
  ingest: Pick<IngestService, 'adoptOrphans'>;
};

/** Account ids on a path ('/1/5/' → [1, 5]): the account and every one above it. */
const pathIds = (path: string) => path.split('/').filter(Boolean).map(Number);

export function createDevicesService(ctx: Pick<Ctx, 'database' | 'config'>, deps: DevicesDeps) {
  const repo = devicesRepo(ctx.database.db);
  const reads = telemetryReads(ctx.database);

  async function account(scope: TenantScope, id: number, field = 'accountId'): Promise<AccountRow> {
    try {
      return await deps.accounts.getInScope(scope, id);
    } catch (e) {
      if (isAppError(e) && e.kind === 'not_found')
        throw invalid(E.accountUnknown, `Unknown account ${id}`, [{ field, value: id, reason: 'unknown account' }]);
      throw e;
    }
  }

  async function reach(p: Principal): Promise<Reach> {
    const scope = scopeOf(p);
    if (scope.kind === 'operator') return {};
    if (scope.accountPath === `/${scope.tenantId}/`) return { tenantId: scope.tenantId };
    return { tenantId: scope.tenantId, accountIds: await deps.accounts.subtreeIds(scope, scope.accountPath) };
  }

  /** Each device with its SIM's ICCID, asked of the SIMs service (one call per page). */
  async function withIccids(rows: DeviceRow[]): Promise<DeviceWithSim[]> {
    const simIds = [...new Set(rows.flatMap((d) => (d.simId === null ? [] : [d.simId])))];
    const iccids = simIds.length === 0 ? new Map<number, string>() : await deps.sims.iccidsOf(simIds);
    return rows.map((d) => ({ ...d, iccid: d.simId === null ? null : (iccids.get(d.simId) ?? null) }));
  }

  async function load(p: Principal, id: number): Promise<DeviceWithSim> {
    const d = await repo.byId(await reach(p), id);
    if (!d) throw notFound(E.notFound, `Device ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return (await withIccids([d]))[0]!;
  }

  async function availableModel(id: number, a: AccountRow): Promise<ModelRow> {
    const m = await repo.model(id);
    if (!m || (m.ownerAccountId !== null && !pathIds(a.path).includes(m.ownerAccountId)))
      throw invalid(E.modelUnavailable, `Device model ${id} is not available to account ${a.number}`, [
        { field: 'modelId', value: id, reason: `unknown, or not available to account ${a.number}` },
      ]);
    return m;
  }

  /** The SIM's id if the principal reaches it and it sits in the device account's subtree; else 400. */
  async function simIn(p: Principal, raw: string, a: AccountRow): Promise<number> {
    const refuse = (reason: string) =>
      invalid(E.simUnavailable, `SIM ${raw}: ${reason}`, [{ field: 'iccid', value: raw, reason }]);
    let sim: Awaited<ReturnType<SimsDeps['locate']>>;
    try {
      sim = await deps.sims.locate(p, raw);
    } catch (e) {
      if (isAppError(e) && e.kind === 'not_found') throw refuse('unknown SIM');
      throw e;
    }
    const under = await deps.accounts.subtreeIds({ kind: 'operator' }, a.path);
    if (sim.tenantId !== a.tenantId || !under.includes(sim.accountId))
      throw refuse(`not in the subtree of account ${a.number}`);
    return sim.id;
  }

  /**
   * Device ids are global (the provider's namespace: producers' telemetry names a device by it alone), so a taken
   * id is refused whoever holds it. A customer is told only that it is not available, never whether it is theirs.
   */
  const duplicate = (p: Principal, e: unknown, externalId: string) => {
    if (!isUniqueViolation(e, 'devices_external_uq')) return e;
    if (isStaff(p))
      return conflict(E.externalIdTaken, `A device with externalId ${externalId} exists`, [
        { field: 'externalId', value: externalId, reason: 'already registered' },
      ]);
    return conflict(E.externalIdTaken, `externalId ${externalId} is not available`, [
      { field: 'externalId', value: externalId, reason: 'not available (device ids are unique across the provider)' },
    ]);
  };

  /** The contracted speed is the provider's commercial fact: a customer reads it but does not set it. */
  const speedByStaff = (p: Principal, value: number | null | undefined) => {
    if (value !== undefined && !isStaff(p))
      throw forbidden(E.linkSpeedStaffOnly, "Only the provider's staff set a device's contracted link speed", [
        { field: 'linkKbps', value, reason: 'staff only: the contracted speed is changed by an order' },
      ]);
  };

  return {
    /** For the capacity module: devices measuring `metric` since `since`, a page in id order, with their model. */
    linkDevices: (q: { metric: string; since: Date; afterId: number; limit: number }) => repo.linkDevices(q),
    /** For the capacity module: the hourly p95 of `metric`, each device from its own instant up to `to`. */
    async hourlyP95(windows: readonly { deviceId: number; from: Date }[], metric: string, to: Date) {
      const rows = await hourlyP95(ctx.database, { windows, metric, to });
      return rows.map((r) => ({
        deviceId: Number(r.device_id),
        hour: new Date(r.hour),
        p95: Number(r.p95),
        samples: r.samples,
      }));
    },
    /** For other modules (alarm rules on telemetry): the devices' tenant, account and model. */
    devicePlaces: reads.placesOf,
    /** For other modules (alarm rules on telemetry): each series' newest values since a time, newest first. */
    newestValues: reads.newestValues,
    /** For other modules (the telemetry rules' backtest): devices of accounts and models, and a metric's values. */
    devicesWhere: reads.devicesWhere,
    seriesOf: reads.seriesOf,
    /** For other modules (alarm rules): the model of the device each SIM is in. */
    modelsOfSims: (simIds: readonly number[]) => repo.modelsOfSims(simIds),
    /** For other modules (alarm rules): which of these model ids exist. */
    existingModelIds: async (ids: readonly number[]) =>
      new Set((await repo.modelsByIds([...new Set(ids)])).map((m) => m.id)),
    async createModel(p: Principal, input: CreateModelInput): Promise<ModelRow> {
      const scope = scopeOf(p);
      const ownerId = input.ownerAccountId ?? (isStaff(p) ? null : p.accountId);
      // Only staff make shared models: a customer without an account must not end up creating one.
      if (ownerId === null && !isStaff(p))
        throw forbidden(E.sharedModelStaffOnly, 'Only provider staff create shared device models', [
          { field: 'ownerAccountId', value: null, reason: 'give the account the model belongs to' },
        ]);
      if (ownerId !== null) await account(scope, ownerId, 'ownerAccountId');
      try {
        return await repo.insertModel({
          name: input.name,
          kind: input.kind,
          wearParts: input.wearParts,
          consumables: input.consumables,
          ownerAccountId: ownerId,
          maxLinkKbps: input.maxLinkKbps ?? null,
        });
      } catch (e) {
        if (isUniqueViolation(e, 'device_models_name_uq'))
          throw conflict(E.modelNameTaken, `A device model named ${input.name} exists for this owner`, [
            { field: 'name', value: input.name, reason: 'already taken (names compare case-insensitively)' },
          ]);
        throw e;
      }
    },

    /** Staff change any model; a customer, those of its own subtree (it sees its ancestors' and shared ones too). */
    async updateModel(p: Principal, id: number, input: UpdateModelInput): Promise<ModelRow> {
      const m = await repo.model(id);
      const missing = notFound(E.modelNotFound, `Device model ${id} not found`, [
        { field: 'id', value: id, reason: 'not found' },
      ]);
      if (!m) throw missing;
      const scope = scopeOf(p);
      if (scope.kind !== 'operator') {
        const owner = m.ownerAccountId;
        const below = await deps.accounts.subtreeIds(scope, scope.accountPath);
        if (owner !== null && !below.includes(owner) && !pathIds(scope.accountPath).includes(owner)) throw missing;
        if (owner === null || !below.includes(owner))
          throw forbidden(E.modelNotYours, `Device model ${id} is not your accounts' to change`, [
            { field: 'id', value: id, reason: owner === null ? 'a shared model (staff change it)' : 'owned above you' },
          ]);
      }
      return input.maxLinkKbps === undefined ? m : repo.updateModel(id, { maxLinkKbps: input.maxLinkKbps });
    },

    /** Staff: every model. A customer: shared ones, its ancestors' and its own subtree's. */
    async listModels(p: Principal): Promise<ModelRow[]> {
      const scope = scopeOf(p);
      if (scope.kind === 'operator') return repo.listModels(undefined);
      const below = await deps.accounts.subtreeIds(scope, scope.accountPath);
      return repo.listModels([...new Set([...pathIds(scope.accountPath), ...below])]);
    },

    async create(p: Principal, input: CreateDeviceInput) {
      speedByStaff(p, input.linkKbps);
      const a = await account(scopeOf(p), input.accountId);
      const model = await availableModel(input.modelId, a);
      const simId = input.iccid === undefined ? null : await simIn(p, input.iccid, a);
      let row: Awaited<ReturnType<typeof repo.insert>>;
      try {
        row = await repo.insert({
          tenantId: a.tenantId,
          accountId: a.id,
          externalId: input.externalId,
          name: input.name ?? null,
          modelId: model.id,
          simId,
          linkKbps: input.linkKbps ?? null,
          // Staff registration adopts the id's earlier orphan telemetry; a customer's device starts with no history
          // (the id is theirs to name, not proof that what arrived under it before is theirs).
          adoptsHistory: isStaff(p),
        });
      } catch (e) {
        throw duplicate(p, e, input.externalId);
      }
      // After the insert committed: the adoption's own transactions must see the device (for a customer's, only
      // telemetry received from its registration on, written as orphans while the insert committed).
      await deps.ingest.adoptOrphans();
      return this.get(p, row.id);
    },

    async get(p: Principal, id: number) {
      const d = await load(p, id);
      const [model, latest] = await Promise.all([repo.model(d.modelId), repo.latest(d.id)]);
      return { device: d, model: model!, latest };
    },

    async list(p: Principal, q: ListDevicesQuery) {
      let r = await reach(p);
      if (q.accountId !== undefined) {
        const a = await account(scopeOf(p), q.accountId);
        r = { tenantId: a.tenantId, accountIds: await deps.accounts.subtreeIds(scopeOf(p), a.path) };
      }
      let afterId: number | undefined;
      if (q.cursor !== undefined) {
        const m = /^d(\d{1,15})$/.exec(Buffer.from(q.cursor, 'base64url').toString());
        if (!m)
          throw invalid(E.cursorInvalid, 'Invalid cursor', [
            { field: 'cursor', value: q.cursor, reason: 'not a cursor from this list' },
          ]);
        afterId = Number(m[1]);
      }
      const rows = await repo.list(r, afterId, q.limit + 1);
      const more = rows.length > q.limit;
      const page = await withIccids(more ? rows.slice(0, q.limit) : rows);
      const models = new Map((await repo.modelsByIds([...new Set(page.map((d) => d.modelId))])).map((m) => [m.id, m]));
      return {
        items: page.map((d) => ({ device: d, model: models.get(d.modelId)! })),
        nextCursor: more ? Buffer.from(`d${page[page.length - 1]!.id}`).toString('base64url') : null,
      };
    },

    async update(p: Principal, id: number, input: UpdateDeviceInput) {
      const d = await load(p, id);
      speedByStaff(p, input.linkKbps);
      const a = await account(scopeOf(p), input.accountId ?? d.accountId);
      const modelId = (await availableModel(input.modelId ?? d.modelId, a)).id;
      let simId = d.simId;
      if (input.iccid !== undefined) simId = input.iccid === null ? null : await simIn(p, input.iccid, a);
      else if (simId !== null && a.id !== d.accountId && d.iccid !== null)
        // Moving the device: the SIM it keeps must still be in the new account's subtree.
        simId = await simIn(p, d.iccid, a);
      await repo.update(id, {
        tenantId: a.tenantId,
        accountId: a.id,
        modelId,
        simId,
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.linkKbps !== undefined ? { linkKbps: input.linkKbps } : {}),
      });
      return this.get(p, id);
    },

    async telemetry(p: Principal, id: number, q: TelemetryQuery) {
      const d = await load(p, id);
      const w = parseWindow(q, { retentionDays: ctx.config.retentionDays, now: Date.now() });
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 'telemetry', 'tid');
      const rows = await telemetrySeries(ctx.database, {
        deviceId: d.id,
        metric: q.metric,
        ...w,
        after,
        limit: q.limit + 1,
      });
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      const last = items[items.length - 1];
      return { ...w, items, nextCursor: more && last ? encodeCursor('telemetry', last.k, last.c) : null };
    },
  };
}

type SimsDeps = DevicesDeps['sims'];
export type DevicesService = ReturnType<typeof createDevicesService>;
