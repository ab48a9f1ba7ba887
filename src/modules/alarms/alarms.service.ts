import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { cursorParts, encodeCursor, isCursorId, isCursorTime } from '../../platform/cursor.ts';
import { forbidden, invalid, notFound } from '../../platform/errors.ts';
import { emit } from '../../platform/events/emit.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { type AlarmCaseDeps, alarmCases } from './alarm-cases.ts';
import { AlarmsErrors as E } from './alarms.errors.ts';
import { AlarmEvents } from './alarms.events.ts';
import { type AlarmReach, type AlarmRow, alarmsRepo } from './alarms.repo.ts';
import { CUSTOMER_ALARM_TYPES, CUSTOMER_ORIGINATOR_TYPES, type ListAlarmsInput } from './alarms.schemas.ts';
import { type FleetDeps, fleetWatch } from './fleet-watch.ts';
import { refusalBursts } from './refusal-bursts.ts';
import { createRulesService, type RulesDeps } from './rules.service.ts';
import { type SilenceRuleDeps, silenceThresholds } from './silence-rules.ts';
import { type SilenceDeps, silenceWatch } from './silence-watch.ts';
import { deviceIdOf, type ThresholdDeps, telemetryThresholds } from './telemetry-thresholds.ts';
import { trafficVerification } from './traffic-verification.ts';
import { DRIFT_HOUR, type UsageDriftDeps, usageDrift } from './usage-drift.ts';
import { type UsageDropDeps, usageDrops } from './usage-drops.ts';

export type AlarmsService = ReturnType<typeof createAlarmsService>;
/** SIMs per backfill job (two statements and one insert each). */
export const BACKFILL_PAGE = 1000;
export type { AlarmRow };

/**
 * What the desk does about an alarm (acknowledge, clear) and its staff views (get, the alarm's series) are staff-only;
 * a customer reads their SIMs' and devices' alarms (list, read) and nothing more.
 */
const staffOnly = (p: Principal, message: string) => {
  if (!isStaff(p)) throw forbidden(E.staffOnly, message, [{ field: 'role', value: p.role, reason: 'staff only' }]);
};
const READ_ONLY = "customers read their SIMs' alarms, the service desk handles them";

export type AlarmsDeps = Pick<SilenceDeps, 'lastEventsOf' | 'inService'> &
  Omit<SilenceRuleDeps, 'onRuleError'> &
  Omit<RulesDeps, 'profilesOf' | 'activeHoursOf'> & {
    simsWithStateAfter: (afterSimId: number, limit: number) => Promise<number[]>;
    /** The SIM of an ICCID the caller reaches (its errors: 400 for a malformed ICCID, 404 for an unknown one). */
    locateSim: (p: Principal, iccid: string) => Promise<{ id: number }>;
    /** The ids of the accounts at and below `path` the scope reaches (a customer's subtree: their alarms' reach). */
    accountsBelow: (scope: TenantScope, path: string) => Promise<number[]>;
    /** Which of these account ids the scope sees (the accountId filter: another tenant's is unknown, not empty). */
    accountsInScope: (scope: TenantScope, ids: readonly number[]) => Promise<Set<number>>;
  } & Pick<AlarmCaseDeps, 'cases' | 'notifyDesk' | 'log'> &
  Pick<FleetDeps, 'failingNow'> &
  Pick<UsageDropDeps, 'usageLowIn'> &
  Pick<UsageDriftDeps, 'usageDriftIn'> &
  Pick<ThresholdDeps, 'devicePlaces' | 'newestValues'> & {
    /** The next tenant with hourly usage after this one (the usage rules' run pages by tenant). */
    nextUsageTenant: (after: number) => Promise<number | null>;
  };

/** How often a worker looks at the fleet's failing networks and APNs (the snapshot refreshes once a minute). */
export const FLEET_PASS_MS = 30_000;
const DAY_MS = 86_400_000;

export function createAlarmsService(ctx: Pick<Ctx, 'database'>, deps: AlarmsDeps, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const repo = alarmsRepo(ctx.database.db);
  const rules = createRulesService(ctx.database.db, deps, opts);
  // A rule that throws while applied is disabled with an alarm of its own; the other rules and SIMs go on.
  const onRuleError = (ruleId: number, e: unknown) => rules.failRule(ruleId, e);
  const silence = silenceWatch({
    database: ctx.database,
    lastEventsOf: deps.lastEventsOf,
    inService: deps.inService,
    rules: rules.enabledSilence,
    thresholdsOf: silenceThresholds({ ...deps, onRuleError }),
    onRuleError,
  });
  const toCases = alarmCases({ database: ctx.database, ...deps });
  const bursts = refusalBursts({ database: ctx.database, ...deps, rules: rules.enabledRefusal, onRuleError });
  const fleet = fleetWatch({
    database: ctx.database,
    failingNow: deps.failingNow,
    rules: rules.enabledFleet,
    onRuleError,
  });
  const drops = usageDrops({ database: ctx.database, ...deps, rules: rules.enabledUsageDrop, onRuleError });
  const drifts = usageDrift({ database: ctx.database, ...deps, rules: rules.enabledUsageDrift, onRuleError });
  const thresholds = telemetryThresholds({
    database: ctx.database,
    ...deps,
    rules: rules.enabledThreshold,
    onRuleError,
  });
  let fleetPassAt = 0;

  /**
   * Staff reach every alarm; a customer their SIMs' and devices' alarms of the customer types (CUSTOMER_ALARM_TYPES),
   * in their tenant and, below its root, their subtree's accounts — the alarm's account (its SIM's or device's when
   * it was raised), as the alarm webhooks address it.
   */
  async function reachOf(p: Principal): Promise<AlarmReach> {
    const scope = scopeOf(p);
    if (scope.kind === 'operator') return {};
    const customer = {
      tenantId: scope.tenantId,
      originatorTypes: CUSTOMER_ORIGINATOR_TYPES,
      types: CUSTOMER_ALARM_TYPES,
    };
    if (scope.accountPath === `/${scope.tenantId}/`) return customer;
    return { ...customer, accountIds: await deps.accountsBelow(scope, scope.accountPath) };
  }

  /** One alarm the caller reaches; another tenant's (or a staff-only one, for a customer) answers like a missing one. */
  async function read(p: Principal, id: number): Promise<AlarmRow> {
    const row = await repo.get(id, await reachOf(p));
    if (!row) throw notFound(E.notFound, `Alarm ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return row;
  }

  /** Any alarm, for the desk's own views (the series chart) and actions: 403 for a customer. */
  async function get(p: Principal, id: number): Promise<AlarmRow> {
    staffOnly(p, "This view of an alarm is for the provider's staff");
    return read(p, id);
  }

  /** The ICCIDs of the alarms' SIMs, for the answer. */
  const iccidsFor = (rows: readonly AlarmRow[]) =>
    deps.iccidsOf([...new Set(rows.filter((r) => r.originatorType === 'sim').map((r) => Number(r.originatorId)))]);
  /** The names of the alarms' devices (the devices module's), for a customer's answer. */
  async function deviceNamesFor(rows: readonly AlarmRow[]): Promise<Map<number, string | null>> {
    const ids = [...new Set(rows.filter((r) => r.originatorType === 'device').map((r) => deviceIdOf(r.originatorId)))];
    const places = await deps.devicePlaces(ids.filter(Number.isSafeInteger));
    return new Map([...places].map(([id, d]) => [id, d.name]));
  }

  return {
    rules,
    get,
    read,
    iccidsFor,
    deviceNamesFor,
    /** How many SIM alarms each fleet alarm among these has grouped under it (fleet-watch.ts groups them). */
    groupSizesOf: (rows: readonly AlarmRow[]) =>
      repo.groupSizes(rows.filter((r) => r.originatorType === 'plmn' || r.originatorType === 'apn').map((r) => r.id)),
    async list(p: Principal, q: ListAlarmsInput): Promise<{ items: AlarmRow[]; nextCursor: string | null }> {
      const reach = await reachOf(p);
      let before: { lastSeenAt: Date; id: number } | undefined;
      if (q.cursor !== undefined) {
        const parts = cursorParts(q.cursor, 2);
        if (!parts || !isCursorTime(parts[0]) || !isCursorId(parts[1]))
          throw invalid(E.cursorInvalid, 'The cursor is not one this list gave', [
            { field: 'cursor', value: q.cursor, reason: 'not a cursor of GET /api/v1/alarms' },
          ]);
        before = { lastSeenAt: new Date(parts[0] as string), id: parts[1] as number };
      }
      const simId = q.iccid === undefined ? undefined : (await deps.locateSim(p, q.iccid)).id;
      if (q.accountId !== undefined && !(await deps.accountsInScope(scopeOf(p), [q.accountId])).has(q.accountId))
        throw invalid(E.accountUnknown, `Unknown account ${q.accountId}`, [
          { field: 'accountId', value: q.accountId, reason: 'unknown account' },
        ]);
      // The filters narrow within the reach (a customer's accountId of another account: nothing), never widen it.
      const rows = await repo.list({ ...q, ...reach, simId, before, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > q.limit && last ? encodeCursor([last.lastSeenAt.toISOString(), last.id]) : null,
      };
    },
    /** Someone is on it: kept as the first acknowledgement (who and when); the alarm stays active. */
    async acknowledge(p: Principal, id: number): Promise<AlarmRow> {
      staffOnly(p, `Only the provider's staff acknowledge alarms: ${READ_ONLY}`);
      await get(p, id);
      return (await repo.acknowledge(id, p.userId, new Date(now())))!;
    },
    /**
     * Cleared by hand: a silence that goes on raises a new alarm at its next check (RECHECK_MS), as ThingsBoard
     * does — clearing says "handled", not "it is fine".
     */
    async clear(p: Principal, id: number): Promise<AlarmRow> {
      staffOnly(p, `Only the provider's staff clear alarms: ${READ_ONLY}`);
      const row = await get(p, id);
      if (row.clearedAt !== null) return row;
      const at = new Date(now());
      return ctx.database.db.transaction(async (tx) => {
        const cleared = await alarmsRepo(tx).clear(id, p.userId, at);
        if (!cleared) return (await alarmsRepo(tx).get(id))!; // cleared meanwhile (its condition, or a colleague)
        if (cleared.originatorType === 'sim' && cleared.tenantId !== null && cleared.accountId !== null)
          await emit(
            tx,
            AlarmEvents.cleared,
            {
              alarmId: cleared.id,
              simId: Number(cleared.originatorId),
              tenantId: cleared.tenantId,
              accountId: cleared.accountId,
              type: cleared.type,
              severity: cleared.severity,
              at: at.toISOString(),
              by: 'user',
            },
            { orderingKey: simOrderingKey(Number(cleared.originatorId)) },
          );
        return cleared;
      });
    },

    /** Ingest saw these SIMs change state (their first event among them): watch their silence from now on. */
    watchSims: (simIds: readonly number[]) => silence.watch(simIds, new Date(now())),
    /**
     * Watch the SIMs that talked before the watch existed (or while a batch event listed only its first 10,000):
     * one page of BACKFILL_PAGE after `afterSimId`; the next page's start, or null when done. Idempotent.
     */
    async backfillWatches(afterSimId: number): Promise<{ watched: number; next: number | null }> {
      const ids = await deps.simsWithStateAfter(afterSimId, BACKFILL_PAGE);
      if (ids.length === 0) return { watched: 0, next: null };
      const watched = await silence.watch(ids, new Date(now()), { recheck: true });
      return { watched, next: ids.length < BACKFILL_PAGE ? null : ids[ids.length - 1]! };
    },
    /** The worker's timer: raise, repeat or clear what is due. */
    silenceTick: () => silence.tick(new Date(now())),
    /** The cases module's verification check: an incident closes on measured health (traffic-verification.ts). */
    verifyTraffic: trafficVerification({ database: ctx.database, ...deps }),
    /** Ingest stored refusals of these ICCIDs (its batch event): refusal-burst rules (refusal-bursts.ts). */
    onRefusals: (iccids: readonly string[]) => bursts.onRefusals(iccids, new Date(now())),
    /** Ingest stored telemetry of these devices (its batch event): threshold rules (telemetry-thresholds.ts). */
    onTelemetry: (deviceIds: readonly number[]) => thresholds.onTelemetry(deviceIds, new Date(now())),
    /** The worker's timer: clear the bursts that ended (hysteresis), and every FLEET_PASS_MS the fleet's alarms. */
    async refusalAndFleetTick() {
      const cleared = await bursts.clearTick(new Date(now()));
      if (now() - fleetPassAt < FLEET_PASS_MS) return { burstsCleared: cleared, fleet: null };
      fleetPassAt = now();
      return { burstsCleared: cleared, fleet: await fleet(new Date(now())) };
    },
    /**
     * One page of the hourly run of the usage rules: the next tenant with usage after `afterTenant`, its usage drops
     * judged for the window ending at `end` (usage-drops.ts) and, at DRIFT_HOUR UTC, its usage drift for the days
     * ending at that midnight (usage-drift.ts). The tenant judged (the next page's start), or null when every tenant was.
     */
    async usageRulesPage(afterTenant: number, end: Date) {
      const tenantId = await deps.nextUsageTenant(afterTenant);
      if (tenantId === null) return { tenantId: null, raised: 0, repeated: 0, cleared: 0, drift: null };
      const at = new Date(now());
      const drop = await drops.judgeTenant(tenantId, end, at);
      const midnight = new Date(Math.floor(end.getTime() / DAY_MS) * DAY_MS);
      const drift = end.getUTCHours() === DRIFT_HOUR ? await drifts.judgeTenant(tenantId, midnight, at) : null;
      return { tenantId, ...drop, drift };
    },
    /** The daily drift judgement of one tenant on the days ending at `midnight` (the hourly run calls it at 03 UTC). */
    usageDriftOf: (tenantId: number, midnight: Date) => drifts.judgeTenant(tenantId, midnight, new Date(now())),
    /** The worker's timer, after the silence: pending alarms to their cases. */
    caseTick: () => toCases.caseTick(new Date(now())),
    /** The worker's timer: remind the desk of unacknowledged alarms whose rule says so. */
    remindTick: () => toCases.remindTick(new Date(now())),
  };
}
