import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { NO_PATTERN_WARN_MS } from '../diagnosis/checks/activity.ts';

// Customers read their own SIMs' alarms (issue 17, point 6): their accounts only, in their own shape, never a network's
// or a rule's alarm, and they never acknowledge or clear one.
let h: Harness;
let t: Tenant;
let other: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const src = { transport: 'http' as const, credentialId: null };
const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Record<string, string>) =>
  h.app.inject({ method: 'POST', url, headers, payload: {} });

async function simIdOf(sim: MadeSim): Promise<number> {
  const [r] = await h.ctx.database.query<{ id: string }>('select id::text from sims where left(iccid, 19) = $1', [
    sim.iccid20.slice(0, 19),
  ]);
  return Number(r!.id);
}

/** A SIM on the account that last talked 30 h ago, alarmed by the real silence watch at its due instant. */
async function silentSim(accountId: number): Promise<{ sim: MadeSim; alarmId: number }> {
  const [sim] = await makeSims(h.services, accountId, 1, { state: 'ACTIVATED' });
  const last = Date.now() - 30 * 3_600_000;
  const r = await h.services.ingest.acceptNetwork(
    [{ line: 1, value: { ts: new Date(last).toISOString(), iccid: sim!.iccid20, type: 'attach', network: net } }],
    src,
  );
  expect(r).toMatchObject({ accepted: 1 });
  await h.runJobs(); // ingest's batch event starts the watch
  await alarmsAt(h, { now: last + NO_PATTERN_WARN_MS }).silenceTick();
  const [a] = await h.ctx.database.query<{ id: string }>(
    `select id::text from alarms where originator_type = 'sim' and originator_id = $1 and type = 'silence'`,
    [String(await simIdOf(sim!))],
  );
  expect(a, 'the silence watch raised the alarm').toBeDefined();
  return { sim: sim!, alarmId: Number(a!.id) };
}
const net = { mcc: '262', mnc: '01' };

/**
 * An alarm row as a watch writes it (the refusal bursts', the fleet's, a failed rule's), with the desk's bookkeeping
 * set — a rule, a pending case, a staff acknowledgement — so a leak of any would show.
 */
async function insertAlarm(v: {
  tenantId: number | null;
  accountId: number | null;
  originatorType: 'sim' | 'plmn' | 'apn' | 'rule';
  originatorId: string;
  type: string;
  details: Record<string, unknown>;
  acknowledgedBy?: number;
}): Promise<number> {
  const [r] = await h.ctx.database.query<{ id: string }>(
    `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                         last_seen_at, details, rule_id, case_pending, acknowledged_at, acknowledged_by, count)
     values ($1, $2, $3, $4, $5, 'minor', now() - interval '10 minutes', now(), $6::jsonb, 4242, true,
             case when $7::bigint is null then null else now() end, $7, 3)
     returning id::text`,
    [
      v.tenantId,
      v.accountId,
      v.originatorType,
      v.originatorId,
      v.type,
      JSON.stringify(v.details),
      v.acknowledgedBy ?? null,
    ],
  );
  return Number(r!.id);
}

const CUSTOMER_KEYS = [
  'acknowledged',
  'cause',
  'clearedAt',
  'count',
  'device',
  'firstSeenAt',
  'iccid',
  'id',
  'lastSeenAt',
  'severity',
  'status',
  'type',
];
const RULE_NAME = 'Secret desk rule';

describe('alarms for customers', () => {
  let own: { sim: MadeSim; alarmId: number };
  let burst: { sim: MadeSim; alarmId: number };
  let rootOnly: { sim: MadeSim; alarmId: number };
  let foreign: { sim: MadeSim; alarmId: number };
  let fleet: number;
  let fleetTagged: number;
  let ruleFailed: number;

  beforeAll(async () => {
    own = await silentSim(t.child.id);
    const [burstSim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    burst = {
      sim: burstSim!,
      alarmId: await insertAlarm({
        tenantId: t.root.id,
        accountId: t.child.id,
        originatorType: 'sim',
        originatorId: String(await simIdOf(burstSim!)),
        type: 'refusal_burst',
        acknowledgedBy: 1,
        details: {
          ruleId: 4242,
          rule: RULE_NAME,
          refusals: 3,
          windowMinutes: 15,
          firstAt: '2026-12-07T10:00:00.000Z',
          lastAt: '2026-12-07T10:03:00.000Z',
          lastType: 'session_rejected',
          cause: 27,
          causeLabel: '27 Missing or unknown APN',
          plmn: '26201',
          apn: 'iot.exmaple',
          caseNumber: 'C-2026-000001',
        },
      }),
    };
    rootOnly = await silentSim(t.root.id);
    foreign = await silentSim(other.child.id);
    // A network's and a rule's alarms as the fleet watch and a failing rule raise them (no tenant, no account)…
    fleet = await insertAlarm({
      tenantId: null,
      accountId: null,
      originatorType: 'plmn',
      originatorId: '26201',
      type: 'fleet_session_refusals',
      details: { share: 0.4, failingSims: 120, failingTenants: 4 },
    });
    ruleFailed = await insertAlarm({
      tenantId: null,
      accountId: null,
      originatorType: 'rule',
      originatorId: '4242',
      type: 'rule_failed',
      details: { kind: 'silence', error: 'no opening in its schedule' },
    });
    // …and one carrying the customer's tenant and account: hidden by what it is about, not only by where it is.
    fleetTagged = await insertAlarm({
      tenantId: t.root.id,
      accountId: t.child.id,
      originatorType: 'apn',
      originatorId: 'iot.example',
      type: 'fleet_attach_refusals',
      details: { share: 0.5 },
    });
  });

  it("lists the customer's own SIM alarms only, each with the customer fields alone", async () => {
    const res = await get('/api/v1/alarms?status=any', t.customer);
    expect(res.statusCode, res.body).toBe(200);
    const { items } = res.json() as { items: Record<string, unknown>[] };
    expect(items.map((a) => a.id).sort()).toEqual([own.alarmId, burst.alarmId].sort());
    for (const a of items) expect(Object.keys(a).sort()).toEqual(CUSTOMER_KEYS);
    // Nothing of the desk's: no rule (by id or name), originator, account, case or acknowledger.
    expect(res.body).not.toMatch(/ruleId|"rule"|Secret desk rule|originator|accountId|casePending|caseNumber|C-2026/);
    expect(res.body).not.toMatch(/acknowledgedBy|acknowledgedAt|clearedBy|details/);
    expect(items.find((a) => a.id === own.alarmId)).toEqual({
      id: own.alarmId,
      type: 'silence',
      severity: 'major',
      status: 'active',
      acknowledged: false,
      iccid: own.sim.iccid20,
      device: null,
      count: 1,
      firstSeenAt: expect.any(String),
      lastSeenAt: expect.any(String),
      clearedAt: null,
      cause: {
        kind: 'silence',
        lastEventAt: expect.any(String),
        lastEventType: 'attach',
        allowedMinutes: 1440,
        silentMinutes: 1440,
      },
    });
    expect(items.find((a) => a.id === burst.alarmId)).toMatchObject({
      type: 'refusal_burst',
      severity: 'minor',
      acknowledged: true,
      iccid: burst.sim.iccid20,
      count: 3,
      cause: {
        kind: 'refusal_burst',
        refusals: 3,
        windowMinutes: 15,
        attempt: 'session',
        causeCode: 27,
        causeLabel: '27 Missing or unknown APN',
        network: '26201',
        apn: 'iot.exmaple',
        firstAt: '2026-12-07T10:00:00.000Z',
        lastAt: '2026-12-07T10:03:00.000Z',
      },
    });
    expect(Object.keys((items[0] as { cause: object }).cause).length).toBeGreaterThan(3);
  });

  it("the enterprise's customer sees its sub-accounts' alarms too, never another tenant's or a network's", async () => {
    const res = await get('/api/v1/alarms?status=any&limit=500', t.rootCustomer);
    expect(res.statusCode, res.body).toBe(200);
    const ids = (res.json() as { items: { id: number }[] }).items.map((a) => a.id).sort();
    expect(ids).toEqual([own.alarmId, burst.alarmId, rootOnly.alarmId].sort());
  });

  it('hides network, APN and rule alarms: staff see them', async () => {
    const staff = await get('/api/v1/alarms?status=any&limit=500', t.agent);
    expect(staff.statusCode, staff.body).toBe(200);
    const staffIds = (staff.json() as { items: { id: number }[] }).items.map((a) => a.id);
    expect(staffIds).toEqual(expect.arrayContaining([fleet, fleetTagged, ruleFailed, own.alarmId, foreign.alarmId]));
    for (const type of ['fleet_session_refusals', 'fleet_attach_refusals', 'rule_failed'] as const) {
      const res = await get(`/api/v1/alarms?status=any&type=${type}`, t.rootCustomer);
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { items: unknown[] }).items).toEqual([]);
    }
    for (const id of [fleet, fleetTagged, ruleFailed]) {
      const res = await get(`/api/v1/alarms/${id}`, t.rootCustomer);
      expect(res.statusCode, res.body).toBe(404);
    }
  });

  it("reads one own alarm; another account's or tenant's answers 404 like a missing one", async () => {
    const mine = await get(`/api/v1/alarms/${own.alarmId}`, t.customer);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(Object.keys(mine.json() as object).sort()).toEqual(CUSTOMER_KEYS);
    expect(mine.json()).toMatchObject({ id: own.alarmId, iccid: own.sim.iccid20, cause: { kind: 'silence' } });

    const missing = await get('/api/v1/alarms/999999999', t.customer);
    expect(missing.statusCode).toBe(404);
    for (const id of [foreign.alarmId, rootOnly.alarmId]) {
      const res = await get(`/api/v1/alarms/${id}`, t.customer);
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toEqual({
        error: {
          code: 'alarms.not_found',
          message: `Alarm ${id} not found`,
          requestId: expect.any(String),
          details: [{ field: 'id', value: id, reason: 'not found' }],
        },
      });
    }
    // The enterprise's customer reaches its own account's alarm; staff get the desk's view of it.
    expect((await get(`/api/v1/alarms/${rootOnly.alarmId}`, t.rootCustomer)).statusCode).toBe(200);
    const desk = await get(`/api/v1/alarms/${burst.alarmId}`, t.agent);
    expect(desk.json()).toMatchObject({ ruleId: 4242, originator: { type: 'sim' }, details: { rule: RULE_NAME } });
  });

  it("filters within the reach: another tenant's SIM is 404, another tenant's account 400", async () => {
    const bySim = await get(`/api/v1/alarms?status=any&iccid=${own.sim.iccid20}`, t.customer);
    expect((bySim.json() as { items: { id: number }[] }).items.map((a) => a.id)).toEqual([own.alarmId]);
    const foreignSim = await get(`/api/v1/alarms?iccid=${foreign.sim.iccid20}`, t.customer);
    expect(foreignSim.statusCode, foreignSim.body).toBe(404);
    for (const [accountId, customer] of [
      [other.child.id, t.rootCustomer],
      [t.root.id, t.customer], // above the customer's own account: not theirs either
    ] as const) {
      const res = await get(`/api/v1/alarms?status=any&accountId=${accountId}`, customer);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({
        error: {
          code: 'alarms.account_unknown',
          details: [{ field: 'accountId', value: accountId, reason: 'unknown account' }],
        },
      });
    }
    const ownAccount = await get(`/api/v1/alarms?status=any&accountId=${t.child.id}`, t.rootCustomer);
    expect((ownAccount.json() as { items: { id: number }[] }).items.map((a) => a.id).sort()).toEqual(
      [own.alarmId, burst.alarmId].sort(),
    );
    const cleared = await get('/api/v1/alarms?status=cleared', t.customer);
    expect((cleared.json() as { items: unknown[] }).items).toEqual([]);
    expect((await get('/api/v1/alarms', {})).statusCode).toBe(401);
  });

  it('acknowledge and clear are staff-only: 403 with the reason, and the alarm is untouched', async () => {
    for (const action of ['acknowledge', 'clear'] as const) {
      const res = await post(`/api/v1/alarms/${own.alarmId}/${action}`, t.customer);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({
        error: {
          code: 'alarms.staff_only',
          message: `Only the provider's staff ${action} alarms: customers read their SIMs' alarms, the service desk handles them`,
          details: [{ field: 'role', value: 'customer', reason: 'staff only' }],
        },
      });
    }
    const after = await get(`/api/v1/alarms/${own.alarmId}`, t.customer);
    expect(after.json()).toMatchObject({ status: 'active', acknowledged: false });
    // The desk acknowledges; the customer sees that it is on it (not who).
    expect((await post(`/api/v1/alarms/${own.alarmId}/acknowledge`, t.agent)).statusCode).toBe(200);
    const seen = await get(`/api/v1/alarms/${own.alarmId}`, t.customer);
    expect(seen.json()).toMatchObject({ acknowledged: true });
    expect(Object.keys(seen.json() as object).sort()).toEqual(CUSTOMER_KEYS);
  });
});
