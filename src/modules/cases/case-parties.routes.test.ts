import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { CreateCaseBody } from './cases.schemas.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
/** Contacts of t's root (enterprise), t's child (the customer's account), a grandchild below it, and other's root. */
let rootContact: number;
let childContact: number;
let grandContact: number;
let otherContact: number;

type Json = Record<string, unknown>;
type Headers = Record<string, string>;
const staff = cliPrincipal('test');
const NO_SUCH = "no such contact in the case account's tenant";

async function contactOn(accountId: number, name: string): Promise<number> {
  const c = await h.services.accounts.addContact(staff, accountId, {
    name,
    email: `${name.toLowerCase().replace(/\W/g, '')}-${uniq()}@example.test`,
    roles: ['technical'],
  });
  return c.id;
}

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const grand = await h.services.accounts.create(staff, {
    number: `GRA-${uniq()}`,
    name: 'Grandchild',
    parentId: t.child.id,
    vipTier: 'standard',
    language: 'en',
    timeZone: 'UTC',
    country: 'SE',
  });
  rootContact = await contactOn(t.root.id, 'Nora NOC');
  childContact = await contactOn(t.child.id, 'Sam Sub');
  grandContact = await contactOn(grand.id, 'Gus Grand');
  otherContact = await contactOn(other.root.id, 'Olga Other');
});
afterAll(() => h.close());

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: Json) =>
  h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function openCase(headers: Headers = t.agent, extra: Json = {}, tenant: Tenant = t): Promise<string> {
  const res = await inject('POST', '/api/v1/cases', headers, {
    accountId: tenant.child.id,
    type: 'incident',
    subject: 'Meters offline',
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().number;
}
const timeline = async (number: string, headers: Headers = t.agent): Promise<Json[]> =>
  (await inject('GET', `/api/v1/cases/${number}/events`, headers)).json().items;
const systemActions = async (number: string, headers: Headers = t.agent) =>
  (await timeline(number, headers)).map((e) => (e.data as Json | null)?.action);

describe('case contacts', () => {
  it('opens a case and puts its contacts on it in one transaction: a failure writes neither', async () => {
    const subject = `atomic ${uniq()}`;
    const input = { accountId: t.child.id, type: 'incident' as const, subject, contactIds: [childContact] };
    const parsed = CreateCaseBody.parse(input);
    await expect(
      h.services.cases.create(cliPrincipal('test'), parsed, {
        within: async () => {
          throw new Error('the contacts could not be written');
        },
      }),
    ).rejects.toThrow(/could not be written/);
    const listed = await inject('GET', `/api/v1/cases?state=all&q=${encodeURIComponent(subject)}`, t.agent);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items).toEqual([]);
    const cases = await h.ctx.database.query('select id from cases where subject = $1', [subject]);
    expect(cases).toEqual([]);
  });

  it('opens a case with contacts of its account and of the account above, lists them and records who added them', async () => {
    const res = await inject('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      subject: 'x',
      contactIds: [rootContact, childContact, rootContact],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().contacts.map((c: Json) => c.id)).toEqual([rootContact, childContact].sort((a, b) => a - b));
    const view = (await inject('GET', `/api/v1/cases/${res.json().number}`, t.agent)).json();
    expect(view.contacts).toContainEqual(
      expect.objectContaining({
        id: childContact,
        name: 'Sam Sub',
        accountId: t.child.id,
        roles: ['technical'],
        // What the reply composer shows: the language mail goes out in, and whether the address bounced.
        language: expect.stringMatching(/^(en|fr|de|it|ru|sv)$/),
        emailBouncedAt: null,
      }),
    );
    expect(view.providerRefs).toEqual([]);
    const added = (await timeline(res.json().number)).find((e) => (e.data as Json)?.action === 'contacts_added');
    expect(added).toMatchObject({
      kind: 'system',
      visibility: 'public',
      authorLabel: expect.stringContaining('agent-'),
    });
    expect(added?.body).toContain('Nora NOC');
  });

  it("400 names each contact that is unknown, another tenant's, or below the case's account", async () => {
    const res = await inject('POST', '/api/v1/cases', t.agent, {
      accountId: t.child.id,
      type: 'incident',
      subject: 'x',
      contactIds: [childContact, otherContact, grandContact, 999_999_999],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('cases.contacts_unknown');
    expect(res.json().error.details).toEqual([
      { field: 'contactIds.1', value: otherContact, reason: NO_SUCH },
      { field: 'contactIds.2', value: grandContact, reason: expect.stringContaining('above it') },
      { field: 'contactIds.3', value: 999_999_999, reason: NO_SUCH },
    ]);
  });

  it('customers add contacts of their own subtree only', async () => {
    const mine = await openCase(t.customer, { contactIds: [childContact] });
    expect((await inject('GET', `/api/v1/cases/${mine}`, t.customer)).json().contacts).toHaveLength(1);
    const res = await inject('PUT', `/api/v1/cases/${mine}/contacts/${rootContact}`, t.customer);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ field: 'contactId', value: rootContact, reason: NO_SUCH }]);
  });

  it('PUT adds a contact once (timeline entry), DELETE removes it; customers cannot remove one above them', async () => {
    const n = await openCase();
    const put = await inject('PUT', `/api/v1/cases/${n}/contacts/${rootContact}`, t.agent);
    expect(put.statusCode).toBe(200);
    expect(put.json().items.map((c: Json) => c.id)).toEqual([rootContact]);
    expect((await inject('PUT', `/api/v1/cases/${n}/contacts/${rootContact}`, t.agent)).statusCode).toBe(200);
    expect((await systemActions(n)).filter((a) => a === 'contacts_added')).toHaveLength(1);

    // The customer sees who is on its case, but the enterprise's contact is not its to remove.
    expect((await inject('GET', `/api/v1/cases/${n}`, t.customer)).json().contacts).toHaveLength(1);
    const refused = await inject('DELETE', `/api/v1/cases/${n}/contacts/${rootContact}`, t.customer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'contactId', value: rootContact }),
    );

    const del = await inject('DELETE', `/api/v1/cases/${n}/contacts/${rootContact}`, t.agent);
    expect(del.statusCode).toBe(200);
    expect(del.json().items).toEqual([]);
    expect(await systemActions(n, t.customer)).toContain('contact_removed');
    const again = await inject('DELETE', `/api/v1/cases/${n}/contacts/${rootContact}`, t.agent);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('cases.contact_not_on_case');
  });

  it("404 on another tenant's case; 401 without credentials; 400 on a junk id", async () => {
    const theirs = await openCase(other.agent, {}, other);
    expect((await inject('PUT', `/api/v1/cases/${theirs}/contacts/${childContact}`, t.customer)).statusCode).toBe(404);
    expect((await inject('GET', `/api/v1/cases/${theirs}`, t.customer)).statusCode).toBe(404);
    expect((await inject('PUT', `/api/v1/cases/${theirs}/contacts/${childContact}`, {})).statusCode).toBe(401);
    const junk = await inject('PUT', `/api/v1/cases/${theirs}/contacts/abc`, t.agent);
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'params.contactId', value: 'abc' }),
    );
  });
});

describe('provider references', () => {
  it('staff record and remove them; both land in the internal timeline; customers see neither', async () => {
    const n = await openCase();
    const res = await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, {
      provider: ' Telia Carrier ',
      ticket: 'INC0012345',
      note: 'roaming in DK',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ provider: 'Telia Carrier', ticket: 'INC0012345', note: 'roaming in DK' });
    const view = (await inject('GET', `/api/v1/cases/${n}`, t.agent)).json();
    expect(view.providerRefs).toEqual([expect.objectContaining({ id: res.json().id, ticket: 'INC0012345' })]);

    const customerView = (await inject('GET', `/api/v1/cases/${n}`, t.customer)).json();
    expect(customerView).not.toHaveProperty('providerRefs');
    expect(JSON.stringify(await timeline(n, t.customer))).not.toContain('INC0012345');
    const entry = (await timeline(n)).find((e) => (e.data as Json)?.action === 'provider_ref_added');
    expect(entry).toMatchObject({ visibility: 'internal', body: expect.stringContaining('Telia Carrier') });

    const del = await inject('DELETE', `/api/v1/cases/${n}/provider-refs/${res.json().id}`, t.agent);
    expect(del.statusCode).toBe(200);
    expect(del.json().items).toEqual([]);
    expect(await systemActions(n)).toContain('provider_ref_removed');
    expect((await inject('DELETE', `/api/v1/cases/${n}/provider-refs/${res.json().id}`, t.agent)).statusCode).toBe(404);
  });

  it('409 for the same provider and ticket twice on a case', async () => {
    const n = await openCase();
    const ref = { provider: 'Partner', ticket: 'T-1' };
    expect((await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, ref)).statusCode).toBe(201);
    const dup = await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, ref);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({
      code: 'cases.provider_ref_taken',
      details: [expect.objectContaining({ field: 'ticket', value: 'T-1' })],
    });
    // Another ticket of the same provider is a separate hand-over.
    const next = { ...ref, ticket: 'T-2' };
    expect((await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, next)).statusCode).toBe(201);
  });

  it('400 names an empty or too long field', async () => {
    const n = await openCase();
    const empty = await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, { provider: '  ', ticket: 'x' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toContainEqual(expect.objectContaining({ field: 'provider', value: '  ' }));
    const long = 'x'.repeat(101);
    const tooLong = await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.agent, { provider: 'P', ticket: long });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details).toContainEqual(expect.objectContaining({ field: 'ticket', value: long }));
  });

  it("403 for customers on their own case, 404 on another tenant's, 401 without credentials", async () => {
    const n = await openCase();
    const ref = { provider: 'P', ticket: 'T' };
    const mine = await inject('POST', `/api/v1/cases/${n}/provider-refs`, t.customer, ref);
    expect(mine.statusCode).toBe(403);
    expect(mine.json().error.code).toBe('cases.provider_refs_forbidden');
    expect((await inject('DELETE', `/api/v1/cases/${n}/provider-refs/1`, t.customer)).statusCode).toBe(403);
    expect((await inject('POST', `/api/v1/cases/${n}/provider-refs`, other.customer, ref)).statusCode).toBe(404);
    expect((await inject('POST', `/api/v1/cases/${n}/provider-refs`, {}, ref)).statusCode).toBe(401);
  });
});
