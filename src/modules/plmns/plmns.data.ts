/**
 * PLMN reference data (ITU E.212 MCC+MNC → operator, country) from the mcc-mnc-list package, loaded once
 * into memory (a few thousand rows). Pure lookups, no database.
 */
import mccMncList from 'mcc-mnc-list';

export type Plmn = {
  plmn: string; // MCC+MNC, e.g. 24001
  mcc: string;
  mnc: string;
  countryCode: string | null; // ISO 3166-1 alpha-2 where the package gives one
  countryName: string | null;
  operator: string | null;
  brand: string | null;
  status: string | null;
};

type Raw = {
  mcc: string | null;
  mnc: string | null;
  countryCode: string | null;
  countryName: string | null;
  operator: string | null;
  brand: string | null;
  status: string | null;
};

export const PLMNS: readonly Plmn[] = (mccMncList.all() as unknown as Raw[])
  .filter(
    (r): r is Raw & { mcc: string; mnc: string } =>
      typeof r.mcc === 'string' && typeof r.mnc === 'string' && /^\d{3}$/.test(r.mcc) && /^\d{2,3}$/.test(r.mnc),
  )
  .map((r) => ({
    plmn: r.mcc + r.mnc,
    mcc: r.mcc,
    mnc: r.mnc,
    countryCode: r.countryCode && /^[A-Z]{2}$/.test(r.countryCode) ? r.countryCode : null,
    countryName: r.countryName || null,
    operator: r.operator || null,
    brand: r.brand || null,
    status: r.status || null,
  }));

const byPlmn = new Map(PLMNS.map((p) => [p.plmn, p]));
const mccs = new Set(PLMNS.map((p) => p.mcc));
// 001 is the ITU test network (lab SIMs, simulators); 901 the international shared code.
mccs.add('001');
mccs.add('901');

export const isKnownMcc = (mcc: string) => mccs.has(mcc);
export const findPlmn = (plmn: string) => byPlmn.get(plmn);
export const isKnownPlmn = (plmn: string) =>
  byPlmn.has(plmn) || (plmn.length >= 5 && (plmn.startsWith('001') || plmn.startsWith('901')));
