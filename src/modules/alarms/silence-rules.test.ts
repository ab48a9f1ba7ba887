import { describe, expect, it } from 'vitest';
import type { SilenceRule } from './rules.ts';
import { silenceThresholds } from './silence-rules.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rule = (id: number, noRhythmMinutes: number): SilenceRule =>
  ({
    id,
    name: `r${id}`,
    scope: {},
    params: { factor: 1.5, graceMinutes: 30, noRhythmMinutes, learnWeeks: 4 },
    severity: 'major',
    escalation: null,
    schedule: null,
    openCase: false,
  }) as unknown as SilenceRule;

describe('silence thresholds', () => {
  it('are whole milliseconds even when the default rhythm is not (silence_watch.threshold_ms is a bigint)', async () => {
    const thresholdsOf = silenceThresholds({
      profilesOf: async () => new Map(),
      activeHoursOf: async () => new Map(),
      // The diagnosis' rhythm rule works on medians of gaps: fractions of a millisecond are ordinary there.
      defaultThresholdsOf: async (ids) => new Map(ids.map((id) => [id, 42_967_269.978_740_82])),
      defaultNoRhythmMs: DAY,
      onRuleError: async () => {},
    });
    const out = await thresholdsOf([{ simId: 1, lastEventAt: new Date(0) }], new Date(1000), []);
    expect(out.get(1)).toEqual({ ms: 42_967_270, rule: null });
  });

  it('provisional (a watch starting): a SIM with no rhythm yet gets the shortest no-rhythm threshold, its scope unread', async () => {
    const profiled: number[][] = [];
    const looked: number[] = [];
    const thresholdsOf = silenceThresholds({
      profilesOf: async (ids) => {
        profiled.push([...ids]);
        return new Map(ids.map((id) => [id, { accountId: 1 } as never]));
      },
      activeHoursOf: async (ids, since) => {
        looked.push(since.getTime());
        // SIM 1: two active hours (no interval to learn from twice); SIM 2: hourly for a day.
        return new Map(
          ids.map((id) => [id, id === 1 ? [0, HOUR] : Array.from({ length: 24 }, (_, i) => i * HOUR)] as const),
        );
      },
      defaultThresholdsOf: async (ids) => new Map(ids.map((id) => [id, DAY])),
      defaultNoRhythmMs: DAY,
      onRuleError: async () => {},
    });
    const at = new Date(30 * DAY);
    const sims = [1, 2].map((simId) => ({ simId, lastEventAt: new Date(at.getTime() - HOUR) }));
    const out = await thresholdsOf(sims, at, [rule(7, 600), rule(8, 2000)], { provisional: true });
    // The shortest any rule or the default could give it (rule 7's 10 h), no rule named: the tick decides at due.
    expect(out.get(1)).toEqual({ ms: 600 * 60_000, rule: null, provisional: true });
    // A SIM with hours enough for a rhythm is judged as before: its scope read, its rule's threshold.
    expect(profiled).toEqual([[2]]);
    expect(out.get(2)).toMatchObject({ rule: expect.objectContaining({ id: 7 }) });
    expect(out.get(2)?.provisional).toBeUndefined();
    // The look-back is the longest learning window of the rules (4 weeks) or the default's (2 weeks).
    expect(looked[0]).toBe(at.getTime() - 28 * DAY);
    // Without the option nothing is provisional.
    expect((await thresholdsOf(sims, at, [rule(7, 600)])).get(1)).toEqual({
      ms: 600 * 60_000,
      rule: expect.objectContaining({ id: 7 }),
    });
  });
});
