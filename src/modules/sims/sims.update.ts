import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { conflict, forbidden } from '../../platform/errors.ts';
import { checkEid, checkImei, checkMsisdn } from './identifiers.ts';
import { duplicateFrom, SimsErrors as E } from './sims.errors.ts';
import { Problems } from './sims.filters.ts';
import { actorLabel, OPERATOR, type SimsAccess } from './sims.reach.ts';
import { type SimRow, simsRepo } from './sims.repo.ts';
import type { UpdateSimInput } from './sims.schemas.ts';
import type { sims } from './sims.tables.ts';

/** Like Control Center: customers manage labels, custom fields and plans; identifiers belong to the provider. */
const STAFF_ONLY = ['imei', 'imeiLock', 'msisdn', 'eid'] as const;

const canonical = (v: unknown): string =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? JSON.stringify(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
    : JSON.stringify(v);

/**
 * PATCH: validates, then writes the changed fields and one audit row with their before/after values. `dryRun`
 * stops after every check (same refusals), writing nothing: for a change accepted now and applied later.
 */
export async function applyUpdate(
  db: Db,
  access: SimsAccess,
  p: Principal,
  sim: SimRow,
  input: UpdateSimInput,
  opts: { dryRun?: boolean } = {},
): Promise<SimRow> {
  if (!isStaff(p)) {
    for (const f of STAFF_ONLY) {
      if (input[f] !== undefined) {
        throw forbidden(E.fieldForbidden, `Only the provider changes a SIM's ${f}`, [
          { field: f, value: input[f], reason: 'only the provider may change it' },
        ]);
      }
    }
  }
  const pr = new Problems();
  const next: Partial<typeof sims.$inferInsert> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  function set<K extends keyof SimRow & keyof typeof next>(key: K, value: SimRow[K] | undefined) {
    if (value === undefined || canonical(sim[key]) === canonical(value)) return;
    before[key] = sim[key];
    after[key] = value;
    next[key] = value as (typeof next)[K];
  }

  set('labels', input.labels);
  if (input.customFields !== undefined) {
    const merged: Record<string, string> = { ...sim.customFields };
    for (const [k, v] of Object.entries(input.customFields)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    if (Object.keys(merged).length > 50) {
      pr.add(E.customFieldsInvalid, { field: 'customFields', value: Object.keys(merged).length, reason: 'at most 50' });
    }
    set('customFields', merged);
  }
  const ident = (raw: string | null | undefined, check: typeof checkImei, code: string, field: string) =>
    raw === undefined ? undefined : raw === null ? null : pr.check(check(raw), code, field, raw);
  set('imei', ident(input.imei, checkImei, E.imeiInvalid, 'imei'));
  set('msisdn', ident(input.msisdn, checkMsisdn, E.msisdnInvalid, 'msisdn'));
  set('eid', ident(input.eid, checkEid, E.eidInvalid, 'eid'));
  set('imeiLock', input.imeiLock);
  if ((next.imeiLock ?? sim.imeiLock) && (next.imei !== undefined ? next.imei : sim.imei) === null)
    pr.add(E.imeiLockWithoutImei, {
      field: input.imeiLock !== undefined ? 'imeiLock' : 'imei',
      value: input.imeiLock ?? null,
      reason: 'an IMEI-locked SIM needs the IMEI it is locked to',
    });
  pr.throwIfAny('Invalid SIM change');

  set('communicationPlanId', input.communicationPlanId);
  set('ratePlanId', input.ratePlanId);
  if (next.communicationPlanId || next.ratePlanId) {
    const account = await access.requireAccount(OPERATOR, sim.accountId, 'account');
    if (next.communicationPlanId) await access.requirePlan('communicationPlanId', next.communicationPlanId, account);
    if (next.ratePlanId) await access.requirePlan('ratePlanId', next.ratePlanId, account);
  }
  if (next.msisdn) {
    const taken = await simsRepo(db).taken({ msisdn: next.msisdn, exceptSimId: sim.id });
    if (taken.msisdn) {
      throw conflict(E.msisdnTaken, `A SIM with MSISDN ${next.msisdn} already exists`, [
        { field: 'msisdn', value: next.msisdn, reason: 'already used by another SIM' },
      ]);
    }
  }
  if (Object.keys(next).length === 0 || opts.dryRun) return sim;

  try {
    return await db.transaction(async (tx) => {
      const r = simsRepo(tx);
      const row = await r.update(sim.id, next);
      await r.insertAudit({
        tenantId: sim.tenantId,
        simId: sim.id,
        actorUserId: p.userId || null,
        actor: actorLabel(p),
        action: 'updated',
        before,
        after,
      });
      return row;
    });
  } catch (e) {
    throw duplicateFrom(e, { msisdn: next.msisdn ?? null });
  }
}
