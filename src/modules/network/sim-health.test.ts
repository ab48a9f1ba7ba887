import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { simHealthCheck } from './sim-health.ts';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const src = { transport: 'http' as const, credentialId: null };
const net = { network: { mcc: '262', mnc: '01' } };

async function resolvedCase(iccids: string[]) {
  const post = async (url: string, payload: unknown) => {
    const res = await h.app.inject({ method: 'POST', url, headers: t.agent, payload: payload as object });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };
  const c = await post('/api/v1/cases', {
    accountId: t.child.id,
    type: 'incident',
    severity: 'high',
    subject: 'Trackers cannot attach in Germany',
    affectedIccids: iccids,
  });
  await post(`/api/v1/cases/${c.number}/transitions`, { to: 'open' });
  await post(`/api/v1/cases/${c.number}/transitions`, { to: 'resolved', note: 'partner fixed its HSS' });
  return (await h.services.cases.automation.byId(c.id))!;
}

describe('SIM-health verification check', () => {
  it('fails while an affected SIM is still refused after the fix, naming the SIM and cause; passes once it attaches', async () => {
    const [a, b] = await makeSims(h.services, t.child.id, 2, { state: 'ACTIVATED' });
    const c = await resolvedCase([a!.iccid20, b!.iccid20]);
    const check = simHealthCheck(h.ctx.database, h.services.sims);
    // What the cases module hands every check: the case's listed SIMs.
    const ids = await h.ctx.database.query<{ id: number }>(
      'select sim_id::int as id from case_sims where case_id = $1',
      [c.id],
    );
    const affected = { simIds: ids.map((r) => r.id) };
    expect(affected.simIds).toHaveLength(2);
    // Silence since the fix does not block the close.
    expect(await check(c, affected)).toEqual({ ok: true });
    const sinceFix = (s: number) => new Date(c.resolvedAt!.getTime() + s * 1000).toISOString();
    await h.services.ingest.acceptNetwork(
      [
        { line: 1, value: { ts: sinceFix(60), iccid: a!.iccid20, type: 'attach_rejected', ...net, cause: 13 } },
        { line: 2, value: { ts: sinceFix(60), iccid: b!.iccid20, type: 'attach', ...net } },
      ],
      src,
    );
    const failing = await check(c, affected);
    expect(failing.ok).toBe(false);
    expect(!failing.ok && failing.reason).toMatch(
      new RegExp(`1 affected SIM\\(s\\) still refused.*${a!.iccid20} attach_rejected cause 13 .* in PLMN 26201`),
    );
    await h.services.ingest.acceptNetwork(
      [{ line: 1, value: { ts: sinceFix(120), iccid: a!.iccid20, type: 'attach', ...net } }],
      src,
    );
    expect(await check(c, affected)).toEqual({ ok: true });
  });

  it('is wired into the verification close: the case reopens naming the SIM still refused', async () => {
    const [a] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const c = await resolvedCase([a!.iccid20]);
    await h.services.ingest.acceptNetwork(
      [
        {
          line: 1,
          value: {
            ts: new Date(c.resolvedAt!.getTime() + 60_000).toISOString(),
            iccid: a!.iccid20,
            type: 'session_rejected',
            ...net,
            apn: 'iot.exmaple',
            cause: 27,
          },
        },
      ],
      src,
    );
    const outcome = await h.services.cases.automation.closeAfterVerification(
      c.id,
      c.resolvedAt!.toISOString(),
      3,
      new Date(),
    );
    expect(outcome).toBe('reopened');
    const timeline = await h.services.cases.automation.timelineOf(c.id);
    expect(timeline.at(-1)!.body).toContain(`${a!.iccid20} session_rejected cause 27`);
  });
});
