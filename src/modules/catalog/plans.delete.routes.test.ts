import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const kinds = [
  {
    url: '/api/v1/communication-plans',
    body: () => ({ name: `CP ${uniq()}`, apns: ['iot.example'], allowedRats: ['4G'] }),
    simField: 'communicationPlanId' as const,
    notFound: 'catalog.communication_plan_not_found',
  },
  {
    url: '/api/v1/rate-plans',
    body: () => ({ name: `RP ${uniq()}`, currency: 'EUR', monthlyFee: '1.00' }),
    simField: 'ratePlanId' as const,
    notFound: 'catalog.rate_plan_not_found',
  },
];

for (const k of kinds) {
  describe(`DELETE ${k.url}/:id`, () => {
    async function plan(over: Record<string, unknown> = {}) {
      const res = await h.app.inject({
        method: 'POST',
        url: k.url,
        headers: t.admin,
        payload: { ...k.body(), ...over },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: number; name: string };
    }
    const del = (id: number, headers: Record<string, string>) =>
      h.app.inject({ method: 'DELETE', url: `${k.url}/${id}`, headers });

    it('deletes an unused plan (happy path); then it is gone', async () => {
      const p = await plan();
      expect((await del(p.id, t.admin)).statusCode).toBe(204);
      const get = await h.app.inject({ method: 'GET', url: `${k.url}/${p.id}`, headers: t.admin });
      expect(get.statusCode).toBe(404);
      expect(get.json().error.code).toBe(k.notFound);
    });

    it('409 naming how many SIMs still hold it', async () => {
      const p = await plan({ accountId: t.child.id });
      await makeSims(h.services, t.child.id, 2, { [k.simField]: p.id });
      const res = await del(p.id, t.admin);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({
        code: 'catalog.plan_in_use',
        details: [{ field: 'id', value: p.id, reason: 'used by 2 SIMs' }],
      });
      expect(res.json().error.message).toContain(p.name);
      expect((await h.app.inject({ method: 'GET', url: `${k.url}/${p.id}`, headers: t.admin })).statusCode).toBe(200);
    });

    it("403 for a customer (even on its own account's plan); 404 for another tenant's customer; 401", async () => {
      const p = await plan({ accountId: t.child.id });
      const own = await del(p.id, t.customer);
      expect(own.statusCode).toBe(403);
      expect((await del(p.id, other.customer)).statusCode).toBe(404);
      expect((await del(p.id, {})).statusCode).toBe(401);
      expect((await h.app.inject({ method: 'GET', url: `${k.url}/${p.id}`, headers: t.admin })).statusCode).toBe(200);
    });

    it('400 names the id; 404 for an unknown plan', async () => {
      const bad = await del(0, t.admin);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0]).toMatchObject({ field: 'params.id' });
      expect((await del(99_999_999, t.admin)).statusCode).toBe(404);
    });
  });
}
