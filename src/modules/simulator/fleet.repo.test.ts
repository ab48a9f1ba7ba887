import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/support/harness.ts';
import type { Database } from '../../platform/db/client.ts';
import { luhnDigit } from '../sims/identifiers.ts';
import { loadFleet } from './fleet.repo.ts';
import { DEFAULT_MIX } from './fleet.ts';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const body = (n: number) => `894607199${String(n).padStart(10, '0')}`;

describe('fleet from the database', () => {
  it('SIMs on the network with their current IMSI, plan and device; class from the model, a label, or the mix', async () => {
    const [plan] = await database.query<{ id: number }>(
      `insert into communication_plans (name, apns, sms_enabled, voice_enabled, allowed_rats, roaming_zones)
       values ('sim-test ' || gen_random_uuid(), '{fleet.example,other.example}', true, false, '{4G}', '{EU_EEA}') returning id`,
    );
    const [model] = await database.query<{ id: number }>(
      `insert into device_models (name, kind, wear_parts, consumables)
       values ('press ' || gen_random_uuid(), 'machine', '{seal-kit,bearing}', '{oil}') returning id`,
    );
    const sims = await database.query<{ id: number; iccid: string }>(
      `insert into sims (tenant_id, account_id, iccid, imei, communication_plan_id, state, labels) values
         (1, 1, $1, '356938035643809', $4, 'ACTIVATED', '{}'),
         (1, 1, $2, null, $4, 'ACTIVATED', '{tracker}'),
         (1, 1, $3, null, null, 'TEST_READY', '{}'),
         (1, 1, $5, null, $4, 'DEACTIVATED', '{}'),
         (1, 1, $6, null, $4, 'ACTIVATED', '{}')
       returning id, iccid`,
      [body(1), body(2), body(3), plan!.id, body(4), body(5)],
    );
    const id = (n: number) => sims.find((s) => s.iccid === body(n))!.id;
    await database.query(
      `insert into sim_imsis (imsi, sim_id, tenant_id, position, is_current) values
         ('240071990000001', $1, 1, 1, true), ('240071990000091', $1, 1, 2, false),
         ('310410199000002', $2, 1, 1, true), ('240071990000003', $3, 1, 1, true), ('240071990000004', $4, 1, 1, true)`,
      [id(1), id(2), id(3), id(4)],
    );
    await database.query(
      `insert into devices (tenant_id, account_id, external_id, model_id, sim_id) values (1, 1, 'press-' || $1::text, $2, $1::bigint)`,
      [id(1), model!.id],
    );
    const loaded = await loadFleet(database, {
      mix: { ...DEFAULT_MIX, meter: 1, tracker: 0, router: 0, machine: 0, vending: 0 },
      seed: 1,
      limit: 100,
    });
    const mine = loaded.members.filter((m) => m.iccid.startsWith('894607199'));
    expect(mine.map((m) => m.iccid)).toEqual([1, 2, 3].map((n) => body(n) + String(luhnDigit(body(n)))));
    expect(loaded.skippedNoImsi).toBeGreaterThanOrEqual(1); // body(5): no IMSI
    const [press, tracker, bare] = mine;
    expect(press).toMatchObject({
      imsi: '240071990000001',
      imei: '356938035643809',
      homePlmn: { mcc: '240', mnc: '07' },
      apn: 'fleet.example',
      planServices: { data: true, sms: true, voice: false },
      deviceClass: 'machine',
      deviceId: `press-${id(1)}`,
      wearParts: ['seal-kit', 'bearing'],
      consumables: ['oil'],
      roamingPlmns: [],
    });
    expect(tracker).toMatchObject({ deviceClass: 'tracker', homePlmn: { mcc: '310', mnc: '410' } });
    expect(tracker!.roamingPlmns.length).toBeGreaterThan(5);
    expect(tracker!.imei).toMatch(/^\d{15}$/);
    expect(bare).toMatchObject({ deviceClass: 'meter', apn: 'internet', planServices: { sms: false } });
    expect(bare!.deviceId).toBeUndefined();
    const limited = await loadFleet(database, { mix: DEFAULT_MIX, seed: 1, limit: 1 });
    expect(limited.truncated).toBe(true);
  });
});
