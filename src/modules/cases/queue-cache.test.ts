import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, testDbKind } from '../../../test/support/harness.ts';
import type { Principal } from '../../platform/auth.ts';
import { CreateCaseBody, type CreateCaseInput, ListCasesQuery } from './cases.schemas.ts';
import { createCasesService } from './cases.service.ts';
import { priorityMatrixStore } from './priority-matrix.store.ts';

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
/**
 * A cases service of its own with CASE_QUEUE_CACHE_MS = ttl and a clock the test moves; it hears case changes like
 * the HTTP process does (watchQueue) unless `watch` is false.
 */
async function cachedService(ttl: number, watch = true) {
  const clock = { at: Date.now() };
  const cases = createCasesService(h.ctx, {
    accounts: h.services.accounts,
    users: h.services.users,
    sims: h.services.sims,
    priorityMatrix: priorityMatrixStore(h.ctx.database.db),
    now: () => new Date(clock.at),
    queueCacheMs: ttl,
  });
  if (watch) closers.push(await cases.watchQueue());
  return { cases, clock };
}
const closers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});
type Page = { items: { number: string; subject: string; accountName: string }[] };
const page = (json: string) => JSON.parse(json) as Page;
const numbers = (json: string) => page(json).items.map((c) => c.number);
const query = (q: Record<string, string>) => ListCasesQuery.parse(q);
/** A write as another process would make it: plain SQL on the database, not through any service of this test. */
const sql = (text: string, params: unknown[]) => h.ctx.database.query(text, params);

describe('CASE_QUEUE_CACHE_MS', () => {
  it('is on by default (1000 ms) in the HTTP app, and a new case shows at once', async () => {
    expect(h.ctx.config.caseQueueCacheMs).toBe(1000);
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

  it('drops its pages on any change of a case, whoever makes it: another service, plain SQL', async () => {
    const { cases } = await cachedService(60_000);
    const agent = await principal(t.agent);
    const q = query({ accountId: String(t.child.id), limit: '500' });
    await cases.listJson(agent, q);
    // Another instance of the service stands for another process.
    const created = await h.services.cases.create(agent, { ...base(), accountId: t.child.id, subject: 'cached?' });
    expect(numbers(await cases.listJson(agent, q))).toContain(created.number);
    await sql('update cases set subject = $2 where number = $1', [created.number, 'changed by SQL']);
    const row = page(await cases.listJson(agent, q)).items.find((c) => c.number === created.number);
    expect(row?.subject).toBe('changed by SQL');
    await sql('delete from cases where number = $1', [created.number]);
    expect(numbers(await cases.listJson(agent, q))).not.toContain(created.number);
  });

  it('many clients reading one view after a change all get the changed page (they share one read)', async () => {
    const { cases } = await cachedService(60_000);
    const agent = await principal(t.agent);
    const q = query({ accountId: String(t.child.id), limit: '500' });
    await cases.listJson(agent, q);
    const created = await h.services.cases.create(agent, { ...base(), accountId: t.child.id, subject: 'herd' });
    const pages = await Promise.all(Array.from({ length: 20 }, () => cases.listJson(agent, q)));
    for (const json of pages) expect(numbers(json)).toContain(created.number);
    expect(new Set(pages).size).toBe(1);
  });

  it('what no case change touches (an account renamed) may lag by the TTL, never longer', async () => {
    const { cases, clock } = await cachedService(1000);
    const agent = await principal(t.agent);
    const q = query({ accountId: String(other.child.id), limit: '500' });
    await h.services.cases.create(agent, { ...base(), accountId: other.child.id, subject: 'rename' });
    const before = page(await cases.listJson(agent, q)).items[0]!.accountName;
    await sql('update accounts set name = $2 where id = $1', [other.child.id, `${before} renamed`]);
    clock.at += 999;
    expect(page(await cases.listJson(agent, q)).items[0]!.accountName).toBe(before);
    clock.at += 2;
    expect(page(await cases.listJson(agent, q)).items[0]!.accountName).toBe(`${before} renamed`);
  });

  it('keeps nothing while the process does not hear case changes', async () => {
    const { cases } = await cachedService(60_000, false);
    const agent = await principal(t.agent);
    const q = query({ accountId: String(other.root.id), limit: '500' });
    await h.services.cases.create(agent, { ...base(), accountId: other.root.id, subject: 'deaf' });
    const before = page(await cases.listJson(agent, q)).items[0]!.accountName;
    await sql('update accounts set name = $2 where id = $1', [other.root.id, `${before} now`]);
    expect(page(await cases.listJson(agent, q)).items[0]!.accountName).toBe(`${before} now`);
  });

  it('never answers one caller scope with a page cached for another, nor assignee=me across users', async () => {
    const { cases } = await cachedService(60_000);
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

  it.runIf(testDbKind === 'postgres')(
    'on PostgreSQL a lost LISTEN connection is reopened, and changes made meanwhile are not served stale',
    { timeout: 60_000 },
    async () => {
      const { cases } = await cachedService(60_000);
      const agent = await principal(t.agent);
      const q = query({ accountId: String(t.root.id), limit: '500' });
      const c = await h.services.cases.create(agent, { ...base(), accountId: t.root.id, subject: 'before the cut' });
      await cases.listJson(agent, q);
      const listeners = () =>
        sql(
          "select pid from pg_stat_activity where datname = current_database() and application_name = 'iotops listen iotops_cases_changed'",
          [],
        );
      const cut = (await listeners()).length;
      expect(cut).toBeGreaterThan(0);
      await sql(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'iotops listen iotops_cases_changed'",
        [],
      );
      await sql('update cases set subject = $2 where number = $1', [c.number, 'while deaf']);
      await expect.poll(async () => (await listeners()).length, { timeout: 30_000 }).toBe(cut);
      const row = page(await cases.listJson(agent, q)).items.find((x) => x.number === c.number);
      expect(row?.subject).toBe('while deaf');
      await sql('update cases set subject = $2 where number = $1', [c.number, 'heard again']);
      const again = page(await cases.listJson(agent, q)).items.find((x) => x.number === c.number);
      expect(again?.subject).toBe('heard again');
    },
  );
});

const base = () => CreateCaseBody.parse({ accountId: 1, type: 'incident', subject: 'x' }) satisfies CreateCaseInput;
