import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from './support/harness.ts';
import { type Doc, fill, operations } from './support/openapi-walk.ts';
import { call, idFor, makeWorld, type World } from './support/openapi-world.ts';

/**
 * Generated from docs/openapi.json (issue 13, outside probe round 5: a tampered cursor was a 500): EVERY paged
 * operation (a `cursor` query parameter) gets cursors it never issued — its own real cursor with each part
 * swapped for a value PostgreSQL cannot take (NUL, a lone surrogate, an id past bigint, 30 February, a block
 * number past 32 bits…), and made-up ones. Each answer is a 200 (the swap happened to be a valid position) or a
 * 400 naming the cursor, never a 5xx. A new paged route is covered by being in the document.
 */
let h: Harness;
let t: Tenant;
let doc: Doc;
let world: World;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  doc = (await h.app.inject('/openapi.json')).json() as Doc;
  world = await makeWorld(h, t);
  // Two of each listed thing, so that `limit=1` pages end in a real cursor: cases, SIMs, plans, network records.
  await makeWorld(h, t);
  for (let i = 0; i < 2; i++) {
    const plan = { name: `Cursor plan ${i} ${uniq()}`, accountId: t.child.id };
    const cp = await call(h, 'POST', '/api/v1/communication-plans', t.admin, {
      ...plan,
      apns: ['iot.example'],
      allowedRats: ['4G'],
    });
    const rp = await call(h, 'POST', '/api/v1/rate-plans', t.admin, { ...plan, currency: 'EUR', monthlyFee: '1.20' });
    expect([cp.statusCode, rp.statusCode], cp.body + rp.body).toEqual([201, 201]);
  }
  const iccid = world.ids.iccid!;
  const at = (s: number) => new Date(Date.now() - 600_000 + s * 1000).toISOString();
  const network = { network: { mcc: '262', mnc: '01' } };
  await h.services.ingest.acceptNetwork(
    [
      { line: 1, value: { ts: at(1), iccid, type: 'attach', ...network } },
      { line: 2, value: { ts: at(2), iccid, type: 'session_start', session_id: 's1', apn: 'iot.example', ...network } },
      {
        line: 3,
        value: { ts: at(3), iccid, type: 'session_end', session_id: 's1', bytes_up: 10, bytes_down: 20, ...network },
      },
      { line: 4, value: { ts: at(4), iccid, type: 'session_start', session_id: 's2', apn: 'iot.example', ...network } },
    ],
    { transport: 'http', credentialId: null },
  );
}, 240_000);
afterAll(() => h.close());

const NASTY: unknown[] = [
  'a\u0000b',
  '\ud800',
  'x'.repeat(10_000),
  1e308,
  -1,
  2 ** 63,
  1.5,
  '2026-02-30 00:00:00+00',
  '2026-13-45 99:99:99+00',
  '2026-12-06 10:00:00+99',
  '0000-01-01 00:00:00+00',
  'infinity',
  '(9999999999,1)',
  '(1,99999)',
  null,
  {},
  [],
];
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Cursors never issued: the real one (if any) with each part swapped, and made-up shapes of 1–4 parts. */
function tampered(real: string | null): string[] {
  const out = ['', '%00', 'not-a-cursor', b64(null), b64([]), b64('x'), `h${'9'.repeat(30)}`, 'aA'.repeat(600)];
  for (const v of NASTY) for (let n = 1; n <= 4; n++) out.push(b64(Array.from({ length: n }, () => v)));
  if (real !== null) {
    let parts: unknown;
    try {
      parts = JSON.parse(Buffer.from(real, 'base64url').toString());
    } catch {
      parts = null;
    }
    if (Array.isArray(parts)) {
      parts.forEach((_, i) => {
        for (const v of NASTY) out.push(b64(parts.map((p, j) => (j === i ? v : p))));
      });
    }
    out.push(`${real}x`, real.slice(0, -2));
  }
  return out;
}

describe('every paged operation with cursors it never issued (generated from the OpenAPI document)', () => {
  it('answers 200 or 400 naming the cursor, never a 5xx', async () => {
    const paged = operations(doc).filter(
      (o) => o.method === 'GET' && o.op.parameters?.some((p) => p.name === 'cursor'),
    );
    expect(paged.length).toBeGreaterThanOrEqual(20);
    const problems: string[] = [];
    let realCursors = 0;
    const unreached: string[] = [];
    for (const { path, op } of paged) {
      const url = fill(path, (n) => idFor(world, path, n));
      const hasLimit = op.parameters?.some((p) => p.name === 'limit');
      const first = await call(h, 'GET', hasLimit ? `${url}?limit=1` : url, t.admin);
      // The world has no device and no webhook subscription: those two lists are not reached (404 first).
      if (first.statusCode === 404) {
        unreached.push(path);
        continue;
      }
      const real =
        first.statusCode === 200 ? ((first.json() as { nextCursor?: string | null }).nextCursor ?? null) : null;
      if (real) realCursors++;
      for (const c of tampered(real)) {
        const u = `${url}?cursor=${encodeURIComponent(c)}`;
        const r = await call(h, 'GET', u, t.admin);
        if (r.statusCode === 200) continue;
        const code = (r.json() as { error?: { code?: string; details?: { field?: string }[] } }).error;
        if (r.statusCode !== 400 || !code?.details?.some((d) => d.field?.endsWith('cursor')))
          problems.push(`GET ${path} cursor=${c.slice(0, 60)} → ${r.statusCode} ${r.body.slice(0, 200)}`);
      }
    }
    // The swaps reach past the decoding into the keyset checks only with real cursors: most lists must give one.
    expect(realCursors).toBeGreaterThanOrEqual(9);
    expect(unreached).toEqual(['/api/v1/devices/{id}/telemetry', '/api/v1/webhooks/subscriptions/{id}/deliveries']);
    expect(problems).toEqual([]);
  }, 600_000);
});
