import type { z } from 'zod';
import type { ForecastRow, ProposalRow } from './capacity.repo.ts';
import type { CapacityLinkView, CapacityPlanView } from './capacity.schemas.ts';
import type { DayValue } from './forecast.ts';
import { planSteps, type StagedPlan } from './upgrade-plan.ts';

type Viewed = {
  row: ForecastRow;
  account: { name: string; number: string } | null;
  proposal: ProposalRow | null;
  withinLeadTime: boolean;
};

function presentPlan(r: ForecastRow): z.infer<typeof CapacityPlanView> | null {
  if (r.plan === null) return null;
  const plan = r.plan as StagedPlan;
  return { ...plan, steps: planSteps(plan, { linkKbps: r.linkKbps, maxLinkKbps: r.maxLinkKbps }, r.modelName) };
}

export function presentLink(v: Viewed): z.infer<typeof CapacityLinkView> {
  const r = v.row;
  return {
    deviceId: r.deviceId,
    externalId: r.externalId,
    name: r.name,
    accountId: r.accountId,
    accountName: v.account?.name ?? null,
    accountNumber: v.account?.number ?? null,
    modelName: r.modelName,
    status: r.status,
    reason: r.reason,
    historyDays: r.historyDays,
    currentP95Pct: r.currentP95,
    trendPctPerWeek: r.trendPerWeek,
    daysToSaturation: r.daysToSaturation,
    saturationDay: r.saturationDay,
    withinLeadTime: v.withinLeadTime,
    peakDemandPct: r.peakDemandPct,
    saturationPct: r.saturationPct,
    linkKbps: r.linkKbps,
    maxLinkKbps: r.maxLinkKbps,
    plan: presentPlan(r),
    proposal:
      v.proposal?.caseNumber != null
        ? { caseNumber: v.proposal.caseNumber, state: v.proposal.state === 'done' ? 'ended' : 'open' }
        : null,
    computedAt: new Date(r.computedAt).toISOString(),
  };
}

export const presentDays = (days: DayValue[]) => days.map((d) => ({ day: d.day, p95Pct: d.p95 }));
