import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../accounts/accounts.schemas.ts';
import { ROOT_CAUSES, type RootCauseCode, type SummaryFacts } from './diagnosis.model.ts';
import { CUSTOMER_MESSAGES, customerSummary, ROOT_CAUSE_TITLES, summarize } from './summary.ts';

/** The concrete values each cause must name, in every language. */
const CASES: Record<RootCauseCode, { facts: SummaryFacts; values: string[] }> = {
  sim_not_active: {
    facts: { state: 'DEACTIVATED', since: '2025-03-01 08:00 UTC' },
    values: ['DEACTIVATED', '2025-03-01 08:00 UTC'],
  },
  test_allowance_used: { facts: { plan: 'Test 5', usedMb: 6, limitMb: 5 }, values: ['Test 5', '6', '5'] },
  subscription_refused: { facts: { cause: 8, since: '2025-03-02 09:00 UTC' }, values: ['8', '2025-03-02 09:00 UTC'] },
  identity_rejected: { facts: { cause: 6, since: '2025-03-02 09:00 UTC' }, values: ['6', '2025-03-02 09:00 UTC'] },
  quota_exhausted: {
    facts: { usedMb: 120, limitMb: 100, plan: 'IoT 100 MB', since: '2025-03-09 10:00 UTC' },
    values: ['120', '100', 'IoT 100 MB', '2025-03-09 10:00 UTC'],
  },
  sim_blocked_by_limit: { facts: { since: '2025-03-09 10:00 UTC' }, values: ['2025-03-09 10:00 UTC'] },
  data_not_in_plan: { facts: { plan: 'SMS only' }, values: ['SMS only'] },
  plmn_not_allowed: {
    facts: { network: 'Verizon (311480, US)', plan: 'IoT Europe', since: '2025-03-09 10:00 UTC' },
    values: ['Verizon (311480, US)', 'IoT Europe', '2025-03-09 10:00 UTC'],
  },
  apn_typo: {
    facts: { apn: 'iot.ism', rightApn: 'iot.sim', since: '2025-03-09 10:00 UTC' },
    values: ['iot.ism', 'iot.sim', '2025-03-09 10:00 UTC'],
  },
  apn_not_in_plan: {
    facts: { apn: 'internet', planApns: ['iot.sim', 'iot2.sim'], since: '2025-03-09 10:00 UTC' },
    values: ['internet', '"iot.sim"', '"iot2.sim"'],
  },
  roaming_partner_outage: {
    facts: { network: 'Vodafone (22210, IT)', since: '2025-03-10 10:00 UTC', cause: 13 },
    values: ['Vodafone (22210, IT)', '2025-03-10 10:00 UTC', '13'],
  },
  network_outage: {
    facts: { network: 'Tele2 (24007, SE)', since: '2025-03-10 10:00 UTC', cause: 17 },
    values: ['Tele2 (24007, SE)', '2025-03-10 10:00 UTC'],
  },
  apn_gateway_outage: {
    facts: { apn: 'iot.sim', since: '2025-03-10 10:00 UTC', cause: 34 },
    values: ['iot.sim', '2025-03-10 10:00 UTC'],
  },
  registration_rejected: {
    facts: { network: 'Vodafone (22210, IT)', cause: 15, since: '2025-03-10 10:00 UTC' },
    values: ['Vodafone (22210, IT)', '15', '2025-03-10 10:00 UTC'],
  },
  session_rejected: {
    facts: { apn: 'iot.sim', cause: 31, since: '2025-03-10 10:00 UTC' },
    values: ['iot.sim', '31', '2025-03-10 10:00 UTC'],
  },
  unexplained: {
    facts: { network: 'Telia (24491, FI)', cause: 13, since: '2025-03-10 10:00 UTC', attempt: 'attach' },
    values: ['Telia (24491, FI)', '13', '2025-03-10 10:00 UTC'],
  },
  device_silent: {
    facts: { lastSeen: '2025-03-10 02:00 UTC', silentHours: 10 },
    values: ['2025-03-10 02:00 UTC', '10'],
  },
  // Swedish writes "sms" in lower case: the service is checked case-insensitively below.
  service_not_in_plan: { facts: { service: 'sms', plan: 'IoT Europe' }, values: ['IoT Europe'] },
  imei_changed: {
    facts: { oldImei: '356938035643809', newImei: '862345678901238', since: '2025-03-10 10:00 UTC' },
    values: ['356938035643809', '862345678901238', '2025-03-10 10:00 UTC'],
  },
  healthy: {
    facts: { lastSeen: '2025-03-10 11:50 UTC', network: 'Tele2 (24007, SE)' },
    values: ['2025-03-10 11:50 UTC', 'Tele2 (24007, SE)'],
  },
  no_events_yet: { facts: {}, values: [] },
};

describe('customer summaries', () => {
  it.each(ROOT_CAUSES.flatMap((code) => LANGUAGES.map((l) => [code, l] as const)))(
    '%s in %s names the concrete values',
    (code, l) => {
      const { facts, values } = CASES[code];
      const text = customerSummary(l, code, facts);
      expect(text.length).toBeGreaterThan(40);
      expect(text).not.toContain('undefined');
      expect(text).not.toContain('?');
      for (const v of values) expect(text).toContain(v);
    },
  );

  it('every language is its own text, not English copied', () => {
    for (const code of ROOT_CAUSES)
      for (const l of LANGUAGES.filter((x) => x !== 'en'))
        expect(customerSummary(l, code, CASES[code].facts)).not.toBe(customerSummary('en', code, CASES[code].facts));
  });

  it('a fleet-wide failure is "several customers" for the customer, with no figures; the agent gets them', () => {
    const s = summarize({
      code: 'apn_gateway_outage',
      verdict: 'error',
      confidence: 'high',
      facts: CASES.apn_gateway_outage.facts,
      detail: 'Data sessions on APN "iot.sim" refused.',
      fleetIncident: {
        kind: 'apn',
        key: 'iot.sim',
        since: '2025-03-10T10:00:00.000Z',
        attempt: 'session',
        rejectShare: 0.97,
        failingSims: 412,
        failingTenants: 17,
      },
      others: [{ code: 'device_silent', verdict: 'error' }],
    });
    expect(s.customer.en).toContain('several customers');
    expect(s.customer.de).toContain('mehrere Kunden');
    for (const l of LANGUAGES) {
      expect(s.customer[l]).not.toContain('412');
      expect(s.customer[l]).not.toContain('17 ');
      expect(s.customer[l]).not.toContain('97');
    }
    expect(s.agent).toContain('412 SIM(s)');
    expect(s.agent).toContain('17 customer(s)');
    expect(s.agent).toContain('Also: Device silent (error)');
  });

  it('service_not_in_plan names SMS or calls', () => {
    for (const l of LANGUAGES)
      expect(customerSummary(l, 'service_not_in_plan', { service: 'sms', plan: 'P' })).toMatch(/sms/i);
    expect(customerSummary('en', 'service_not_in_plan', { service: 'voice', plan: 'P' })).toContain('calls');
    expect(customerSummary('fr', 'service_not_in_plan', { service: 'voice', plan: 'P' })).toContain('appels');
  });

  it('every cause has a title and a text in all six languages', () => {
    for (const code of ROOT_CAUSES) {
      expect(ROOT_CAUSE_TITLES[code]).toBeTruthy();
      for (const l of LANGUAGES) expect(typeof CUSTOMER_MESSAGES[l].causes[code]).toBe('function');
    }
  });
});
