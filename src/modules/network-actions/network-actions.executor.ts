/**
 * Carries out one requested action, in the worker, as the person who asked: state and plan changes through the
 * SIMs and catalog services (their rules and audit, checked again now — the SIM may have moved meanwhile), network
 * operations through the adapter. Writes applied/failed once. A retryable adapter failure (timeout, overload)
 * throws so the job retries with back-off; on the last attempt it is recorded as failed. Retrying repeats the
 * steps already done (a second cancel location only makes the device register once more).
 */
import { z } from 'zod';
import { type Principal, ROLE_SCOPES, ROLES } from '../../platform/auth.ts';
import type { Db } from '../../platform/db/client.ts';
import { isAppError } from '../../platform/errors.ts';
import type { JobInfo } from '../../platform/jobs/queue.ts';
import { displayIccid } from '../sims/identifiers.ts';
import type { SimState } from '../sims/lifecycle.ts';
import type { AdapterOutcome, NetworkSim } from './adapter.ts';
import { finishedEntry } from './case-entries.ts';
import { configSmsText } from './config-sms.ts';
import { type ActionRow, networkActionsRepo } from './network-actions.repo.ts';
import type { PlanParamsInput } from './network-actions.schemas.ts';
import type { NetworkActionsDeps } from './network-actions.service.ts';

export const EXECUTE_JOB = 'network_actions.execute';

/** Who asked, as the job payload carries it (a Principal without its scope set, which follows from the role). */
export const RequesterSchema = z.object({
  userId: z.number().int(),
  email: z.string(),
  role: z.enum(ROLES),
  tenantId: z.number().int().nullable(),
  accountId: z.number().int().nullable(),
  accountPath: z.string().nullable(),
  via: z.enum(['session', 'token', 'cli']),
});
export type Requester = z.infer<typeof RequesterSchema>;
export const ExecutePayload = z.object({ actionId: z.number().int(), as: RequesterSchema });

type Step = { op: string; status: 'applied' | 'failed'; detail?: string; reason?: string };
type Done = { status: 'applied' | 'failed'; outcome: string };

class RetryLater extends Error {}

export function createExecutor(db: Db, deps: Omit<NetworkActionsDeps, 'bus'>) {
  const repo = networkActionsRepo(db);
  const { sims, catalog, adapter } = deps;

  async function networkSim(p: Principal, iccid: string): Promise<NetworkSim> {
    const d = await sims.get(p, iccid);
    return {
      iccid: displayIccid(d.sim.iccid),
      imsi: d.imsis.find((i) => i.isCurrent)?.imsi ?? null,
      msisdn: d.sim.msisdn,
      state: d.sim.state as SimState,
    };
  }

  async function run(row: ActionRow, p: Principal, steps: Step[], job: Pick<JobInfo, 'attempt' | 'maxAttempts'>) {
    const op = { actionId: row.id };
    const step = async (name: string, call: () => Promise<AdapterOutcome>): Promise<string | null> => {
      const r = await call();
      if (r.status === 'applied') {
        steps.push({ op: name, status: 'applied', detail: r.detail });
        return null;
      }
      steps.push({ op: name, status: 'failed', reason: r.reason });
      if (r.retryable && job.attempt < job.maxAttempts) throw new RetryLater(`${name}: ${r.reason}`);
      return r.reason;
    };
    /** After a change in iotops: the network hears of it; a refusal there fails the action, saying what stands. */
    const provision = async (done: string): Promise<Done> => {
      const sim = await networkSim(p, row.iccid);
      const failed = await step('updateSubscription', () => adapter.updateSubscription(sim, op));
      return failed
        ? { status: 'failed', outcome: `${done} in iotops, but the network was not updated: ${failed}` }
        : { status: 'applied', outcome: `${done}; the network's subscription is updated` };
    };
    const params = row.params;

    switch (row.kind) {
      case 'connectivity_reset': {
        const sim = await networkSim(p, row.iccid);
        // Cancel location first, then the session (emnify/1NCE/Control Center order): the device re-registers
        // and re-reads its profile, and no stale session survives the re-attach.
        const cl = await step('cancelLocation', () => adapter.cancelLocation(sim, op));
        if (cl) return { status: 'failed', outcome: `Connectivity reset failed: cancel location: ${cl}` } as Done;
        const ds = await step('deleteSession', () => adapter.deleteSession(sim, op));
        if (ds) return { status: 'failed', outcome: `Location cancelled, but delete session failed: ${ds}` } as Done;
        return {
          status: 'applied',
          outcome: 'Connectivity reset: location cancelled and data session deleted',
        } as Done;
      }
      case 'send_config_sms': {
        const apn = String(params.apn);
        const sim = await networkSim(p, row.iccid);
        const text = configSmsText(apn);
        const failed = await step('sendSms', () => adapter.sendSms(sim, text, op));
        steps.push({ op: 'text', status: 'applied', detail: text });
        return failed
          ? ({ status: 'failed', outcome: `Configuration SMS (APN ${apn}) not sent: ${failed}` } as Done)
          : ({ status: 'applied', outcome: `Configuration SMS sent: APN ${apn}` } as Done);
      }
      case 'change_state': {
        const to = params.to as SimState;
        const before = (await sims.get(p, row.iccid)).sim.state;
        // Already there (a retry after the change committed, or someone else did it): the goal is reached.
        if (before !== to)
          await sims.changeState(p, row.iccid, { state: to, reason: row.reason ?? `action #${row.id}` });
        steps.push({
          op: 'sims.changeState',
          status: 'applied',
          detail: before === to ? `already ${to}` : `${before} → ${to}`,
        });
        return provision(`State ${before === to ? 'already' : 'changed to'} ${to}`);
      }
      case 'change_plan':
        return provision(await changePlan(p, row, params as PlanParamsInput & { planId?: number }, steps));
      default:
        return { status: 'failed', outcome: `unknown action kind ${row.kind}` } as Done;
    }
  }

  async function changePlan(
    p: Principal,
    row: ActionRow,
    params: PlanParamsInput & { planId?: number },
    steps: Step[],
  ) {
    if (params.planId === undefined) {
      const { communicationPlanId, ratePlanId } = params;
      const d = await sims.update(p, row.iccid, { communicationPlanId, ratePlanId });
      steps.push({
        op: 'sims.update',
        status: 'applied',
        detail: `plans ${d.communicationPlan?.name ?? '-'} / ${d.ratePlan?.name ?? '-'}`,
      });
      return 'Plans assigned';
    }
    const plan = await catalog.getCommunicationPlan(p, params.planId);
    const has = (list: readonly string[], v: string) => list.some((x) => x.toLowerCase() === v.toLowerCase());
    const add = params.add ?? '';
    let patch: Parameters<typeof catalog.updateCommunicationPlan>[2] | null = null;
    if (params.field === 'apns') patch = has(plan.apns, add) ? null : { apns: [...plan.apns, add] };
    else if (params.field === 'roamingPlmns')
      patch = plan.roamingPlmns.includes(add) ? null : { roamingPlmns: [...plan.roamingPlmns, add] };
    else {
      const key = ({ dataEnabled: 'data', smsEnabled: 'sms', voiceEnabled: 'voice' } as const)[params.field!];
      patch = plan[params.field!] === params.value ? null : { services: { [key]: params.value } };
    }
    if (patch) await catalog.updateCommunicationPlan(p, plan.id, patch);
    const what = `${params.field} ${params.add !== undefined ? `+ ${params.add}` : `= ${params.value}`}`;
    steps.push({
      op: 'catalog.updateCommunicationPlan',
      status: 'applied',
      detail: `${plan.name}: ${patch ? what : `already ${what}`}`,
    });
    return `Plan ${plan.name} ${patch ? 'changed' : 'already had it'}: ${what}`;
  }

  return {
    async execute(payload: z.infer<typeof ExecutePayload>, job: Pick<JobInfo, 'attempt' | 'maxAttempts'>) {
      const row = await repo.byId(payload.actionId);
      if (row?.status !== 'requested') return; // done already (the job ran twice), or no such action
      const p: Principal = { ...payload.as, scopes: new Set(ROLE_SCOPES[payload.as.role]) };
      const steps: Step[] = [];
      let done: Done;
      try {
        done = await run(row, p, steps, job);
      } catch (e) {
        if (e instanceof RetryLater) throw e;
        if (isAppError(e)) {
          // The SIMs/catalog services refused (the SIM moved on since the request): the reason, field and value.
          const where = e.details.map(
            (d) => `${d.field ?? ''}${d.value !== undefined ? `=${JSON.stringify(d.value)}` : ''}: ${d.reason}`,
          );
          done = { status: 'failed', outcome: [e.message, ...where.slice(0, 3)].join('; ') };
          steps.push({ op: 'refused', status: 'failed', reason: `${e.code}: ${e.message}` });
        } else if (job.attempt < job.maxAttempts) throw e;
        else done = { status: 'failed', outcome: `could not be carried out: ${(e as Error).message}` };
      }
      // The outcome and the case's timeline entry (if it was run for one) commit together, once.
      await db.transaction(async (tx) => {
        const finished = await networkActionsRepo(tx).finish(row.id, {
          ...done,
          adapter: adapter.name,
          result: { steps },
        });
        if (finished?.caseId != null) await deps.cases.appendSystemEntry(finished.caseId, finishedEntry(finished), tx);
      });
    },
  };
}
