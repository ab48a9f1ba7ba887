/**
 * The fleet snapshot's arithmetic and its cache, with the repo's three reads given as rows (pure logic; the SQL
 * itself runs in the diagnosis route tests on both databases).
 */
import { describe, expect, it } from 'vitest';
import type { CountRow, FailingSimsRow, fleetHealthRepo, RunRow } from './fleet-health.repo.ts';
import {
  computeSnapshot,
  createFleetHealth,
  FLEET_NEW_REFUSAL_REFRESH_MS,
  FLEET_PERIOD_MS,
  FLEET_REFRESH_MS,
  failingNow,
  fleetForSim,
} from './fleet-health.ts';

type Repo = ReturnType<typeof fleetHealthRepo>;
const now = new Date('2026-11-22T12:00:00Z');
const row = (plmn: string, apn: string, type: CountRow['type'], tenant: number, n: number): CountRow => ({
  plmn,
  apn,
  type,
  tenant_id: String(tenant),
  n,
});

/** `baseline`: the rows of the day before the period (the call whose window is longer than the period). */
function repoOf(
  counts: CountRow[],
  runs: RunRow[] = [],
  failing: FailingSimsRow[] = [],
  calls = { n: 0 },
  baseline: CountRow[] = [],
): Repo {
  return {
    counts: async () => {
      calls.n++;
      return counts;
    },
    hourly: async () =>
      baseline.map(({ tenant_id: _, ...r }) => ({ ...r, hour: new Date(now.getTime() - 5 * 3_600_000) })),
    runs: async () => runs,
    failingSims: async () => failing,
  } as unknown as Repo;
}

describe('computeSnapshot', () => {
  it('adds attempts per PLMN (attach vs sessions) and per APN, counts refusing tenants, takes the latest run start', async () => {
    const s = await computeSnapshot(
      repoOf(
        [
          row('22201', '', 'attach_rejected', 1, 30),
          row('22201', '', 'attach_rejected', 2, 10),
          row('22201', '', 'attach', 3, 5),
          row('24007', 'iot.example', 'session_start', 1, 100),
          row('24007', 'iot.example', 'session_rejected', 2, 4),
        ],
        [
          { key: 'attach|22201', since: new Date('2026-11-22T09:00:00Z'), last: new Date('2026-11-22T09:30:00Z') },
          { key: 'attach|22201', since: new Date('2026-11-22T11:05:00Z'), last: now },
        ],
        [{ plmn: '22201', apn: null, reject_type: 'attach_rejected', sims: 17 }],
      ),
      now,
    );
    expect(s.period).toEqual({ from: new Date(now.getTime() - FLEET_PERIOD_MS), to: now });
    expect(s.plmns.get('22201')).toEqual({
      plmn: '22201',
      attach: { rejected: 40, accepted: 5, failingSims: 17, failingTenants: 2, baselineShare: null },
      sessions: { rejected: 0, accepted: 0, failingSims: 0, failingTenants: 0, baselineShare: null },
      failingSince: new Date('2026-11-22T11:05:00Z'),
      attachFailingSince: new Date('2026-11-22T11:05:00Z'),
      sessionFailingSince: null,
    });
    // Refusals seen in the roll-up but no SIM left at its last refusal: unknown (null), never zero.
    expect(s.apns.get('iot.example')).toMatchObject({
      sessions: { rejected: 4, accepted: 100, failingSims: null, failingTenants: 1 },
      failingSince: null,
    });
    expect(s.users.get('plmn|22201')).toEqual(new Set([1, 2, 3]));
    expect(s.users.get('apn|iot.example')).toEqual(new Set([1, 2]));
  });
});

describe('failingNow and fleetForSim', () => {
  it('lists only incidents (many refusals, a real share, several SIMs), biggest first, never the nameless PLMN', async () => {
    const s = await computeSnapshot(
      repoOf(
        [
          row('22201', '', 'attach_rejected', 1, 40),
          row('22201', '', 'attach', 1, 5),
          row('24007', 'iot.example', 'session_start', 1, 500),
          row('24007', 'iot.example', 'session_rejected', 1, 3), // a few devices' own trouble: no incident
          row('', '', 'attach_rejected', 1, 90), // records without a PLMN name no network
          row('26201', 'iot.pgw', 'session_rejected', 1, 12),
        ],
        [],
        [
          { plmn: '22201', apn: null, reject_type: 'attach_rejected', sims: 9 },
          { plmn: '26201', apn: 'iot.pgw', reject_type: 'session_rejected', sims: 6 },
        ],
      ),
      now,
    );
    const items = failingNow(s);
    expect(items.map((i) => `${i.kind}:${i.key}:${i.attempt}`)).toEqual([
      'plmn:22201:attach',
      // iot.pgw is 26201's only APN and used nowhere else: nothing tells the gateway from the network, both stay.
      'plmn:26201:session', // as many refusals as the APN's: by key then
      'apn:iot.pgw:session',
    ]);
    expect(items[0]).toMatchObject({ rejected: 40, accepted: 5, share: 0.889, failingSims: 9 });
    // One SIM's part: the PLMNs and (case-insensitively) the APNs it touched, nothing else.
    const mine = fleetForSim(s, { plmns: ['22201', '22201', '99999'], apns: ['IOT.Example'] });
    expect(mine.plmns.map((p) => p.plmn)).toEqual(['22201']);
    expect(mine.apns.map((a) => a.apn)).toEqual(['iot.example']);
  });
});

describe('an APN failing is not its PLMN failing', () => {
  const failing: FailingSimsRow[] = [
    { plmn: '24007', apn: 'iot.pgw', reject_type: 'session_rejected', sims: 8 },
    { plmn: '20801', apn: 'fleet.apn', reject_type: 'session_rejected', sims: 8 },
  ];
  it('a gateway down at home while the home network serves its other APNs: the APN fails, not the PLMN', async () => {
    const s = await computeSnapshot(
      repoOf(
        [
          row('24007', 'iot.pgw', 'session_rejected', 1, 30),
          row('24007', 'iot.pgw', 'session_rejected', 2, 10),
          row('24007', 'm2m.other', 'session_start', 3, 200),
        ],
        [],
        failing,
      ),
      now,
    );
    expect(failingNow(s).map((i) => `${i.kind}:${i.key}`)).toEqual(['apn:iot.pgw']);
    expect(s.plmns.get('24007')!.sessions).toMatchObject({ rejected: 0, accepted: 200 });
  });

  it("a partner refusing the one APN its roamers use, which works on other networks: the partner's network fails", async () => {
    const s = await computeSnapshot(
      repoOf(
        [
          row('20801', 'fleet.apn', 'session_rejected', 1, 30),
          row('20801', 'fleet.apn', 'session_rejected', 2, 10),
          row('24007', 'fleet.apn', 'session_start', 1, 400),
        ],
        [],
        failing,
      ),
      now,
    );
    expect(s.plmns.get('20801')!.sessions).toMatchObject({ rejected: 40 });
    expect(failingNow(s).map((i) => `${i.kind}:${i.key}`)).toContain('plmn:20801');
  });
});

describe('each place against its own baseline', () => {
  it('a partner that always refuses a third of attaches is not failing at 40 %; one that never does is', async () => {
    const current = [
      row('22201', '', 'attach_rejected', 1, 40),
      row('22201', '', 'attach_rejected', 2, 0),
      row('22201', '', 'attach', 3, 60),
    ];
    const failing: FailingSimsRow[] = [{ plmn: '22201', apn: null, reject_type: 'attach_rejected', sims: 12 }];
    const usual = [row('22201', '', 'attach_rejected', 1, 300), row('22201', '', 'attach', 2, 700)];
    const withBaseline = await computeSnapshot(repoOf(current, [], failing, { n: 0 }, usual), now);
    expect(withBaseline.plmns.get('22201')!.attach.baselineShare).toBe(0.3);
    expect(failingNow(withBaseline)).toEqual([]);
    const quietBefore = [row('22201', '', 'attach_rejected', 1, 5), row('22201', '', 'attach', 2, 995)];
    const s = await computeSnapshot(repoOf(current, [], failing, { n: 0 }, quietBefore), now);
    expect(failingNow(s).map((i) => i.key)).toEqual(['22201']);
  });
});

describe('createFleetHealth (the per-process cache)', () => {
  it('computes once while fresh, serves the stale snapshot while refreshing, waits when too old; one refresh at a time', async () => {
    let t = now.getTime();
    const calls = { n: 0 };
    const fleet = createFleetHealth(repoOf([row('22201', '', 'attach', 1, 1)], [], [], calls), { now: () => t });
    const first = await fleet.snapshot();
    await fleet.snapshot();
    expect(calls.n).toBe(1);
    t += FLEET_REFRESH_MS + 1; // stale: answered at once with the old one, a refresh starts behind it
    expect(await fleet.snapshot()).toBe(first);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.n).toBe(2);
    t += 10 * FLEET_REFRESH_MS; // too old to serve: the caller waits for a new one; concurrent callers share it
    const [a, b] = await Promise.all([fleet.snapshot(), fleet.snapshot()]);
    expect(a).toBe(b);
    expect(a).not.toBe(first);
    expect(calls.n).toBe(3);
  });

  it('refusals on a PLMN or APN the snapshot saw none on make it stale after 5 s; where refusals are known, nothing', async () => {
    let t = now.getTime();
    const calls = { n: 0 };
    const fleet = createFleetHealth(
      repoOf(
        [
          row('22201', '', 'attach_rejected', 1, 3),
          row('24007', 'iot.example', 'session_rejected', 1, 2),
          row('24007', 'm2m.example', 'session_start', 1, 9),
        ],
        [],
        [],
        calls,
      ),
      { now: () => t },
    );
    const refusal = (type: string, plmn: string | null, apn: string | null = null) => ({ type, plmn, apn });
    // No snapshot yet: nothing to make stale (the first diagnosis computes one anyway).
    expect(fleet.refusalsStored([refusal('attach_rejected', '26201')])).toBe(false);
    await fleet.snapshot();
    expect(
      fleet.refusalsStored([
        refusal('attach_rejected', '22201'),
        refusal('session_rejected', '24007', 'iot.example'),
        refusal('attach_rejected', null),
      ]),
    ).toBe(false);
    t += FLEET_NEW_REFUSAL_REFRESH_MS + 1;
    await fleet.snapshot();
    expect(calls.n).toBe(1);
    // An APN with sessions but no refusal yet: the snapshot is stale 5 s after its time, not a minute.
    expect(fleet.refusalsStored([refusal('session_rejected', '24007', 'm2m.example')])).toBe(true);
    await fleet.snapshot();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.n).toBe(2);
    // The refreshed snapshot clears the mark: the usual minute again.
    t += FLEET_NEW_REFUSAL_REFRESH_MS + 1;
    await fleet.snapshot();
    expect(calls.n).toBe(2);
  });

  it('a failed computation reaches the waiting caller, and the next call tries again', async () => {
    let fail = true;
    const repo = {
      counts: async () => {
        if (fail) throw new Error('connection lost');
        return [];
      },
      hourly: async () => [],
      runs: async () => [],
      failingSims: async () => [],
    } as unknown as Repo;
    const fleet = createFleetHealth(repo, { now: () => now.getTime() });
    await expect(fleet.snapshot()).rejects.toThrow('connection lost');
    fail = false;
    await expect(fleet.snapshot()).resolves.toMatchObject({ plmns: new Map() });
  });
});
