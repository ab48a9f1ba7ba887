/**
 * PATCH /api/v1/cases/{number}, staff only: what feeds the priority matrix (type, severity, affected SIMs — the
 * computed priority follows, an override stays in force) and who works the case (assignee, queue). Each change is
 * an internal system entry saying from → to, written with the change; insertEvent's outbox job then lets the SLA
 * module recompute, and its notifications go to whoever is the assignee or queue when they fire.
 */
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { forbidden, invalid } from '../../platform/errors.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { UsersService } from '../users/users.service.ts';
import {
  computedPriorityOf,
  effectivePriority,
  type PriorityOverride,
  type priorityInputsReader,
} from './case-priority.ts';
import type { caseSimsOps } from './case-sims.ts';
import { authorOf } from './case-writes.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseRow, casesRepo } from './cases.repo.ts';
import type { UpdateCaseInput } from './cases.schemas.ts';

/** Fields only the provider sets, on create and on update. */
export const STAFF_ONLY_FIELDS = ['queue', 'assigneeUserId'] as const;

export type CaseUpdateDeps = {
  db: Db;
  accounts: Pick<AccountsService, 'get'>;
  users: Pick<UsersService, 'staffMember' | 'byId'>;
  affected: Pick<ReturnType<typeof caseSimsOps>, 'resolveAffected'>;
  priorityInputs: ReturnType<typeof priorityInputsReader>;
  load: (p: Principal, number: string) => Promise<CaseRow>;
};

/** A customer sending a staff-only field gets 403 naming it and its value (rather than it being dropped). */
export function refuseStaffOnlyFields(p: Principal, input: { [F in (typeof STAFF_ONLY_FIELDS)[number]]?: unknown }) {
  if (isStaff(p)) return;
  for (const f of STAFF_ONLY_FIELDS) {
    if (input[f] !== undefined) {
      throw forbidden(E.fieldForbidden, `Only the provider sets ${f}`, [
        { field: f, value: input[f], reason: 'staff only' },
      ]);
    }
  }
}

/**
 * The queue filters a customer may not use: a case's queue and assignee are the desk's (absent from what customers
 * see), and filtering by them would tell a customer which of their cases sit in which queue (`?queue=major`).
 */
export function refuseStaffOnlyFilters(p: Principal, q: { queue?: string | undefined; assignee?: string | undefined }) {
  if (isStaff(p)) return;
  for (const f of ['queue', 'assignee'] as const) {
    if (q[f] !== undefined) {
      throw forbidden(E.fieldForbidden, `Only the provider filters cases by ${f}`, [
        { field: f, value: q[f], reason: 'staff only' },
      ]);
    }
  }
}

/** An assignee must be someone who can work the case: an enabled admin or agent. */
export async function requireAssignee(users: Pick<UsersService, 'staffMember'>, id: number | null | undefined) {
  if (id === null || id === undefined) return;
  if (!(await users.staffMember(id))) {
    throw invalid(E.assigneeInvalid, `User ${id} cannot be assigned cases`, [
      {
        field: 'assigneeUserId',
        value: id,
        reason: 'not an enabled staff user (admin or agent); see GET /api/v1/agents',
      },
    ]);
  }
}

const MATRIX_FIELDS = ['type', 'severity', 'affectedSimCount', 'computedPriority', 'priority'] as const;
const overrideOf = (c: CaseRow) => (c.priorityOverride ?? null) as PriorityOverride | null;

export function caseUpdates(deps: CaseUpdateDeps) {
  /** Names for the timeline, read before the transaction (on PGlite a read beside it would wait for it). */
  async function userNames(ids: readonly (number | null | undefined)[]): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
    const users = await Promise.all(wanted.map((id) => deps.users.byId(id)));
    return new Map(users.flatMap((u) => (u ? [[u.id, u.name] as const] : [])));
  }

  return {
    async update(p: Principal, number: string, input: UpdateCaseInput): Promise<CaseRow> {
      const c = await deps.load(p, number);
      if (!isStaff(p)) {
        refuseStaffOnlyFields(p, input);
        const field = Object.keys(input)[0] ?? 'body';
        throw forbidden(E.updateForbidden, 'Only the provider changes type, severity or affected SIMs', [
          { field, reason: 'staff only' },
        ]);
      }
      await requireAssignee(deps.users, input.assigneeUserId);
      const matrixChange = [input.type, input.severity, input.affectedIccids, input.affectedFilter].some(
        (v) => v !== undefined,
      );
      const sims =
        input.affectedIccids !== undefined || input.affectedFilter !== undefined
          ? await deps.affected.resolveAffected(p, await deps.accounts.get(p, c.accountId), {
              iccids: input.affectedIccids,
              filter: input.affectedFilter,
            })
          : undefined;
      const names =
        input.assigneeUserId !== undefined ? await userNames([c.assigneeUserId, input.assigneeUserId]) : null;
      const who = (id: number | null) => (id === null ? 'unassigned' : (names?.get(id) ?? `user #${id}`));

      return deps.db.transaction(async (tx) => {
        const r = casesRepo(tx);
        // The matrix (and VIP tier) before the case row: the lock order every case write keeps (case-priority.ts).
        const inputs = matrixChange ? await deps.priorityInputs(tx, [c.accountId]) : undefined;
        const before = (await r.lockById(c.id)) ?? c;
        const values: Partial<CaseRow> = {};
        if (inputs) {
          const facts = {
            type: input.type ?? before.type,
            severity: input.severity ?? before.severity,
            affectedSimCount: sims ? sims.count : before.affectedSimCount,
          };
          const computedPriority = computedPriorityOf(
            { ...facts, vipTier: inputs.vipTierOf(c.accountId) },
            inputs.matrix,
          );
          Object.assign(values, facts, {
            computedPriority,
            priority: effectivePriority(computedPriority, overrideOf(before)),
          });
          if (sims) {
            await r.replaceSims(
              c.id,
              sims.simIds.map((simId) => ({ caseId: c.id, simId, tenantId: c.tenantId })),
            );
            if (sims.count > 0) await r.announceSimsSet(c.id);
            values.affectedFilter = sims.filter;
          }
        }
        const assignee = input.assigneeUserId !== undefined && input.assigneeUserId !== before.assigneeUserId;
        const queue = input.queue !== undefined && input.queue !== before.queue;
        if (assignee) values.assigneeUserId = input.assigneeUserId ?? null;
        if (queue) values.queue = input.queue ?? null;
        // Only a re-assignment to whoever has it already: nothing changed, nothing to record.
        if (!inputs && !assignee && !queue) return before;

        const after = await r.update(c.id, values);
        const entry = (body: string, data: Record<string, unknown>) =>
          r.insertEvent({
            caseId: c.id,
            tenantId: c.tenantId,
            kind: 'system',
            visibility: 'internal',
            ...authorOf(p),
            body,
            data,
          });
        if (inputs) {
          const pick = (x: CaseRow) => Object.fromEntries(MATRIX_FIELDS.map((k) => [k, x[k]]));
          const changes = MATRIX_FIELDS.filter((k) => before[k] !== after[k]).map(
            (k) => `${k} ${before[k]} → ${after[k]}`,
          );
          await entry(changes.length > 0 ? `Updated ${changes.join(', ')}` : 'Updated (no change)', {
            action: 'updated',
            before: pick(before),
            after: pick(after),
          });
        }
        if (assignee) {
          await entry(`Assignee: ${who(before.assigneeUserId)} → ${who(after.assigneeUserId)}`, {
            action: 'assignee_changed',
            before: { assigneeUserId: before.assigneeUserId },
            after: { assigneeUserId: after.assigneeUserId },
          });
        }
        if (queue) {
          await entry(`Queue: ${before.queue ?? 'none'} → ${after.queue ?? 'none'}`, {
            action: 'queue_changed',
            before: { queue: before.queue },
            after: { queue: after.queue },
          });
        }
        return after;
      });
    },
  };
}
