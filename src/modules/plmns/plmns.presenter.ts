import type { z } from 'zod';
import type { Plmn } from './plmns.data.ts';
import type { PlmnDetailView, PlmnView } from './plmns.schemas.ts';

export function presentPlmn(p: Plmn): z.infer<typeof PlmnView> {
  return {
    plmn: p.plmn,
    mcc: p.mcc,
    mnc: p.mnc,
    countryCode: p.countryCode,
    countryCodes: [...p.countryCodes],
    countryName: p.countryName,
    operator: p.operator,
    brand: p.brand,
    status: p.status,
    type: p.type,
  };
}

export function presentPlmnDetail(d: { plmn: Plmn; others: readonly Plmn[] }): z.infer<typeof PlmnDetailView> {
  return { ...presentPlmn(d.plmn), otherEntries: d.others.map(presentPlmn) };
}
