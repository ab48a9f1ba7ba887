import { describe, expect, it } from 'vitest';
import { findPlmn, PLMN_COUNTRIES } from '../plmns/plmns.data.ts';
import { apnProblem, normaliseApn } from './catalog.apn.ts';
import { formatMoney } from './catalog.presenter.ts';
import { CreateCommunicationPlanBody, Currency, Money } from './catalog.schemas.ts';
import { ancestorIds, makePlanResolver } from './catalog.service.ts';
import { findZone, plmnAllowedByPlan, roamingZones, ZONE_CODES } from './catalog.zones.ts';

describe('APN network identifier (TS 23.003)', () => {
  it.each(['internet', 'iot.example.com', 'm2m-data.operator1.se', 'a', `${'a'.repeat(63)}.b`])('accepts %s', (apn) => {
    expect(apnProblem(apn)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['iot..example', 'empty label'],
    ['.iot', 'empty label'],
    ['iot.', 'empty label'],
    ['iot_data', "label 'iot_data' may contain only letters, digits and hyphens"],
    ['iot data', 'may contain only letters'],
    ['-iot', 'must not start or end with a hyphen'],
    ['iot-.com', 'must not start or end with a hyphen'],
    [`${'a'.repeat(64)}.b`, 'label 1 is longer than 63'],
    [`${'abcdefghi.'.repeat(10)}x`, 'at most 100 characters (has 101)'],
    ['internet.mnc001.mcc240.gprs', "must not end in '.gprs'"],
    ['rac1.example', "must not start with 'rac'"],
    ['sgsn.example', "must not start with 'sgsn'"],
  ])('rejects %j: %s', (apn, reason) => {
    expect(apnProblem(apn)).toContain(reason);
  });

  it('is case-insensitive: stored lower-case and trimmed', () => {
    expect(normaliseApn('  IoT.Example.COM ')).toBe('iot.example.com');
  });

  it('the schema lower-cases, names the index of a duplicate, and of a bad entry', () => {
    const ok = CreateCommunicationPlanBody.safeParse({ name: 'x', apns: ['IOT.Example'], allowedRats: ['4G'] });
    expect(ok.success && ok.data.apns).toEqual(['iot.example']);
    const dup = CreateCommunicationPlanBody.safeParse({ name: 'x', apns: ['iot', 'IOT'], allowedRats: ['4G'] });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]).toMatchObject({ path: ['apns', 1], message: "duplicate 'iot'" });
    const bad = CreateCommunicationPlanBody.safeParse({ name: 'x', apns: ['ok', 'bad_apn'], allowedRats: ['4G'] });
    expect(bad.error?.issues[0]?.path).toEqual(['apns', 1]);
  });
});

describe('money and currency', () => {
  it('accepts decimal strings ≥ 0 with up to 4 decimals', () => {
    for (const v of ['0', '4.50', '0.0001', '1234567890.1234']) expect(Money.safeParse(v).success).toBe(true);
    for (const v of ['-1', '4.55555', '1e3', '4,50', '', '.5']) expect(Money.safeParse(v).success).toBe(false);
  });
  it('presents numeric(14,4) with 2 to 4 decimals', () => {
    expect(formatMoney('4.5000')).toBe('4.50');
    expect(formatMoney('0.0125')).toBe('0.0125');
    expect(formatMoney('12')).toBe('12.00');
  });
  it('checks ISO 4217 codes against the runtime list', () => {
    expect(Currency.safeParse('SEK').success).toBe(true);
    expect(Currency.safeParse('sek').success).toBe(false);
    expect(Currency.safeParse('XYZ').error?.issues[0]?.message).toBe('unknown ISO 4217 currency');
  });
});

describe('roaming zones', () => {
  it('every zone country is an ISO 3166-1 code', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const z of roamingZones()) {
      expect(z.countries.length, z.code).toBeGreaterThan(0);
      for (const c of z.countries) expect(names.of(c), `${z.code}: ${c}`).toBeDefined();
    }
    expect(findZone('WORLD')?.countries).toEqual(PLMN_COUNTRIES);
    expect(roamingZones().map((z) => z.code)).toEqual([...ZONE_CODES]);
  });

  it('EU_EEA holds EU, EEA, UK and CH but not the US', () => {
    const eu = new Set(findZone('EU_EEA')?.countries);
    for (const c of ['DE', 'SE', 'NO', 'IS', 'LI', 'GB', 'CH', 'RE']) expect(eu.has(c), c).toBe(true);
    expect(eu.has('US')).toBe(false);
    expect(eu.has('TR')).toBe(false);
  });

  it('a PLMN is allowed when listed, or when its country is in one of the zones', () => {
    expect(findPlmn('23415')?.countryCode).toBe('GB');
    const plan = { roamingPlmns: ['310410'], roamingZones: ['NORDICS'] };
    expect(plmnAllowedByPlan(plan, '310410')).toBe(true); // listed (US, AT&T)
    expect(plmnAllowedByPlan(plan, '24201')).toBe(true); // Telenor Norway, in NORDICS
    expect(plmnAllowedByPlan(plan, '23415')).toBe(false); // Vodafone UK: not listed, not Nordic
    expect(plmnAllowedByPlan({ ...plan, roamingZones: ['EU_EEA'] }, '23415')).toBe(true);
    expect(plmnAllowedByPlan({ roamingPlmns: [], roamingZones: [] }, '24201')).toBe(false);
  });

  it('WORLD covers any national network (Australia included) but not international 901 codes', () => {
    const world = { roamingPlmns: [], roamingZones: ['WORLD'] };
    expect(plmnAllowedByPlan(world, '50501')).toBe(true);
    expect(plmnAllowedByPlan(world, '90112')).toBe(false);
    expect(plmnAllowedByPlan({ roamingPlmns: ['90112'], roamingZones: ['WORLD'] }, '90112')).toBe(true);
  });

  it('a code listed for several territories counts if any of them is in a zone', () => {
    // 27077 appears for both Belgium and Luxembourg in the reference.
    expect(plmnAllowedByPlan({ roamingPlmns: [], roamingZones: ['EU_EEA'] }, '27077')).toBe(true);
  });
});

describe('planResolver precedence', () => {
  // Tenant 1 → sub-account 5 → end consumer 9; tenant 2 elsewhere.
  const resolve = makePlanResolver([
    { id: 100, name: 'IoT Basic', accountId: null },
    { id: 101, name: 'IoT Basic', accountId: 1 },
    { id: 105, name: 'IoT Basic', accountId: 5 },
    { id: 200, name: 'IoT Basic', accountId: 2 },
    { id: 300, name: 'Tenant only', accountId: 1 },
    { id: 400, name: 'Other only', accountId: 2 },
  ]);

  it('the nearest owner wins: own account, then parent, then root', () => {
    expect(resolve('IoT Basic', '/1/5/')).toBe(105);
    expect(resolve('IoT Basic', '/1/5/9/')).toBe(105);
    expect(resolve('IoT Basic', '/1/')).toBe(101);
    expect(resolve('Tenant only', '/1/5/9/')).toBe(300);
  });

  it('falls back to the shared plan, and never to another tenant', () => {
    expect(resolve('IoT Basic', '/3/')).toBe(100);
    expect(resolve('Other only', '/1/5/')).toBeUndefined();
    expect(resolve('Unknown', '/1/')).toBeUndefined();
  });

  it('ancestorIds reads the materialised path', () => {
    expect(ancestorIds('/1/5/9/')).toEqual([1, 5, 9]);
  });
});
