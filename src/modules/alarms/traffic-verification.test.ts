import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsAt } from '../../../test/support/alarms.ts';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const src = { transport: 'http' as const, credentialId: null };
const net = { network: { mcc: '262', mnc: '01' } };
const H = 3_600_000;

const post = async (url: string, payload: unknown) => {
  const res = await h.app.inject({ method: 'POST', url, headers: t.agent, payload: payload as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};

async function resolvedCase(type: 'incident' | 'service_request', sims: MadeSim[]) {
  const c = await post('/api/v1/cases', {
    accountId: t.child.id,
    type,
    severity: 'high',
    subject: 'Meters went quiet',
    affectedIccids: sims.map((s) => s.iccid20),
  });
  await post(`/api/v1/cases/${c.number}/transitions`, { to: 'open' });
  await post(`/api/v1/cases/${c.number}/transitions`, { to: 'resolved', note: 'APN fixed on the devices' });
  return (await h.services.cases.automation.byId(c.id))!;
}

async function talk(sim: MadeSim, at: number) {
  await h.services.ingest.acceptNetwork(
    [{ line: 1, value: { ts: new Date(at).toISOString(), iccid: sim.iccid20, type: 'attach', ...net } }],
    src,
  );
  await h.services.ingest.drained();
  await h.runJobs();
}

const simIds = async (caseId: number) =>
  (
    await h.ctx.database.query<{ id: number }>('select sim_id::int as id from case_sims where case_id = $1', [caseId])
  ).map((r) => r.id);

describe('verification on measured health', () => {
  it('closes an incident only when every affected SIM in service has talked since the fix and is not silent again', async () => {
    const [a, b, c] = await makeSims(h.services, t.child.id, 3, { state: 'ACTIVATED' });
    await talk(a!, Date.now() - 10 * H);
    await talk(b!, Date.now() - 10 * H);
    const k = await resolvedCase('incident', [a!, b!, c!]);
    // C leaves service: its silence is no news.
    await post(`/api/v1/sims/${c!.iccid20}/state`, { state: 'DEACTIVATED', reason: 'site closed' });
    const check = h.services.alarms.verifyTraffic;
    const affected = { simIds: await simIds(k.id) };
    const before = await check(k, affected);
    expect(before.ok).toBe(false);
    expect(!before.ok && before.reason).toMatch(
      new RegExp(
        `^2 of 2 affected SIM\\(s\\) in service show no normal traffic since the fix: ${a!.iccid20}: nothing since the fix \\(last attach at`,
      ),
    );
    const after = k.resolvedAt!.getTime() + 60_000;
    await talk(a!, after);
    const one = await check(k, affected);
    expect(!one.ok && one.reason).toMatch(new RegExp(`^1 of 2 .*${b!.iccid20}: nothing since the fix`));
    await talk(b!, after);
    expect(await check(k, affected)).toEqual({ ok: true });

    // B goes silent again past its rhythm (its silence alarm is active): not verified.
    const clock = { now: after + 25 * H };
    await alarmsAt(h, clock).silenceTick();
    const silent = await check(k, affected);
    expect(!silent.ok && silent.reason).toMatch(/silent again since/);

    // Wired into the close: the case reopens with the evidence.
    const outcome = await h.services.cases.automation.closeAfterVerification(
      k.id,
      k.resolvedAt!.toISOString(),
      3,
      new Date(),
    );
    expect(outcome).toBe('reopened');
    const timeline = await h.services.cases.automation.timelineOf(k.id);
    expect(timeline.at(-1)!.body).toContain('show no normal traffic since the fix');
  });

  it('leaves other case types to the refusal check', async () => {
    const [a] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const k = await resolvedCase('service_request', [a!]);
    expect(await h.services.alarms.verifyTraffic(k, { simIds: await simIds(k.id) })).toEqual({ ok: true });
    expect(
      await h.services.cases.automation.closeAfterVerification(k.id, k.resolvedAt!.toISOString(), 3, new Date()),
    ).toBe('closed');
  });
});
