/**
 * diagnose(input): the seven layers of checks over one pass of facts, then the root cause.
 *
 * Root cause selection: every check may nominate findings (a root-cause code with a verdict). An error beats a
 * warning; among equals, ROOT_CAUSES' order decides (diagnosis.model.ts): administrative state (not active, test
 * allowance, subscription, identity, limit/quota) → plan configuration (data off, network not allowed, APN typo,
 * APN not in the plan) → fleet-wide failures (roaming partner, network, APN gateway: they win over anything the
 * device does, since the layers only call them when many other SIMs fail at the same place) → single-SIM
 * refusals (registration, sessions: the network works for others) → the device's behaviour (silent, services
 * not in the plan) → IMEI changed. No finding: healthy. No event ever (none in the window and no network state):
 * unknown, "no network events received yet", whatever the configuration says (its findings are listed).
 */
import { activityChecks } from './checks/activity.ts';
import { type Ctx, networkLabel, when } from './checks/common.ts';
import { dataSessionChecks } from './checks/data-session.ts';
import { identityChecks } from './checks/identity.ts';
import { policyChecks } from './checks/policy.ts';
import { provisioningChecks } from './checks/provisioning.ts';
import { registrationChecks } from './checks/registration.ts';
import { servicesChecks } from './checks/services.ts';
import {
  type Diagnosis,
  type DiagnosisInput,
  type Finding,
  type LayerResult,
  ROOT_CAUSES,
  type RootCause,
} from './diagnosis.model.ts';
import { gatherFacts } from './facts.ts';
import { summarize } from './summary.ts';

const LAYER_CHECKS: readonly ((ctx: Ctx) => LayerResult)[] = [
  identityChecks,
  provisioningChecks,
  policyChecks,
  registrationChecks,
  dataSessionChecks,
  servicesChecks,
  activityChecks,
];

const rank = new Map(ROOT_CAUSES.map((c, i) => [c, i]));

/** Errors first, then the precedence; the layers' own order (newest group first) breaks ties. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        (a.f.verdict === 'error' ? 0 : 1) - (b.f.verdict === 'error' ? 0 : 1) ||
        rank.get(a.f.code)! - rank.get(b.f.code)! ||
        a.i - b.i,
    )
    .map((x) => x.f);
}

/** Pairs each finding with its check: a layer pushes the check, then the finding it raises, in order. */
function withDetails(r: LayerResult): Finding[] {
  let from = 0;
  return r.findings.map((f) => {
    const j = r.checks.findIndex((c, i) => i >= from && c.check === f.check);
    if (j < 0) return f;
    from = j + 1;
    return { ...f, detail: r.checks[j]!.detail };
  });
}

export function diagnose(input: DiagnosisInput): Diagnosis {
  const facts = gatherFacts(input);
  const ctx: Ctx = { input, facts };
  const checks = [];
  const found: Finding[] = [];
  for (const layer of LAYER_CHECKS) {
    const r = layer(ctx);
    checks.push(...r.checks);
    found.push(...withDetails(r));
  }
  // A refusal the SIM has recovered from is evidence (its check stays, with when the SIM worked again), never the
  // root cause of a SIM that works now.
  const ranked = rankFindings(found).filter((f) => !f.facts.recovered);
  // One line per code for the agent's "also" (the same cause raised at two PLMNs is one cause).
  const seen = new Set<string>();
  const distinct = ranked.filter((f) => !seen.has(f.code) && seen.add(f.code));
  const neverSeen = facts.count === 0 && input.networkState === null;
  let rootCause: RootCause;
  if (neverSeen) {
    rootCause = {
      code: 'no_events_yet',
      verdict: 'unknown',
      confidence: 'high',
      check: 'activity.last_seen',
      facts: {},
      summary: summarize({
        code: 'no_events_yet',
        verdict: 'unknown',
        confidence: 'high',
        facts: {},
        detail: 'No network events received yet for this SIM.',
        others: distinct,
      }),
    };
  } else if (distinct.length > 0) {
    const top = distinct[0]!;
    const detail = top.detail ?? '';
    rootCause = {
      code: top.code,
      verdict: top.verdict,
      confidence: top.confidence,
      check: top.check,
      facts: top.facts,
      summary: summarize({ ...top, detail, others: distinct.slice(1) }),
      ...(top.fix ? { fix: top.fix } : {}),
      ...(top.action ? { action: top.action } : {}),
      ...(top.fleetIncident ? { fleetIncident: top.fleetIncident } : {}),
    };
  } else {
    const lastAt = Math.max(facts.newest?.ts.getTime() ?? 0, input.networkState?.lastEventAt.getTime() ?? 0);
    const plmn = input.networkState?.plmn ?? facts.newest?.plmn ?? null;
    const f = { lastSeen: when(lastAt), ...(plmn ? { network: networkLabel(plmn), plmn } : {}) };
    const warnings = checks.filter((c) => c.verdict === 'warning').map((c) => c.title);
    const notes = warnings.length > 0 ? ` Notes: ${warnings.join('; ')}.` : '';
    rootCause = {
      code: 'healthy',
      verdict: 'ok',
      confidence: 'high',
      check: null,
      facts: f,
      summary: summarize({
        code: 'healthy',
        verdict: 'ok',
        confidence: 'high',
        facts: f,
        detail: `No fault found; last event at ${f.lastSeen}${plmn ? ` in ${f.network}` : ''}.${notes}`,
        others: [],
      }),
    };
  }
  return {
    iccid: input.sim.iccid,
    at: input.now.toISOString(),
    window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
    checks,
    rootCause,
    otherFindings: (neverSeen ? distinct : distinct.slice(1)).map((f) => ({
      code: f.code,
      verdict: f.verdict,
      check: f.check,
    })),
    eventsTruncated: input.eventsTruncated,
  };
}
