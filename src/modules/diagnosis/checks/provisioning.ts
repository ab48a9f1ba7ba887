/**
 * Provisioning: does the SIM's lifecycle state let traffic through, does the network's subscriber profile agree
 * (EMM #2 IMSI unknown, #7 / #8 services not allowed: the HSS has no active subscription), and is a TEST_READY
 * SIM still within its test allowance?
 */
import { type SimState, TRANSITIONS } from '../../sims/lifecycle.ts';
import type { DiagnosisAction, Evidence, Finding, LayerResult } from '../diagnosis.model.ts';
import { recovered } from '../facts.ts';
import { type Ctx, causeText, check, config, DAY_MS, eventEvidence, MB, occurrences, when } from './common.ts';

/** States in which the network lets the SIM register (ACTIVATION_READY activates on first use). */
export const TRAFFIC_STATES: ReadonlySet<SimState> = new Set(['ACTIVATED', 'TEST_READY', 'ACTIVATION_READY']);
/** EMM causes by which the HSS says the subscription is gone or has no service. */
export const SUBSCRIPTION_EMM_CAUSES: ReadonlySet<number> = new Set([2, 7, 8]);

const canActivate = (state: SimState) => TRANSITIONS[state].some((t) => t.to === 'ACTIVATED');

export function provisioningChecks({ input, facts }: Ctx): LayerResult {
  const checks = [];
  const findings: Finding[] = [];
  const { state, stateChangedAt } = input.sim;
  const refused = facts.rejects.filter(
    (g) => g.type === 'attach_rejected' && g.cause !== null && SUBSCRIPTION_EMM_CAUSES.has(g.cause),
  );
  const stateEvidence = config('sim.state', state);
  if (TRAFFIC_STATES.has(state)) {
    const note = state === 'ACTIVATION_READY' ? ' (it becomes ACTIVATED on its first data session)' : '';
    checks.push(
      check(
        'provisioning',
        'lifecycle',
        'ok',
        'Lifecycle state',
        `The SIM is ${state} since ${when(stateChangedAt)}${note}: the network lets it register.`,
        [stateEvidence],
      ),
    );
  } else {
    const action: DiagnosisAction | undefined = canActivate(state)
      ? { kind: 'change_state', params: { to: 'ACTIVATED' } }
      : undefined;
    const fix = action
      ? `Activate the SIM (${state} → ACTIVATED) if the customer wants it in service.`
      : `A ${state} SIM cannot be brought back into service: use another SIM.`;
    const confirmed =
      refused.length > 0
        ? ` The network confirms it: ${causeText('attach_rejected', refused[0]!.cause)} ${occurrences(refused[0]!)}.`
        : '';
    checks.push(
      check(
        'provisioning',
        'lifecycle',
        'error',
        'SIM not active',
        `The SIM is ${state} since ${when(stateChangedAt)}: the network refuses every registration until it is activated.${confirmed}`,
        [stateEvidence, ...refused.map(eventEvidence)],
        { fix, ...(action ? { action } : {}) },
      ),
    );
    findings.push({
      code: 'sim_not_active',
      verdict: 'error',
      confidence: 'high',
      check: 'provisioning.lifecycle',
      facts: { state, since: when(stateChangedAt) },
      fix,
      ...(action ? { action } : {}),
    });
  }
  subscription(input.sim.state, facts, refused, checks, findings);
  testAllowance({ input, facts }, checks, findings);
  return { checks, findings };
}

function subscription(
  state: SimState,
  facts: Ctx['facts'],
  refused: Ctx['facts']['rejects'],
  checks: LayerResult['checks'],
  findings: Finding[],
) {
  if (refused.length === 0) {
    if (facts.count > 0)
      checks.push(
        check(
          'provisioning',
          'network_subscription',
          'ok',
          'Network subscription',
          'The network did not refuse the subscription (EMM #2, #7, #8) in the window.',
        ),
      );
    return;
  }
  const g = refused[0]!;
  const back = recovered(facts, g);
  if (!TRAFFIC_STATES.has(state)) {
    checks.push(
      check(
        'provisioning',
        'network_subscription',
        'error',
        'Network subscription',
        `The network refuses the subscription (${causeText(g.type, g.cause)}), as it should for a ${state} SIM.`,
        refused.map(eventEvidence),
      ),
    );
    return;
  }
  const action: DiagnosisAction = { kind: 'connectivity_reset', params: {} };
  const fix = `iotops shows the SIM ${state} but the network's subscriber profile does not: re-send the SIM's profile to the HSS (a connectivity reset makes the network re-read it); escalate if the refusals go on.`;
  const verdict = back ? 'warning' : 'error';
  checks.push(
    check(
      'provisioning',
      'network_subscription',
      verdict,
      'Subscription refused by the network',
      `The network refused the subscription with ${causeText(g.type, g.cause)} in PLMN ${g.plmn ?? '?'}, ${occurrences(g)}, although the SIM is ${state}${back ? '; registrations were accepted again since' : ''}.`,
      refused.map(eventEvidence),
      { fix, action },
    ),
  );
  findings.push({
    code: 'subscription_refused',
    verdict,
    confidence: 'high',
    check: 'provisioning.network_subscription',
    facts: { state, cause: g.cause!, causeName: causeText(g.type, g.cause), since: when(g.oldest.ts), recovered: back },
    fix,
    action,
  });
}

function testAllowance({ input }: Ctx, checks: LayerResult['checks'], findings: Finding[]) {
  if (input.sim.state !== 'TEST_READY') return;
  const plan = input.ratePlan;
  if (!plan || !input.testUsage) {
    checks.push(
      check(
        'provisioning',
        'test_allowance',
        'unknown',
        'Test allowance',
        plan ? 'Test usage was not gathered.' : 'The SIM has no rate plan.',
      ),
    );
    return;
  }
  const u = input.testUsage;
  const days = (input.now.getTime() - input.sim.stateChangedAt.getTime()) / DAY_MS;
  const limits: {
    metric: Extract<Evidence, { kind: 'usage' }>['metric'];
    used: number;
    limit: number;
    label: string;
  }[] = [
    {
      metric: 'data_bytes',
      used: u.bytes,
      limit: plan.testDataMb * MB,
      label: `${(u.bytes / MB).toFixed(1)} of ${plan.testDataMb} MB`,
    },
    { metric: 'sms', used: u.sms, limit: plan.testSms, label: `${u.sms} of ${plan.testSms} SMS` },
    {
      metric: 'voice_seconds',
      used: u.voiceSeconds,
      limit: plan.testVoiceMin * 60,
      label: `${Math.ceil(u.voiceSeconds / 60)} of ${plan.testVoiceMin} voice minutes`,
    },
    {
      metric: 'test_days',
      used: Math.floor(days),
      limit: plan.testDays,
      label: `${Math.floor(days)} of ${plan.testDays} days`,
    },
  ];
  const evidence: Evidence[] = limits
    .filter((l) => l.limit > 0)
    .map((l) => ({ kind: 'usage', metric: l.metric, used: l.used, limit: l.limit }));
  const over = limits.filter((l) => l.limit > 0 && l.used >= l.limit);
  if (over.length === 0) {
    checks.push(
      check(
        'provisioning',
        'test_allowance',
        'ok',
        'Test allowance',
        `Within the test allowance of rate plan ${plan.name}.`,
        evidence,
      ),
    );
    return;
  }
  const action: DiagnosisAction = { kind: 'change_state', params: { to: 'ACTIVATED' } };
  const fix = 'Testing is over: activate the SIM (TEST_READY → ACTIVATED) so it is billed on its rate plan.';
  checks.push(
    check(
      'provisioning',
      'test_allowance',
      'error',
      'Test allowance used up',
      `The SIM used its test allowance (${over.map((l) => l.label).join(', ')}): the network stops its traffic.`,
      evidence,
      { fix, action },
    ),
  );
  const data = over.find((l) => l.metric === 'data_bytes');
  findings.push({
    code: 'test_allowance_used',
    verdict: 'error',
    confidence: 'high',
    check: 'provisioning.test_allowance',
    facts: { plan: plan.name, ...(data ? { usedMb: Math.round(data.used / MB), limitMb: plan.testDataMb } : {}) },
    fix,
    action,
  });
}
