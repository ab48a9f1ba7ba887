/**
 * Roaming zones: named sets of ISO 3166-1 alpha-2 countries that a communication plan can allow as a whole
 * instead of listing every partner PLMN. Built into the code (a handful, changed with a release), so a zone
 * code in a plan is validated like an enum.
 */
import { PLMN_COUNTRIES, plmnCountries } from '../plmns/plmns.data.ts';

export const ZONE_CODES = ['EU_EEA', 'NORDICS', 'NORTH_AMERICA', 'WORLD'] as const;
export type ZoneCode = (typeof ZONE_CODES)[number];

export type RoamingZone = { code: ZoneCode; name: string; description: string; countries: readonly string[] };

const EU = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
];
// The EU's outermost regions carry their own ISO codes but are EU territory for roaming.
const EU_OUTERMOST = ['GF', 'GP', 'MF', 'MQ', 'RE', 'YT'];

const ZONES: readonly RoamingZone[] = [
  {
    code: 'EU_EEA',
    name: 'EU/EEA, United Kingdom and Switzerland',
    description: 'The 27 EU member states with their outermost regions, Iceland, Liechtenstein, Norway, UK, CH',
    countries: [...EU, ...EU_OUTERMOST, 'IS', 'LI', 'NO', 'GB', 'CH'].sort(),
  },
  {
    code: 'NORDICS',
    name: 'Nordic countries',
    description: 'Denmark, Finland, Iceland, Norway and Sweden, with Åland, the Faroe Islands and Greenland',
    countries: ['AX', 'DK', 'FI', 'FO', 'GL', 'IS', 'NO', 'SE'],
  },
  {
    code: 'NORTH_AMERICA',
    name: 'North America',
    description: 'United States (with Puerto Rico and the US Virgin Islands), Canada and Mexico',
    countries: ['CA', 'MX', 'PR', 'US', 'VI'],
  },
  {
    code: 'WORLD',
    name: 'World',
    description:
      'Every country with a network in the PLMN reference. International codes (MCC 901: satellite, maritime, ' +
      'in-flight) belong to no country and must be listed as PLMNs.',
    countries: PLMN_COUNTRIES,
  },
];

const byCode = new Map(ZONES.map((z) => [z.code, z]));
const sets = new Map(ZONES.map((z) => [z.code, new Set(z.countries)]));

export const roamingZones = (): readonly RoamingZone[] => ZONES;
export const findZone = (code: string): RoamingZone | undefined => byCode.get(code as ZoneCode);
export const isZoneCode = (code: string): code is ZoneCode => byCode.has(code as ZoneCode);

/**
 * Whether a plan lets a SIM use a visited PLMN: listed explicitly, or serving a country in one of the plan's
 * zones. A PLMN listed for several territories counts if any of them is in a zone. Whether the SIM's home
 * network is always allowed is for the caller to decide, not this function.
 */
export function plmnAllowedByPlan(
  plan: { roamingPlmns: readonly string[]; roamingZones: readonly string[] },
  plmn: string,
): boolean {
  if (plan.roamingPlmns.includes(plmn)) return true;
  if (plan.roamingZones.length === 0) return false;
  const countries = plmnCountries(plmn);
  return plan.roamingZones.some((code) => {
    const zone = sets.get(code as ZoneCode);
    return zone !== undefined && [...countries].some((c) => zone.has(c));
  });
}
