import type { Schemas } from '../api/client.ts';

/**
 * The case diagnosis entry's data as the server writes it (src/modules/diagnosis/case-diagnosis.ts): the timeline's
 * `data` is free-form in the API, so it is read defensively here — an older entry without layers still shows its
 * root causes.
 */
export type DiagEvidence = Record<string, unknown> & { kind?: string };
export type DiagCheck = {
  layer: string;
  check: string;
  verdict: string;
  title: string;
  detail: string;
  evidence: DiagEvidence[];
  evidenceCount: number;
  fix?: string;
  action?: { kind: string; params?: Record<string, unknown> };
};
export type DiagSim = {
  iccid: string;
  rootCause: string;
  verdict: string;
  confidence?: string;
  check?: string | null;
  summary: string;
  fix?: string;
  action?: { kind: string; params?: Record<string, unknown> };
  checks?: DiagCheck[];
};
export type CaseDiagnosisView = {
  at: string;
  aggregate: boolean;
  byRootCause: Record<string, number>;
  sims: DiagSim[];
};

/** The engine's layers, outermost first (diagnosis.model.ts LAYERS). */
export const LAYER_ORDER = [
  'identity',
  'provisioning',
  'policy',
  'registration',
  'data_session',
  'services',
  'activity',
] as const;

const RANK: Record<string, number> = { error: 3, warning: 2, unknown: 1, ok: 0 };
/** A layer's verdict: its worst check's. */
export const worst = (checks: readonly { verdict: string }[]): string =>
  checks.reduce((w, c) => ((RANK[c.verdict] ?? 0) > (RANK[w] ?? 0) ? c.verdict : w), 'ok');

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The newest diagnosis entry of a timeline (oldest first, as the API lists it), or null. */
export function latestDiagnosis(events: readonly Schemas['CaseTimelineEntry'][]): CaseDiagnosisView | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (!isObj(e.data) || e.data.action !== 'diagnosis') continue;
    const sims = Array.isArray(e.data.sims) ? (e.data.sims.filter(isObj) as unknown as DiagSim[]) : [];
    return {
      at: e.at,
      aggregate: e.data.aggregate === true,
      byRootCause: isObj(e.data.byRootCause) ? (e.data.byRootCause as Record<string, number>) : {},
      sims: sims.filter((s) => typeof s.iccid === 'string' && typeof s.rootCause === 'string'),
    };
  }
  return null;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** One evidence line as the agent reads it: the event, the configuration value, the fleet figures or the usage. */
export function evidenceLine(e: DiagEvidence): string {
  switch (e.kind) {
    case 'event': {
      const parts = [str(e.ts), str(e.type)];
      if (e.plmn) parts.push(`PLMN ${str(e.plmn)}`);
      if (e.apn) parts.push(`APN ${str(e.apn)}`);
      if (e.cause !== undefined) parts.push(`cause #${str(e.cause)} ${str(e.causeName)}`.trim());
      if (typeof e.count === 'number' && e.count > 1) parts.push(`×${e.count} since ${str(e.firstTs)}`);
      return parts.filter(Boolean).join(' · ');
    }
    case 'config':
      return `${str(e.field)} = ${JSON.stringify(e.value)}`;
    case 'fleet':
      return `${str(e.scope)} ${str(e.key)} (${str(e.attempt)}): ${str(e.rejected)} refused, ${str(e.accepted)} accepted${
        e.failingSims === null || e.failingSims === undefined ? '' : `, ${str(e.failingSims)} SIMs failing`
      }${e.since ? ` since ${str(e.since)}` : ''}`;
    case 'usage':
      return `${str(e.metric)}: ${str(e.used)} of ${str(e.limit)}`;
    default:
      return JSON.stringify(e);
  }
}
