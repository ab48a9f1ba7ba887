/**
 * Which silence threshold each SIM gets: its rule's (factor × its usual interval for the hour of the week it went
 * quiet in + grace, learned from its hourly usage), or — no rule taking it in — the built-in default, the diagnosis'
 * rhythm rule (`diagnosis.silenceThresholds`).
 */
import { ruleFor, type SilenceRule, type SimProfile, silenceThreshold, weeklyRhythm } from './rules.ts';

export type Threshold = { ms: number; rule: SilenceRule | null };
export type SilenceRuleDeps = {
  /** The SIMs' scope facts (inventory, last network state, device); a SIM missing here has no rule. */
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  /** Hour starts (ms) with usage since `since`, per SIM. */
  activeHoursOf: (simIds: readonly number[], since: Date) => Promise<Map<number, number[]>>;
  /** The built-in default. */
  defaultThresholdsOf: (simIds: readonly number[], at: Date) => Promise<Map<number, number>>;
  /** A rule threw while applied: it is disabled (rules.service.ts `failRule`); its SIMs keep the default. */
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

const WEEK_MS = 7 * 24 * 3_600_000;

export function silenceThresholds(deps: SilenceRuleDeps) {
  return async function thresholdsOf(
    sims: readonly { simId: number; lastEventAt: Date }[],
    at: Date,
    rules: readonly SilenceRule[],
  ): Promise<Map<number, Threshold>> {
    const out = new Map<number, Threshold>();
    if (sims.length === 0) return out;
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
