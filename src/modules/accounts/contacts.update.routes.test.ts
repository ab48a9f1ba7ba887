import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

async function contact(accountId: number, payload: Record<string, unknown> = {}) {
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1/accounts/${accountId}/contacts`,
    headers: t.agent,
    payload: { name: 'Karin', email: 'karin@example.test', roles: ['technical'], ...payload },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number };
}
const patch = (accountId: number, id: number, payload: unknown, headers: Record<string, string>) =>
  h.app.inject({
    method: 'PATCH',
    url: `/api/v1/accounts/${accountId}/contacts/${id}`,
    headers,
    payload: payload as object,
  });

describe('PATCH /api/v1/accounts/:id/contacts/:contactId', () => {
  it('staff edit name, phone, roles and language; null removes the email while a phone remains', async () => {
    const c = await contact(t.root.id);
    const res = await patch(
      t.root.id,
      c.id,
      { name: 'Karin L', phone: '+46701234567', roles: ['escalation', 'primary'], language: 'de' },
      t.agent,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: c.id,
      name: 'Karin L',
      email: 'karin@example.test',
      phone: '+46701234567',
      roles: ['escalation', 'primary'],
      language: 'de',
    });
    const noEmail = await patch(t.root.id, c.id, { email: null }, t.agent);
    expect(noEmail.statusCode).toBe(200);
    expect(noEmail.json()).toMatchObject({ email: null, phone: '+46701234567' });
  });

  it('400 names the field: bad phone, unknown field, and a contact left with neither email nor phone', async () => {
    const c = await contact(t.root.id);
    const phone = await patch(t.root.id, c.id, { phone: '0701234567' }, t.agent);
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.details[0]).toMatchObject({ field: 'phone', value: '0701234567' });
    const unknown = await patch(t.root.id, c.id, { accountId: other.root.id }, t.agent);
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.details)).toContain('accountId');
    const none = await patch(t.root.id, c.id, { email: null }, t.agent);
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({
      code: 'accounts.contact_unreachable',
      details: [{ field: 'email', value: null }],
    });
  });

  it("a customer edits their own account's contacts, not another tenant's nor above their account (404)", async () => {
    const own = await contact(t.child.id);
    expect((await patch(t.child.id, own.id, { name: 'Own' }, t.customer)).statusCode).toBe(200);
    const above = await contact(t.root.id);
    expect((await patch(t.root.id, above.id, { name: 'X' }, t.customer)).statusCode).toBe(404);
    const foreign = await contact(other.root.id);
    expect((await patch(other.root.id, foreign.id, { name: 'X' }, t.customer)).statusCode).toBe(404);
    // A contact id under the wrong account is not found either.
    const wrong = await patch(t.child.id, above.id, { name: 'X' }, t.agent);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.code).toBe('accounts.contact_not_found');
  });

  it('403 for a read-only token, 401 without auth', async () => {
    const c = await contact(t.root.id);
    expect((await patch(t.root.id, c.id, { name: 'X' }, t.readOnlyAgent)).statusCode).toBe(403);
    expect((await patch(t.root.id, c.id, { name: 'X' }, {})).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/accounts/:id vipTier', () => {
  it('staff change the VIP tier; a customer is refused with the field named', async () => {
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.agent,
      payload: { vipTier: 'platinum' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().vipTier).toBe('platinum');
    const refused = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${t.child.id}`,
      headers: t.customer,
      payload: { vipTier: 'gold' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details[0]).toMatchObject({ field: 'vipTier', value: 'gold' });
  });
});
