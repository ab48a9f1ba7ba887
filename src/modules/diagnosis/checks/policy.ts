/**
 * Policy: is the SIM barred by a usage limit, or has it used its plan's allowance? The limit shows on the wire as
 * data sessions refused on the right APN with ESM #8 (operator determined barring) — or #29 (authorization
 * failed: what a gateway answers when the charging system reports the credit used up) once sessions on that very
 * APN had worked. Over the allowance without refusals is only overage: a warning, not a fault.
 */
import { matchApn } from '../apn-match.ts';
import type { Evidence, Finding, LayerResult } from '../diagnosis.model.ts';
import { type EventGroup, recovered } from '../facts.ts';
import { type Ctx, causeText, check, config, eventEvidence, MB, occurrences, refusalsText, when } from './common.ts';

/** Usage is counted by the hour: a refusal up to this long before the crossing's hour still began at the limit. */
const LIMIT_SLACK_MS = 3_600_000;

/** ESM #8 bars the SIM outright; #29 only counts when the APN worked before (else it is a credentials problem). */
export function isBarring({ input, facts }: Ctx, g: EventGroup): boolean {
  if (g.type !== 'session_rejected') return false;
  if (g.cause === 8) return true;
  if (g.cause !== 29 || g.apnKey === null) return false;
  const plan = input.communicationPlan;
  if (plan && matchApn(g.apnKey, plan.apns).kind !== 'in_plan') return false;
  const ok = facts.sessionsOk.get(g.apnKey);
  const workedBefore = ok !== undefined && ok.oldest.ts.getTime() < g.oldest.ts.getTime();
  const usedData = input.sessions.some((s) => s.bytesUp + s.bytesDown > 0 && (s.apn ?? '').toLowerCase() === g.apnKey);
  return workedBefore || usedData;
}

export function policyChecks(ctx: Ctx): LayerResult {
  const { input, facts } = ctx;
  const checks: LayerResult['checks'] = [];
  const findings: Finding[] = [];
  const plan = input.ratePlan;
  const usage = input.usage;
  const perSim = plan?.pooling === 'per_sim' && plan.includedDataMb > 0;
  const overQuota = perSim && usage !== null && usage.bytes >= plan.includedDataMb * MB;
  // Over the allowance only stops data on a plan that blocks there; charging or throttling plans go on.
  const quotaBlocks = overQuota && plan!.overageAction === 'block';
  const usageEvidence: Evidence[] =
    plan && usage ? [{ kind: 'usage', metric: 'data_bytes', used: usage.bytes, limit: plan.includedDataMb * MB }] : [];

  const barring = facts.rejects.filter((g) => isBarring(ctx, g));
  if (barring.length > 0) {
    const g = barring[0]!;
    const back = recovered(facts, g);
    const verdict = back ? 'warning' : 'error';
    const usedMb = usage ? Math.round(usage.bytes / MB) : undefined;
    const quota = quotaBlocks
      ? ` It has used ${usedMb} MB of the ${plan!.includedDataMb} MB included in rate plan ${plan!.name} this period.`
      : '';
    const fix = quotaBlocks
      ? 'The allowance is used up: raise the limit, move the SIM to a rate plan with more data, or wait for the next period.'
      : "The SIM's usage limit blocks data: raise or lift the limit, then reset the connection.";
    checks.push(
      check(
        'policy',
        'barring',
        verdict,
        quotaBlocks ? 'Data allowance used up' : 'Blocked by a usage limit',
        `Data sessions on APN ${g.apn} are refused with ${causeText(g.type, g.cause)}, ${occurrences(g)}, after sessions there had worked: the SIM is barred by its limit.${quota}${back ? ' Sessions were accepted again since.' : ''}`,
        [...barring.map(eventEvidence), ...usageEvidence],
        { fix },
      ),
    );
    findings.push({
      code: quotaBlocks ? 'quota_exhausted' : 'sim_blocked_by_limit',
      verdict,
      confidence: g.cause === 8 || quotaBlocks ? 'high' : 'medium',
      check: 'policy.barring',
      facts: {
        apn: g.apn ?? undefined,
        cause: g.cause!,
        causeName: causeText(g.type, g.cause),
        since: when(g.oldest.ts),
        recovered: back,
        ...(usedMb === undefined ? {} : { usedMb }),
        ...(plan ? { limitMb: plan.includedDataMb, plan: plan.name } : {}),
      },
      fix,
    });
  } else if (dataLimit(ctx, checks, findings, usageEvidence)) {
    // The allowance ran out and the plan blocks: the refusals since are the limit's.
  } else if (facts.byType.session_rejected + facts.byType.session_start > 0) {
    checks.push(
      check(
        'policy',
        'barring',
        'ok',
        'Not barred',
        'No data session was refused for barring (ESM #8) or an exhausted credit in the window.',
      ),
    );
  }

  if (!plan || !usage) {
    checks.push(
      check(
        'policy',
        'data_allowance',
        'unknown',
        'Data allowance',
        plan ? 'Usage of this period was not gathered.' : 'The SIM has no rate plan.',
      ),
    );
  } else if (plan.pooling === 'pooled') {
    checks.push(
      check(
        'policy',
        'data_allowance',
        'ok',
        'Data allowance',
        `Rate plan ${plan.name} pools its allowance across the account's SIMs; this SIM used ${(usage.bytes / MB).toFixed(1)} MB this period.`,
        usageEvidence,
      ),
    );
  } else if (plan.includedDataMb === 0) {
    checks.push(
      check(
        'policy',
        'data_allowance',
        'ok',
        'Data allowance',
        `Rate plan ${plan.name} includes no data; ${(usage.bytes / MB).toFixed(1)} MB used this period are billed per MB.`,
        usageEvidence,
      ),
    );
  } else {
    const pct = Math.round((usage.bytes / (plan.includedDataMb * MB)) * 100);
    const used = `${(usage.bytes / MB).toFixed(1)} of ${plan.includedDataMb} MB (${pct} %) since ${when(usage.period.from)}`;
    const overage =
      plan.overageDataPerMb > 0 ? `; beyond it each MB costs ${plan.overageDataPerMb} ${plan.currency}` : '';
    checks.push(
      overQuota
        ? check(
            'policy',
            'data_allowance',
            'warning',
            'Over the data allowance',
            `Used ${used}${overage}.`,
            usageEvidence,
            {
              fix: 'Consider a rate plan with more data if this is the new normal.',
            },
          )
        : check('policy', 'data_allowance', 'ok', 'Data allowance', `Used ${used}.`, usageEvidence),
    );
  }
  if (plan && usage && plan.pooling === 'per_sim' && plan.includedSms > 0 && usage.sms > plan.includedSms) {
    checks.push(
      check(
        'policy',
        'sms_allowance',
        'warning',
        'Over the SMS allowance',
        `${usage.sms} SMS this period, ${plan.includedSms} included in rate plan ${plan.name}.`,
        [{ kind: 'usage', metric: 'sms', used: usage.sms, limit: plan.includedSms }],
      ),
    );
  }
  return { checks, findings };
}

/** Refusals pointing at the APN the device asked for, not at the SIM's allowance. */
const NOT_LIMIT_CAUSES: ReadonlySet<number> = new Set([27]);

/**
 * The data limit: a per-SIM allowance on a rate plan that blocks at it, crossed at `limitCrossedAt` (from usage),
 * and data sessions refused from then on and still refused — whatever cause the gateway gives (ESM #33 from a
 * policy that removes the service, #29, #26…). Answers whether it found that.
 */
function dataLimit(ctx: Ctx, checks: LayerResult['checks'], findings: Finding[], usageEvidence: Evidence[]): boolean {
  const { input, facts } = ctx;
  const plan = input.ratePlan;
  const crossed = input.usage?.limitCrossedAt?.getTime() ?? null;
  if (plan?.pooling !== 'per_sim' || plan.includedDataMb === 0 || plan.overageAction !== 'block') return false;
  if (crossed === null) return false;
  const refused = facts.rejects.filter(
    (g) =>
      g.type === 'session_rejected' &&
      !(g.cause !== null && NOT_LIMIT_CAUSES.has(g.cause)) &&
      !recovered(facts, g) &&
      // Began at the crossing (hour precision), or the window opened after it and cannot show the start.
      (g.oldest.ts.getTime() >= crossed - LIMIT_SLACK_MS || input.window.from.getTime() > crossed) &&
      g.newest.ts.getTime() >= crossed,
  );
  if (refused.length === 0) return false;
  const first = Math.min(...refused.map((g) => g.oldest.ts.getTime()));
  const usedMb = Math.round((input.usage?.bytes ?? 0) / MB);
  const fix =
    'The allowance is used up and the rate plan blocks data beyond it: raise the allowance, move the SIM to a rate plan with more data (or one that throttles or charges instead of blocking), or wait for the next period.';
  checks.push(
    check(
      'policy',
      'data_limit',
      'error',
      'Data allowance used up',
      `The SIM reached the ${plan.includedDataMb} MB of rate plan ${plan.name} at about ${when(crossed)} (${usedMb} MB this period), and the plan blocks data beyond it; data sessions are refused since ${when(first)}: ${refusalsText(refused)}.`,
      [...refused.slice(0, 3).map(eventEvidence), ...usageEvidence, config('ratePlan.overageAction', 'block')],
      { fix },
    ),
  );
  findings.push({
    code: 'quota_exhausted',
    verdict: 'error',
    confidence: 'high',
    check: 'policy.data_limit',
    facts: {
      since: when(first),
      usedMb,
      limitMb: plan.includedDataMb,
      plan: plan.name,
      ...(refused[0]!.apn ? { apn: refused[0]!.apn } : {}),
    },
    fix,
  });
  return true;
}
