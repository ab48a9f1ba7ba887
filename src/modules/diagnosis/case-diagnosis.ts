/**
 * Diagnosis on cases (issue 5.4): when a case's affected SIMs are set — a case opened with them on any channel,
 * or an agent changing them — the worker diagnoses them and the result lands in the case's timeline as an
 * internal entry, before an agent has opened the case. An agent can re-run it (POST /api/v1/cases/{number}/diagnosis).
 *
 * Up to PER_SIM_MAX SIMs: each SIM's root cause, one line each. Above: an aggregate — root causes counted over
 * the first AGGREGATE_SAMPLE SIMs by ICCID (a bounded job, whatever the case's size) with their share and one
 * example each; the full per-SIM answer is a many-SIM diagnosis (POST /api/v1/diagnoses) away. A root cause that is
 * a known fleet-wide failure (a PLMN or APN refusing many SIMs) says so and links the fleet's failing view, so the
 * agent attaches the case to the outage instead of chasing the customer's devices.
 *
 * The first LAYERED_MAX SIMs also keep their checks layer by layer (verdict, detail, the first evidence lines, the
 * fix and its action), so the console's diagnosis panel shows what the engine saw then without diagnosing again;
 * a bound, because the entry is one row of the timeline.
 */
import { cliPrincipal, isStaff, type Principal } from '../../platform/auth.ts';
import { conflict, forbidden } from '../../platform/errors.ts';
import type { CaseRow, CasesService } from '../cases/cases.service.ts';
import { parseWindow } from '../network/window.ts';
import { displayIccid } from '../sims/identifiers.ts';
import { DiagnosisErrors as E } from './diagnosis.errors.ts';
import type { DiagnosisCheck, FleetIncident, RootCause, RootCauseCode } from './diagnosis.model.ts';
import type { DiagnosisService } from './diagnosis.service.ts';
import { ROOT_CAUSE_TITLES } from './summary.ts';

export const PER_SIM_MAX = 100;
export const AGGREGATE_SAMPLE = 500;
export const LAYERED_MAX = 10;
/** Evidence lines kept per check (the engine groups alike events already; the rest is a count). */
export const EVIDENCE_MAX = 5;
export const FAILING_VIEW = '/api/v1/network/failing';

export type CaseDiagnosisDeps = {
  cases: Pick<CasesService, 'get' | 'affectedSims' | 'automation'>;
  diagnosis: Pick<DiagnosisService, 'diagnoseRef'>;
};

export type SimOutcome = { iccid: string; rootCause: RootCause; checks?: readonly DiagnosisCheck[] };

/** One check as the timeline keeps it: the engine's own fields, evidence cut to EVIDENCE_MAX with the count. */
const keptCheck = (c: DiagnosisCheck) => ({
  layer: c.layer,
  check: c.check,
  verdict: c.verdict,
  title: c.title,
  detail: c.detail,
  evidence: c.evidence.slice(0, EVIDENCE_MAX),
  evidenceCount: c.evidence.length,
  ...(c.fix ? { fix: c.fix } : {}),
  ...(c.action ? { action: c.action } : {}),
});

/** The timeline entry for a case's diagnosis: text for the agent, and the facts as data (pure, so tested alone). */
export function caseDiagnosisEntry(
  outcomes: readonly SimOutcome[],
  total: number,
  window: { from: Date; to: Date },
): { body: string; data: Record<string, unknown> } {
  const byCause = new Map<RootCauseCode, SimOutcome[]>();
  for (const o of outcomes) byCause.set(o.rootCause.code, [...(byCause.get(o.rootCause.code) ?? []), o]);
  const ranked = [...byCause.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const incidents = new Map<string, FleetIncident>();
  for (const o of outcomes) {
    const f = o.rootCause.fleetIncident;
    if (f) incidents.set(`${f.kind}|${f.key}`, f);
  }
  const aggregate = total > PER_SIM_MAX;
  const hours = Math.round((window.to.getTime() - window.from.getTime()) / 3_600_000);
  const span = `${window.from.toISOString()} to ${window.to.toISOString()}, ${hours} h`;
  const lines: string[] = [];
  if (aggregate) {
    const which = outcomes.length < total ? `the first ${outcomes.length} by ICCID of ` : '';
    lines.push(
      `Automatic diagnosis of ${which}the case's ${total.toLocaleString('en')} SIMs (${span}), by root cause:`,
    );
    for (const [code, list] of ranked) {
      const share = Math.round((100 * list.length) / outcomes.length);
      lines.push(
        `• ${ROOT_CAUSE_TITLES[code]}: ${list.length} (${share} %) — e.g. ${list[0]!.iccid}: ${withoutTitle(list[0]!)}`,
      );
    }
    lines.push('Every SIM: POST /api/v1/diagnoses with the case’s selection.');
  } else {
    lines.push(`Automatic diagnosis of ${outcomes.length} SIM${outcomes.length === 1 ? '' : 's'} (${span}):`);
    for (const o of outcomes) lines.push(`• ${o.iccid}: ${agentLine(o)}`);
  }
  for (const f of incidents.values()) lines.push(`Known fleet-wide failure: ${incidentText(f)} — see ${FAILING_VIEW}`);
  return {
    body: lines.join('\n'),
    data: {
      action: 'diagnosis',
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      affectedSimCount: total,
      diagnosed: outcomes.length,
      aggregate,
      byRootCause: Object.fromEntries(ranked.map(([code, list]) => [code, list.length])),
      fleetIncidents: [...incidents.values()].map((f) => ({ ...f, link: FAILING_VIEW })),
      ...(aggregate
        ? {}
        : {
            sims: outcomes.map((o, i) => ({
              iccid: o.iccid,
              rootCause: o.rootCause.code,
              verdict: o.rootCause.verdict,
              confidence: o.rootCause.confidence,
              check: o.rootCause.check,
              summary: o.rootCause.summary.agent,
              ...(o.rootCause.fix ? { fix: o.rootCause.fix } : {}),
              ...(o.rootCause.action ? { action: o.rootCause.action } : {}),
              ...(o.checks && i < LAYERED_MAX ? { checks: o.checks.map(keptCheck) } : {}),
            })),
          }),
    },
  };
}

// The agent summary already opens with the root cause's title, verdict and confidence (summary.ts); saying the
// title again read "APN typo on the device (error). APN typo on the device (error, high confidence)".
const agentLine = (o: SimOutcome) => o.rootCause.summary.agent;
/** In a group headed by the title, the SIM's line without it. */
const withoutTitle = (o: SimOutcome) => {
  const title = `${ROOT_CAUSE_TITLES[o.rootCause.code]} `;
  const text = o.rootCause.summary.agent;
  return text.startsWith(title) ? text.slice(title.length) : text;
};

function incidentText(f: FleetIncident): string {
  const what = f.kind === 'plmn' ? `network ${f.key}` : `APN ${f.key}`;
  const since = f.since ? ` since ${f.since}` : '';
  const sims = f.failingSims === null ? '' : `, ${f.failingSims} SIMs failing`;
  return `${what} refusing ${f.attempt === 'attach' ? 'registrations' : 'data sessions'}${since}${sims}`;
}

export function createCaseDiagnosis(deps: CaseDiagnosisDeps, opts: { retentionDays: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  // Jobs carry a case id, not a person: the case's SIMs are read with the operator's reach (they are the case's).
  const system = cliPrincipal('iotops');

  /** The trace's window (network/window.ts): default the last 24 h, never past the retention. */
  const windowOf = (q: { from?: string | undefined; to?: string | undefined }, at: Date) =>
    parseWindow(q, { retentionDays: opts.retentionDays, now: at.getTime() });

  async function diagnoseCase(c: CaseRow, at: Date, window = windowOf({}, at)) {
    if (c.affectedSimCount === 0) return null;
    const limit = c.affectedSimCount <= PER_SIM_MAX ? PER_SIM_MAX : AGGREGATE_SAMPLE;
    const page = await deps.cases.affectedSims(system, c.number, { limit });
    const outcomes: SimOutcome[] = [];
    // One at a time: a case's diagnosis is a background job and must not starve interactive diagnoses of the pool.
    for (const d of page.items) {
      const r = await deps.diagnosis.diagnoseRef(d.sim, window);
      outcomes.push({
        iccid: displayIccid(d.sim.iccid),
        rootCause: r.diagnosis.rootCause,
        ...(outcomes.length < LAYERED_MAX ? { checks: r.diagnosis.checks } : {}),
      });
    }
    if (outcomes.length === 0) return null;
    const total = Math.max(c.affectedSimCount, outcomes.length);
    return deps.cases.automation.recordSystemEntry(c.id, caseDiagnosisEntry(outcomes, total, window), at);
  }

  return {
    /** The `cases.sims_set` job. A case deleted meanwhile is nothing to do. */
    async onSimsSet(caseId: number, at: Date) {
      const c = await deps.cases.automation.byId(caseId);
      if (c) await diagnoseCase(c, at);
    },
    /**
     * An agent's re-run over a window (default the last 24 h; the trace's rules: at most the retention → 400 naming
     * it): the case within the agent's reach (404 otherwise), the entry answered.
     */
    async rerun(p: Principal, number: string, q: { from?: string | undefined; to?: string | undefined } = {}) {
      if (!isStaff(p)) throw forbidden(E.staffOnly, 'Only the provider re-runs a case’s diagnosis');
      const at = new Date(now());
      const window = windowOf(q, at);
      const c = await deps.cases.get(p, number);
      const entry = await diagnoseCase(c, at, window);
      if (!entry)
        throw conflict(E.caseWithoutSims, `Case ${c.number} has no affected SIMs to diagnose`, [
          { field: 'affectedSimCount', value: c.affectedSimCount, reason: 'set the affected SIMs first' },
        ]);
      return entry;
    },
  };
}

export type CaseDiagnosis = ReturnType<typeof createCaseDiagnosis>;
