import { describe, expect, it } from 'vitest';
import { silenceThresholds } from './silence-rules.ts';

describe('silence thresholds', () => {
  it('are whole milliseconds even when the default rhythm is not (silence_watch.threshold_ms is a bigint)', async () => {
    const thresholdsOf = silenceThresholds({
      profilesOf: async () => new Map(),
      activeHoursOf: async () => new Map(),
      // The diagnosis' rhythm rule works on medians of gaps: fractions of a millisecond are ordinary there.
      defaultThresholdsOf: async (ids) => new Map(ids.map((id) => [id, 42_967_269.978_740_82])),
      onRuleError: async () => {},
    });
    const out = await thresholdsOf([{ simId: 1, lastEventAt: new Date(0) }], new Date(1000), []);
    expect(out.get(1)).toEqual({ ms: 42_967_270, rule: null });
  });
});
