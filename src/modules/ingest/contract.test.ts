import { describe, expect, it } from 'vitest';
import { displayIccid } from '../sims/identifiers.ts';
import {
  MAX_RECORD_BYTES,
  parseNetworkEvent,
  parseTelemetry,
  splitBody,
  splitBodyBytes,
  splitMqttPayload,
} from './contract.ts';

// The contract's own examples (../shared/contracts/ingest-v1.md), verbatim.
const NETWORK_EXAMPLE = `{"id":"evt-000042","ts":"2026-11-21T08:15:02Z","iccid":"89467010000000000008","type":"session_rejected",
 "imsi":"240071000000000","imei":"351000000000005","network":{"mcc":"262","mnc":"01"},"rat":"LTE-M",
 "apn":"iot.exmaple.com","session_id":"s-77","cause":27}`;
const TELEMETRY_EXAMPLE = `{"ts":"2026-11-21T08:15:00Z","deviceId":"press-0042","metrics":{"wear_pct.seal-kit":87.5,"production_units":120934}}`;

const base = { ts: '2026-11-21T08:15:02Z', iccid: '89467010000000000008' };
const rejected = (raw: unknown, opts = {}) => {
  const r = parseNetworkEvent(raw, opts);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(raw)}`);
  return r;
};

describe('network events', () => {
  it("accepts the contract's example and normalises it", () => {
    const r = parseNetworkEvent(JSON.parse(NETWORK_EXAMPLE));
    expect(r).toEqual({
      ok: true,
      record: {
        id: 'evt-000042',
        ts: new Date('2026-11-21T08:15:02Z'),
        iccid: '8946701000000000000',
        type: 'session_rejected',
        imsi: '240071000000000',
        imei: '351000000000005',
        plmn: '26201',
        rat: 'LTE-M',
        apn: 'iot.exmaple.com',
        sessionId: 's-77',
        ip: null,
        bytesUp: null,
        bytesDown: null,
        cause: 27,
        status: null,
        seconds: null,
      },
    });
    // The example's 20th digit is not the Luhn digit (that is 3): ingest keys SIMs by the 19-digit body.
    expect(displayIccid('8946701000000000000')).toBe('89467010000000000003');
  });

  it('takes the ICCID from the MQTT topic; a body ICCID naming another SIM is a topic mismatch', () => {
    const r = parseNetworkEvent({ ts: base.ts, type: 'detach' }, { topicIccid: '89467010000000000008' });
    expect(r).toMatchObject({ ok: true, record: { iccid: '8946701000000000000' } });
    // Same SIM without its check digit: fine.
    expect(
      parseNetworkEvent({ ...base, type: 'detach', iccid: '8946701000000000000' }, { topicIccid: base.iccid }).ok,
    ).toBe(true);
    expect(
      rejected({ ...base, type: 'detach', iccid: '89467010000000000016' }, { topicIccid: base.iccid }),
    ).toMatchObject({
      reason: 'topic_mismatch',
      field: 'iccid',
      value: '89467010000000000016',
    });
  });

  it('takes a leap second (RFC 3339) as the first instant of the next minute, and IPv4 and IPv6 addresses', () => {
    const leap = parseNetworkEvent({ ...base, ts: '2016-12-31T23:59:60Z', type: 'detach' });
    expect(leap).toMatchObject({ ok: true, record: { ts: new Date('2017-01-01T00:00:00Z') } });
    for (const ip of ['10.0.0.7', '2001:db8::7']) {
      const session = {
        ...base,
        type: 'session_start',
        network: { mcc: '240', mnc: '07' },
        apn: 'iot.demo',
        session_id: 's',
        ip,
      };
      expect(parseNetworkEvent(session)).toMatchObject({ ok: true, record: { ip } });
    }
  });

  it('refuses a ts more than a day ahead of the server clock, accepts one within it', () => {
    const now = Date.parse('2026-11-21T08:00:00Z');
    const ahead = (h: number) => new Date(now + h * 3600_000).toISOString();
    expect(parseNetworkEvent({ ...base, ts: ahead(25), type: 'detach' }, { now })).toMatchObject({
      ok: false,
      reason: 'invalid_ts',
      field: 'ts',
    });
    expect(parseNetworkEvent({ ...base, ts: ahead(23), type: 'detach' }, { now }).ok).toBe(true);
    expect(parseTelemetry({ deviceId: 'd', ts: ahead(25), metrics: { x: 1 } }, { now })).toMatchObject({
      ok: false,
      reason: 'invalid_ts',
    });
  });

  it.each([
    ['not an object', [1, 2], 'not_an_object', undefined],
    ['missing ts', { iccid: base.iccid, type: 'detach' }, 'missing_field', 'ts'],
    ['unparseable ts', { ...base, ts: 'yesterday', type: 'detach' }, 'invalid_ts', 'ts'],
    ['ts without zone', { ...base, ts: '2026-11-21T08:15:02', type: 'detach' }, 'invalid_ts', 'ts'],
    ['impossible date', { ...base, ts: '2026-13-45T08:15:02Z', type: 'detach' }, 'invalid_ts', 'ts'],
    [
      '30 February (Date.parse rolls it into March)',
      { ...base, ts: '2026-02-30T08:15:02Z', type: 'detach' },
      'invalid_ts',
      'ts',
    ],
    ['hour 24', { ...base, ts: '2026-11-21T24:00:00Z', type: 'detach' }, 'invalid_ts', 'ts'],
    [
      'an ip that is not an address',
      { ...base, type: 'session_start', network: { mcc: '240', mnc: '07' }, session_id: 's', ip: 'not-an-ip' },
      'invalid_identifier',
      'ip',
    ],
    ['year 0 (PostgreSQL has none)', { ...base, ts: '0000-01-01T00:00:00Z', type: 'detach' }, 'invalid_ts', 'ts'],
    ['a clock never set', { ...base, ts: '1970-01-01T00:00:07Z', type: 'detach' }, 'invalid_ts', 'ts'],
    ['ts as a number', { ...base, ts: 1763712902, type: 'detach' }, 'wrong_type', 'ts'],
    [
      'cause beyond one octet',
      { ...base, type: 'attach_rejected', network: { mcc: '240', mnc: '07' }, cause: 70000 },
      'out_of_range',
      'cause',
    ],
    ['NUL in a string', { ...base, type: 'detach', id: 'a\u0000b' }, 'out_of_range', 'id'],
    ['a lone surrogate in a field', { ...base, type: 'detach', apn: 'iot\ud800' }, 'out_of_range', 'apn'],
    [
      'a lone low surrogate, nested',
      { ...base, type: 'attach', network: { mcc: '\udc00', mnc: '07' } },
      'out_of_range',
      'network.mcc',
    ],
    [
      'a lone surrogate in a field iotops ignores',
      { ...base, type: 'detach', note: ['ok', 'x\udbff'] },
      'out_of_range',
      'note[1]',
    ],
    ['a lone surrogate in a key', { ...base, type: 'detach', 'x\ud800': 1 }, 'out_of_range', 'x\ud800'],
    ['NUL in a nested key', { ...base, type: 'detach', extra: { 'a\u0000': 1 } }, 'out_of_range', 'extra.a\u0000'],
    ['unknown type', { ...base, type: 'teleport' }, 'unknown_type', 'type'],
    ['missing type', { ...base }, 'missing_field', 'type'],
    ['ICCID of 18 digits', { ...base, iccid: '894670100000000000', type: 'detach' }, 'invalid_iccid', 'iccid'],
    ['ICCID with letters', { ...base, iccid: '8946701000000000000X', type: 'detach' }, 'invalid_iccid', 'iccid'],
    ['ICCID as a number', { ...base, iccid: 8946701000000000000, type: 'detach' }, 'wrong_type', 'iccid'],
    ['no ICCID at all (HTTP)', { ts: base.ts, type: 'detach' }, 'missing_field', 'iccid'],
    [
      'negative bytes',
      {
        ...base,
        type: 'session_end',
        network: { mcc: '240', mnc: '07' },
        apn: 'a',
        session_id: 's',
        bytes_up: -1,
        bytes_down: 0,
      },
      'negative_value',
      'bytes_up',
    ],
    [
      'bytes as a string',
      {
        ...base,
        type: 'session_end',
        network: { mcc: '240', mnc: '07' },
        apn: 'a',
        session_id: 's',
        bytes_up: '10',
        bytes_down: 0,
      },
      'wrong_type',
      'bytes_up',
    ],
    ['attach without network', { ...base, type: 'attach' }, 'missing_field', 'network'],
    [
      'MNC as a number (loses its 0)',
      { ...base, type: 'attach', network: { mcc: '240', mnc: 7 } },
      'invalid_identifier',
      'network.mnc',
    ],
    [
      'rejection without cause',
      { ...base, type: 'attach_rejected', network: { mcc: '240', mnc: '07' } },
      'missing_field',
      'cause',
    ],
    [
      'session without APN',
      { ...base, type: 'session_start', network: { mcc: '240', mnc: '07' }, session_id: 's' },
      'missing_field',
      'apn',
    ],
    ['sms_mt without status', { ...base, type: 'sms_mt' }, 'missing_field', 'status'],
    ['bad status', { ...base, type: 'sms_mt', status: 'lost' }, 'out_of_range', 'status'],
    ['voice without seconds', { ...base, type: 'voice' }, 'missing_field', 'seconds'],
    ['unknown RAT', { ...base, type: 'detach', rat: '6G' }, 'out_of_range', 'rat'],
    ['IMSI too short', { ...base, type: 'detach', imsi: '24007' }, 'invalid_identifier', 'imsi'],
    ['IMEI with letters', { ...base, type: 'detach', imei: '35100000000000A' }, 'invalid_identifier', 'imei'],
    ['id too long', { ...base, type: 'detach', id: 'x'.repeat(129) }, 'out_of_range', 'id'],
  ])('refuses %s, naming reason and field', (_what, raw, reason, field) => {
    const r = rejected(raw);
    expect(r.reason).toBe(reason);
    if (field) expect(r.field).toBe(field);
    expect(r.message.length).toBeGreaterThan(5);
  });

  it('accepts every type with the fields the contract gives it', () => {
    const net = { network: { mcc: '240', mnc: '07' } };
    const ok = [
      { type: 'attach', ...net, rat: 'NB-IoT' },
      { type: 'attach_rejected', ...net, cause: 11 },
      { type: 'detach' },
      { type: 'session_start', ...net, apn: 'iot.demo', session_id: 's-1', ip: '10.0.0.7' },
      { type: 'session_update', ...net, apn: 'iot.demo', session_id: 's-1', bytes_up: 10, bytes_down: 20 },
      { type: 'session_end', ...net, apn: 'iot.demo', session_id: 's-1', bytes_up: 15, bytes_down: 40 },
      { type: 'session_rejected', ...net, apn: 'iot.deom', cause: 27 },
      { type: 'sms_mo' },
      { type: 'sms_mt', status: 'delivered' },
      { type: 'voice', seconds: 0 },
    ];
    for (const raw of ok) expect(parseNetworkEvent({ ...base, ...raw }).ok, raw.type).toBe(true);
  });
});

describe('telemetry', () => {
  it("accepts the contract's example; unknown metric names are kept", () => {
    expect(parseTelemetry(JSON.parse(TELEMETRY_EXAMPLE))).toEqual({
      ok: true,
      record: {
        id: null,
        ts: new Date('2026-11-21T08:15:00Z'),
        deviceId: 'press-0042',
        metrics: { 'wear_pct.seal-kit': 87.5, production_units: 120934 },
      },
    });
    expect(parseTelemetry({ ts: base.ts, deviceId: 'd', metrics: { anything_new: 1 } }).ok).toBe(true);
  });

  it("refuses the contract's percentages outside 0–100 (wear_pct 200 was accepted), naming the metric", () => {
    const parse = (metrics: Record<string, number>) => parseTelemetry({ ts: base.ts, deviceId: 'd', metrics });
    expect(parse({ 'wear_pct.seal-kit': 200 })).toMatchObject({
      ok: false,
      reason: 'out_of_range',
      field: 'metrics.wear_pct.seal-kit',
      value: 200,
    });
    expect(parse({ 'stock_level_pct.ink': -1 })).toMatchObject({ ok: false, field: 'metrics.stock_level_pct.ink' });
    expect(parse({ link_utilization_pct: 100.5 })).toMatchObject({ ok: false, field: 'metrics.link_utilization_pct' });
    for (const v of [0, 55.5, 100]) {
      expect(parse({ 'wear_pct.seal-kit': v, 'stock_level_pct.ink': v, link_utilization_pct: v }).ok).toBe(true);
    }
    expect(parse({ temperature_c: 250, custom_pct: 150 }).ok).toBe(true); // not the contract's percentages
  });

  it('refuses a lone surrogate or NUL in a metric name or a string, naming the field (a surrogate was stored as U+FFFD)', () => {
    const parse = (raw: Record<string, unknown>, opts = {}) =>
      parseTelemetry({ ts: base.ts, deviceId: 'd', ...raw }, opts);
    expect(parse({ metrics: { 'temp\ud800': 1 } })).toMatchObject({
      ok: false,
      reason: 'out_of_range',
      field: 'metrics.temp\ud800',
      message: expect.stringMatching(/lone UTF-16 surrogate/),
    });
    expect(parse({ metrics: { 'a\u0000': 1 } })).toMatchObject({
      ok: false,
      reason: 'out_of_range',
      field: 'metrics.a\u0000',
    });
    expect(parse({ deviceId: 'press\udfff', metrics: { x: 1 } })).toMatchObject({
      ok: false,
      reason: 'out_of_range',
      field: 'deviceId',
      value: 'press\udfff',
    });
    expect(parse({ metrics: { x: 1 } }, { topicDeviceId: 'p\ud800' })).toMatchObject({ ok: false, field: 'topic' });
    // A pair is one character, not a lone surrogate.
    expect(parse({ metrics: { 'temp_\ud83d\ude00': 1 } }).ok).toBe(true);
  });

  it('refuses bad records with reason and field; the topic device is authoritative', () => {
    const bad = (raw: unknown, opts = {}) => {
      const r = parseTelemetry(raw, opts);
      return r.ok ? undefined : { reason: r.reason, field: r.field };
    };
    expect(bad({ ts: base.ts, metrics: {} })).toEqual({ reason: 'missing_field', field: 'deviceId' });
    expect(bad({ ts: base.ts, deviceId: 'a', metrics: { t: 'hot' } })).toEqual({
      reason: 'wrong_type',
      field: 'metrics.t',
    });
    expect(bad({ ts: base.ts, deviceId: 'a', metrics: [1] })).toEqual({ reason: 'wrong_type', field: 'metrics' });
    expect(bad({ ts: 'now', deviceId: 'a', metrics: {} })).toEqual({ reason: 'invalid_ts', field: 'ts' });
    expect(bad({ ts: base.ts, deviceId: 'a', metrics: {} }, { topicDeviceId: 'b' })).toEqual({
      reason: 'topic_mismatch',
      field: 'deviceId',
    });
    expect(parseTelemetry({ ts: base.ts, metrics: { x: 1 } }, { topicDeviceId: 'b' })).toMatchObject({
      ok: true,
      record: { deviceId: 'b' },
    });
  });
});

describe('bodies and payloads', () => {
  it('numbers NDJSON records by physical line, skipping blank lines; bad JSON is one rejected line', () => {
    const lines = splitBody(`${NETWORK_EXAMPLE.replaceAll('\n', '')}\n\n{"ts":\n${TELEMETRY_EXAMPLE}\n`, 'ndjson');
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4]);
    expect(lines[1]).toMatchObject({ rejection: { reason: 'malformed_json' } });
    expect('value' in lines[2]!).toBe(true);
  });

  it('a line that is not UTF-8 is refused alone in NDJSON, naming the byte; in a JSON batch or MQTT message, all of it (a Latin-1 byte was stored as U+FFFD)', () => {
    const latin1 = Buffer.concat([Buffer.from('{"apn":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const ndjson = Buffer.concat([Buffer.from('{"a":1}\n\n'), latin1, Buffer.from('\n{"b":2}\n')]);
    expect(splitBodyBytes(ndjson, 'ndjson')).toEqual([
      { line: 1, value: { a: 1 } },
      {
        line: 3,
        rejection: expect.objectContaining({
          reason: 'malformed_json',
          message: 'not UTF-8: byte 0xe9 at byte 12 of the line',
        }),
      },
      { line: 4, value: { b: 2 } },
    ]);
    expect(splitBodyBytes(Buffer.concat([Buffer.from('['), latin1, Buffer.from(']')]), 'json')).toMatchObject([
      { line: 1, rejection: { reason: 'malformed_json', message: 'not UTF-8: byte 0xe9 at byte 13 of the body' } },
    ]);
    expect(splitMqttPayload(latin1)).toMatchObject([{ line: 1, rejection: { reason: 'malformed_json' } }]);
    expect(splitBodyBytes(Buffer.from('{"apn":"café"}'), 'ndjson')).toEqual([{ line: 1, value: { apn: 'café' } }]);
  });

  it('numbers a JSON array by position; a lone object is one record; broken JSON is one rejection', () => {
    expect(splitBody('[{"a":1},{"b":2}]', 'json').map((l) => l.line)).toEqual([1, 2]);
    expect(splitBody('{"a":1}', 'json')).toEqual([{ line: 1, value: { a: 1 } }]);
    expect(splitBody('[{"a":', 'json')[0]).toMatchObject({ rejection: { reason: 'malformed_json' } });
  });

  it('refuses a record nested past 64 levels as one rejection, in every framing (50,000 levels overflowed the stack: 500)', () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const tooDeep = {
      rejection: { reason: 'malformed_json', message: expect.stringMatching(/nested deeper than 64/) },
    };
    expect(splitBody(deep(50_000), 'json')).toMatchObject([{ line: 1, ...tooDeep }]);
    expect(splitBody(`[{"a":1},${'['.repeat(50_000)}${']'.repeat(50_000)}]`, 'json')).toMatchObject([
      { line: 1, value: { a: 1 } },
      { line: 2, ...tooDeep },
    ]);
    expect(splitBody(`{"a":1}\n${deep(1000)}`, 'ndjson')).toMatchObject([{ line: 1 }, { line: 2, ...tooDeep }]);
    expect(splitMqttPayload(Buffer.from(deep(50_000)))).toMatchObject([tooDeep]);
    expect(splitBody(deep(63), 'json')[0]).toHaveProperty('value');
  });

  it('one lone surrogate refuses its own record only, in every framing (issue 13 F7: it refused the whole batch)', () => {
    const ok = (n: number) =>
      JSON.stringify({ ...base, id: `f7-${n}`, type: 'attach', network: { mcc: '240', mnc: '07' } });
    // The escape as written in the JSON text: `"apn":"\ud800"`.
    const bad = String.raw`{"ts":"2026-11-21T08:15:02Z","iccid":"89467010000000000008","type":"attach","network":{"mcc":"240","mnc":"07"},"apn":"\ud800"}`;
    const outcome = (lines: ReturnType<typeof splitBody>, opts = {}) =>
      lines.map((l) => {
        if ('rejection' in l) return { line: l.line, reason: l.rejection.reason };
        const r = parseNetworkEvent(l.value, opts);
        return r.ok ? { line: l.line, ok: true } : { line: l.line, reason: r.reason, field: r.field };
      });
    const expected = [
      { line: 1, ok: true },
      { line: 2, reason: 'out_of_range', field: 'apn' },
      { line: 3, ok: true },
    ];
    expect(outcome(splitBody([ok(1), bad, ok(3)].join('\n'), 'ndjson'))).toEqual(expected);
    expect(outcome(splitBody(`[${ok(1)},${bad},${ok(3)}]`, 'json'))).toEqual(expected);
    expect(outcome(splitMqttPayload(Buffer.from(`[${ok(1)},${bad},${ok(3)}]`)), { topicIccid: base.iccid })).toEqual(
      expected,
    );
    // A key, in a nested object.
    const badKey = String.raw`{"ts":"2026-11-21T08:15:02Z","iccid":"89467010000000000008","type":"attach","network":{"mcc":"240","mnc":"07","\udc01":"x"}}`;
    expect(outcome(splitBody(badKey, 'ndjson'))).toEqual([
      { line: 1, reason: 'out_of_range', field: 'network.\udc01' },
    ]);
  });

  it('refuses oversized records without parsing them', () => {
    const big = JSON.stringify({ ts: base.ts, deviceId: 'd', metrics: { x: 1 }, pad: 'y'.repeat(MAX_RECORD_BYTES) });
    expect(splitBody(big, 'ndjson')[0]).toMatchObject({ rejection: { reason: 'oversized' } });
    expect(splitBody(`[${big}]`, 'json')[0]).toMatchObject({ rejection: { reason: 'oversized' } });
    expect(splitMqttPayload(Buffer.alloc(MAX_RECORD_BYTES * 100 + 1, 32))[0]).toMatchObject({
      rejection: { reason: 'oversized' },
    });
  });
});
