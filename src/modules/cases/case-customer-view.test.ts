import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { CASE_STAFF_ONLY } from './cases.schemas.ts';

// Issue 13, point 7: what a customer sees of their own case, field by field (the decision is in CASE_STAFF_ONLY,
// the API docs and docs/SECURITY.md). Found by the probe: an override's reason and its agent shown to the customer.
type Json = Record<string, unknown>;
let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: Json) =>
  h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

describe("a customer's view of their own case", () => {
  it('cannot be filtered by queue or assignee (?queue=major told a customer which case sat under a major one)', async () => {
    for (const query of ['queue=major', 'assignee=me', 'state=all&queue=nonexistent']) {
      const r = await call('GET', `/api/v1/cases?${query}`, t.customer);
      expect(r.statusCode, query).toBe(403);
      expect(r.json().error.details[0]).toMatchObject({ reason: 'staff only' });
    }
    expect((await call('GET', '/api/v1/cases?queue=major', t.agent)).statusCode).toBe(200);
  });

  it('leaves out priority override (reason, agent), queue, assignee, tags, parent and creator', async () => {
    const opened = await call('POST', '/api/v1/cases', t.customer, {
      accountId: t.child.id,
      type: 'incident',
      subject: 'Meters silent since the storm',
    });
    expect(opened.statusCode).toBe(201);
    expect(Object.keys(opened.json())).not.toContain('computedPriority');
    const n = opened.json().number as string;
    expect(
      (
        await call('POST', `/api/v1/cases/${n}/priority`, t.agent, {
          priority: 'P2',
          reason: 'CEO escalated privately',
        })
      ).statusCode,
    ).toBe(200);
    expect((await call('PATCH', `/api/v1/cases/${n}`, t.agent, { queue: 'second-line' })).statusCode).toBe(200);
    const reply = await call('POST', `/api/v1/cases/${n}/events`, t.agent, {
      kind: 'note',
      visibility: 'public',
      body: 'We are on it.',
    });
    expect(reply.statusCode).toBe(201);

    const staff = (await call('GET', `/api/v1/cases/${n}`, t.agent)).json();
    expect(staff.override).toMatchObject({ reason: 'CEO escalated privately' });
    expect(staff).toMatchObject({ queue: 'second-line', priority: 'P2' });

    const own = (await call('GET', `/api/v1/cases/${n}`, t.customer)).json();
    for (const k of CASE_STAFF_ONLY) expect(own, k).not.toHaveProperty(k);
    expect(own.priority).toBe('P2'); // the effective priority, without how it came about
    expect(JSON.stringify(own)).not.toContain('CEO escalated');
    expect(JSON.stringify(own)).not.toContain('second-line');

    const row = (await call('GET', '/api/v1/cases?state=all', t.customer))
      .json()
      .items.find((c: Json) => c.number === n);
    for (const k of CASE_STAFF_ONLY) expect(row, k).not.toHaveProperty(k);
    expect(row).toMatchObject({ number: n, priority: 'P2', state: expect.any(String) });

    const timeline = (await call('GET', `/api/v1/cases/${n}/events`, t.customer)).json().items as Json[];
    const agentReply = timeline.find((e) => e.body === 'We are on it.')!;
    expect(agentReply).toMatchObject({ authorLabel: 'Service desk', authorUserId: null });
    const staffTimeline = (await call('GET', `/api/v1/cases/${n}/events`, t.agent)).json().items as Json[];
    const asStaffSee = staffTimeline.find((e) => e.body === 'We are on it.')!;
    expect(asStaffSee.authorLabel).toMatch(/@/);
    expect(asStaffSee.authorUserId).toEqual(expect.any(Number));
    // The customer's own entries keep their own address; the agent's address and id appear nowhere.
    expect(JSON.stringify(timeline)).not.toContain(asStaffSee.authorLabel as string);
    expect(timeline.map((e) => e.authorUserId)).not.toContain(asStaffSee.authorUserId);
  });

  it("the queue rows PostgreSQL writes for a customer equal the presenter's customer shape (same keys)", async () => {
    const rows = (await call('GET', '/api/v1/cases?state=all&limit=5', t.customer)).json().items as Json[];
    const staffRows = (await call('GET', '/api/v1/cases?state=all&limit=5', t.agent)).json().items as Json[];
    expect(rows.length).toBeGreaterThan(0);
    const staffKeys = Object.keys(staffRows[0]!);
    expect(Object.keys(rows[0]!)).toEqual(staffKeys.filter((k) => !(CASE_STAFF_ONLY as readonly string[]).includes(k)));
  });
});
