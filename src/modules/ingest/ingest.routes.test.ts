import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims, randomIccid } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { displayIccid } from '../sims/identifiers.ts';
import { toCsv, validLines } from '../sims/import/import.test-support.ts';

let h: Harness;
let t: Tenant;
let producer: Record<string, string>;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `mediation-${uniq()}` });
  producer = { authorization: `Bearer ${secret}` };
});
afterAll(() => h.close());

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const post = (body: string, headers = producer, type = 'application/x-ndjson', path = 'network-events') =>
  h.app.inject({
    method: 'POST',
    url: `/api/v1/ingest/${path}`,
    headers: { ...headers, 'content-type': type },
    payload: body,
  });
const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');
const net = { network: { mcc: '240', mnc: '07' }, rat: 'LTE-M' };
const count = async (sql: string, params: unknown[]) => (await h.ctx.database.query<{ n: number }>(sql, params))[0]!.n;

describe('POST /api/v1/ingest/network-events', () => {
  it('refuses producers without a credential (401) and with a revoked one', async () => {
    expect((await post('{}', {})).statusCode).toBe(401);
    const { credential, secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `gone-${uniq()}` });
    await h.services.ingest.revokeCredential(credential.id);
    expect((await post('{}', { authorization: `Bearer ${secret}` })).statusCode).toBe(401);
    // A customer's token has no ingest scope.
    expect((await post('{}', t.customer)).statusCode).toBe(403);
  });

  it('stores the good lines of a batch and names each bad line with its reason, field and value', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const iccid = sim!.iccid20;
    const body = [
      JSON.stringify({ id: `a-${uniq()}`, ts: ago(5), iccid, type: 'attach', ...net }),
      '{"ts": nope',
      JSON.stringify({ ts: ago(4), iccid, type: 'teleport' }),
      JSON.stringify({ ts: ago(4), iccid: '123', type: 'detach' }),
      '',
      JSON.stringify({ ts: 'yesterday', iccid, type: 'detach' }),
      JSON.stringify({
        ts: ago(3),
        iccid,
        type: 'session_end',
        ...net,
        apn: 'x',
        session_id: 's',
        bytes_up: -5,
        bytes_down: 0,
      }),
      JSON.stringify({ ts: ago(3), iccid, type: 'sms_mo' }),
    ].join('\n');
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { line: 2, reason: 'malformed_json' },
        { line: 3, reason: 'unknown_type', field: 'type', value: 'teleport' },
        { line: 4, reason: 'invalid_iccid', field: 'iccid', value: '123' },
        { line: 6, reason: 'invalid_ts', field: 'ts', value: 'yesterday' },
        { line: 7, reason: 'negative_value', field: 'bytes_up', value: -5 },
      ],
    });
    expect(await count('select count(*)::int as n from network_events where iccid = $1', [sim!.iccid])).toBe(2);

    const errors = await h.app.inject({
      method: 'GET',
      url: '/api/v1/ingest/errors?reason=unknown_type',
      headers: t.agent,
    });
    expect(errors.statusCode).toBe(200);
    expect(errors.json().items[0]).toMatchObject({
      reason: 'unknown_type',
      field: 'type',
      value: 'teleport',
      line: 3,
      transport: 'http',
    });
    expect(errors.json().counts).toContainEqual(expect.objectContaining({ kind: 'network', reason: 'malformed_json' }));
    // The same refusals are counted by reason on /metrics, with the accepted records and the batch sizes.
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/iotops_ingest_rejected_total\{kind="network",reason="unknown_type"\} [1-9]/);
    expect(metrics).toMatch(/iotops_ingest_records_total\{kind="network",transport="http",outcome="accepted"\} [1-9]/);
    expect(metrics).toMatch(/iotops_ingest_batch_records_count [1-9]/);
    expect(metrics).toMatch(/iotops_ingest_lag_seconds_count [1-9]/);
    // Ingest errors are the provider's operations data, not a customer's.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/ingest/errors', headers: t.customer })).statusCode).toBe(
      403,
    );
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/ingest/errors?reason=bogus', headers: t.agent })).json(),
    ).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.reason', value: 'bogus' })] } });
  });

  it('ignores duplicate ids (same batch or a resend) and accepts a JSON array body', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1);
    const rec = { id: `dup-${uniq()}`, ts: ago(2), iccid: sim!.iccid20, type: 'attach', ...net };
    const first = await post(JSON.stringify([rec, rec]), producer, 'application/json');
    expect(first.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    const again = await post(ndjson([rec]));
    expect(again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await count('select count(*)::int as n from network_events where iccid = $1', [sim!.iccid])).toBe(1);
  });

  it('orders by ts: state, session and usage come out right from records delivered out of order', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
    const iccid = sim!.iccid20;
    const s = { ...net, apn: 'iot.example', session_id: `s-${uniq()}` };
    const base = Date.now() - 50 * 60_000;
    const at = (m: number) => new Date(base + m * 60_000).toISOString();
    const recs = [
      { id: `${uniq()}`, ts: at(0), iccid, type: 'attach', ...net, imei: '351000000000005' },
      { id: `${uniq()}`, ts: at(1), iccid, type: 'session_start', ...s, ip: '10.0.0.7' },
      { id: `${uniq()}`, ts: at(10), iccid, type: 'session_update', ...s, bytes_up: 1000, bytes_down: 5000 },
      { id: `${uniq()}`, ts: at(20), iccid, type: 'session_end', ...s, bytes_up: 1500, bytes_down: 9000 },
    ];
    // Newest first, in two batches: the end arrives before the start.
    expect((await post(ndjson([recs[3], recs[2]]))).json().accepted).toBe(2);
    expect((await post(ndjson([recs[1], recs[0]]))).json().accepted).toBe(2);
    const [state] = await h.ctx.database.query<Record<string, unknown>>(
      'select status, plmn, apn, session_id, imei, last_event_type from sim_network_state where sim_id = (select id from sims where iccid = $1)',
      [sim!.iccid],
    );
    expect(state).toMatchObject({
      status: 'ATTACHED',
      plmn: '24007',
      session_id: null,
      last_event_type: 'session_end',
    });
    const [session] = await h.ctx.database.query<Record<string, unknown>>(
      'select bytes_up::int as up, bytes_down::int as down, started_at, ended_at, ip from data_sessions where session_id = $1',
      [s.session_id],
    );
    expect(session).toMatchObject({ up: 1500, down: 9000, ip: '10.0.0.7' });
    expect(new Date(session!.started_at as string).toISOString()).toBe(at(1));
    const usage = await h.ctx.database.query<{ up: number; down: number }>(
      `select sum(bytes_up)::int as up, sum(bytes_down)::int as down from sim_usage_hourly
        where sim_id = (select id from sims where iccid = $1)`,
      [sim!.iccid],
    );
    expect(usage[0]).toEqual({ up: 1500, down: 9000 });
    // A late detach from before the session changes nothing now.
    await post(ndjson([{ ts: at(-5), iccid, type: 'detach' }]));
    const [after] = await h.ctx.database.query<{ status: string }>(
      'select status from sim_network_state where sim_id = (select id from sims where iccid = $1)',
      [sim!.iccid],
    );
    expect(after!.status).toBe('ATTACHED');
    // The SIM views show it (read from the state ingest keeps).
    const shown = await h.app.inject({ method: 'GET', url: `/api/v1/sims/${iccid}`, headers: t.agent });
    expect(shown.json()).toMatchObject({ networkState: 'ATTACHED' });
  });

  it('keeps records of unknown SIMs as orphans and adopts them when the SIM is imported', async () => {
    const [line] = validLines(t.child.number, 1);
    const iccid = line!.iccid!;
    const res = await post(
      ndjson([
        { id: uniq(), ts: ago(9), iccid, type: 'attach', ...net },
        { id: uniq(), ts: ago(8), iccid, type: 'attach_rejected', ...net, cause: 7 },
      ]),
    );
    expect(res.json().accepted).toBe(2);
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
      /iotops_ingest_orphans_total\{kind="network"\} [1-9]/,
    );
    const orphans = await h.app.inject({ method: 'GET', url: '/api/v1/ingest/orphans', headers: t.agent });
    expect(orphans.json().network).toContainEqual(
      expect.objectContaining({ iccid: displayIccid(iccid.slice(0, 19)), records: 2 }),
    );
    const { job } = await h.services.simImports.importCsv(
      cliPrincipal(),
      toCsv(['iccid', 'imsi', 'msisdn', 'imei', 'account'], [line!]),
      { mode: 'atomic', upsert: false },
    );
    expect(job.status).toBe('succeeded');
    await h.runJobs();
    const [state] = await h.ctx.database.query<{ status: string; last_reject_cause: number; tenant_id: number }>(
      `select status, last_reject_cause, tenant_id::int as tenant_id from sim_network_state
        where sim_id = (select id from sims where iccid = $1)`,
      [iccid.slice(0, 19)],
    );
    expect(state).toEqual({ status: 'BLOCKED', last_reject_cause: 7, tenant_id: t.root.id });
    expect(
      await count('select count(*)::int as n from network_events where iccid = $1 and tenant_id is null', [
        iccid.slice(0, 19),
      ]),
    ).toBe(0);
  });

  it('a lone surrogate refuses its own line, with field and reason; the other lines of the batch are stored (NDJSON and JSON array)', async () => {
    // Issue 13 F7: PostgreSQL refused the whole batch's JSON, every line came back `unstorable`.
    for (const [type, join] of [
      ['application/x-ndjson', (l: string[]) => l.join('\n')],
      ['application/json', (l: string[]) => `[${l.join(',')}]`],
    ] as const) {
      const [sim] = await makeSims(h.services, t.child.id, 1, { state: 'ACTIVATED' });
      const iccid = sim!.iccid20;
      const attach = (n: number) =>
        JSON.stringify({ id: `f7-${uniq()}-${n}`, ts: ago(5 - n), iccid, type: 'attach', ...net });
      // The escape as written in the JSON text.
      const bad = String.raw`{"ts":"${ago(4)}","iccid":"${iccid}","type":"attach","network":{"mcc":"240","mnc":"07"},"apn":"\ud800"}`;
      const res = await post(join([attach(1), bad, attach(3)]), producer, type);
      expect(res.statusCode, type).toBe(200);
      expect(res.json(), type).toMatchObject({
        accepted: 2,
        duplicates: 0,
        rejected: [
          {
            line: 2,
            reason: 'out_of_range',
            field: 'apn',
            error: expect.stringMatching(/^out_of_range: apn: contains a lone UTF-16 surrogate/),
          },
        ],
      });
      expect(res.json().rejected, type).toHaveLength(1);
      // The answer is valid Unicode (strict JSON readers refuse a lone surrogate even escaped).
      expect(res.body.isWellFormed() && !/\\u[dD][89a-fA-F]/.test(res.body), type).toBe(true);
      expect(await count('select count(*)::int as n from network_events where iccid = $1', [sim!.iccid]), type).toBe(2);
    }
    const [err] = await h.ctx.database.query<{ field: string; line: number; raw: string }>(
      `select field, line, raw from ingest_errors where reason = 'out_of_range' and field = 'apn' and raw like '%ud800%'
        order by id desc limit 1`,
    );
    expect(err).toMatchObject({ field: 'apn', line: 2 });
  });

  it('a lone surrogate or NUL in a key, at any depth, refuses that record only', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1);
    const iccid = sim!.iccid20;
    const res = await post(
      [
        JSON.stringify({ ts: ago(3), iccid, type: 'detach' }),
        String.raw`{"ts":"${ago(3)}","iccid":"${iccid}","type":"detach","ext":{"deep":[{"\udc00":1}]}}`,
        String.raw`{"ts":"${ago(3)}","iccid":"${iccid}","type":"detach","a\u0000":1}`,
        JSON.stringify({ ts: ago(2), iccid, type: 'sms_mo' }),
      ].join('\n'),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accepted: 2,
      rejected: [
        {
          line: 2,
          reason: 'out_of_range',
          field: 'ext.deep[0].\ufffd',
          error: expect.stringMatching(/key contains a lone/),
        },
        { line: 3, reason: 'out_of_range', field: 'a\u0000', error: expect.stringMatching(/key contains a NUL/) },
      ],
    });
    expect(await count('select count(*)::int as n from network_events where iccid = $1', [sim!.iccid])).toBe(2);
  });

  it('an answer to a junk batch is smaller than the request: echoed values are cut, the list is bounded (issue 13 F8)', async () => {
    // 5,000 junk lines of about 66 bytes (328,890 bytes were answered with 668,935).
    const junk = Array.from({ length: 5000 }, (_, i) =>
      i % 2 === 0
        ? JSON.stringify({ ts: `not-a-date-${'x'.repeat(20)}-${i}`, iccid: '8946000000000000001', type: 'detach' })
        : `{"ts": junk line ${i} ${'y'.repeat(40)}`,
    ).join('\n');
    const res = await post(junk);
    expect(res.statusCode).toBe(200);
    expect(Buffer.byteLength(res.body)).toBeLessThan(Buffer.byteLength(junk));
    const a = res.json();
    expect(a).toMatchObject({ accepted: 0, duplicates: 0, rejectedTotal: 5000 });
    expect(a.rejected.length).toBeGreaterThan(0);
    expect(a.rejected.length).toBeLessThanOrEqual(1000);
    // In line order from the first; every listed one with its line and reason.
    a.rejected.forEach((r: { line: number; reason: string }, i: number) => {
      expect(r.line).toBe(i + 1);
      expect(r.reason).toBe(i % 2 === 0 ? 'invalid_ts' : 'malformed_json');
    });

    // Long values are echoed cut; a batch that fits lists every rejection, without rejectedTotal.
    const long = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ ts: ago(1), iccid: '8946000000000000001', type: `teleport-${i}-${'z'.repeat(5000)}` }),
    ).join('\n');
    const cut = await post(long);
    expect(Buffer.byteLength(cut.body)).toBeLessThan(Buffer.byteLength(long));
    const c = cut.json();
    expect(c.rejectedTotal).toBeUndefined();
    expect(c.rejected).toHaveLength(20);
    for (const r of c.rejected) {
      expect(r).toMatchObject({ reason: 'unknown_type', field: 'type' });
      expect(r.value.length).toBeLessThanOrEqual(65);
      expect(r.error.length).toBeLessThanOrEqual(201);
    }
    // Every one of them is still in the errors view.
    const errors = await h.app.inject({
      method: 'GET',
      url: '/api/v1/ingest/errors?reason=invalid_ts&limit=500',
      headers: t.agent,
    });
    expect(errors.json().items.length).toBe(500);
  });

  it('an empty body is a 400 naming the body; another content type is a 415', async () => {
    const empty = await post('  \n');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details[0]).toMatchObject({ field: 'body' });
    expect((await post('a,b', producer, 'text/csv')).statusCode).toBe(415);
    // text/plain has a default parser in Fastify: it was read as a JSON batch and answered 200.
    const plain = await post(
      ndjson([{ ts: new Date().toISOString(), iccid: '8946070000000000001', type: 'attach' }]),
      producer,
      'text/plain',
    );
    expect(plain.statusCode).toBe(415);
    expect(plain.json().error.code).toBe('request.unsupported_media_type');
    // The contract is UTF-8: a batch declared in another charset is refused, not read as UTF-8 anyway.
    const latin1 = await post(
      ndjson([{ ts: new Date().toISOString(), iccid: '8946070000000000001', type: 'attach' }]),
      producer,
      'application/x-ndjson; charset=windows-1252',
    );
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json().error.code).toBe('request.charset_unsupported');
  });
});

describe('POST /api/v1/ingest/telemetry', () => {
  it('stores metric values, keeps unknown devices as orphans, refuses bad records by line', async () => {
    const deviceId = `press-${uniq()}`;
    const res = await post(
      ndjson([
        { id: 't1', ts: ago(3), deviceId, metrics: { 'wear_pct.seal-kit': 87.5, production_units: 120934 } },
        { ts: ago(2), deviceId, metrics: { temperature_c: 'hot' } },
        { ts: ago(2), metrics: { x: 1 } },
      ]),
      producer,
      'application/x-ndjson',
      'telemetry',
    );
    expect(res.json()).toMatchObject({
      accepted: 1,
      rejected: [
        { line: 2, reason: 'wrong_type', field: 'metrics.temperature_c' },
        { line: 3, reason: 'missing_field', field: 'deviceId' },
      ],
    });
    expect(
      await count('select count(*)::int as n from device_telemetry where external_id = $1 and device_id is null', [
        deviceId,
      ]),
    ).toBe(2);
  });

  it('a lone surrogate in a metric name refuses that record (it was stored as U+FFFD); the others are stored', async () => {
    const deviceId = `press-${uniq()}`;
    const res = await post(
      [
        JSON.stringify({ ts: ago(3), deviceId, metrics: { temperature_c: 20 } }),
        String.raw`{"ts":"${ago(2)}","deviceId":"${deviceId}","metrics":{"temp\ud800":21}}`,
        JSON.stringify({ ts: ago(1), deviceId, metrics: { temperature_c: 22 } }),
      ].join('\n'),
      producer,
      'application/x-ndjson',
      'telemetry',
    );
    expect(res.json()).toMatchObject({
      accepted: 2,
      rejected: [{ line: 2, reason: 'out_of_range', field: 'metrics.temp\ufffd' }],
    });
    expect(
      await h.ctx.database.query<{ metric: string }>(
        'select distinct metric from device_telemetry where external_id = $1',
        [deviceId],
      ),
    ).toEqual([{ metric: 'temperature_c' }]);
  });
});

describe('ICCIDs', () => {
  it('a 19-digit ICCID and its 20-digit form are the same SIM', async () => {
    const iccid = randomIccid();
    await post(
      ndjson([
        { ts: ago(1), iccid, type: 'detach' },
        { ts: ago(1), iccid: displayIccid(iccid), type: 'detach' },
      ]),
    );
    expect(await count('select count(*)::int as n from network_events where iccid = $1', [iccid])).toBe(2);
  });
});
