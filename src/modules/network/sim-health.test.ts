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
    const check = simHealthCheck(h.ctx.database);
    // Silence since the fix does not block the close.
    expect(await check(c)).toEqual({ ok: true });
    const sinceFix = (s: number) => new Date(c.resolvedAt!.getTime() + s * 1000).toISOString();
    await h.services.ingest.acceptNetwork(
      [
        { line: 1, value: { ts: sinceFix(60), iccid: a!.iccid20, type: 'attach_rejected', ...net, cause: 13 } },
        { line: 2, value: { ts: sinceFix(60), iccid: b!.iccid20, type: 'attach', ...net } },
      ],
      src,
    );
    const failing = await check(c);
    expect(failing.ok).toBe(false);
    expect(!failing.ok && failing.reason).toMatch(
      new RegExp(`1 affected SIM\\(s\\) still refused.*${a!.iccid20} attach_rejected cause 13 .* in PLMN 26201`),
    );
    await h.services.ingest.acceptNetwork(
      [{ line: 1, value: { ts: sinceFix(120), iccid: a!.iccid20, type: 'attach', ...net } }],
      src,
    );
    expect(await check(c)).toEqual({ ok: true });
  });
});
