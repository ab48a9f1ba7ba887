import type { z } from 'zod';
import type { CommunicationPlanRow, RatePlanRow } from './catalog.repo.ts';
import type { CommunicationPlanView, RatePlanView, RoamingZoneView } from './catalog.schemas.ts';
import type { RoamingZone } from './catalog.zones.ts';

type CommunicationPlanJson = z.infer<typeof CommunicationPlanView>;
type RatePlanJson = z.infer<typeof RatePlanView>;

/** numeric(14,4) comes back as '4.5000': show money with at least 2 and at most 4 decimals ('4.50'). */
export function formatMoney(v: string): string {
  const [int = '0', frac = ''] = v.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${int}.${trimmed.padEnd(2, '0')}`;
}

function ownership(p: CommunicationPlanRow | RatePlanRow) {
  return {
    id: p.id,
    owner: p.accountId === null ? ('shared' as const) : ('account' as const),
    accountId: p.accountId,
    tenantId: p.tenantId,
    name: p.name,
    description: p.description,
  };
}

export function presentCommunicationPlan(p: CommunicationPlanRow): CommunicationPlanJson {
  return {
    ...ownership(p),
    apns: p.apns,
    services: { data: p.dataEnabled, sms: p.smsEnabled, voice: p.voiceEnabled, csd: p.csdEnabled },
    allowedRats: p.allowedRats as CommunicationPlanJson['allowedRats'],
    roamingPlmns: p.roamingPlmns,
    roamingZones: p.roamingZones as CommunicationPlanJson['roamingZones'],
    imeiLock: p.imeiLock,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function presentRatePlan(p: RatePlanRow): RatePlanJson {
  return {
    ...ownership(p),
    currency: p.currency,
    monthlyFee: formatMoney(p.monthlyFee),
    pooling: p.pooling as RatePlanJson['pooling'],
    included: { dataMb: Number(p.includedDataMb), sms: p.includedSms, voiceMin: p.includedVoiceMin },
    overage: {
      dataPerMb: formatMoney(p.overageDataPerMb),
      smsEach: formatMoney(p.overageSmsEach),
      voicePerMin: formatMoney(p.overageVoicePerMin),
      action: p.overageAction as RatePlanJson['overage']['action'],
      throttleKbps: p.overageThrottleKbps,
    },
    testReady: { dataMb: p.testDataMb, sms: p.testSms, voiceMin: p.testVoiceMin, days: p.testDays },
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function presentRoamingZone(z: RoamingZone): z.infer<typeof RoamingZoneView> {
  return { code: z.code, name: z.name, description: z.description, countries: [...z.countries] };
}
