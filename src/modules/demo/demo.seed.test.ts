import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../../../test/support/harness.ts';
import { queryRows } from '../../platform/db/rows.ts';
import { CASE_TYPES } from '../cases/cases.schemas.ts';
import { DEMO_LOGINS, type DemoSeeded, demoAgentPrincipal } from './demo.service.ts';

// The demo as `npm start` seeds it, with its past weeks, on the test database (PGlite or PostgreSQL).
let h: Harness;
let seeded: DemoSeeded;
let seedSeconds = 0;
let agent: Record<string, string>;
// History ends yesterday (UTC days); today's desk is created at the seed.
const today = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString();
const rows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => queryRows<T>(h.ctx.database.db, q);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const report = async (name: string, groupBy = 'week') => {
  const res = await h.app.inject({
    method: 'GET',
    url: `/api/v1/reports/cases/${name}?from=${day(-63)}&to=${day(1)}&groupBy=${groupBy}`,
    headers: agent,
  });
  expect(res.statusCode).toBe(200);
  return res.json().items as Record<string, unknown>[];
};

beforeAll(async () => {
  h = await harness();
  const t0 = performance.now();
  seeded = await h.services.demo.seed(1000);
  seedSeconds = (performance.now() - t0) / 1000;
  const u = (await h.services.users.byEmail(DEMO_LOGINS.agent.email))!;
  const { secret } = await h.services.users.createToken(u.id, { name: 'reports', scopes: ['read', 'write'] });
  agent = { authorization: `Bearer ${secret}` };
}, 120_000);
afterAll(() => h?.close());

describe('the demo seed with its past weeks', () => {
  it('writes today’s desk and ~150–300 ended cases of the last eight weeks, quickly', async () => {
    expect(seeded.pastCases).toBeGreaterThanOrEqual(150);
    expect(seeded.pastCases).toBeLessThanOrEqual(300);
    const byState = await rows<{ state: string; n: number }>(
      sql`select state, count(*)::int as n from cases where created_at < ${today}::timestamptz group by state`,
    );
    expect(byState.map((r) => r.state).sort()).toEqual(['closed', 'resolved']);
    expect(byState.reduce((s, r) => s + r.n, 0)).toBe(seeded.pastCases);
    // Numbers follow time: the oldest case has the lowest number of its year.
    const [first] = await rows<{ number: string }>(sql`select number from cases order by created_at, id limit 1`);
    expect(first!.number).toMatch(/^C-\d{4}-000001$/);
    const [desk] = await rows<{ n: number }>(
      sql`select count(*)::int as n from cases where created_at >= ${today}::timestamptz`,
    );
    expect(desk!.n).toBe(seeded.cases);
    expect(seedSeconds).toBeLessThan(60);
  });

  it('gives a past case the timeline its work had: created, answered, resolved, closed by the verification period', async () => {
    const [c] = await rows<{ number: string }>(
      sql`select number from cases where state = 'closed' and created_at < ${today}::timestamptz order by id limit 1`,
    );
    const events = await h.services.cases.events(demoAgentPrincipal({ id: 0, email: 'x' }), c!.number);
    expect(events[0]).toMatchObject({ kind: 'system', body: 'Case created' });
    expect(events.at(-1)).toMatchObject({ kind: 'system', authorLabel: 'iotops' });
    expect((events.at(-1)!.data as { reason?: string }).reason).toBe('verification_period_ended');
    const at = events.map((e) => +e.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(events.some((e) => e.visibility === 'public' && e.authorSide === 'staff' && e.kind !== 'system')).toBe(true);
  });

  it('starts no SLA clock, warning or breach for the past cases when the worker runs', async () => {
    await h.runJobs();
    const [n] = await rows<{ n: number }>(sql`select count(*)::int as n from notifications`);
    expect(n!.n).toBe(0);
    // Two hours on, today's desk has its first warnings; the past weeks still none.
    await h.runJobs(new Date(Date.now() + 2 * 3_600_000));
    const past = await rows<{ n: number }>(
      sql`select count(*)::int as n from notifications x join cases c on c.id = x.case_id
           where c.created_at < ${today}::timestamptz`,
    );
    expect(past[0]!.n).toBe(0);
    const [all] = await rows<{ n: number }>(sql`select count(*)::int as n from notifications`);
    expect(all!.n).toBeGreaterThan(0);
    const running = await rows<{ n: number }>(
      sql`select count(*)::int as n from cases where created_at < ${today}::timestamptz and sla_due_at is not null`,
    );
    expect(running[0]!.n).toBe(0);
  });

  it('fills the reports: volume every week, handling time per type near the field’s, SLA met and breached', async () => {
    const volume = await report('volume');
    const weeks = new Set(volume.filter((i) => (i.created as number) > 0).map((i) => i.period));
    expect(weeks.size).toBeGreaterThanOrEqual(8);
    expect(volume.reduce((s, i) => s + (i.closed as number), 0)).toBeGreaterThan(seeded.pastCases * 0.6);
    const handling = await report('handling-time');
    expect(handling.map((i) => i.type).sort()).toEqual([...CASE_TYPES].sort());
    for (const i of handling) {
      expect(i.count as number).toBeGreaterThan(5);
      expect(i.meanWorkingDays as number).toBeGreaterThan(3);
      expect(i.meanWorkingDays as number).toBeLessThan(16);
    }
    const sla = await report('sla');
    expect(sla.some((i) => (i.met as number) > 0)).toBe(true);
    expect(sla.some((i) => (i.breached as number) > 0)).toBe(true);
  });
});
