/**
 * Customers see their own devices' telemetry-threshold alarms (issue 17, point 2: originator device): raised by the
 * real ingest and rule, read through the customer endpoints in the CustomerAlarm shape — the device (its name of
 * now, from the devices module) and the condition's facts, never the rule or the desk's details — by the device's
 * account and the enterprise above it; another tenant's customer and a sibling sub-account's do not reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateRuleBody } from './rules.schemas.ts';

const MIN = 60_000;
const staff = cliPrincipal('device-alarms-customer-test');

let h: Harness;
let t: Tenant;
let other: Tenant;
/** A customer of another sub-account under the same enterprise root as the device's. */
let sibling: Record<string, string>;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const u = uniq();
  const account = await h.services.accounts.create(staff, {
    number: `SIB-${u}`,
    name: `Sibling ${u}`,
    parentId: t.root.id,
    vipTier: 'standard',
    language: 'en',
    timeZone: 'Europe/Stockholm',
    country: 'SE',
  });
  sibling = await bearer(h.services, `sib-${u}@example.test`, 'customer', account.id);
});
afterAll(() => h.close());

const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });
type Page = { items: { id: number; [k: string]: unknown }[] };

describe("a customer's device alarms", () => {
  let alarmId = 0;
  let deviceId = 0;
  let ruleName = '';
  const t0 = Date.now() - 30 * MIN;

  beforeAll(async () => {
    const model = await h.services.devices.createModel(staff, {
      name: `Cabinet ${uniq()}`,
      kind: 'other',
      wearParts: [],
      consumables: [],
    });
    const { device } = await h.services.devices.create(staff, {
      externalId: `cabinet-${uniq()}`,
      name: 'Cabinet 7',
      accountId: t.child.id,
      modelId: model.id,
    });
    deviceId = device.id;
    ruleName = `Secret cabinet rule ${uniq()}`;
    await h.services.alarms.rules.create(staff, {
      ...CreateRuleBody.parse({
        name: ruleName,
        kind: 'telemetry_threshold',
        params: { metric: 'temperature_c', above: 8, repeats: 3, hysteresis: 1 },
      }),
      scope: { accountIds: [t.child.id], deviceModelIds: [model.id] },
      severity: 'major',
    });
    const lines = [9, 9.5, 10.25].map((v, i) => ({
      line: i + 1,
      value: {
        id: uniq(),
        ts: new Date(t0 + i * MIN).toISOString(),
        deviceId: device.externalId,
        metrics: { temperature_c: v },
      },
    }));
    expect(await h.services.ingest.acceptTelemetry(lines, { transport: 'http', credentialId: null })).toMatchObject({
      accepted: 3,
    });
    await h.services.ingest.drained();
    await h.runJobs();
    const [a] = await h.ctx.database.query<{ id: string }>(
      `select id::text from alarms where type = 'telemetry_threshold' and originator_id = $1`,
      [`${device.id}:temperature_c`],
    );
    expect(a, 'the threshold rule raised the alarm').toBeDefined();
    alarmId = Number(a!.id);
  });

  it('the device’s customer lists and reads it with its device and typed cause, nothing of the desk’s', async () => {
    const expected = {
      id: alarmId,
      type: 'telemetry_threshold',
      severity: 'major',
      status: 'active',
      acknowledged: false,
      iccid: null,
      device: { id: deviceId, name: 'Cabinet 7' },
      count: 1,
      firstSeenAt: expect.any(String),
      lastSeenAt: expect.any(String),
      clearedAt: null,
      cause: {
        kind: 'telemetry_threshold',
        metric: 'temperature_c',
        value: 10.25, // as reported, not rounded
        valueAt: new Date(t0 + 2 * MIN).toISOString(),
        above: 8,
        below: null,
        reportsBeyond: 3,
        beyondSince: new Date(t0).toISOString(),
      },
    };
    const list = await get('/api/v1/alarms?status=any', t.customer);
    expect(list.statusCode, list.body).toBe(200);
    expect((list.json() as Page).items).toEqual([expected]);
    const one = await get(`/api/v1/alarms/${alarmId}`, t.customer);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual(expected);
    // No rule (by id or name), no originator or account, no free-form details (deviceName, clearedBy).
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain(ruleName);
      expect(body).not.toMatch(/ruleId|"rule"|originator|accountId|details|deviceName|clearedBy|acknowledgedAt/);
    }
    // The filter by type keeps working: the device alarm is a telemetry_threshold, not a silence.
    const byType = await get('/api/v1/alarms?status=any&type=telemetry_threshold', t.customer);
    expect((byType.json() as Page).items.map((a) => a.id)).toEqual([alarmId]);
    const silences = await get('/api/v1/alarms?status=any&type=silence', t.customer);
    expect((silences.json() as Page).items).toEqual([]);
    // The enterprise's customer reaches its sub-account's device too; staff keep the desk's view with its details.
    const root = await get(`/api/v1/alarms/${alarmId}`, t.rootCustomer);
    expect(root.json()).toEqual(expected);
    const desk = await get(`/api/v1/alarms/${alarmId}`, t.agent);
    expect(desk.json()).toMatchObject({ originator: { type: 'device' }, details: { rule: ruleName } });
  });

  it('the device is named by its name of now (the devices module’s), by its id when it has none', async () => {
    await h.services.devices.update(staff, deviceId, { name: 'Cabinet 7 (hall B)' });
    const renamed = await get(`/api/v1/alarms/${alarmId}`, t.customer);
    expect(renamed.json()).toMatchObject({ device: { id: deviceId, name: 'Cabinet 7 (hall B)' } });
    await h.services.devices.update(staff, deviceId, { name: null });
    const unnamed = await get(`/api/v1/alarms/${alarmId}`, t.customer);
    expect(unnamed.json()).toMatchObject({ device: { id: deviceId, name: null } });
  });

  it('another tenant’s customer and a sibling sub-account’s customer do not reach it', async () => {
    for (const customer of [other.customer, other.rootCustomer, sibling]) {
      const list = await get('/api/v1/alarms?status=any&type=telemetry_threshold', customer);
      expect(list.statusCode, list.body).toBe(200);
      expect((list.json() as Page).items.map((a) => a.id)).not.toContain(alarmId);
      const one = await get(`/api/v1/alarms/${alarmId}`, customer);
      expect(one.statusCode).toBe(404);
    }
  });
});
