/**
 * Past work written as it happened: cases whose creation, state changes and timeline entries carry their own
 * instants, for the demo's weeks of history (reports, SLA figures and dashboards need closed cases spread over
 * time, which the use cases cannot make: they stamp "now"). Not on any route; staff principals only.
 *
 * Every case must have ended (resolved, closed or cancelled) before now, so no SLA clock of it runs and the
 * worker has nothing to warn about. Closed and cancelled cases announce nothing (nothing to compute);
 * a resolved one announces `cases.changed`, so the SLA module schedules its verification close as for any
 * resolution. The rows are what the use cases would have written (same numbering, timeline entries and state
 * history the SLA clocks and reports read), inserted set-based: hundreds of cases take well under a second.
 */
import { sql } from 'drizzle-orm';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { emitEach } from '../../platform/events/emit.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { SYSTEM_AUTHOR } from './case-automation.ts';
import { computedPriorityOf, priorityInputsReader } from './case-priority.ts';
import { authorOf, caseNumber } from './case-writes.ts';
import { CaseEvents } from './cases.events.ts';
import type { CASE_TYPES, CHANNELS, SEVERITIES } from './cases.schemas.ts';
import { caseEvents, caseNumberCounters, cases } from './cases.tables.ts';
import type { PriorityMatrixSource } from './priority-matrix.store.ts';
import { type CaseState, checkCaseTransition } from './state-machine.ts';

/** Who wrote an entry: the calling staff member, iotops itself, or a customer's contact (by e-mail address). */
export type HistoricAuthor = 'staff' | 'system' | { customer: string };

export type HistoricStep =
  | {
      at: Date;
      to: CaseState;
      by?: HistoricAuthor;
      /** A public note written with the change (a resolution's summary). */
      note?: string;
      /** Why, when not a person's call (the verification period closing a case): data.reason and the entry's text. */
      reason?: { code: string; text: string };
    }
  | {
      at: Date;
      kind: 'email_in' | 'email_out' | 'phone_call' | 'portal_message' | 'note';
      visibility: 'public' | 'internal';
      body: string;
      by?: HistoricAuthor;
      durationSeconds?: number;
    };

export type HistoricCase = {
  accountId: number;
  type: (typeof CASE_TYPES)[number];
  channel: (typeof CHANNELS)[number];
  severity: (typeof SEVERITIES)[number];
  subject: string;
  description: string;
  queue?: string;
  assigneeUserId?: number;
  tags?: string[];
  createdAt: Date;
  /** Who opened it (the "Case created" entry); staff by default. */
  openedBy?: HistoricAuthor;
  /** In time order, none before createdAt nor after now; the state changes must be allowed transitions. */
  steps: HistoricStep[];
};

const ENDED: readonly CaseState[] = ['resolved', 'closed', 'cancelled'];
const ROWS_PER_INSERT = 500;

export type CaseHistoryDeps = {
  accounts: Pick<AccountsService, 'get' | 'vipTiersOf'>;
  priorityMatrix: PriorityMatrixSource;
  now?: () => Date;
};

/** The final state and its instants, after checking the steps; throws naming the case and step on a bad one. */
export function replayHistory(h: HistoricCase, now: Date) {
  const where = `historic case "${h.subject}" (${h.createdAt.toISOString()})`;
  if (h.createdAt >= now) throw new Error(`${where}: created in the future`);
  let state: CaseState = 'new';
  let last = h.createdAt;
  let resolvedAt: Date | null = null;
  let closedAt: Date | null = null;
  for (const [i, s] of h.steps.entries()) {
    if (s.at < last || s.at > now)
      throw new Error(
        `${where}: step ${i} at ${s.at.toISOString()} is out of order (before the step before it, or after now)`,
      );
    last = s.at;
    if (!('to' in s)) continue;
    if (!checkCaseTransition(state, s.to).ok) throw new Error(`${where}: step ${i} moves ${state} to ${s.to}`);
    if (s.to === 'resolved') resolvedAt = s.at;
    if (s.to === 'open' && state === 'resolved') resolvedAt = null;
    if (s.to === 'closed' || s.to === 'cancelled') closedAt = s.at;
    state = s.to;
  }
  if (!ENDED.includes(state)) throw new Error(`${where}: ends ${state}; history holds ended cases only`);
  return { state, resolvedAt, closedAt, updatedAt: last };
}

export function createCaseHistory(ctx: Pick<Ctx, 'database'>, deps: CaseHistoryDeps) {
  const db: Db = ctx.database.db;
  const clock = deps.now ?? (() => new Date());
  const priorityInputs = priorityInputsReader(deps);

  return {
    /** Writes the cases in creation order (numbers follow time); answers their numbers in the input's order. */
    async record(p: Principal, history: readonly HistoricCase[]): Promise<string[]> {
      if (!isStaff(p)) throw new Error('case history is recorded by the provider only (a staff principal)');
      const now = clock();
      const replayed = history.map((h) => ({ h, end: replayHistory(h, now) }));
      const accountIds = [...new Set(history.map((h) => h.accountId))];
      const tenantOf = new Map<number, number>();
      for (const id of accountIds) tenantOf.set(id, (await deps.accounts.get(p, id)).tenantId);
      const staff = authorOf(p);
      const authorFor = (by: HistoricAuthor | undefined) =>
        by === undefined || by === 'staff'
          ? staff
          : by === 'system'
            ? SYSTEM_AUTHOR
            : { authorUserId: null, authorLabel: by.customer, authorSide: 'customer' as const };

      const inOrder = [...replayed].sort((a, b) => +a.h.createdAt - +b.h.createdAt);

      return db.transaction(async (tx) => {
        const { matrix, vipTierOf } = await priorityInputs(tx, accountIds);
        // Numbers in blocks per year from the counter the use cases draw one at a time from (no gaps either way).
        const numberOf = new Map<HistoricCase, string>();
        for (const [year, batch] of Map.groupBy(inOrder, (x) => x.h.createdAt.getUTCFullYear())) {
          const [row] = await queryRows<{ last: number }>(
            tx,
            sql`insert into ${caseNumberCounters} (year, last) values (${year}, ${batch.length})
                on conflict (year) do update set last = ${caseNumberCounters}.last + ${batch.length}
                returning last`,
          );
          const first = Number(row!.last) - batch.length + 1;
          for (const [k, x] of batch.entries()) numberOf.set(x.h, caseNumber(year, first + k));
        }
        const rows = inOrder.map(({ h, end }) => {
          const facts = { type: h.type, severity: h.severity, affectedSimCount: 0, vipTier: vipTierOf(h.accountId) };
          const priority = computedPriorityOf(facts, matrix);
          return {
            number: numberOf.get(h)!,
            tenantId: tenantOf.get(h.accountId)!,
            accountId: h.accountId,
            type: h.type,
            channel: h.channel,
            subject: h.subject,
            description: h.description,
            severity: h.severity,
            priority,
            computedPriority: priority,
            state: end.state,
            queue: h.queue ?? null,
            assigneeUserId: h.assigneeUserId ?? null,
            tags: h.tags ?? [],
            createdBy: h.openedBy === undefined || h.openedBy === 'staff' ? (staff.authorUserId ?? null) : null,
            createdAt: h.createdAt,
            updatedAt: end.updatedAt,
            resolvedAt: end.resolvedAt,
            closedAt: end.closedAt,
          } satisfies typeof cases.$inferInsert;
        });
        const idOf = new Map<string, number>();
        for (let k = 0; k < rows.length; k += ROWS_PER_INSERT) {
          const chunk = rows.slice(k, k + ROWS_PER_INSERT);
          for (const c of await tx.insert(cases).values(chunk).returning({ id: cases.id, number: cases.number }))
            idOf.set(c.number, c.id);
        }
        const events = inOrder.flatMap(({ h }, k) =>
          timeline(h, { caseId: idOf.get(rows[k]!.number)!, tenantId: rows[k]!.tenantId }, rows[k]!.priority),
        );
        for (let k = 0; k < events.length; k += ROWS_PER_INSERT)
          await tx.insert(caseEvents).values(events.slice(k, k + ROWS_PER_INSERT));
        // Resolved cases verify as any resolution does; ended ones have nothing for the SLA module to compute.
        const verifying = rows.filter((c) => c.state === 'resolved').map((c) => idOf.get(c.number)!);
        await emitEach(tx, CaseEvents.changed, 'caseId', verifying, 'case');
        return history.map((h) => numberOf.get(h)!);
      });

      /** The entries the use cases would have written: the creation, each step, a transition's note. */
      function timeline(h: HistoricCase, base: { caseId: number; tenantId: number }, priority: string) {
        const events: (typeof caseEvents.$inferInsert)[] = [
          {
            ...base,
            at: h.createdAt,
            kind: 'system',
            visibility: 'public',
            ...authorFor(h.openedBy),
            body: 'Case created',
            data: { action: 'created', state: 'new', channel: h.channel, priority, affectedSimCount: 0 },
          },
        ];
        let state: CaseState = 'new';
        for (const s of h.steps) {
          if (!('to' in s)) {
            events.push({
              ...base,
              at: s.at,
              kind: s.kind,
              visibility: s.visibility,
              ...authorFor(s.by),
              body: s.body,
              data: s.durationSeconds !== undefined ? { durationSeconds: s.durationSeconds } : null,
            });
            continue;
          }
          events.push({
            ...base,
            at: s.at,
            kind: 'system',
            visibility: 'public',
            ...authorFor(s.by),
            body: `State changed from ${state} to ${s.to}${s.reason ? `: ${s.reason.text}` : ''}`,
            data: {
              action: 'state_changed',
              before: { state },
              after: { state: s.to },
              ...(s.reason ? { reason: s.reason.code } : {}),
            },
          });
          if (s.note)
            events.push({
              ...base,
              at: s.at,
              kind: 'note',
              visibility: 'public',
              ...authorFor(s.by),
              body: s.note,
              data: { transition: { from: state, to: s.to } },
            });
          state = s.to;
        }
        return events;
      }
    },
  };
}

export type CaseHistory = ReturnType<typeof createCaseHistory>;
