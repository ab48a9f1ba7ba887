/**
 * Which silence threshold each SIM gets: its rule's (factor × its usual interval for the hour of the week it went
 * quiet in + grace, learned from its hourly usage), or — no rule taking it in — the built-in default, the diagnosis'
 * rhythm rule (`diagnosis.silenceThresholds`).
 */
import { ruleFor, type SilenceRule, type SimProfile, silenceThreshold, weeklyRhythm } from './rules.ts';

/** `provisional`: a SIM with no rhythm yet, given the shortest threshold any rule or the default could give it. */
export type Threshold = { ms: number; rule: SilenceRule | null; provisional?: boolean };
export type SilenceRuleDeps = {
  /** The SIMs' scope facts (inventory, last network state, device); a SIM missing here has no rule. */
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  /** Hour starts (ms) with usage since `since`, per SIM. */
  activeHoursOf: (simIds: readonly number[], since: Date) => Promise<Map<number, number[]>>;
  /** The built-in default. */
  defaultThresholdsOf: (simIds: readonly number[], at: Date) => Promise<Map<number, number>>;
  /** The built-in default's threshold for a SIM with no rhythm (the diagnosis' "no pattern": a day). */
  defaultNoRhythmMs: number;
  /** A rule threw while applied: it is disabled (rules.service.ts `failRule`); its SIMs keep the default. */
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

const WEEK_MS = 7 * 24 * 3_600_000;
/** The default learns over 14 days (diagnosis' ACTIVITY_DAYS). */
const DEFAULT_LEARN_WEEKS = 2;
/**
 * Fewer active hours than this and no rhythm can be learned, by a rule (an interval needs two hours, an hour of the
 * week two intervals) or by the default (three hours): the SIM's threshold is its rule's noRhythmMinutes or the
 * default's, whichever applies.
 */
const RHYTHM_MIN_HOURS = 3;

export function silenceThresholds(deps: SilenceRuleDeps) {
  /**
   * `provisional` (a watch starting, on ingest's path): a SIM with no rhythm yet — nearly every SIM a watch starts
   * for is new — gets the shortest no-rhythm threshold of the enabled rules and the default, without reading its
   * scope (which rule takes it in) — that read was most of what the rules cost the ingest at its limit. Never late:
   * when it falls due the tick takes the SIM's own threshold and rule, and a longer one defers it.
   */
  return async function thresholdsOf(
    all: readonly { simId: number; lastEventAt: Date }[],
    at: Date,
    rules: readonly SilenceRule[],
    opts: { provisional?: boolean } = {},
  ): Promise<Map<number, Threshold>> {
    const out = new Map<number, Threshold>();
    if (all.length === 0) return out;
    let sims = all;
    if (opts.provisional) {
      const weeks = Math.max(
        DEFAULT_LEARN_WEEKS,
        ...rules.map((r) => r.params.learnWeeks).filter((w) => Number.isInteger(w) && w >= 1 && w <= 8),
      );
      const hours = await deps.activeHoursOf(
        all.map((s) => s.simId),
        new Date(at.getTime() - weeks * WEEK_MS),
      );
      const ms = Math.min(
        deps.defaultNoRhythmMs,
        ...rules.map((r) => r.params.noRhythmMinutes * 60_000).filter((x) => Number.isFinite(x) && x > 0),
      );
      sims = all.filter((s) => {
        if ((hours.get(s.simId)?.length ?? 0) >= RHYTHM_MIN_HOURS) return true;
        out.set(s.simId, { ms, rule: null, provisional: true });
        return false;
      });
      if (sims.length === 0) return out;
    }
    const ruled = new Map<number, SilenceRule>();
    if (rules.length > 0) {
      const profiles = await deps.profilesOf(sims.map((s) => s.simId));
      for (const s of sims) {
        const p = profiles.get(s.simId);
        const r = p && ruleFor(rules, p);
        if (r) ruled.set(s.simId, r);
      }
    }
    // A rule that throws is disabled and its SIMs fall back to the default; the other rules' SIMs go on.
    const failed = new Map<number, unknown>();
    const lastOf = new Map(sims.map((s) => [s.simId, s.lastEventAt.getTime()]));
    const byWeeks = new Map<number, number[]>();
    for (const [id, r] of ruled) {
      const ids = byWeeks.get(r.params.learnWeeks);
      if (ids) ids.push(id);
      else byWeeks.set(r.params.learnWeeks, [id]);
    }
    for (const [weeks, ids] of byWeeks) {
      if (!Number.isInteger(weeks) || weeks < 1 || weeks > 8) {
        for (const id of ids) failed.set(ruled.get(id)!.id, new Error(`learnWeeks ${String(weeks)} is not 1 to 8`));
        continue;
      }
      const hours = await deps.activeHoursOf(ids, new Date(at.getTime() - weeks * WEEK_MS));
      for (const id of ids) {
        const rule = ruled.get(id)!;
        if (failed.has(rule.id)) continue;
        try {
          const h = hours.get(id);
          const ms = silenceThreshold(rule.params, h ? weeklyRhythm(h) : undefined, lastOf.get(id)!);
          if (!Number.isFinite(ms) || ms <= 0)
            throw new Error(`threshold ${ms} ms from params ${JSON.stringify(rule.params)}`);
          out.set(id, { ms, rule });
        } catch (e) {
          failed.set(rule.id, e);
        }
      }
    }
    for (const [ruleId, e] of failed) await deps.onRuleError(ruleId, e);
    const byDefault = sims.filter((s) => !out.has(s.simId)).map((s) => s.simId);
    if (byDefault.length > 0)
      for (const [id, ms] of await deps.defaultThresholdsOf(byDefault, at))
        out.set(id, { ms: Math.round(ms), rule: null });
    return out;
  };
}
