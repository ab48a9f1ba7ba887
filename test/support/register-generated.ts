/**
 * The independent generator's fleet, registered as an operator would — accounts, communication and rate plans, SIMs —
 * through the services (test/diagnosis-independent.test.ts and test/alarms-detection.test.ts replay its traffic).
 * Kept outside traffic-gen/, which imports nothing from src/.
 */
import { cliPrincipal } from '../../src/platform/auth.ts';
import type { Harness } from './harness.ts';
import { uniq } from './harness.ts';
import type { Generated } from './traffic-gen/truth.ts';

const staff = cliPrincipal('traffic-gen-register');

export async function registerGenerated(h: Harness, g: Generated): Promise<void> {
  const s = h.services;
  const tag = uniq();
  const accounts = new Map<string, number>();
  for (const a of g.fleet.accounts) {
    const row = await s.accounts.create(staff, {
      number: `TG-${tag}-${a.key}`.slice(0, 40),
      name: a.name,
      vipTier: 'standard',
      language: 'en',
      timeZone: 'UTC',
      country: g.fleet.homePlmn.country,
    });
    accounts.set(a.key, row.id);
  }
  const comm = new Map<string, number>();
  for (const p of g.fleet.communicationPlans) {
    const row = await s.catalog.createCommunicationPlan(staff, {
      name: `TG ${tag} ${p.key}`,
      accountId: accounts.get(p.accountKey)!,
      apns: p.apns.map((x) => x.toLowerCase()),
      // The generator's plans restrict data and SMS only: calls (an alarm panel's) are allowed.
      services: { data: p.services.data, sms: p.services.sms, voice: true, csd: false },
      allowedRats: ['2G', '3G', '4G', '5G', 'NB-IoT', 'LTE-M'],
      roamingPlmns: p.roamingPlmns,
      roamingZones: [],
      imeiLock: p.imeiLock,
    });
    comm.set(p.key, row.id);
  }
  const rate = new Map<string, number>();
  for (const p of g.fleet.ratePlans) {
    const o = p.overageAction;
    const row = await s.catalog.createRatePlan(staff, {
      name: `TG ${tag} ${p.key}`,
      accountId: accounts.get(p.accountKey)!,
      currency: 'EUR',
      monthlyFee: '1.00',
      pooling: p.pooling,
      included: { dataMb: p.includedDataMb },
      overage: o.action === 'throttle' ? { action: 'throttle', throttleKbps: o.rateKbps } : { action: o.action },
      testReady: {},
    });
    rate.set(p.key, row.id);
  }
  for (const m of g.fleet.sims)
    await s.sims.create(staff, {
      iccid: m.iccid,
      imsis: [m.imsi, ...m.secondaryImsis],
      msisdn: m.msisdn,
      imei: m.imei,
      accountId: accounts.get(m.accountKey)!,
      communicationPlanId: comm.get(m.communicationPlanKey)!,
      ratePlanId: rate.get(m.ratePlanKey)!,
      state: m.state,
      labels: [],
      customFields: {},
    });
}
