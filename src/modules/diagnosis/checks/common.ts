/** What every layer shares: the context it reads, evidence builders and the few formatting rules. */
import { plmnAllowedByPlan } from '../../catalog/catalog.zones.ts';
import { describeCause } from '../../network/causes.ts';
import { findPlmn } from '../../plmns/plmns.data.ts';
import type { DiagnosisCheck, DiagnosisInput, Evidence, Layer, Verdict } from '../diagnosis.model.ts';
import type { EventFacts, EventGroup } from '../facts.ts';

export type Ctx = { input: DiagnosisInput; facts: EventFacts };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const MB = 1024 * 1024;

/** "2025-03-01 14:05 UTC": the same in every language, unambiguous across time zones. */
export const when = (d: Date | number) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
export const iso = (d: Date | number) => new Date(d).toISOString();

/** "Telia (24001, SE)", or the bare code for a PLMN the reference does not know. */
export function networkLabel(plmn: string): string {
  const p = findPlmn(plmn);
  if (!p) return plmn;
  const name = p.brand ?? p.operator;
  const where = p.countryCode ? `, ${p.countryCode}` : '';
  return name ? `${name} (${plmn}${where})` : `${plmn}${where}`;
}

/** The home network is the one the SIM's IMSIs start with (MNC length needs no guessing this way). */
export const isHome = (input: DiagnosisInput, plmn: string) => input.sim.imsis.some((i) => i.imsi.startsWith(plmn));

/** Allowed by the communication plan: home, listed, or in a zone; null when the SIM has no plan. */
export function plmnAllowed(input: DiagnosisInput, plmn: string): boolean | null {
  if (isHome(input, plmn)) return true;
  const plan = input.communicationPlan;
  return plan ? plmnAllowedByPlan(plan, plmn) : null;
}

export function causeText(type: string, cause: number | null): string {
  if (cause === null) return 'no cause given';
  const c = describeCause(type, cause);
  return `${type === 'attach_rejected' ? 'EMM' : 'ESM'} #${c.code} "${c.name}"`;
}

/** One evidence line for a group of alike events: the newest, with the count and the first. */
export function eventEvidence(g: EventGroup): Evidence {
  const e = g.newest;
  return {
    kind: 'event',
    id: e.id,
    ts: iso(e.ts),
    type: e.type,
    ...(e.plmn === null ? {} : { plmn: e.plmn }),
    ...(g.apn === null ? {} : { apn: g.apn }),
    ...(e.cause === null ? {} : { cause: e.cause, causeName: describeCause(e.type, e.cause).name }),
    ...(g.count > 1 ? { count: g.count, firstTs: iso(g.oldest.ts) } : {}),
  };
}

export const config = (field: string, value: unknown): Evidence => ({ kind: 'config', field, value });

export function check(
  layer: Layer,
  name: string,
  verdict: Verdict,
  title: string,
  detail: string,
  evidence: Evidence[] = [],
  extra: Pick<DiagnosisCheck, 'fix' | 'action'> = {},
): DiagnosisCheck {
  return { layer, check: `${layer}.${name}`, verdict, title, detail, evidence, ...extra };
}

/** "3 times between A and B" / "once at A". */
export function occurrences(g: EventGroup): string {
  return g.count === 1
    ? `once at ${when(g.newest.ts)}`
    : `${g.count} times, ${when(g.oldest.ts)} – ${when(g.newest.ts)}`;
}

/** The first few refusal groups in words ("ESM #29 … 5 times, …; EMM #6 …"), for a check that names them together. */
export const refusalsText = (groups: readonly EventGroup[], max = 3) =>
  groups
    .slice(0, max)
    .map((g) => `${causeText(g.type, g.cause)} ${occurrences(g)}`)
    .join('; ');
