/**
 * Services: SMS or calls used while the communication plan has them off (the network refuses or drops them; the
 * customer sees "SMS don't work"). CSD (circuit-switched data, dial-up) calls reach iotops as `voice` events, since
 * the ingest contract has no type of their own: with voice off but CSD on, a call may be a legitimate CSD call,
 * so it is only a warning.
 */
import type { Finding, LayerResult } from '../diagnosis.model.ts';
import { type Ctx, check, config, eventEvidence, occurrences, when } from './common.ts';

/** SMS to the device failing this often (of at least MT_FAILED_MIN) means it is not reachable for SMS. */
export const MT_FAILED_SHARE = 0.5;
export const MT_FAILED_MIN = 3;

export function servicesChecks({ input, facts }: Ctx): LayerResult {
  const checks = [];
  const findings: Finding[] = [];
  const plan = input.communicationPlan;
  const smsGroups = [facts.sms.mo, facts.sms.mt].filter((g) => g !== null);
  const smsCount = smsGroups.reduce((s, g) => s + g.count, 0);
  if (!plan) {
    if (smsCount > 0 || facts.voice.group)
      checks.push(
        check(
          'services',
          'sms',
          'unknown',
          'Services',
          'The SIM has no communication plan to compare SMS and calls with.',
        ),
      );
    return { checks, findings };
  }
  if (smsCount > 0 && !plan.smsEnabled) {
    const first = smsGroups.reduce((a, g) => (g.oldest.ts < a.oldest.ts ? g : a));
    const action = {
      kind: 'change_plan',
      params: { plan: 'communication', field: 'smsEnabled', value: true },
    } as const;
    const fix = `Turn SMS on in plan ${plan.name} (or move the SIM to a plan with SMS), or switch SMS off on the device.`;
    checks.push(
      check(
        'services',
        'sms',
        'error',
        'SMS not in the plan',
        `${smsCount} SMS (${smsGroups.map((g) => `${g.type} ${occurrences(g)}`).join('; ')}) while plan ${plan.name} has SMS off.`,
        [config('communicationPlan.smsEnabled', false), ...smsGroups.map(eventEvidence)],
        { fix, action },
      ),
    );
    findings.push({
      code: 'service_not_in_plan',
      verdict: 'error',
      confidence: 'high',
      check: 'services.sms',
      facts: { service: 'sms', plan: plan.name, since: when(first.oldest.ts), eventCount: smsCount },
      fix,
      action,
    });
  } else if (
    facts.sms.mt &&
    facts.sms.mtFailed >= MT_FAILED_MIN &&
    facts.sms.mtFailed / facts.sms.mt.count >= MT_FAILED_SHARE
  ) {
    checks.push(
      check(
        'services',
        'sms',
        'warning',
        'SMS to the device fail',
        `${facts.sms.mtFailed} of ${facts.sms.mt.count} SMS to the device failed: it is not reachable for SMS (switched off, out of coverage, or its SMS storage is full).`,
        [eventEvidence(facts.sms.mt)],
        { fix: 'Check the device is on and clear its SMS storage.' },
      ),
    );
  } else {
    checks.push(
      check(
        'services',
        'sms',
        'ok',
        'SMS',
        smsCount > 0
          ? `${smsCount} SMS in the window; SMS is on in plan ${plan.name}.`
          : `No SMS in the window; SMS is ${plan.smsEnabled ? 'on' : 'off'} in plan ${plan.name}.`,
      ),
    );
  }
  const v = facts.voice.group;
  if (v && !plan.voiceEnabled) {
    const evidence = [
      config('communicationPlan.voiceEnabled', false),
      config('communicationPlan.csdEnabled', plan.csdEnabled),
      eventEvidence(v),
    ];
    if (plan.csdEnabled) {
      checks.push(
        check(
          'services',
          'voice',
          'warning',
          'Calls with voice off',
          `${v.count} call(s) (${occurrences(v)}) while plan ${plan.name} has voice off but CSD on: fine if they are CSD data calls, refused if they are voice calls (the events do not tell them apart).`,
          evidence,
        ),
      );
    } else {
      const action = {
        kind: 'change_plan',
        params: { plan: 'communication', field: 'voiceEnabled', value: true },
      } as const;
      const fix = `Turn voice on in plan ${plan.name} (or move the SIM to a plan with voice), or stop the device calling.`;
      checks.push(
        check(
          'services',
          'voice',
          'error',
          'Voice not in the plan',
          `${v.count} call(s), ${occurrences(v)}, while plan ${plan.name} has voice and CSD off.`,
          evidence,
          { fix, action },
        ),
      );
      findings.push({
        code: 'service_not_in_plan',
        verdict: 'error',
        confidence: 'high',
        check: 'services.voice',
        facts: { service: 'voice', plan: plan.name, since: when(v.oldest.ts), eventCount: v.count },
        fix,
        action,
      });
    }
  } else if (v) {
    checks.push(
      check(
        'services',
        'voice',
        'ok',
        'Voice',
        `${v.count} call(s), ${facts.voice.seconds} s in the window; voice is on in plan ${plan.name}.`,
      ),
    );
  }
  return { checks, findings };
}
