/**
 * The upgrade proposal's staged plan and its words (issue 17.5), pure. The ordered speed carries the demand the
 * forecast expects within its horizon at the target utilisation; where that is beyond what the device model allows,
 * the plan has two steps: now the most the current equipment allows, the ordered speed once the hardware is changed.
 */
import type { LinkForecast } from './forecast.ts';

/** What an upgraded link is sized for: its p95 at this utilisation leaves room for the next growth. */
export const TARGET_PCT = 70;

export type LinkCapacity = {
  /** The contracted speed now (the device's linkKbps); null when not recorded. */
  linkKbps: number | null;
  /** The most the device model allows (the model's maxLinkKbps); null when not recorded. */
  maxLinkKbps: number | null;
};

export type StagedPlan = {
  /** Demand over target: how many times today's speed the link needs. */
  factor: number;
  /** The speed ordered (after the hardware change, if one is needed); null when today's speed is unknown. */
  orderedKbps: number | null;
  /** The speed set now on the current equipment; null when nothing can be raised now or it is unknown. */
  nowKbps: number | null;
  /** Whether the ordered speed needs other hardware; null when the model's maximum is not recorded. */
  hardwareChange: boolean | null;
};

/** Up to the next multiple of half the value's order of magnitude: 18.6 Mbit/s → 20, 130 → 150, 3.2 → 3.5. */
export function roundUpSpeed(kbps: number): number {
  if (kbps <= 1) return 1;
  const step = Math.max(1, 10 ** Math.floor(Math.log10(kbps)) / 2);
  return Math.ceil(kbps / step - 1e-9) * step;
}

export function stagedPlan(demandPct: number, cap: LinkCapacity, targetPct = TARGET_PCT): StagedPlan {
  const factor = Math.round((Math.max(demandPct, targetPct) / targetPct) * 100) / 100;
  if (cap.linkKbps === null) return { factor, orderedKbps: null, nowKbps: null, hardwareChange: null };
  const orderedKbps = Math.max(roundUpSpeed(cap.linkKbps * factor), cap.linkKbps);
  if (cap.maxLinkKbps === null) return { factor, orderedKbps, nowKbps: null, hardwareChange: null };
  if (orderedKbps <= cap.maxLinkKbps) return { factor, orderedKbps, nowKbps: orderedKbps, hardwareChange: false };
  return {
    factor,
    orderedKbps,
    nowKbps: cap.maxLinkKbps > cap.linkKbps ? cap.maxLinkKbps : null,
    hardwareChange: true,
  };
}

/** 20000 → "20 Mbit/s", 512 → "512 kbit/s", 2500000 → "2.5 Gbit/s". */
export function speedText(kbps: number): string {
  const fmt = (v: number) => String(Math.round(v * 100) / 100);
  if (kbps >= 1_000_000) return `${fmt(kbps / 1_000_000)} Gbit/s`;
  if (kbps >= 1000) return `${fmt(kbps / 1000)} Mbit/s`;
  return `${fmt(kbps)} kbit/s`;
}

/** The plan's steps in the desk's words. */
export function planSteps(plan: StagedPlan, cap: LinkCapacity, modelName: string): string[] {
  const model = `the current equipment (${modelName})`;
  if (plan.orderedKbps === null)
    return [
      `Raise the link to at least ${plan.factor}× its current speed (the contracted speed is not recorded on the ` +
        'device: set linkKbps to get the speeds here).',
    ];
  const ordered = speedText(plan.orderedKbps);
  if (plan.hardwareChange === null)
    return [
      `Raise to ${ordered} (${plan.factor}× today's ${speedText(cap.linkKbps!)}); the most ${model} allows is not ` +
        'recorded (maxLinkKbps on the device model): check whether it takes this speed or needs a hardware change.',
    ];
  if (!plan.hardwareChange) return [`Now: raise to ${ordered}; ${model} allows up to ${speedText(cap.maxLinkKbps!)}.`];
  return [
    plan.nowKbps === null
      ? `Now: no raise possible, the link already runs at the most ${model} allows (${speedText(cap.maxLinkKbps!)}).`
      : `Now: raise to ${speedText(plan.nowKbps)}, the most ${model} allows.`,
    `After the hardware change: ${ordered}.`,
  ];
}

export type ProposalSubject = { name: string | null; externalId: string; modelName: string; accountName: string };

/** The order case's subject and description: the forecast, then the staged plan. */
export function proposalText(
  link: ProposalSubject,
  f: LinkForecast,
  cap: LinkCapacity,
  plan: StagedPlan,
  o: { saturationPct: number; leadTimeDays: number; horizonDays: number; historyDays: number },
): { subject: string; description: string } {
  const label = link.name ? `${link.name} (${link.externalId})` : link.externalId;
  const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} %`);
  const trend = f.trendPerWeek === null ? '—' : `${f.trendPerWeek >= 0 ? '+' : ''}${f.trendPerWeek.toFixed(1)}`;
  const when = f.saturatedNow
    ? `is at or above ${o.saturationPct} % already (two of the last three days)`
    : `reaches ${o.saturationPct} % on ${f.saturationDay}, in ${f.daysToSaturation} day(s)`;
  const speed = cap.linkKbps === null ? 'its current speed (not recorded)' : `today's ${speedText(cap.linkKbps)}`;
  const lines = [
    `Upgrade proposal for link ${label} of ${link.accountName}: a draft order opened by capacity monitoring. ` +
      'Review it with the customer and turn it into their order, or cancel it.',
    '',
    `Forecast of the daily p95 link utilisation (up to ${o.historyDays} days of telemetry, trend + weekly pattern):`,
    `- p95 over the last 7 days: ${pct(f.currentP95)}`,
    `- trend: ${trend} points per week`,
    `- the daily p95 ${when} — within the ${o.leadTimeDays}-day lead time of a capacity order`,
    `- demand expected within ${o.horizonDays} days: ${pct(f.peakDemandPct)} of ${speed}` +
      (f.saturatedNow ? ' (a saturated link hides its real demand: this is a floor)' : ''),
    '',
    `Staged plan (sized for a p95 of ${TARGET_PCT} %):`,
    ...planSteps(plan, cap, link.modelName).map((s, i) => `${i + 1}. ${s}`),
  ];
  return { subject: `Capacity: upgrade proposal for link ${label}`.slice(0, 200), description: lines.join('\n') };
}
