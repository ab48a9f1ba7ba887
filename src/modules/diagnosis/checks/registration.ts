/**
 * Registration: were attaches accepted, where, and if refused, why? Each refused PLMN is judged in order:
 * 1. not allowed by the communication plan (home, listed PLMNs, zones) → plmn_not_allowed: the plan, not the
 *    network, is why, however many other SIMs fail there;
 * 2. the fleet refused there too (fleet.ts "incident") → roaming_partner_outage, or network_outage at home;
 * 3. the PLMN works for the others → registration_rejected: this SIM or its device;
 * 4. no fleet verdict → by the cause: roaming/area causes (#11–#15) or network failures (#17, #22, #42) in a
 *    visited network point at the partner (low confidence), the rest at the SIM.
 * Subscription (#2, #7, #8) and identity (#3, #5, #6) causes belong to provisioning and identity; #9, #10 and #40
 * only ask the device to re-attach. A couple of network failures (#17, #22) that the device got past is noise.
 */
import type { Finding, LayerResult, SummaryFacts } from '../diagnosis.model.ts';
import { type EventGroup, recoveredAt } from '../facts.ts';
import { explains, fleetEvidence, fleetText, incidentOf, judgePlmn, nobodyElse, othersServed } from '../fleet.ts';
import {
  type Ctx,
  causeText,
  check,
  config,
  eventEvidence,
  isHome,
  networkLabel,
  occurrences,
  plmnAllowed,
  when,
} from './common.ts';
import { IDENTITY_EMM_CAUSES } from './identity.ts';
import { SUBSCRIPTION_EMM_CAUSES } from './provisioning.ts';

const REATTACH_CAUSES: ReadonlySet<number> = new Set([9, 10, 40]);
const AREA_CAUSES: ReadonlySet<number> = new Set([11, 12, 13, 14, 15]);
const NETWORK_CAUSES: ReadonlySet<number> = new Set([17, 22, 42]);
const TRANSIENT_CAUSES: ReadonlySet<number> = new Set([17, 22]);
/** At most this many transient refusals, overcome since, are noise. */
export const TRANSIENT_MAX = 2;

export function registrationChecks(ctx: Ctx): LayerResult {
  const { input, facts } = ctx;
  const checks = [];
  const findings: Finding[] = [];
  const attachRejects = facts.rejects.filter(
    (g) =>
      g.type === 'attach_rejected' &&
      !(g.cause !== null && (SUBSCRIPTION_EMM_CAUSES.has(g.cause) || IDENTITY_EMM_CAUSES.has(g.cause))),
  );
  // Status now.
  const lastAttach = facts.attaches.size > 0 ? facts.lastAttachOkAt : null;
  const state = input.networkState;
  if (facts.count === 0 && state === null) {
    checks.push(check('registration', 'status', 'unknown', 'Registration', 'No network events received yet.'));
  } else {
    const where = state?.plmn ? ` in ${networkLabel(state.plmn)}` : '';
    const detail = state
      ? `Network state ${state.status}${where}, last event ${state.lastEventType} at ${when(state.lastEventAt)}.`
      : `Last accepted attach ${lastAttach === null ? 'not in the window' : `at ${when(lastAttach)}`}.`;
    const verdict = state?.status === 'BLOCKED' ? 'error' : 'ok';
    checks.push(
      check(
        'registration',
        'status',
        verdict,
        'Registration',
        detail,
        state ? [config('networkState.status', state.status)] : [],
      ),
    );
  }

  // Allowed networks.
  const plmns = [...facts.plmns.keys()];
  if (!input.communicationPlan) {
    if (plmns.length > 0)
      checks.push(
        check('registration', 'plmn_allowed', 'unknown', 'Visited networks', 'The SIM has no communication plan.'),
      );
  } else if (plmns.length > 0) {
    const notAllowed = plmns.filter((p) => plmnAllowed(input, p) === false);
    checks.push(
      notAllowed.length === 0
        ? check(
            'registration',
            'plmn_allowed',
            'ok',
            'Visited networks',
            `Every network used is allowed by plan ${input.communicationPlan.name}: ${plmns.map(networkLabel).join(', ')}.`,
          )
        : check(
            'registration',
            'plmn_allowed',
            notAllowed.some((p) => attachRejects.some((g) => g.plmn === p)) ? 'error' : 'warning',
            'Network not allowed by the plan',
            `Plan ${input.communicationPlan.name} does not allow ${notAllowed.map(networkLabel).join(', ')} (roaming PLMNs: ${input.communicationPlan.roamingPlmns.join(', ') || 'none'}; zones: ${input.communicationPlan.roamingZones.join(', ') || 'none'}).`,
            [
              config('communicationPlan.roamingPlmns', input.communicationPlan.roamingPlmns),
              config('communicationPlan.roamingZones', input.communicationPlan.roamingZones),
            ],
          ),
    );
    const rats = [...facts.rats.keys()].filter((r) => !input.communicationPlan!.allowedRats.includes(r));
    if (input.communicationPlan.allowedRats.length > 0 && rats.length > 0)
      checks.push(
        check(
          'registration',
          'rat',
          'warning',
          'Radio access not in the plan',
          `The device used ${rats.join(', ')}; plan ${input.communicationPlan.name} allows ${input.communicationPlan.allowedRats.join(', ')}.`,
          [config('communicationPlan.allowedRats', input.communicationPlan.allowedRats)],
        ),
      );
  }

  // Refusals, PLMN by PLMN.
  if (attachRejects.length === 0) {
    if (facts.count > 0)
      checks.push(
        check(
          'registration',
          'attach',
          'ok',
          'Registrations accepted',
          `No registration refused in the window (${facts.byType.attach} accepted).`,
        ),
      );
    return { checks, findings };
  }
  for (const g of attachRejects) refusal(ctx, g, checks, findings);
  return { checks, findings };
}

function refusal(ctx: Ctx, g: EventGroup, checks: LayerResult['checks'], findings: Finding[]) {
  const { input, facts } = ctx;
  const plmn = g.plmn ?? '';
  const cause = g.cause ?? -1;
  const backAt = recoveredAt(facts, g);
  const back = backAt !== null;
  const verdict = back ? 'warning' : 'error';
  const label = plmn ? networkLabel(plmn) : 'an unknown network';
  const moved = back ? ` The SIM worked again from ${when(backAt)}.` : '';
  const base = `Registration refused in ${label} with ${causeText(g.type, g.cause)}, ${occurrences(g)}.`;
  const facts0: SummaryFacts = {
    plmn,
    network: label,
    cause,
    causeName: causeText(g.type, g.cause),
    since: when(g.oldest.ts),
    attempt: 'attach',
    recovered: back,
    eventCount: g.count,
  };
  if (REATTACH_CAUSES.has(cause) || (back && g.count <= TRANSIENT_MAX && TRANSIENT_CAUSES.has(cause))) {
    checks.push(
      check(
        'registration',
        'attach',
        'ok',
        'Registration refused briefly',
        `${base} The device re-registers after this cause; nothing to do.`,
        [eventEvidence(g)],
      ),
    );
    return;
  }
  const allowed = plmn ? plmnAllowed(input, plmn) : null;
  if (allowed === false) {
    const plan = input.communicationPlan!;
    const fix = `Add ${label} to plan ${plan.name}'s roaming networks if the customer should use it, or steer the device to an allowed network.`;
    const action = {
      kind: 'change_plan',
      params: { plan: 'communication', field: 'roamingPlmns', add: plmn },
    } as const;
    checks.push(
      check(
        'registration',
        'attach',
        verdict,
        'Network not allowed',
        `${base} Plan ${plan.name} does not allow this network.${moved}`,
        [eventEvidence(g), config('communicationPlan.roamingPlmns', plan.roamingPlmns)],
        { fix, action },
      ),
    );
    findings.push({
      code: 'plmn_not_allowed',
      verdict,
      confidence: AREA_CAUSES.has(cause) ? 'high' : 'medium',
      check: 'registration.attach',
      facts: { ...facts0, plan: plan.name },
      fix,
      action,
    });
    return;
  }
  const home = isHome(input, plmn);
  const j = judgePlmn(input.fleet, facts, plmn, 'attach');
  const evidence = [eventEvidence(g), ...(j.state === 'unknown' ? [] : [fleetEvidence(j)])];
  const fleetWords = ` ${fleetText(j)}.`;
  if (explains(j, g.newest.ts)) {
    const code = home ? 'network_outage' : 'roaming_partner_outage';
    const fix = home
      ? 'A network-wide failure: follow the network incident; reset the connection once it is over.'
      : `The roaming partner ${label} is refusing many SIMs: raise it with the partner; the device can use another allowed network meanwhile.`;
    checks.push(
      check(
        'registration',
        'partner_health',
        verdict,
        home ? 'Network outage' : 'Roaming partner outage',
        `${base}${fleetWords}${moved}`,
        evidence,
        { fix },
      ),
    );
    findings.push({
      code,
      verdict,
      confidence: 'high',
      check: 'registration.partner_health',
      facts: { ...facts0, since: j.since ? when(j.since) : facts0.since },
      fix,
      fleetIncident: incidentOf(j),
    });
    return;
  }
  const networkSide = !home && (AREA_CAUSES.has(cause) || NETWORK_CAUSES.has(cause));
  const couldBeNetwork = j.state !== 'works_for_others' && j.state !== 'incident' && !othersServed(j);
  if (couldBeNetwork && (networkSide || (home && NETWORK_CAUSES.has(cause)))) {
    // Nobody else there to compare with: the refusal is real, its cause unknown — said so, with the evidence,
    // rather than blamed on the network or the device.
    const code = nobodyElse(j) ? 'unexplained' : home ? 'network_outage' : 'roaming_partner_outage';
    const fix = home
      ? 'Probably a network failure; check the network status and reset the connection when it is over.'
      : `Probably a problem at the roaming partner ${label}; check with the partner, and reset the connection so the device picks another network.`;
    const action = { kind: 'connectivity_reset', params: {} } as const;
    checks.push(
      check(
        'registration',
        'partner_health',
        'unknown',
        home ? 'Network health unknown' : 'Partner health unknown',
        `${base}${fleetWords}${moved}`,
        evidence,
        { fix, action },
      ),
    );
    findings.push({
      code,
      verdict,
      confidence: 'low',
      check: 'registration.partner_health',
      facts: facts0,
      fix,
      action,
    });
    return;
  }
  const alone =
    j.state === 'works_for_others'
      ? ` The network works for other SIMs, so this SIM or its device is the problem.`
      : '';
  const fix =
    'Reset the connection; if the refusals go on, check the device (restart, radio settings, network selection) and the SIM.';
  const action = { kind: 'connectivity_reset', params: {} } as const;
  if (j.state === 'works_for_others')
    checks.push(
      check('registration', 'partner_health', 'ok', 'Network works for others', `${fleetText(j)}.`, [fleetEvidence(j)]),
    );
  checks.push(
    check('registration', 'attach', verdict, 'Registration refused', `${base}${alone}${moved}`, [eventEvidence(g)], {
      fix,
      action,
    }),
  );
  findings.push({
    code: 'registration_rejected',
    verdict,
    confidence: j.state === 'works_for_others' ? 'medium' : 'low',
    check: 'registration.attach',
    facts: facts0,
    fix,
    action,
  });
}
