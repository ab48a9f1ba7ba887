/**
 * Diagnosis → public JSON. Staff get everything. A customer gets the same checks, verdicts, fixes and its own
 * events, but none of the fleet's figures (how many SIMs, customers, attempts elsewhere: other customers' numbers):
 * fleet evidence keeps only where and since when, and a check whose words quote those figures shows its title.
 */
import type { z } from 'zod';
import type { Language } from '../accounts/accounts.schemas.ts';
import { displayIccid } from '../sims/identifiers.ts';
import { networkLabel } from './checks/common.ts';
import type { DiagnosisCheck, Evidence, RootCauseCode, Verdict } from './diagnosis.model.ts';
import type { CheckView, DiagnosesJobView, DiagnosisView, FailingNowView } from './diagnosis.schemas.ts';
import type { Audience, DiagnosisResult, DiagnosisService } from './diagnosis.service.ts';
import type { DiagnosisBatch } from './diagnosis-batch.ts';

const forCustomer = (e: Evidence): Evidence =>
  e.kind === 'fleet'
    ? ({ kind: 'fleet', scope: e.scope, key: e.key, attempt: e.attempt, since: e.since } as Evidence)
    : e;

function presentCheck(c: DiagnosisCheck, audience: Audience): z.infer<typeof CheckView> {
  if (audience === 'staff') return c as z.infer<typeof CheckView>;
  const quotesFleet = c.evidence.some((e) => e.kind === 'fleet');
  return {
    ...c,
    detail: quotesFleet ? c.title : c.detail,
    evidence: c.evidence.map(forCustomer),
  } as z.infer<typeof CheckView>;
}

export function presentDiagnosis(r: DiagnosisResult): DiagnosisView {
  const d = r.diagnosis;
  const rc = d.rootCause;
  const staff = r.audience === 'staff';
  const incident = rc.fleetIncident;
  return {
    iccid: d.iccid,
    at: d.at,
    window: d.window,
    summary: {
      language: r.language,
      customer: rc.summary.customer[r.language],
      ...(staff ? { agent: rc.summary.agent } : {}),
    },
    rootCause: {
      code: rc.code,
      verdict: rc.verdict,
      confidence: rc.confidence,
      check: rc.check,
      facts: rc.facts as Record<string, unknown>,
      customerSummaries: rc.summary.customer,
      ...(rc.fix ? { fix: rc.fix } : {}),
      ...(rc.action ? { action: rc.action as DiagnosisView['rootCause']['action'] & object } : {}),
      ...(incident
        ? {
            fleetIncident: staff
              ? incident
              : { kind: incident.kind, key: incident.key, since: incident.since, attempt: incident.attempt },
          }
        : {}),
    },
    checks: d.checks.map((c) => presentCheck(c, r.audience)),
    otherFindings: d.otherFindings,
    eventsTruncated: d.eventsTruncated,
  };
}

export function presentFailingNow(r: Awaited<ReturnType<DiagnosisService['failing']>>): z.infer<typeof FailingNowView> {
  const staff = r.audience === 'staff';
  return {
    at: r.snapshot.at.toISOString(),
    period: { from: r.snapshot.period.from.toISOString(), to: r.snapshot.period.to.toISOString() },
    items: r.items.map((i) => ({
      kind: i.kind,
      key: i.key,
      ...(i.kind === 'plmn' ? { network: networkLabel(i.key) } : {}),
      attempt: i.attempt,
      since: i.since === null ? null : i.since.toISOString(),
      ...(staff
        ? {
            rejected: i.rejected,
            accepted: i.accepted,
            rejectShare: i.share,
            failingSims: i.failingSims,
            failingTenants: i.failingTenants,
          }
        : {}),
    })),
  };
}

export function presentJob(r: Awaited<ReturnType<DiagnosisBatch['get']>>): z.infer<typeof DiagnosesJobView> {
  const { job } = r;
  const staff = r.audience === 'staff';
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: job.id,
    status: job.status as 'queued' | 'running' | 'done' | 'failed',
    // The worker's error text is the provider's business (it may name hosts or SQL): customers get what to do.
    error: job.error === null ? null : staff ? job.error : 'The diagnosis could not be finished; run it again.',
    window: { from: job.windowFrom.toISOString(), to: job.windowTo.toISOString() },
    createdAt: job.createdAt.toISOString(),
    finishedAt: iso(job.finishedAt),
    progress: {
      total: job.total,
      processed: job.processed,
      percent: job.total === 0 ? 100 : Math.round((job.processed / job.total) * 1000) / 10,
    },
    counts: r.counts.map((c) => ({
      rootCause: c.root_cause as RootCauseCode,
      verdict: c.verdict as Verdict,
      sims: c.sims,
    })),
    results: {
      items: r.items.map((x) => ({
        iccid: displayIccid(x.iccid),
        rootCause: x.root_cause as RootCauseCode | null,
        verdict: x.verdict as Verdict | null,
        confidence: x.confidence,
        check: x.check,
        summary: x.summary_customer,
        ...(staff ? { agentSummary: x.summary_agent } : {}),
        language: x.language as Language | null,
        diagnosedAt: iso(x.diagnosed_at),
      })),
      nextCursor: r.nextCursor,
    },
  };
}
