import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { users } from './users.tables.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

type Agent = { id: number; name: string; email: string; role: string };
const list = (headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: '/api/v1/agents', headers });
const newUser = (role: 'admin' | 'agent' | 'customer', name: string) =>
  h.services.users.create({
    email: `${role}-${uniq()}@example.test`,
    name,
    password: 'correct-horse-battery',
    role,
    accountId: role === 'customer' ? t.child.id : undefined,
    language: 'en',
  });

describe('GET /api/v1/agents', () => {
  it('lists the enabled admins and agents by name, without customers or disabled users', async () => {
    const zoe = await newUser('agent', `Zoe Zimmer ${uniq()}`);
    const ada = await newUser('admin', `Ada Lovelace ${uniq()}`);
    const cust = await newUser('customer', `Ada Customer ${uniq()}`);
    const gone = await newUser('agent', `Ada Gone ${uniq()}`);
    await h.ctx.database.db.update(users).set({ disabled: true }).where(eq(users.id, gone.id));

    const res = await list(t.readOnlyAgent);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Agent[];
    expect(items).toContainEqual({ id: zoe.id, name: zoe.name, email: zoe.email, role: 'agent' });
    expect(items).toContainEqual({ id: ada.id, name: ada.name, email: ada.email, role: 'admin' });
    const ids = items.map((a) => a.id);
    expect(ids).not.toContain(cust.id);
    expect(ids).not.toContain(gone.id);
    expect(ids.indexOf(ada.id)).toBeLessThan(ids.indexOf(zoe.id));
    expect(items.every((a) => a.role === 'admin' || a.role === 'agent')).toBe(true);
    expect(Object.keys(items[0]!).sort()).toEqual(['email', 'id', 'name', 'role']);
    expect((await list(t.admin)).json().items).toEqual(items);
  });

  it('403 for customers, 401 without auth', async () => {
    const res = await list(t.customer);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('users.staff_only');
    expect((await list(t.rootCustomer)).statusCode).toBe(403);
    expect((await list()).statusCode).toBe(401);
  });
});
