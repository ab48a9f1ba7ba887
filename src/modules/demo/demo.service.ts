import { cliPrincipal, type Principal } from '../../platform/auth.ts';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.ts';
import type { CaseHistory } from '../cases/case-history.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import type { UsersService } from '../users/users.service.ts';
import { type DemoDesk, seedDemoCases } from './demo.cases.ts';
import { DEMO_CUSTOMERS, type DemoAccount } from './demo.data.ts';
import { demoHistory, historyAccountsOf } from './demo.history.ts';
import { type DemoSimTarget, demoSimCsv } from './demo.sims.ts';

export const DEMO_LOGINS = {
  admin: { email: 'admin@demo.iotops.example', password: 'demo-admin-password' },
  agent: { email: 'agent@demo.iotops.example', password: 'demo-agent-password' },
  customer: { email: 'ops@nordgrid.example', password: 'demo-customer-password', account: 'NORDGRID' },
} as const;

/** Loads a SIM file in the import format (the product's own import, so the demo exercises it). */
export type SimFileLoader = (lines: Iterable<string>, filename: string) => Promise<{ imported: number }>;

export type DemoService = ReturnType<typeof createDemoService>;
export type DemoSeeded = {
  accounts: number;
  sims: number;
  /** Today's desk (demo.cases.ts), and the past weeks' ended cases (demo.history.ts). */
  cases: number;
  pastCases: number;
  desk: DemoDesk;
};

const SEEDER = cliPrincipal('demo-seed');

/** The demo agent as a principal: who wrote the desk's cases, and who follows them up in a running demo. */
export const demoAgentPrincipal = (agent: { id: number; email: string }): Principal => ({
  ...SEEDER,
  userId: agent.id,
  email: agent.email,
  role: 'agent',
});

export function createDemoService(deps: {
  accounts: AccountsService;
  catalog: CatalogService;
  users: UsersService;
  cases: Pick<CasesService, 'create' | 'transition' | 'addEvent'>;
  caseHistory: Pick<CaseHistory, 'record'>;
  loadSimFile: SimFileLoader;
}) {
  const { accounts, catalog, users } = deps;

  async function createTree(
    def: DemoAccount,
    parent: AccountRow | undefined,
    out: { def: DemoAccount; row: AccountRow }[],
  ) {
    const row = await accounts.create(SEEDER, {
      number: def.number,
      name: def.name,
      parentId: parent?.id,
      kind: def.kind,
      vipTier: def.vipTier,
      language: def.language,
      timeZone: def.timeZone,
      country: def.country,
    });
    out.push({ def, row });
    for (const c of def.contacts ?? []) {
      await accounts.addContact(SEEDER, row.id, {
        name: c.name,
        email: c.email,
        phone: c.phone,
        language: c.language,
        roles: c.roles,
      });
    }
    for (const child of def.children ?? []) await createTree(child, row, out);
  }

  async function plans(byNumber: Map<string, AccountRow>) {
    const id = (n: string) => byNumber.get(n)!.id;
    const cp = (input: Parameters<CatalogService['createCommunicationPlan']>[1]) =>
      catalog.createCommunicationPlan(SEEDER, input);
    const rp = (input: Parameters<CatalogService['createRatePlan']>[1]) => catalog.createRatePlan(SEEDER, input);
    await cp({
      name: 'IoT Data EU',
      description: 'Shared: data on one APN, roaming in the EU/EEA',
      apns: ['iot.demo'],
      services: { data: true, sms: false, voice: false, csd: false },
      allowedRats: ['2G', '4G', 'LTE-M', 'NB-IoT'],
      roamingPlmns: [],
      roamingZones: ['EU_EEA'],
    });
    await cp({
      name: 'IoT Data+SMS World',
      description: 'Shared: data and SMS, roaming worldwide',
      apns: ['iot.demo', 'iot.demo.private'],
      services: { data: true, sms: true, voice: false, csd: false },
      allowedRats: ['2G', '3G', '4G', '5G', 'LTE-M'],
      roamingPlmns: [],
      roamingZones: ['WORLD'],
    });
    await cp({
      name: 'Nordgrid AMR',
      accountId: id('NORDGRID'),
      description: 'Smart meters: private APN, NB-IoT/LTE-M, Nordic roaming for border areas',
      apns: ['amr.nordgrid'],
      services: { data: true, sms: true, voice: false, csd: false },
      allowedRats: ['2G', 'LTE-M', 'NB-IoT'],
      roamingPlmns: [],
      roamingZones: ['NORDICS'],
    });
    await cp({
      name: 'TransAlp Fleet',
      accountId: id('TRANSALP'),
      description: 'Trackers crossing Europe',
      apns: ['fleet.transalp'],
      services: { data: true, sms: true, voice: false, csd: false },
      allowedRats: ['2G', '4G', 'LTE-M'],
      roamingPlmns: [],
      roamingZones: ['EU_EEA'],
    });
    await cp({
      name: 'KaufNet Retail',
      accountId: id('KAUFNET'),
      description: 'Store routers with a backup APN',
      apns: ['pos.kaufnet', 'backup.kaufnet'],
      services: { data: true, sms: false, voice: false, csd: false },
      allowedRats: ['4G', '5G'],
      roamingPlmns: ['26201', '26202', '26203'],
      roamingZones: [],
    });
    const money = { included: {}, overage: {}, testReady: {} };
    await rp({
      ...money,
      name: 'M2M 10 MB',
      currency: 'EUR',
      monthlyFee: '0.90',
      pooling: 'per_sim',
      included: { dataMb: 10, sms: 10 },
      overage: { dataPerMb: '0.05', smsEach: '0.04' },
      testReady: { dataMb: 5, sms: 10, days: 30 },
    });
    await rp({
      ...money,
      name: 'M2M 1 GB Pool',
      currency: 'EUR',
      monthlyFee: '4.50',
      pooling: 'pooled',
      included: { dataMb: 1024, sms: 50 },
      overage: { dataPerMb: '0.01', smsEach: '0.03' },
      testReady: { dataMb: 20, sms: 20, days: 60 },
    });
    await rp({
      ...money,
      name: 'Nordgrid Metering 2 MB',
      accountId: id('NORDGRID'),
      currency: 'SEK',
      monthlyFee: '5.00',
      pooling: 'pooled',
      included: { dataMb: 2, sms: 5 },
      overage: { dataPerMb: '0.80' },
      testReady: { dataMb: 1, days: 14 },
    });
    await rp({
      ...money,
      name: 'Router 50 GB',
      accountId: id('KAUFNET'),
      currency: 'EUR',
      monthlyFee: '19.00',
      pooling: 'per_sim',
      included: { dataMb: 51200 },
      overage: { dataPerMb: '0.002' },
    });
  }

  /** Plans and label per device class: what each kind of customer actually buys. */
  const PLAN_FOR: Record<NonNullable<DemoAccount['deviceClass']>, { communicationPlan: string; ratePlan: string }> = {
    meter: { communicationPlan: 'Nordgrid AMR', ratePlan: 'Nordgrid Metering 2 MB' },
    tracker: { communicationPlan: 'TransAlp Fleet', ratePlan: 'M2M 1 GB Pool' },
    router: { communicationPlan: 'KaufNet Retail', ratePlan: 'Router 50 GB' },
    machine: { communicationPlan: 'IoT Data+SMS World', ratePlan: 'M2M 1 GB Pool' },
    vending: { communicationPlan: 'IoT Data EU', ratePlan: 'M2M 10 MB' },
  };

  return {
    async isEmpty(): Promise<boolean> {
      return (await accounts.count()) === 0 && (await users.count()) === 0;
    },

    /** Seeds the demo provider; expects an empty database (account numbers and emails would collide). */
    async seed(simCount = 10_000): Promise<DemoSeeded> {
      const created: { def: DemoAccount; row: AccountRow }[] = [];
      for (const c of DEMO_CUSTOMERS) await createTree(c, undefined, created);
      const byNumber = new Map(created.map((c) => [c.row.number, c.row]));
      await plans(byNumber);

      await users.create({ ...DEMO_LOGINS.admin, name: 'Demo Admin', role: 'admin', language: 'en' });
      const agent = await users.create({ ...DEMO_LOGINS.agent, name: 'Alex Agent', role: 'agent', language: 'en' });
      await users.create({
        email: DEMO_LOGINS.customer.email,
        password: DEMO_LOGINS.customer.password,
        name: 'Nordgrid Operations',
        role: 'customer',
        accountId: byNumber.get(DEMO_LOGINS.customer.account)!.id,
        language: 'sv',
      });

      const targets: DemoSimTarget[] = created
        .filter((c) => c.def.simShare && c.def.deviceClass)
        .map((c) => ({
          accountNumber: c.row.number,
          share: c.def.simShare!,
          label: c.def.deviceClass!,
          ...PLAN_FOR[c.def.deviceClass!],
        }));
      const { imported } = await deps.loadSimFile(demoSimCsv(targets, simCount), 'demo-sims.csv');
      const asAgent = demoAgentPrincipal(agent);
      // The past weeks first, so case numbers follow time; all of it ended, so no SLA clock of it runs.
      const history = demoHistory({
        now: new Date(),
        accounts: historyAccountsOf(DEMO_CUSTOMERS, (n) => byNumber.get(n)!.id),
        assigneeUserId: agent.id,
      });
      const past = await deps.caseHistory.record(asAgent, history);
      // Today's desk, written as the demo agent (their SLA timers start when the worker runs).
      const desk = await seedDemoCases(deps.cases, asAgent, byNumber, simCount);
      return { accounts: created.length, sims: imported, cases: desk.count, pastCases: past.length, desk };
    },
  };
}
