/**
 * Case reports (staff only): volume per period × type × channel, handling time per type, customer contacts.
 * Counting runs in SQL; handling time in working days runs in Node, because each case's working time depends on
 * its matched SLA calendar. That walks every case whose handling ended in the window (one calendar walk per
 * case, calendars cached per report): fine for tens of thousands of cases, while a report over millions would
 * want the working time stored on the case at resolution instead.
 */
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { forbidden, invalid } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseEventRow, type CaseRow, casesRepo, type ReportWindow } from './cases.repo.ts';
import { CASE_TYPES, type ContactsReportQueryInput, REPORT_MAX_DAYS, type ReportQueryInput } from './cases.schemas.ts';

export type CaseReports = ReturnType<typeof createCaseReports>;

/**
 * What the reports need of the SLA module: a case's matched policy, its working time and its clocks' outcomes.
 * src/services.ts gives the SLA module's (sla.service.ts caseJudge), so the cases module never imports sla (sla
 * depends on cases, not the other way round).
 */
export type CaseSlaJudgement = {
  policy: { id: number; name: string };
  /** Working days in [from, to) on the policy's calendar. */
  workingDaysBetween(from: Date, to: Date): number;
  /** Each SLA metric's status at `at`, from the case's timeline. */
  metrics(timeline: readonly CaseEventRow[], at: Date): readonly { metric: string; status: string }[];
};
/** The fields of a case its SLA policy is matched on. */
export type CaseForSla = Pick<CaseRow, 'type' | 'priority' | 'accountId'>;
export type CaseSlaJudge = () => Promise<(c: CaseForSla) => Promise<CaseSlaJudgement | null>>;

export type CaseReportsDeps = {
  accounts: Pick<AccountsService, 'getInScope' | 'subtreeIds'>;
  slaJudge: CaseSlaJudge;
};

const DAY_MS = 86_400_000;

const round2 = (x: number) => Math.round(x * 100) / 100;
const mean = (xs: readonly number[]) => round2(xs.reduce((a, b) => a + b, 0) / xs.length);
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return round2(s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
/** A report's items as CSV: a header row of `columns`, then one row per item. */
export function reportCsv(columns: readonly string[], items: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.join(',')];
  for (const it of items) lines.push(columns.map((c) => csvCell(it[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const DEFAULT_SPAN = { day: 30, week: 12 * 7 } as const;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The UTC days a report covers: dates as given; an RFC 3339 `from` is its UTC day, an RFC 3339 `to` rounds up to the
 * next UTC midnight (the instant's day counts). Without `to`, through today; without `from`, 30 days, 12 weeks or 12
 * months back from `to` (the newcomer's GET without parameters answers instead of 400).
 */
export function reportDays(
  q: Pick<ReportQueryInput, 'from' | 'to' | 'groupBy'>,
  now: Date,
): { from: string; to: string } {
  const day = (v: string, up: boolean) => {
    if (v.length === 10) return v;
    const t = new Date(v);
    const midnight = isoDay(t);
    return up && +new Date(`${midnight}T00:00:00Z`) !== +t ? isoDay(new Date(+t + DAY_MS)) : midnight;
  };
  const to = q.to !== undefined ? day(q.to, true) : isoDay(new Date(+now + DAY_MS));
  if (q.from !== undefined) return { from: day(q.from, false), to };
  const end = new Date(`${to}T00:00:00Z`);
  if (q.groupBy === 'month') {
    end.setUTCMonth(end.getUTCMonth() - 12);
    return { from: isoDay(end), to };
  }
  return { from: isoDay(new Date(+end - DEFAULT_SPAN[q.groupBy] * DAY_MS)), to };
}

export function createCaseReports(
  ctx: Pick<Ctx, 'database'>,
  deps: CaseReportsDeps,
  now: () => Date = () => new Date(),
) {
  const repo = casesRepo(ctx.database.db);

  /** Checks the caller and the range, and resolves accountId to its subtree's ids. */
  async function windowOf(p: Principal, q: ReportQueryInput): Promise<ReportWindow> {
    if (!isStaff(p)) throw forbidden(E.reportsForbidden, 'Case reports are for staff only');
    const { from: fromDay, to: toDay } = reportDays(q, now());
    const from = new Date(`${fromDay}T00:00:00Z`);
    const to = new Date(`${toDay}T00:00:00Z`);
    if (to <= from) {
      throw invalid(E.reportRangeInvalid, `to (${toDay}) must be after from (${fromDay})`, [
        { field: 'to', value: q.to ?? toDay, reason: 'must be after from' },
      ]);
    }
    const days = (+to - +from) / DAY_MS;
    if (days > REPORT_MAX_DAYS) {
      throw invalid(E.reportRangeInvalid, `A report spans at most ${REPORT_MAX_DAYS} days; ${days} asked`, [
        { field: 'to', value: q.to ?? toDay, reason: `at most ${REPORT_MAX_DAYS} days after from (${fromDay})` },
      ]);
    }
    let accountIds: number[] | undefined;
    if (q.accountId !== undefined) {
      const account = await deps.accounts.getInScope({ kind: 'operator' }, q.accountId);
      accountIds = await deps.accounts.subtreeIds({ kind: 'operator' }, account.path);
    }
    return { from, to, accountIds, unit: q.groupBy };
  }
  const meta = (q: ReportQueryInput) => ({ ...reportDays(q, now()), accountId: q.accountId ?? null });

  return {
    async volume(p: Principal, q: ReportQueryInput) {
      const items = await repo.volumeReport(await windowOf(p, q));
      return { ...meta(q), groupBy: q.groupBy, items };
    },

    async handlingTime(p: Principal, q: ReportQueryInput) {
      const handled = await repo.handledCases(await windowOf(p, q));
      const judge = await deps.slaJudge();
      const byType = new Map<string, { calendar: number[]; working: number[]; withoutCalendar: number }>();
      for (const c of handled) {
        const doneAt = c.resolvedAt ?? c.closedAt;
        if (!doneAt) continue;
        let acc = byType.get(c.type);
        if (!acc) {
          acc = { calendar: [], working: [], withoutCalendar: 0 };
          byType.set(c.type, acc);
        }
        acc.calendar.push((+doneAt - +c.createdAt) / DAY_MS);
        const matched = await judge(c);
        if (matched) acc.working.push(matched.workingDaysBetween(c.createdAt, doneAt));
        else acc.withoutCalendar++;
      }
      const items = CASE_TYPES.flatMap((type) => {
        const acc = byType.get(type);
        if (!acc) return [];
        return [
          {
            type,
            count: acc.calendar.length,
            meanCalendarDays: mean(acc.calendar),
            medianCalendarDays: median(acc.calendar),
            meanWorkingDays: acc.working.length ? mean(acc.working) : null,
            medianWorkingDays: acc.working.length ? median(acc.working) : null,
            withoutCalendar: acc.withoutCalendar,
          },
        ];
      });
      return { ...meta(q), items };
    },

    /**
     * SLA met % per policy and metric over the cases whose handling ended in the window (as handling time),
     * each evaluated from its own timeline against its matched policy now. A metric neither met nor breached
     * (say, a case resolved without any public staff entry but within the first-response target) is in neither.
     */
    async slaMet(p: Principal, q: ReportQueryInput) {
      const handled = await repo.handledCases(await windowOf(p, q));
      const events = Map.groupBy(await repo.eventsOfCases(handled.map((c) => c.id)), (e) => e.caseId);
      const judge = await deps.slaJudge();
      const at = new Date();
      const tally = new Map<
        string,
        { policyId: number; policy: string; metric: string; met: number; breached: number }
      >();
      for (const c of handled) {
        const matched = await judge(c);
        if (!matched) continue;
        for (const m of matched.metrics(events.get(c.id) ?? [], at)) {
          const key = `${matched.policy.id}/${m.metric}`;
          let t = tally.get(key);
          if (!t) {
            t = { policyId: matched.policy.id, policy: matched.policy.name, metric: m.metric, met: 0, breached: 0 };
            tally.set(key, t);
          }
          if (m.status === 'met') t.met++;
          if (m.status === 'breached') t.breached++;
        }
      }
      const order = ['first_response', 'periodic_update', 'resolution'];
      const items = [...tally.values()]
        .sort((a, b) => a.policyId - b.policyId || order.indexOf(a.metric) - order.indexOf(b.metric))
        .map((t) => ({
          ...t,
          metric: t.metric as 'first_response' | 'periodic_update' | 'resolution',
          metPercent: t.met + t.breached > 0 ? Math.round((1000 * t.met) / (t.met + t.breached)) / 10 : null,
        }));
      return { ...meta(q), items };
    },

    async contacts(p: Principal, q: ContactsReportQueryInput) {
      const items = await repo.contactsReport(await windowOf(p, q), q.by ?? []);
      return { ...meta(q), groupBy: q.groupBy, items };
    },
  };
}
