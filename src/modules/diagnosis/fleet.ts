/**
 * "Is it us or you?": does a PLMN or an APN refuse many SIMs right now, or only this one? The fleet's counts for
 * the period (all tenants) minus this SIM's own attempts give what the others see:
 * - incident: others are refused there often (≥ FLEET_MIN_SHARE of their attempts, at least
 *   FLEET_MIN_OTHER_REJECTS refusals, significantly above the place's own share of the day before) by at least
 *   FLEET_MIN_OTHER_SIMS other SIMs (or, when distinct SIMs are not known, twice as many refusals) of two customers
 *   or more (or FLEET_ONE_ACCOUNT_MIN_SIMS of one) — the network's problem, whatever the device does. Only refusals
 *   with a network-side cause count (cause-families.ts);
 * - works_for_others: others get through (≥ FLEET_HEALTHY_MIN_ACCEPTED accepted, no other SIM refused or at most
 *   FLEET_HEALTHY_MAX_SHARE of attempts) — one SIM failing alone points at its device or subscription;
 * - inconclusive: too little traffic to tell; unknown: no fleet figures were gathered.
 */

import { when } from './checks/common.ts';
import type { DiagnosisFleet, Evidence, FleetCell, FleetIncident } from './diagnosis.model.ts';
import type { EventFacts, OwnCounts } from './facts.ts';

export const FLEET_MIN_OTHER_REJECTS = 5;
export const FLEET_MIN_SHARE = 0.2;
export const FLEET_MIN_OTHER_SIMS = 2;
export const FLEET_HEALTHY_MIN_ACCEPTED = 10;
export const FLEET_HEALTHY_MAX_SHARE = 0.05;

/** Failing SIMs of a single customer that make an incident on their own. */
export const FLEET_ONE_ACCOUNT_MIN_SIMS = 5;
/** The refusal share assumed where the group's own baseline is unknown or lower (a network refuses a little). */
export const FLEET_BASELINE_FLOOR = 0.02;
/** One-sided z above the baseline share that counts as "more refusals than this place usually has". */
export const FLEET_MIN_Z = 3;

/**
 * Is `rejected` of `attempts` significantly above the group's usual share (normal approximation of the binomial,
 * one-sided, z ≥ FLEET_MIN_Z)? A partner that always refuses a third of attaches is not failing at 35 %.
 */
export function aboveBaseline(rejected: number, attempts: number, baselineShare: number | null): boolean {
  if (attempts === 0) return false;
  const p0 = Math.min(0.95, Math.max(FLEET_BASELINE_FLOOR, baselineShare ?? 0));
  const z = (rejected / attempts - p0) / Math.sqrt((p0 * (1 - p0)) / attempts);
  return z >= FLEET_MIN_Z;
}

export type FleetState = 'incident' | 'works_for_others' | 'inconclusive' | 'unknown';

export type FleetJudgement = {
  state: FleetState;
  scope: 'plmn' | 'apn';
  key: string;
  attempt: 'attach' | 'session';
  /** Others' refused share of attempts (0–1). */
  share: number;
  othersRejected: number;
  othersAccepted: number;
  othersFailingSims: number | null;
  cell: FleetCell | null;
  since: Date | null;
};

export function judgeCell(
  cell: FleetCell | null,
  own: OwnCounts | undefined,
): Omit<FleetJudgement, 'scope' | 'key' | 'attempt' | 'since'> {
  if (cell === null)
    return { state: 'unknown', share: 0, othersRejected: 0, othersAccepted: 0, othersFailingSims: null, cell };
  const othersRejected = Math.max(0, cell.rejected - (own?.rejected ?? 0));
  const othersAccepted = Math.max(0, cell.accepted - (own?.accepted ?? 0));
  const attempts = othersRejected + othersAccepted;
  const share = attempts === 0 ? 0 : othersRejected / attempts;
  const othersFailingSims =
    cell.failingSims === null ? null : Math.max(0, cell.failingSims - ((own?.rejected ?? 0) > 0 ? 1 : 0));
  const enoughSims =
    othersFailingSims === null
      ? othersRejected >= 2 * FLEET_MIN_OTHER_REJECTS
      : othersFailingSims >= FLEET_MIN_OTHER_SIMS;
  // One customer's SIMs failing together may be that customer's devices or plan: a few need a second customer.
  const enoughAccounts =
    cell.failingTenants === null ||
    cell.failingTenants >= 2 ||
    (othersFailingSims ?? othersRejected / 2) >= FLEET_ONE_ACCOUNT_MIN_SIMS;
  let state: FleetState = 'inconclusive';
  if (
    othersRejected >= FLEET_MIN_OTHER_REJECTS &&
    share >= FLEET_MIN_SHARE &&
    enoughSims &&
    enoughAccounts &&
    aboveBaseline(othersRejected, attempts, cell.baselineShare ?? null)
  )
    state = 'incident';
  else if (
    othersAccepted >= FLEET_HEALTHY_MIN_ACCEPTED &&
    (othersFailingSims === 0 || share <= FLEET_HEALTHY_MAX_SHARE)
  )
    state = 'works_for_others';
  return { state, share, othersRejected, othersAccepted, othersFailingSims, cell };
}

export function judgePlmn(
  fleet: DiagnosisFleet | null,
  facts: EventFacts,
  plmn: string,
  attempt: 'attach' | 'session',
): FleetJudgement {
  const h = fleet?.plmns.find((p) => p.plmn === plmn);
  const cell = h ? (attempt === 'attach' ? h.attach : h.sessions) : null;
  const j = fleet === null ? judgeCell(null, undefined) : judgeCell(cell, facts.own.get(`plmn:${attempt}|${plmn}`));
  const since = (attempt === 'attach' ? h?.attachFailingSince : h?.sessionFailingSince) ?? h?.failingSince ?? null;
  return { ...j, scope: 'plmn', key: plmn, attempt, since };
}

export function judgeApn(fleet: DiagnosisFleet | null, facts: EventFacts, apnKey: string): FleetJudgement {
  const h = fleet?.apns.find((a) => a.apn.toLowerCase() === apnKey);
  const j =
    fleet === null
      ? judgeCell(null, undefined)
      : judgeCell(h?.sessions ?? null, facts.own.get(`apn:session|${apnKey}`));
  return { ...j, scope: 'apn', key: apnKey, attempt: 'session', since: h?.failingSince ?? null };
}

/** The roll-up's bucket: an incident's start is known to this precision. */
const FLEET_BUCKET_MS = 5 * 60_000;

/**
 * An incident explains a SIM's refusals only inside its span: a SIM refused only before the run of refusals began
 * was refused for a reason of its own.
 */
export function explains(j: FleetJudgement, newestRefusal: Date): boolean {
  return j.state === 'incident' && (j.since === null || newestRefusal.getTime() >= j.since.getTime() - FLEET_BUCKET_MS);
}

/** Nobody else was seen there (or no fleet figures were gathered): nothing to compare this SIM with. */
export function nobodyElse(j: FleetJudgement): boolean {
  return j.state === 'unknown' || (j.othersAccepted === 0 && j.othersRejected === 0);
}

/** Others were served there and not one of them refused: too few to say "works for others", enough to rule out an outage. */
export function othersServed(j: FleetJudgement): boolean {
  return j.othersFailingSims === 0 && j.othersAccepted > 0;
}

export function incidentOf(j: FleetJudgement): FleetIncident {
  return {
    kind: j.scope,
    key: j.key,
    since: j.since === null ? null : j.since.toISOString(),
    attempt: j.attempt,
    rejectShare: Math.round(j.share * 1000) / 1000,
    failingSims: j.cell?.failingSims ?? null,
    failingTenants: j.cell?.failingTenants ?? null,
  };
}

/** The agent's words for a judgement ("42 of 50 attempts by others refused, 12 other SIMs, since …"). */
export function fleetText(j: FleetJudgement): string {
  const where = j.scope === 'plmn' ? `PLMN ${j.key}` : `APN ${j.key}`;
  const what = j.attempt === 'attach' ? 'registrations' : 'data sessions';
  if (j.state === 'unknown') return `no fleet figures for ${where}`;
  const sims = j.othersFailingSims === null ? '' : `, ${j.othersFailingSims} other SIM(s) refused`;
  const tenants = j.cell?.failingTenants == null ? '' : `, ${j.cell.failingTenants} customer(s)`;
  const since = j.since ? `, failing since ${when(j.since)}` : '';
  return `fleet ${what} at ${where}: ${j.othersRejected} refused / ${j.othersAccepted} accepted for other SIMs (${Math.round(j.share * 100)} %)${sims}${tenants}${since}`;
}

export function fleetEvidence(j: FleetJudgement): Evidence {
  return {
    kind: 'fleet',
    scope: j.scope,
    key: j.key,
    attempt: j.attempt,
    rejected: j.othersRejected,
    accepted: j.othersAccepted,
    failingSims: j.othersFailingSims,
    failingTenants: j.cell?.failingTenants ?? null,
    since: j.since === null ? null : j.since.toISOString(),
  };
}
