/**
 * The demo desk: a handful of cases as a provider's desk has them on a Monday morning — two meters that can't
 * send data (a mistyped APN the simulated traffic shows), a mass outage for a VIP, a roaming problem handed to a
 * partner, requests and orders, one waiting for the customer, one in its verification period. Created through the cases service as the demo agent, so the timeline, priority matrix
 * and SLA timers (run by the worker after start) all apply as they would to real work.
 */
import type { Principal } from '../../platform/auth.ts';
import type { AccountRow } from '../accounts/accounts.service.ts';
import { CreateCaseBody, CreateEventBody, TransitionBody } from '../cases/cases.schemas.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { CaseState } from '../cases/state-machine.ts';
import { demoIccid } from './demo.sims.ts';

/**
 * The two meters (Nordgrid Norrland's, in the 10,000-SIM demo) examples/scenarios/demo.json gives a mistyped APN:
 * the SIMs of the desk's "can't send data" case, so with the simulator running (`npm start`'s default) their
 * diagnosis finds the cause (demo.cases.test.ts holds the case and the scenario to the same SIMs).
 */
export const APN_TYPO_SERIALS = [3025, 3027] as const;

type DemoCase = {
  /** Names a case others look for (the start command watches the "can't send data" case). */
  key?: 'cant_send_data';
  account: string;
  body: Record<string, unknown>;
  states?: CaseState[];
  reply?: string;
  assigned?: boolean;
};

export const DEMO_CASES: DemoCase[] = [
  {
    key: 'cant_send_data',
    account: 'NORDGRID-NORR',
    body: {
      type: 'incident',
      channel: 'email',
      severity: 'medium',
      subject: "Two meters in Luleå can't send data since the technician's visit",
      description:
        'Since Friday’s site visit two district meters attach but no readings arrive. The technician says he only ' +
        'checked the APN settings. — Karin Lindqvist, Nordgrid',
      affectedIccids: APN_TYPO_SERIALS.map(demoIccid),
      tags: ['apn'],
    },
  },
  {
    account: 'NORDGRID-NORR-KIRUNA',
    body: {
      type: 'incident',
      channel: 'phone',
      severity: 'critical',
      subject: 'District heating meters in Kiruna stopped reporting',
      description: 'Since 03:10 no meter readings from the Kiruna district; the customer NOC sees all devices offline.',
      affectedFilter: { label: 'meter' },
      tags: ['outage'],
    },
    states: ['open'],
    reply:
      'We see attach rejects on all Kiruna meters and are tracing them with the network team. Next update within the hour.',
    assigned: true,
  },
  {
    account: 'TRANSALP-FLEET',
    body: {
      type: 'incident',
      channel: 'email',
      severity: 'high',
      subject: 'Trackers lose data when roaming in Italy',
      description: 'Trucks entering Italy via the Fréjus tunnel stop sending positions until they leave the country.',
      affectedFilter: { state: 'ACTIVATED' },
      tags: ['roaming'],
    },
    states: ['open', 'pending_provider'],
    reply: 'The Italian roaming partner confirms a fault on their side; we follow it with them.',
  },
  {
    account: 'KAUFNET',
    body: {
      type: 'service_request',
      channel: 'email',
      severity: 'medium',
      subject: 'Add the backup APN to 40 store routers',
      description: 'Please enable backup.kaufnet on the routers of the Bavarian stores.',
    },
    states: ['open'],
    assigned: true,
  },
  {
    account: 'NORDGRID-STHLM',
    body: {
      type: 'information_request',
      channel: 'portal',
      severity: 'low',
      subject: 'Overage on the pooled metering plan in October',
      description: 'The October invoice shows overage although the pool should cover it.',
    },
    states: ['open', 'pending_customer'],
    reply:
      'Could you send us the invoice number? The pool covers the whole account tree, so we need to check which SIMs were counted.',
  },
  {
    account: 'SNACKBOX',
    body: {
      type: 'order',
      channel: 'api',
      severity: 'medium',
      subject: 'Order 500 SIMs for the new vending machines',
      description: 'Delivery to the Lyon warehouse, activation-ready, plan M2M 10 MB.',
    },
  },
  {
    account: 'URALMASH',
    body: {
      type: 'incident',
      channel: 'email',
      severity: 'medium',
      subject: 'Press line 3 controller sends no data after the APN change',
      description: 'After the technician reconfigured the controller, it attaches but gets no data session.',
    },
    states: ['open', 'resolved'],
    reply:
      'The controller asked for APN "iot.deom" instead of "iot.demo"; corrected remotely, data flows again. We keep the case open three working days to verify.',
  },
  {
    account: 'NORDGRID',
    body: {
      type: 'information_request',
      channel: 'email',
      severity: 'low',
      subject: 'Roaming coverage near the Norwegian border',
      description: 'Which Norwegian networks may our meters in Riksgränsen use?',
    },
  },
  {
    account: 'TRANSALP-IT',
    body: {
      type: 'service_request',
      channel: 'phone',
      severity: 'low',
      subject: 'Rename the SIM labels of the Milan depot',
    },
    states: ['open', 'resolved', 'closed'],
  },
];

/** What the desk seeded: how many cases, and the numbers of the named ones. */
export type DemoDesk = { count: number; cantSendData: string };

export async function seedDemoCases(
  cases: Pick<CasesService, 'create' | 'transition' | 'addEvent'>,
  agent: Principal,
  byNumber: ReadonlyMap<string, AccountRow>,
  simCount: number,
): Promise<DemoDesk> {
  let cantSendData = '';
  // A smaller demo (`iotops demo --sims 400`) lacks the higher serials: those cases list the SIMs it has.
  const exists = (iccid: string) => Number(iccid.slice(7, 15)) < simCount;
  for (const d of DEMO_CASES) {
    const account = byNumber.get(d.account);
    if (!account) throw new Error(`demo case account ${d.account} missing`);
    const listed = d.body.affectedIccids as string[] | undefined;
    const body = CreateCaseBody.parse({
      ...d.body,
      ...(listed ? { affectedIccids: listed.filter(exists) } : {}),
      accountId: account.id,
      ...(d.assigned ? { assigneeUserId: agent.userId, queue: 'first-line' } : { queue: 'first-line' }),
    });
    const c = await cases.create(agent, body);
    if (d.key === 'cant_send_data') cantSendData = c.number;
    const states = d.states ?? [];
    const reply = async () => {
      if (d.reply)
        await cases.addEvent(agent, c.number, CreateEventBody.parse({ kind: 'portal_message', body: d.reply }));
    };
    // The public reply comes right before the case waits or is resolved, as an agent writes it; else after.
    const last = states.at(-1);
    const replyFirst = last === 'pending_customer' || last === 'pending_provider' || last === 'resolved';
    for (const [i, to] of states.entries()) {
      if (replyFirst && i === states.length - 1) await reply();
      await cases.transition(agent, c.number, TransitionBody.parse({ to }));
    }
    if (!replyFirst) await reply();
  }
  return { count: DEMO_CASES.length, cantSendData };
}
