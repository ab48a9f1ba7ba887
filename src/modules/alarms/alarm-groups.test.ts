/**
 * Many SIMs' alarms of one cause grouped into one fleet alarm (issue 17.2): the SIMs a failing network refuses each
 * raise their refusal burst; the fleet pass raises the network's alarm and puts those bursts under it, so the desk's
 * list shows one outage with its size, and the SIMs one click further.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt, ingestNetwork } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const MIN = 60_000;
const staff = cliPrincipal('alarm-groups-test');

const ingest = (values: Record<string, unknown>[]) => ingestNetwork(h, values);
type Item = { id: number; type: string; originator: { type: string; id: string }; parentId: number | null };
async function list(query: string): Promise<(Item & { groupSize: number | null })[]> {
  const res = await h.app.inject({ url: `/api/v1/alarms?${query}`, headers: t.agent });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

describe('alarm groups', () => {
  it("puts the SIMs' refusal bursts on a failing network under its fleet alarm", async () => {
    await h.services.alarms.rules.create(staff, {
      name: 'Bursts',
      kind: 'refusal_burst',
      enabled: true,
      scope: { accountIds: [t.child.id] },
      params: {
        count: 3,
        windowMinutes: 15,
        causes: [],
        attempts: ['attach', 'session'],
        clearMinutes: 15,
        streak: 3,
        streakHours: 6,
        permanentStreak: null,
      },
      severity: 'minor',
      escalation: null,
      schedule: null,
      openCase: false,
      remindMinutes: null,
    });
    const victims = await makeSims(h.services, t.child.id, 6, { state: 'ACTIVATED' });
    const [elsewhere] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const now = Date.now();
    const refusals = (iccid: string, mnc: string) =>
      Array.from({ length: 4 }, (_, i) => ({
        ts: new Date(now - (30 - i * 5) * MIN).toISOString(),
        iccid,
        type: 'attach_rejected',
        network: { mcc: '262', mnc },
        cause: 17,
      }));
    await ingest([...victims.flatMap((v) => refusals(v.iccid20, '07')), ...refusals(elsewhere!.iccid20, '03')]);
    // Seven SIM alarms, none grouped yet.
    const before = await list('type=refusal_burst');
    expect(before).toHaveLength(7);
    expect(before.every((a) => a.parentId === null)).toBe(true);

    h.services.fleetHealth.invalidate();
    const r = await alarmsAt(h, { now }).refusalAndFleetTick();
    expect(r.fleet).toMatchObject({ raised: 1, grouped: 6 });
    const [fleet] = await list('type=fleet_attach_refusals');
    expect(fleet).toMatchObject({ originator: { type: 'plmn', id: '26207' }, groupSize: 6, parentId: null });

    // Grouped: the outage once, with the SIM refused elsewhere beside it; its SIMs by its id.
    const grouped = await list('grouped=true');
    expect(grouped.map((a) => a.type).sort()).toEqual(['fleet_attach_refusals', 'refusal_burst']);
    expect(grouped.find((a) => a.type === 'refusal_burst')).toMatchObject({ parentId: null });
    const members = await list(`parentId=${fleet!.id}`);
    expect(members).toHaveLength(6);
    expect(members.every((a) => a.type === 'refusal_burst' && a.parentId === fleet!.id && a.groupSize === null)).toBe(
      true,
    );
    // The SIM alarms stay where they were too: the ungrouped list has all eight.
    expect(await list('status=active')).toHaveLength(8);
    // A second pass groups nothing twice.
    expect((await alarmsAt(h, { now: now + 30_000 }).refusalAndFleetTick()).fleet).toMatchObject({ grouped: 0 });
  });

  it('says what is wrong with a group filter', async () => {
    for (const [query, field, value] of [
      ['parentId=abc', 'querystring.parentId', 'abc'],
      ['grouped=yes', 'querystring.grouped', 'yes'],
    ] as const) {
      const res = await h.app.inject({ url: `/api/v1/alarms?${query}`, headers: t.agent });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toContainEqual(expect.objectContaining({ field, value }));
    }
  });
});
