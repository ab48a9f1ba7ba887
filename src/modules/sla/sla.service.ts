import type { z } from 'zod';
import { cliPrincipal, isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { type AppError, conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { EventDef } from '../../platform/events/define.ts';
import { emit } from '../../platform/events/emit.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { caseOrderingKey } from '../cases/cases.events.ts';
import type { CaseForSla, CaseSlaJudgement } from '../cases/cases.reports.ts';
import type { CasesService } from '../cases/cases.service.ts';
import { workingDaysBetween } from './business-time.ts';
import {
  CALENDAR_24X7,
  type Calendar,
  type CalendarDefinition,
  compileCalendar,
  parseCalendarDefinition,
  WEEKDAYS,
} from './calendar.ts';
import { evaluateCaseSla, type PolicyClock, type TimelineEntry } from './case-sla.ts';
import { DEFAULT_BUSINESS_CALENDAR, DEFAULT_SLA_POLICIES } from './defaults.ts';
import { matchCasePolicy } from './policy-match.ts';
import { SlaErrors as E } from './sla.errors.ts';
import { type SlaCalendarRow, type SlaPolicyRow, slaRepo } from './sla.repo.ts';
import type {
  CreateCalendarInput,
  CreatePolicyInput,
  SlaMetricView,
  UpdateCalendarInput,
  UpdatePolicyInput,
} from './sla.schemas.ts';

export type SlaService = ReturnType<typeof createSlaService>;
export type SlaDeps = {
  accounts: Pick<AccountsService, 'getInScope' | 'idsInScope'>;
  cases: Pick<CasesService, 'get' | 'events'>;
};
/** `now` is injectable so tests evaluate clocks at a chosen instant instead of sleeping. */
export type SlaOptions = { now?: () => Date };

const ALWAYS_OPEN: CalendarDefinition = {
  name: '24x7',
  timeZone: 'UTC',
  weeklyHours: Object.fromEntries(WEEKDAYS.map((d) => [d, [['00:00', '24:00']]])) as CalendarDefinition['weeklyHours'],
  closedDates: [],
};

/** Open all day every day with no closures: business time is wall time, no per-day lookups needed. */
function isAlwaysOpen(def: CalendarDefinition): boolean {
  return (
    !def.holidays &&
    def.closedDates.length === 0 &&
    WEEKDAYS.every((d) => {
      const w = def.weeklyHours[d];
      return w.length === 1 && w[0]?.[0] === '00:00' && w[0][1] === '24:00';
    })
  );
}

/** Clocks count every entry of the timeline, also the internal ones a customer's own view leaves out. */
const operator = cliPrincipal('sla');

const staffOnly = (p: Principal) => {
  if (!isStaff(p)) throw forbidden(E.staffOnly, 'SLA calendars and policies are provider configuration (staff only)');
};

export function createSlaService(ctx: Pick<Ctx, 'database'>, deps: SlaDeps, opts: SlaOptions = {}) {
  const db: Db = ctx.database.db;
  const repo = slaRepo(db);
  const now = opts.now ?? (() => new Date());
  /** Compiled calendars by id; the stamp (updated_at) drops an entry another process has edited since. */
  const compiled = new Map<number, { stamp: number; cal: Calendar }>();
  let seeded: Promise<void> | undefined;

  /**
   * The defaults of defaults.ts, inserted once per database when missing (keys make it idempotent and
   * safe for concurrent processes; staff edits to a built-in row are never overwritten).
   */
  async function seed(): Promise<void> {
    const ids = await repo.seedCalendars([
      { key: '24x7', name: ALWAYS_OPEN.name, definition: ALWAYS_OPEN, builtIn: true },
      {
        key: 'business',
        name: DEFAULT_BUSINESS_CALENDAR.name,
        definition: parseCalendarDefinition(DEFAULT_BUSINESS_CALENDAR),
        builtIn: true,
      },
    ]);
    await repo.seedPolicies(
      DEFAULT_SLA_POLICIES.map((p) => ({
        key: p.key,
        name: p.name,
        caseTypes: p.match.caseTypes ?? null,
        priorities: p.match.priorities ?? null,
        vipTiers: p.match.vipTiers ?? null,
        calendarId: ids.get(p.calendar)!,
        firstResponseMin: p.targets.firstResponseMinutes,
        updateIntervalMin: p.targets.periodicUpdateMinutes,
        resolutionMin: p.targets.resolutionMinutes,
        pauseStates: p.pauseStates,
        verificationWorkingDays: p.verificationWorkingDays,
        builtIn: true,
      })),
    );
  }
  function ensureSeeded(): Promise<void> {
    seeded ??= seed().catch((e: unknown) => {
      seeded = undefined;
      throw e;
    });
    return seeded;
  }

  function compiledCalendar(row: SlaCalendarRow): Calendar {
    const stamp = row.updatedAt.getTime();
    const hit = compiled.get(row.id);
    if (hit && hit.stamp === stamp) return hit.cal;
    const def = parseCalendarDefinition(row.definition);
    const cal = isAlwaysOpen(def) ? { ...CALENDAR_24X7, name: def.name, dayCache: new Map() } : compileCalendar(def);
    compiled.set(row.id, { stamp, cal });
    return cal;
  }

  async function calendarRow(id: number): Promise<SlaCalendarRow> {
    const row = await repo.calendar(id);
    if (!row)
      throw notFound(E.calendarNotFound, `Calendar ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return row;
  }
  async function policyRow(id: number): Promise<SlaPolicyRow> {
    const row = await repo.policy(id);
    if (!row)
      throw notFound(E.policyNotFound, `Policy ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return row;
  }

  const builtIn = (what: string, name: string, id: number) =>
    conflict(E.builtInKept, `The ${what} "${name}" is built in and is kept; change it instead`, [
      { field: 'id', value: id, reason: 'built in: the seed restores it at every start' },
    ]);

  const nameTaken = (code: string, what: string, name: string) =>
    conflict(code, `A ${what} named "${name}" already exists`, [
      { field: 'name', value: name, reason: 'already taken' },
    ]);

  async function checkPolicy(input: {
    calendarId: number;
    accountIds: readonly number[] | null | undefined;
    targets: { firstResponseMinutes: number; resolutionMinutes: number };
  }): Promise<void> {
    if (!(await repo.calendar(input.calendarId))) {
      throw invalid(E.calendarUnknown, `Unknown calendar ${input.calendarId}`, [
        { field: 'calendarId', value: input.calendarId, reason: 'no such calendar' },
      ]);
    }
    // One query for the list (one per id held the embedded database's only session for seconds: probe round 6).
    const ids = input.accountIds ?? [];
    const known = ids.length ? await deps.accounts.idsInScope({ kind: 'operator' }, ids) : new Set<number>();
    const unknown = ids.flatMap((id, i) => (known.has(id) ? [] : [{ id, i }]));
    if (unknown.length > 0) {
      throw invalid(
        E.policyInvalid,
        `Unknown account ${unknown[0]!.id} in match.accountIds`,
        unknown.map(({ id, i }) => ({ field: `match.accountIds[${i}]`, value: id, reason: 'no such account' })),
      );
    }
    const t = input.targets;
    if (t.firstResponseMinutes > t.resolutionMinutes) {
      throw invalid(E.policyInvalid, 'The first response target exceeds the resolution target', [
        {
          field: 'targets.firstResponseMinutes',
          value: t.firstResponseMinutes,
          reason: `must not exceed resolutionMinutes (${t.resolutionMinutes})`,
        },
      ]);
    }
  }

  async function guardUnique<T>(f: () => Promise<T>, onTaken: () => AppError): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (isUniqueViolation(e)) throw onTaken();
      throw e;
    }
  }

  /**
   * A case's SLA clocks at `at` from its timeline (the whole timeline: state changes are public, internal
   * entries do not move clocks). Null policy: none matches. Used by caseSla (the route) and the SLA jobs.
   */
  async function evaluate(c: { type: string; priority: string; accountId: number }, events: TimelineEntry[], at: Date) {
    await ensureSeeded();
    const account = await deps.accounts.getInScope({ kind: 'operator' }, c.accountId);
    const found = matchCasePolicy(await repo.policies(), c, account.tenantId, account.vipTier);
    if (!found) return { policy: null, metrics: [] as SlaMetricView[] };
    const calRow = await calendarRow(found.row.calendarId);
    const calendar = compiledCalendar(calRow);
    const metrics = evaluateCaseSla(calendar, found.policy, events, at);
    return { policy: { row: found.row, calendarRow: calRow, calendar, clock: found.policy }, metrics };
  }

  const service = {
    seed: ensureSeeded,

    async listCalendars(p: Principal): Promise<SlaCalendarRow[]> {
      staffOnly(p);
      await ensureSeeded();
      return repo.calendars();
    },
    async getCalendar(p: Principal, id: number): Promise<SlaCalendarRow> {
      staffOnly(p);
      await ensureSeeded();
      return calendarRow(id);
    },
    async createCalendar(p: Principal, input: CreateCalendarInput): Promise<SlaCalendarRow> {
      staffOnly(p);
      await ensureSeeded();
      const def = parseCalendarDefinition(input);
      return guardUnique(
        () => repo.insertCalendar({ name: def.name, definition: def, builtIn: false }),
        () => nameTaken(E.calendarNameTaken, 'calendar', def.name),
      );
    },
    async updateCalendar(p: Principal, id: number, patch: UpdateCalendarInput): Promise<SlaCalendarRow> {
      staffOnly(p);
      await ensureSeeded();
      const row = await calendarRow(id);
      const { holidays, ...rest } = patch;
      const merged: Record<string, unknown> = { ...row.definition, ...rest };
      if (holidays === null) delete merged.holidays;
      else if (holidays !== undefined) merged.holidays = holidays;
      const def = parseCalendarDefinition(merged);
      const updated = await guardUnique(
        () => repo.updateCalendar(id, { name: def.name, definition: def }),
        () => nameTaken(E.calendarNameTaken, 'calendar', def.name),
      );
      compiled.delete(id);
      return updated;
    },

    async listPolicies(p: Principal): Promise<SlaPolicyRow[]> {
      staffOnly(p);
      await ensureSeeded();
      return repo.policies();
    },
    async getPolicy(p: Principal, id: number): Promise<SlaPolicyRow> {
      staffOnly(p);
      await ensureSeeded();
      return policyRow(id);
    },
    async createPolicy(p: Principal, input: CreatePolicyInput): Promise<SlaPolicyRow> {
      staffOnly(p);
      await ensureSeeded();
      await checkPolicy({ calendarId: input.calendarId, accountIds: input.match.accountIds, targets: input.targets });
      return guardUnique(
        () =>
          repo.insertPolicy({
            name: input.name,
            caseTypes: input.match.caseTypes ?? null,
            priorities: input.match.priorities ?? null,
            vipTiers: input.match.vipTiers ?? null,
            accountIds: input.match.accountIds ?? null,
            calendarId: input.calendarId,
            firstResponseMin: input.targets.firstResponseMinutes,
            updateIntervalMin: input.targets.periodicUpdateMinutes,
            resolutionMin: input.targets.resolutionMinutes,
            pauseStates: input.pauseStates,
            verificationWorkingDays: input.verificationWorkingDays,
          }),
        () => nameTaken(E.policyNameTaken, 'policy', input.name),
      );
    },
    async updatePolicy(p: Principal, id: number, patch: UpdatePolicyInput): Promise<SlaPolicyRow> {
      staffOnly(p);
      await ensureSeeded();
      const row = await policyRow(id);
      const targets = {
        firstResponseMinutes: patch.targets?.firstResponseMinutes ?? row.firstResponseMin,
        periodicUpdateMinutes: patch.targets?.periodicUpdateMinutes ?? row.updateIntervalMin,
        resolutionMinutes: patch.targets?.resolutionMinutes ?? row.resolutionMin,
      };
      const m = patch.match;
      const calendarId = patch.calendarId ?? row.calendarId;
      await checkPolicy({ calendarId, accountIds: m ? m.accountIds : null, targets });
      const name = patch.name ?? row.name;
      return guardUnique(
        () =>
          repo.updatePolicy(id, {
            name,
            // A new match replaces the old one as a whole.
            ...(m
              ? {
                  caseTypes: m.caseTypes ?? null,
                  priorities: m.priorities ?? null,
                  vipTiers: m.vipTiers ?? null,
                  accountIds: m.accountIds ?? null,
                }
              : {}),
            calendarId,
            firstResponseMin: targets.firstResponseMinutes,
            updateIntervalMin: targets.periodicUpdateMinutes,
            resolutionMin: targets.resolutionMinutes,
            ...(patch.pauseStates ? { pauseStates: patch.pauseStates } : {}),
            ...(patch.verificationWorkingDays !== undefined
              ? { verificationWorkingDays: patch.verificationWorkingDays }
              : {}),
          }),
        () => nameTaken(E.policyNameTaken, 'policy', name),
      );
    },

    /**
     * Deleted, not retired: no case keeps a key to a policy (each evaluation matches the policies there are), so
     * the cases it matched fall to the next most specific one at their next evaluation. A built-in row is kept
     * (the seed would put it back at the next start): change it instead.
     */
    async deletePolicy(p: Principal, id: number): Promise<void> {
      staffOnly(p);
      await ensureSeeded();
      const row = await policyRow(id);
      if (row.builtIn) throw builtIn('policy', row.name, id);
      await repo.deletePolicy(id);
    },
    /** Refused (409, naming them) while a policy uses the calendar; the foreign key backs a concurrent one. */
    async deleteCalendar(p: Principal, id: number): Promise<void> {
      staffOnly(p);
      await ensureSeeded();
      const row = await calendarRow(id);
      if (row.builtIn) throw builtIn('calendar', row.name, id);
      const users = await repo.policiesOnCalendar(id);
      try {
        if (users.length === 0) await repo.deleteCalendar(id);
      } catch (e) {
        if (!isForeignKeyViolation(e)) throw e;
        users.push(...(await repo.policiesOnCalendar(id)));
      }
      if (users.length > 0) {
        const names = users.map((u) => `"${u.name}"`).join(', ');
        throw conflict(E.calendarInUse, `The calendar "${row.name}" is used by the SLA policies ${names}`, [
          { field: 'id', value: id, reason: `used by policies ${users.map((u) => u.id).join(', ')}: ${names}` },
        ]);
      }
      compiled.delete(id);
    },

    /**
     * Each case's matched policy and its compiled calendar, for reports over many cases: the policies are read
     * once and accounts and calendars are cached for the resolver's life (one resolver per report).
     * Null: no policy matches.
     */
    async policyResolver(): Promise<
      (c: { type: string; priority: string; accountId: number }) => Promise<{
        policy: { id: number; name: string } & PolicyClock;
        calendar: Calendar;
      } | null>
    > {
      await ensureSeeded();
      const policies = await repo.policies();
      const accounts = new Map<number, Promise<{ tenantId: number; vipTier: string }>>();
      const calendars = new Map<number, Promise<Calendar>>();
      return async (c) => {
        let account = accounts.get(c.accountId);
        if (!account) {
          account = deps.accounts.getInScope({ kind: 'operator' }, c.accountId);
          accounts.set(c.accountId, account);
        }
        const { tenantId, vipTier } = await account;
        const found = matchCasePolicy(policies, c, tenantId, vipTier);
        if (!found) return null;
        const id = found.row.calendarId;
        let cal = calendars.get(id);
        if (!cal) {
          cal = calendarRow(id).then(compiledCalendar);
          calendars.set(id, cal);
        }
        const { pauseStates, targets } = found.policy;
        return { policy: { id: found.row.id, name: found.row.name, pauseStates, targets }, calendar: await cal };
      };
    },

    evaluate,

    /**
     * Announces what an SLA timer found due (sla.events.ts), once per key: a timer job that runs twice announces once.
     */
    async announce<S extends z.ZodType>(def: EventDef<S>, payload: z.input<S>, caseId: number, key: string) {
      await emit(db, def, payload, { orderingKey: caseOrderingKey(caseId), dedupeKey: `${def.name}:${key}` });
    },

    /** The cases module's reports' view of the SLA (cases.reports.ts CaseSlaJudge): policy, working time, clocks. */
    async caseJudge(): Promise<(c: CaseForSla) => Promise<CaseSlaJudgement | null>> {
      const policyOf = await service.policyResolver();
      return async (c) => {
        const matched = await policyOf(c);
        if (!matched) return null;
        return {
          policy: { id: matched.policy.id, name: matched.policy.name },
          workingDaysBetween: (from, to) => workingDaysBetween(matched.calendar, from, to),
          metrics: (timeline, at) => evaluateCaseSla(matched.calendar, matched.policy, timeline, at),
        };
      };
    },

    /**
     * A case's SLA clocks at `now`, from its timeline. Customers reach it exactly as they reach the
     * case (another tenant's case answers 404 from the cases service).
     */
    async caseSla(p: Principal, number: string) {
      const c = await deps.cases.get(p, number);
      const at = now();
      const r = await evaluate(c, await deps.cases.events(operator, number), at);
      return {
        case: c,
        at,
        policy: r.policy && { row: r.policy.row, calendar: r.policy.calendarRow },
        metrics: r.metrics,
      };
    },
  };
  return service;
}
