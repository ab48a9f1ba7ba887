/**
 * The root cause in plain words: for the agent (English, with the check's evidence in words, the fix and the
 * fleet figures) and for the customer in each of the six languages (messages/*.ts), naming the concrete values.
 * Customer texts never carry fleet figures or other customers' data (see messages/types.ts).
 */
import { LANGUAGES, type Language } from '../accounts/accounts.schemas.ts';
import { when } from './checks/common.ts';
import type { Confidence, FleetIncident, RootCauseCode, SummaryFacts, Verdict } from './diagnosis.model.ts';
import { de } from './messages/de.ts';
import { en } from './messages/en.ts';
import { fr } from './messages/fr.ts';
import { it } from './messages/it.ts';
import { ru } from './messages/ru.ts';
import { sv } from './messages/sv.ts';
import type { CustomerMessages } from './messages/types.ts';

export const CUSTOMER_MESSAGES: Record<Language, CustomerMessages> = { en, fr, de, it, ru, sv };

/** One line naming each root cause for the agent. */
export const ROOT_CAUSE_TITLES: Record<RootCauseCode, string> = {
  sim_not_active: 'SIM not active',
  test_allowance_used: 'Test allowance used up',
  subscription_refused: 'Subscription refused by the network',
  identity_rejected: 'SIM or device identity refused',
  quota_exhausted: 'Data allowance used up',
  sim_blocked_by_limit: 'Blocked by its usage limit',
  data_not_in_plan: 'Data not in the plan',
  plmn_not_allowed: 'Network not allowed by the plan',
  apn_typo: 'APN typo on the device',
  apn_not_in_plan: 'APN not in the plan',
  roaming_partner_outage: 'Roaming partner failure',
  network_outage: 'Network failure',
  apn_gateway_outage: 'APN gateway failure',
  registration_rejected: 'Registration refused for this SIM',
  session_rejected: 'Data sessions refused for this SIM',
  unexplained: 'Refused, cause not known yet',
  device_silent: 'Device silent',
  service_not_in_plan: 'Service not in the plan',
  imei_changed: 'SIM moved to another device',
  healthy: 'Healthy',
  no_events_yet: 'No network events received yet',
};

export type SummaryInput = {
  code: RootCauseCode;
  verdict: Verdict;
  confidence: Confidence;
  facts: SummaryFacts;
  /** The raising check's detail (agent words with the values). */
  detail: string;
  fix?: string | undefined;
  fleetIncident?: FleetIncident | undefined;
  others: readonly { code: RootCauseCode; verdict: Verdict }[];
};

function fleetLine(i: FleetIncident): string {
  const sims = i.failingSims === null ? '' : `, ${i.failingSims} SIM(s)`;
  const tenants = i.failingTenants === null ? '' : `, ${i.failingTenants} customer(s)`;
  const since = i.since ? ` since ${when(new Date(i.since))}` : '';
  return ` Fleet incident: ${i.kind.toUpperCase()} ${i.key}${since}, ${Math.round(i.rejectShare * 100)} % of other SIMs' ${i.attempt === 'attach' ? 'registrations' : 'sessions'} refused${sims}${tenants}.`;
}

export function customerSummary(language: Language, code: RootCauseCode, facts: SummaryFacts): string {
  const m = CUSTOMER_MESSAGES[language];
  const text = m.causes[code](facts);
  return facts.recovered ? `${text} ${m.recovered}` : text;
}

export function summarize(s: SummaryInput): { agent: string; customer: Record<Language, string> } {
  const head = `${ROOT_CAUSE_TITLES[s.code]} (${s.verdict}, ${s.confidence} confidence).`;
  const fix = s.fix ? ` Fix: ${s.fix}` : '';
  const fleet = s.fleetIncident ? fleetLine(s.fleetIncident) : '';
  const also =
    s.others.length > 0
      ? ` Also: ${s.others.map((o) => `${ROOT_CAUSE_TITLES[o.code]} (${o.verdict})`).join('; ')}.`
      : '';
  const facts = { ...s.facts, ...(s.fleetIncident ? { fleetWide: true } : {}) };
  const customer = Object.fromEntries(LANGUAGES.map((l) => [l, customerSummary(l, s.code, facts)])) as Record<
    Language,
    string
  >;
  return { agent: `${head} ${s.detail}${fix}${fleet}${also}`, customer };
}
