import type { RootCauseCode, SummaryFacts } from '../diagnosis.model.ts';

/**
 * One language's customer texts: a sentence per root cause, naming the concrete values (APNs, network, since
 * when). Never another customer's data or fleet figures: a fleet-wide failure is "a problem affecting several
 * customers", nothing more.
 */
export type CustomerMessages = {
  causes: Record<RootCauseCode, (f: SummaryFacts) => string>;
  /** Appended when the failure has stopped for this device (the cause itself, e.g. a partner outage, may go on). */
  recovered: string;
};

export const v = (x: string | number | undefined, fallback = '?') => (x === undefined ? fallback : String(x));
export const list = (xs: readonly string[] | undefined, or: string) =>
  (xs ?? []).map((x) => `"${x}"`).join(` ${or} `) || '?';
