/**
 * Data sessions: does the plan have data, is the APN the device asks for one of the plan's (exact, a probable
 * typo, or another name; apn-match.ts), what does the ESM cause say, and is the gateway (APN) or the visited
 * network failing for the fleet? Refusals on a plan APN are judged like registrations (registration.ts): a fleet
 * incident at the PLMN or at the APN wins — the one where others fail more often; if both are as bad, a
 * visited network is the likelier culprit and, at home, the gateway — else one SIM failing alone is the SIM.
 * Barring refusals (ESM #8, #29 after use) belong to policy.
 */
import { apnCauseMeaning, matchApn } from '../apn-match.ts';
import type { Finding, LayerResult, SummaryFacts } from '../diagnosis.model.ts';
import { type EventGroup, recovered, recoveredAt } from '../facts.ts';
import {
  explains,
  type FleetJudgement,
  fleetEvidence,
  fleetText,
  incidentOf,
  judgeApn,
  judgePlmn,
  nobodyElse,
  othersServed,
} from '../fleet.ts';
import {
  type Ctx,
  causeText,
  check,
  config,
  eventEvidence,
  isHome,
  MB,
  networkLabel,
  occurrences,
  when,
} from './common.ts';
import { isBarring } from './policy.ts';

/** Gateway-side ESM causes: no capacity, refused by the gateway, out of order. */
const GATEWAY_CAUSES: ReadonlySet<number> = new Set([26, 30, 34]);
const NETWORK_CAUSES: ReadonlySet<number> = new Set([38]);
export const TRANSIENT_MAX = 2;
/** Two incidents whose shares differ less than this are "as bad". */
const SHARE_TIE = 0.05;

export function dataSessionChecks(ctx: Ctx): LayerResult {
  const { input, facts } = ctx;
  const checks = [];
  const findings: Finding[] = [];
  const plan = input.communicationPlan;
  const rejects = facts.rejects.filter((g) => g.type === 'session_rejected');
  const attempted = rejects.length > 0 || facts.sessionsOk.size > 0;
  if (!attempted) {
    const what = facts.count === 0 ? 'No network events received yet.' : 'No data session attempted in the window.';
    checks.push(check('data_session', 'status', facts.count === 0 ? 'unknown' : 'ok', 'Data sessions', what));
    return { checks, findings };
  }
  const bytes = input.sessions.reduce((s, x) => s + x.bytesUp + x.bytesDown, 0);
  const last = facts.lastSessionOkAt;
  checks.push(
    check(
      'data_session',
      'status',
      rejects.length > 0 && (last === null || rejects[0]!.newest.ts.getTime() > last) ? 'error' : 'ok',
      'Data sessions',
      `${facts.byType.session_start} session(s) started, ${facts.byType.session_rejected} refused in the window; ${(bytes / MB).toFixed(2)} MB moved; last working session event ${last === null ? 'none in the window' : when(last)}.`,
    ),
  );
  if (plan && !plan.dataEnabled) {
    const action = {
      kind: 'change_plan',
      params: { plan: 'communication', field: 'dataEnabled', value: true },
    } as const;
    const fix = `Plan ${plan.name} has data off: turn it on, or move the SIM to a plan with data.`;
    const g = rejects[0];
    const verdict = g && !recovered(facts, g) ? 'error' : 'warning';
    checks.push(
      check(
        'data_session',
        'data_enabled',
        verdict,
        'Data not in the plan',
        `The device asks for data sessions but plan ${plan.name} has data off.`,
        [config('communicationPlan.dataEnabled', false), ...rejects.map(eventEvidence)],
        { fix, action },
      ),
    );
    findings.push({
      code: 'data_not_in_plan',
      verdict,
      confidence: 'high',
      check: 'data_session.data_enabled',
      facts: { plan: plan.name, service: 'data', ...(g ? { since: when(g.oldest.ts) } : {}) },
      fix,
      action,
    });
    return { checks, findings };
  }
  apnCheck(ctx, rejects, checks, findings);
  for (const g of rejects)
    if (!isBarring(ctx, g) && (!plan || matchApn(g.apn ?? '', plan.apns).kind === 'in_plan'))
      refusal(ctx, g, checks, findings);
  return { checks, findings };
}

function apnCheck(ctx: Ctx, rejects: EventGroup[], checks: LayerResult['checks'], findings: Finding[]) {
  const { input, facts } = ctx;
  const plan = input.communicationPlan;
  if (!plan) {
    checks.push(
      check('data_session', 'apn', 'unknown', 'APN', 'The SIM has no communication plan to compare the APN with.'),
    );
    return;
  }
  const planEvidence = config('communicationPlan.apns', plan.apns);
  let bad = false;
  for (const g of rejects) {
    const m = matchApn(g.apn ?? '', plan.apns);
    if (m.kind === 'in_plan') continue;
    bad = true;
    const back = recovered(facts, g);
    const verdict = back ? 'warning' : 'error';
    const meaning = apnCauseMeaning(g.cause);
    const networkSays =
      meaning === 'unknown_apn'
        ? ' The network confirms it knows no such APN.'
        : meaning === 'not_subscribed'
          ? ' The network confirms the SIM is not subscribed to it.'
          : '';
    const since = back ? ` The device has used a working APN from ${when(recoveredAt(facts, g)!)}.` : '';
    const confidence = meaning !== null ? 'high' : 'medium';
    const f: SummaryFacts = {
      apn: g.apn ?? '',
      planApns: plan.apns,
      plan: plan.name,
      cause: g.cause ?? -1,
      causeName: causeText(g.type, g.cause),
      since: when(g.oldest.ts),
      recovered: back,
      eventCount: g.count,
      ...(g.plmn ? { plmn: g.plmn } : {}),
    };
    if (m.kind === 'typo') {
      const action = { kind: 'send_config_sms', params: { apn: m.apn } } as const;
      const fix = `Set the APN on the device to "${m.apn}" (it is set to "${g.apn}"), e.g. with a configuration SMS.`;
      checks.push(
        check(
          'data_session',
          'apn',
          verdict,
          'APN typo',
          `The device asks for APN "${g.apn}", ${occurrences(g)}, refused with ${causeText(g.type, g.cause)}: a probable typo of the plan's APN "${m.apn}" (${m.edit.replaceAll('_', ' ')}).${networkSays}${since}`,
          [eventEvidence(g), planEvidence],
          { fix, action },
        ),
      );
      findings.push({
        code: 'apn_typo',
        verdict,
        confidence,
        check: 'data_session.apn',
        facts: { ...f, rightApn: m.apn },
        fix,
        action,
      });
    } else {
      const first = plan.apns[0];
      const action = first ? ({ kind: 'send_config_sms', params: { apn: first } } as const) : undefined;
      const fix = `Set the device's APN to ${plan.apns.map((a) => `"${a}"`).join(' or ') || '(the plan has none)'}, or add "${g.apn}" to plan ${plan.name} if it is the customer's private APN.`;
      checks.push(
        check(
          'data_session',
          'apn',
          verdict,
          'APN not in the plan',
          `The device asks for APN "${g.apn}", ${occurrences(g)}, refused with ${causeText(g.type, g.cause)}; plan ${plan.name} has ${plan.apns.join(', ') || 'no APN'}.${networkSays}${since}`,
          [eventEvidence(g), planEvidence],
          { fix, ...(action ? { action } : {}) },
        ),
      );
      findings.push({
        code: 'apn_not_in_plan',
        verdict,
        confidence,
        check: 'data_session.apn',
        facts: f,
        fix,
        ...(action ? { action } : {}),
      });
    }
  }
  const foreign = [...facts.sessionsOk.values()].filter((g) => matchApn(g.apn ?? '', plan.apns).kind !== 'in_plan');
  for (const g of foreign) {
    bad = true;
    checks.push(
      check(
        'data_session',
        'apn',
        'warning',
        'Session on an APN outside the plan',
        `Sessions on APN "${g.apn}" worked (${occurrences(g)}) although plan ${plan.name} lists ${plan.apns.join(', ') || 'no APN'}: the plan or the network's APN profile is out of step.`,
        [eventEvidence(g), planEvidence],
      ),
    );
  }
  if (!bad) {
    const used = [...new Set([...facts.sessionsOk.values(), ...rejects].map((g) => g.apn ?? ''))];
    checks.push(
      check(
        'data_session',
        'apn',
        'ok',
        'APN',
        `The device asks for ${used.map((a) => `"${a}"`).join(', ')}, in plan ${plan.name}.`,
        [planEvidence],
      ),
    );
  }
}

/** Which incident explains a refusal at (PLMN, APN), if any. */
function pickIncident(p: FleetJudgement, a: FleetJudgement, home: boolean, newest: Date): FleetJudgement | null {
  const pi = explains(p, newest);
  const ai = explains(a, newest);
  if (pi && ai) {
    if (Math.abs(p.share - a.share) < SHARE_TIE) return home ? a : p;
    return p.share > a.share ? p : a;
  }
  return pi ? p : ai ? a : null;
}

function refusal(ctx: Ctx, g: EventGroup, checks: LayerResult['checks'], findings: Finding[]) {
  const { input, facts } = ctx;
  const plmn = g.plmn ?? '';
  const cause = g.cause ?? -1;
  const back = recovered(facts, g);
  const verdict = back ? 'warning' : 'error';
  const home = plmn === '' || isHome(input, plmn);
  const label = plmn ? networkLabel(plmn) : 'an unknown network';
  const base = `Data sessions on APN "${g.apn}" in ${label} refused with ${causeText(g.type, g.cause)}, ${occurrences(g)}.`;
  const later = back ? ` Sessions worked again from ${when(recoveredAt(facts, g)!)}.` : '';
  const f: SummaryFacts = {
    apn: g.apn ?? '',
    plmn,
    network: label,
    cause,
    causeName: causeText(g.type, g.cause),
    since: when(g.oldest.ts),
    attempt: 'session',
    recovered: back,
    eventCount: g.count,
  };
  const p = judgePlmn(input.fleet, facts, plmn, 'session');
  const a = judgeApn(input.fleet, facts, g.apnKey ?? '');
  const evidence = [eventEvidence(g), ...[p, a].filter((j) => j.state !== 'unknown').map(fleetEvidence)];
  const fleetWords = ` ${fleetText(p)}; ${fleetText(a)}.`;
  const incident = pickIncident(p, a, home, g.newest.ts);
  if (incident) {
    const code = incident.scope === 'apn' ? 'apn_gateway_outage' : home ? 'network_outage' : 'roaming_partner_outage';
    const fix =
      code === 'apn_gateway_outage'
        ? `The gateway of APN "${g.apn}" refuses many SIMs: follow the gateway incident; sessions come back by themselves when it is fixed.`
        : code === 'roaming_partner_outage'
          ? `The roaming partner ${label} fails data sessions for many SIMs: raise it with the partner; another allowed network works meanwhile.`
          : 'A network-wide failure: follow the network incident.';
    checks.push(
      check(
        'data_session',
        'fleet_health',
        verdict,
        code === 'apn_gateway_outage' ? 'APN gateway outage' : 'Network outage',
        `${base}${fleetWords}${later}`,
        evidence,
        { fix },
      ),
    );
    findings.push({
      code,
      verdict,
      confidence: 'high',
      check: 'data_session.fleet_health',
      facts: { ...f, since: incident.since ? when(incident.since) : f.since },
      fix,
      fleetIncident: incidentOf(incident),
    });
    return;
  }
  const worksForOthers = p.state === 'works_for_others' || a.state === 'works_for_others';
  if (back && g.count <= TRANSIENT_MAX && !apnCauseMeaning(g.cause)) {
    checks.push(
      check(
        'data_session',
        'refusal',
        'ok',
        'Session refused briefly',
        `${base}${later} A passing refusal; nothing to do.`,
        [eventEvidence(g)],
      ),
    );
    return;
  }
  const action = { kind: 'connectivity_reset', params: {} } as const;
  const ruledOut = othersServed(a) || (a.state !== 'incident' && othersServed(p));
  if (!worksForOthers && !ruledOut && (GATEWAY_CAUSES.has(cause) || NETWORK_CAUSES.has(cause))) {
    const code =
      nobodyElse(p) && nobodyElse(a)
        ? 'unexplained'
        : GATEWAY_CAUSES.has(cause)
          ? 'apn_gateway_outage'
          : home
            ? 'network_outage'
            : 'roaming_partner_outage';
    const fix =
      'Probably a network-side failure: check the gateway/partner status; reset the connection once it is over.';
    checks.push(
      check(
        'data_session',
        'fleet_health',
        'unknown',
        'Network health unknown',
        `${base}${fleetWords}${later}`,
        evidence,
        { fix, action },
      ),
    );
    findings.push({ code, verdict, confidence: 'low', check: 'data_session.fleet_health', facts: f, fix, action });
    return;
  }
  const alone = worksForOthers
    ? ' The same network and APN work for other SIMs, so this SIM or its device is the problem.'
    : '';
  const meaning = apnCauseMeaning(g.cause);
  const fix =
    meaning !== null
      ? `The APN is right but the network's profile for this SIM lacks it: re-provision the SIM's APN profile, then reset the connection.`
      : cause === 29
        ? 'Check the APN username/password set on the device (the gateway refused its credentials).'
        : 'Reset the connection; if the refusals go on, check the device settings (PDN type, APN credentials).';
  checks.push(
    check('data_session', 'refusal', verdict, 'Session refused', `${base}${alone}${later}`, evidence, { fix, action }),
  );
  findings.push({
    code: 'session_rejected',
    verdict,
    confidence: worksForOthers ? 'medium' : 'low',
    check: 'data_session.refusal',
    facts: f,
    fix,
    action,
  });
}
