import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import type { Principal } from '../../platform/auth.ts';
import { priorityMatrixStore } from '../sla/priority-matrix.store.ts';
import { CreateCaseBody, type CreateCaseInput, ListCasesQuery } from './cases.schemas.ts';
import { createCasesService } from './cases.service.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

const principal = async (headers: Record<string, string>): Promise<Principal> => {
  const p = await h.services.users.principalFromToken(headers.authorization!.replace('Bearer ', ''));
  if (!p) throw new Error('test token did not resolve');
  return p;
};
/** A cases service of its own with CASE_QUEUE_CACHE_MS = ttl and a clock the test moves. */
function cachedService(ttl: number) {
  const clock = { at: Date.now() };
  const cases = createCasesService(h.ctx, {
    accounts: h.services.accounts,
    users: h.services.users,
    sims: h.services.sims,
    priorityMatrix: priorityMatrixStore(h.ctx.database.db),
    now: () => new Date(clock.at),
    queueCacheMs: ttl,
  });
  return { cases, clock };
}
const numbers = (json: string) => (JSON.parse(json) as { items: { number: string }[] }).items.map((c) => c.number);
const query = (q: Record<string, string>) => ListCasesQuery.parse(q);

describe('CASE_QUEUE_CACHE_MS', () => {
  it('reuses a page for at most the TTL, then reads again', async () => {
    const { cases, clock } = cachedService(1000);
    const agent = await principal(t.agent);
    const q = query({ accountId: String(t.child.id), limit: '500' });
    const before = numbers(await cases.listJson(agent, q));
    const created = await h.services.cases.create(agent, { ...base(), accountId: t.child.id, subject: 'cached?' });
    clock.at += 999;
    expect(numbers(await cases.listJson(agent, q))).toEqual(before);
    clock.at += 2;
    expect(numbers(await cases.listJson(agent, q))).toContain(created.number);
  });

  it('never answers one caller scope with a page cached for another, nor assignee=me across users', async () => {
    const { cases } = cachedService(60_000);
    const agent = await principal(t.agent);
    const mine = await h.services.cases.create(agent, {
      ...base(),
      accountId: other.child.id,
      subject: 'other tenant',
      assigneeUserId: agent.userId,
    });
    const all = query({ limit: '500' });
    expect(numbers(await cases.listJson(agent, all))).toContain(mine.number);
    // Same filter, cached for staff: a customer of another tenant still sees only its own subtree.
    expect(numbers(await cases.listJson(await principal(t.customer), all))).not.toContain(mine.number);
    const me = query({ assignee: 'me', limit: '500' });
    expect(numbers(await cases.listJson(agent, me))).toEqual([mine.number]);
    expect(numbers(await cases.listJson(await principal(other.agent), me))).toEqual([]);
  });

  it('is off by default: the API queue shows a new case at once', async () => {
    expect(h.ctx.config.caseQueueCacheMs).toBe(0);
    const get = async () =>
      (await h.app.inject({ method: 'GET', url: `/api/v1/cases?accountId=${t.root.id}`, headers: t.agent })).json() as {
        items: { number: string }[];
      };
    await get();
    const created = await h.services.cases.create(await principal(t.agent), {
      ...base(),
      accountId: t.root.id,
      subject: 'at once',
    });
    expect((await get()).items.map((c) => c.number)).toContain(created.number);
  });
});

const base = () => CreateCaseBody.parse({ accountId: 1, type: 'incident', subject: 'x' }) satisfies CreateCaseInput;
