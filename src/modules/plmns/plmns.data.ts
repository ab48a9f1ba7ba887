/**
 * PLMN reference data (ITU E.212 MCC+MNC → operator, country) from the mcc-mnc-list package, loaded once
 * into memory (a few thousand rows). Pure lookups, no database.
 */
import mccMncList from 'mcc-mnc-list';

export const PLMN_TYPES = ['National', 'International', 'Test'] as const;
export type PlmnType = (typeof PLMN_TYPES)[number];

export type Plmn = {
  plmn: string; // MCC+MNC, e.g. 24001
  mcc: string;
  mnc: string;
  countryCode: string | null; // ISO 3166-1 alpha-2 where the package gives one (the first, if several)
  /** Every ISO country the entry covers: the package lists e.g. 'AU/CC/CX' for Australia's networks. */
  countryCodes: readonly string[];
  countryName: string | null;
  operator: string | null;
  brand: string | null;
  status: string | null;
  type: PlmnType | null;
};

type Raw = {
  type: string | null;
  mcc: string | null;
  mnc: string | null;
  countryCode: string | null;
  countryName: string | null;
  operator: string | null;
  brand: string | null;
  status: string | null;
};

/** 'AU/CC/CX' → ['AU','CC','CX']; sub-national codes such as 'GE-AB' (Abkhazia) map to no country. */
function countryCodesOf(raw: string | null): string[] {
  if (!raw) return [];
  return raw.split('/').filter((c) => /^[A-Z]{2}$/.test(c));
}

const plmnTypeOf = (t: string | null): PlmnType | null =>
  (PLMN_TYPES as readonly string[]).includes(t ?? '') ? (t as PlmnType) : null;

export const PLMNS: readonly Plmn[] = (mccMncList.all() as unknown as Raw[])
  .filter(
    (r): r is Raw & { mcc: string; mnc: string } =>
      typeof r.mcc === 'string' && typeof r.mnc === 'string' && /^\d{3}$/.test(r.mcc) && /^\d{2,3}$/.test(r.mnc),
  )
  .map((r) => {
    const countryCodes = countryCodesOf(r.countryCode);
    return {
      plmn: r.mcc + r.mnc,
      mcc: r.mcc,
      mnc: r.mnc,
      countryCode: countryCodes[0] ?? null,
      countryCodes,
      countryName: r.countryName || null,
      operator: r.operator || null,
      brand: r.brand || null,
      status: r.status || null,
      type: plmnTypeOf(r.type),
    };
  });

const byPlmn = new Map(PLMNS.map((p) => [p.plmn, p]));
/** A few codes appear more than once (a network serving several territories, e.g. 27077 in BE and LU). */
const allByPlmn = new Map<string, Plmn[]>();
for (const p of PLMNS) {
  const list = allByPlmn.get(p.plmn) ?? [];
  list.push(p);
  allByPlmn.set(p.plmn, list);
}
const mccs = new Set(PLMNS.map((p) => p.mcc));
// 001 is the ITU test network (lab SIMs, simulators); 901 the international shared code.
mccs.add('001');
mccs.add('901');

export const isKnownMcc = (mcc: string) => mccs.has(mcc);
export const findPlmn = (plmn: string) => byPlmn.get(plmn);
export const isKnownPlmn = (plmn: string) =>
  byPlmn.has(plmn) || (plmn.length >= 5 && (plmn.startsWith('001') || plmn.startsWith('901')));

/** Every reference entry for a code (usually one). */
export const plmnEntries = (plmn: string): readonly Plmn[] => allByPlmn.get(plmn) ?? [];

/** The countries a PLMN serves, over all its entries; empty for international and test codes. */
export function plmnCountries(plmn: string): ReadonlySet<string> {
  return new Set(plmnEntries(plmn).flatMap((p) => p.countryCodes));
}

/** Every country that has at least one network in the reference. */
export const PLMN_COUNTRIES: readonly string[] = [...new Set(PLMNS.flatMap((p) => p.countryCodes))].sort();
