import { isIP } from 'node:net';
import { jsonBodyProblem, MAX_JSON_DEPTH, nestedDeeperThan } from '../../platform/http/json-body.ts';
import { parseRfc3339 } from '../../platform/time-text.ts';
import { firstBadUtf8Byte } from '../../platform/utf8.ts';

/**
 * The ingest contract v1 (../shared/contracts/ingest-v1.md) as pure functions: one raw JSON value in, one
 * normalised record or one rejection out. Both transports (MQTT, HTTP) and the simulator's own tests go through
 * here, so a record means the same whichever way it came.
 *
 * Why hand-written checks and not zod: this runs for every record at tens of thousands a second, and every
 * rejection must carry a stable reason code (counted on /metrics and in GET /api/v1/ingest/errors) plus the field
 * and value, which plain checks give directly.
 */

/**
 * The contract's ICCID: 19 or 20 digits, keyed by its 19-digit body (as sims.iccid stores it). The 20th digit is
 * not checked: the contract only asks for 19 or 20 digits, and its own example (89467010000000000008) carries a
 * check digit that is not the Luhn digit, as network elements report ICCIDs as provisioned. The SIM import, which
 * creates SIMs, does enforce Luhn.
 */
export function checkIngestIccid(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!/^\d+$/.test(raw)) return { ok: false, reason: 'must be digits only' };
  if (raw.length !== 19 && raw.length !== 20)
    return { ok: false, reason: `must be 19 or 20 digits, got ${raw.length}` };
  return { ok: true, value: raw.slice(0, 19) };
}

export const NETWORK_EVENT_TYPES = [
  'attach',
  'attach_rejected',
  'detach',
  'session_start',
  'session_update',
  'session_end',
  'session_rejected',
  'sms_mo',
  'sms_mt',
  'voice',
] as const;
export type NetworkEventType = (typeof NETWORK_EVENT_TYPES)[number];
export const RATS = ['2G', '3G', '4G', '5G', 'NB-IoT', 'LTE-M'] as const;
export type Rat = (typeof RATS)[number];

/** Why a record was refused: the counters' label and the errors view's filter. */
export const REJECT_REASONS = [
  'malformed_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'unknown_type',
  'invalid_iccid',
  'invalid_identifier',
  'topic_mismatch',
  'invalid_ts',
  'negative_value',
  'out_of_range',
  'oversized',
  /** Passed these checks but the database refused it (see its message); never re-sent, never blocks the stream. */
  'unstorable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Rejection = { ok: false; reason: RejectReason; field?: string; value?: unknown; message: string };
export type Parsed<T> = { ok: true; record: T } | Rejection;

export type NetworkEvent = {
  id: string | null;
  ts: Date;
  /** The 19-digit ICCID body (as stored in sims.iccid). */
  iccid: string;
  type: NetworkEventType;
  imsi: string | null;
  imei: string | null;
  /** Visited PLMN as MCC+MNC digits ("24007"; the MNC keeps its leading zero). */
  plmn: string | null;
  rat: Rat | null;
  /** As the device asked for it (compared case-insensitively later, typos are evidence). */
  apn: string | null;
  sessionId: string | null;
  ip: string | null;
  bytesUp: number | null;
  bytesDown: number | null;
  cause: number | null;
  status: 'delivered' | 'failed' | null;
  seconds: number | null;
};

export type Telemetry = { id: string | null; ts: Date; deviceId: string; metrics: Record<string, number> };

/** Largest accepted record (one JSON object), in bytes of its text. */
export const MAX_RECORD_BYTES = 16 * 1024;
const MAX_METRICS = 200;

const reject = (reason: RejectReason, message: string, field?: string, value?: unknown): Rejection => ({
  ok: false,
  reason,
  message,
  ...(field === undefined ? {} : { field }),
  ...(value === undefined ? {} : { value }),
});

const digits = (s: string, min: number, max: number) => s.length >= min && s.length <= max && /^\d+$/.test(s);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * How far ahead of the server clock a `ts` may be. Day partitions are created up to the newest `ts` seen, so a
 * device clock stuck in 2099 must not create (or fill) years of them; a day covers clock skew and time zones
 * mistaken for UTC.
 */
export const MAX_FUTURE_MS = 24 * 3600_000;
/** Nothing of this field is older; a clock that never got set reports 1970 (or year 0, which PostgreSQL refuses). */
const MIN_TS_MS = Date.UTC(2000, 0, 1);

function ts(o: Obj, now: number | undefined): Date | Rejection {
  const v = o.ts;
  if (v === undefined) return reject('missing_field', 'ts is required', 'ts');
  if (typeof v !== 'string') return reject('wrong_type', 'ts must be an RFC 3339 string', 'ts', v);
  const ms = parseRfc3339(v);
  if (ms === null) return reject('invalid_ts', `ts ${v} is not an RFC 3339 date-time`, 'ts', v);
  const d = new Date(ms);
  if (d.getTime() < MIN_TS_MS)
    return reject('invalid_ts', `ts ${v} is before 2000-01-01 (a device or network element clock not set?)`, 'ts', v);
  if (now !== undefined && d.getTime() > now + MAX_FUTURE_MS)
    return reject('invalid_ts', `ts ${v} is more than 24 h ahead of the server clock`, 'ts', v);
  return d;
}

function optString(o: Obj, field: string, max: number): string | null | Rejection {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return reject('wrong_type', `${field} must be a string`, field, v);
  if (v.length === 0 || v.length > max) return reject('out_of_range', `${field} must be 1–${max} characters`, field, v);
  return v;
}

function optInt(o: Obj, field: string): number | null | Rejection {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    return reject('wrong_type', `${field} must be an integer`, field, v);
  return v;
}

function optCount(o: Obj, field: string): number | null | Rejection {
  const v = optInt(o, field);
  if (typeof v === 'number' && v < 0) return reject('negative_value', `${field} must be ≥ 0`, field, v);
  return v;
}

/** 3GPP causes are one octet; call lengths fit the 32-bit column they are stored in. */
/** The address a session was given: IPv4 or IPv6 as written (`10.0.0.7`, `2001:db8::7`), nothing else. */
function ipAddress(o: Obj): string | null | Rejection {
  const v = optString(o, 'ip', 45);
  if (typeof v === 'string' && isIP(v) === 0)
    return reject('invalid_identifier', `ip ${v} is not an IPv4 or IPv6 address`, 'ip', v);
  return v;
}

function bounded(v: number | null | Rejection, field: string, min: number, max: number): number | null | Rejection {
  if (typeof v === 'number' && (v < min || v > max))
    return reject('out_of_range', `${field} must be ${min}–${max}`, field, v);
  return v;
}

const failed = (x: unknown): x is Rejection => isObj(x) && (x as { ok?: unknown }).ok === false;

/**
 * Text PostgreSQL cannot hold, anywhere in a record: a NUL character or a lone UTF-16 surrogate (U+D800–U+DFFF
 * unpaired, written `\ud800` in the JSON text) in any string value or any key at any depth, and the prototype keys
 * — the same check as every HTTP JSON body (platform/http/json-body.ts). Such a record is refused on its own, with
 * the field; before this, one lone surrogate made PostgreSQL refuse the JSON of the whole batch (issue 13, F7), and
 * a surrogate in a metric name was stored as U+FFFD.
 */
function unstorableText(raw: Obj): Rejection | null {
  const p = jsonBodyProblem(raw);
  if (!p) return null;
  const reason = p.reason.startsWith('nested deeper') ? 'malformed_json' : 'out_of_range';
  return reject(reason, `${p.field}: ${p.reason}`, p.field, p.value);
}

/** Which fields each type must carry (the contract's "when" column; `ip` is tolerated missing). */
const NEEDS: Record<NetworkEventType, readonly (keyof NetworkEvent)[]> = {
  attach: ['plmn'],
  attach_rejected: ['plmn', 'cause'],
  detach: [],
  session_start: ['plmn', 'apn', 'sessionId'],
  session_update: ['plmn', 'apn', 'sessionId', 'bytesUp', 'bytesDown'],
  session_end: ['plmn', 'apn', 'sessionId', 'bytesUp', 'bytesDown'],
  session_rejected: ['plmn', 'apn', 'cause'],
  sms_mo: [],
  sms_mt: ['status'],
  voice: ['seconds'],
};
const WIRE_NAME: Partial<Record<keyof NetworkEvent, string>> = {
  plmn: 'network',
  sessionId: 'session_id',
  bytesUp: 'bytes_up',
  bytesDown: 'bytes_down',
};

function network(o: Obj): string | null | Rejection {
  const n = o.network;
  if (n === undefined || n === null) return null;
  if (!isObj(n)) return reject('wrong_type', 'network must be an object { mcc, mnc }', 'network', n);
  if (typeof n.mcc !== 'string' || !digits(n.mcc, 3, 3))
    return reject('invalid_identifier', 'network.mcc must be 3 digits (a string)', 'network.mcc', n.mcc);
  if (typeof n.mnc !== 'string' || !digits(n.mnc, 2, 3))
    return reject('invalid_identifier', 'network.mnc must be 2 or 3 digits (a string)', 'network.mnc', n.mnc);
  return n.mcc + n.mnc;
}

function identifier(o: Obj, field: 'imsi' | 'imei', min: number, max: number): string | null | Rejection {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return reject('wrong_type', `${field} must be a string of digits`, field, v);
  if (!digits(v, min, max)) return reject('invalid_identifier', `${field} must be ${min}–${max} digits`, field, v);
  return v;
}

/**
 * One network event. `topicIccid` is the ICCID of the MQTT topic: authoritative, a body `iccid` that names
 * another SIM is a rejected record (the same SIM with or without its check digit is fine).
 */
export function parseNetworkEvent(
  raw: unknown,
  opts: { topicIccid?: string; now?: number } = {},
): Parsed<NetworkEvent> {
  if (!isObj(raw)) return reject('not_an_object', 'a record must be a JSON object');
  const text = unstorableText(raw);
  if (text) return text;
  let iccid: string;
  const topic = opts.topicIccid === undefined ? undefined : checkIngestIccid(opts.topicIccid);
  if (topic && !topic.ok) return reject('invalid_iccid', `topic ICCID: ${topic.reason}`, 'topic', opts.topicIccid);
  if (raw.iccid === undefined || raw.iccid === null) {
    if (!topic) return reject('missing_field', 'iccid is required', 'iccid');
    iccid = topic.value;
  } else {
    if (typeof raw.iccid !== 'string') return reject('wrong_type', 'iccid must be a string', 'iccid', raw.iccid);
    const c = checkIngestIccid(raw.iccid);
    if (!c.ok) return reject('invalid_iccid', `iccid ${raw.iccid}: ${c.reason}`, 'iccid', raw.iccid);
    if (topic && topic.value !== c.value)
      return reject(
        'topic_mismatch',
        `iccid ${raw.iccid} contradicts the topic's ${opts.topicIccid}`,
        'iccid',
        raw.iccid,
      );
    iccid = c.value;
  }
  const when = ts(raw, opts.now);
  if (failed(when)) return when;
  if (raw.type === undefined) return reject('missing_field', 'type is required', 'type');
  if (typeof raw.type !== 'string' || !(NETWORK_EVENT_TYPES as readonly string[]).includes(raw.type))
    return reject(
      'unknown_type',
      `type ${String(raw.type)} is not one of ${NETWORK_EVENT_TYPES.join(', ')}`,
      'type',
      raw.type,
    );
  const type = raw.type as NetworkEventType;
  if (raw.rat !== undefined && raw.rat !== null && !(RATS as readonly unknown[]).includes(raw.rat))
    return reject('out_of_range', `rat must be one of ${RATS.join(', ')}`, 'rat', raw.rat);
  if (raw.status !== undefined && raw.status !== null && raw.status !== 'delivered' && raw.status !== 'failed')
    return reject('out_of_range', 'status must be delivered or failed', 'status', raw.status);
  const fields = {
    id: optString(raw, 'id', 128),
    imsi: identifier(raw, 'imsi', 14, 15),
    imei: identifier(raw, 'imei', 14, 16),
    plmn: network(raw),
    apn: optString(raw, 'apn', 100),
    sessionId: optString(raw, 'session_id', 128),
    ip: ipAddress(raw),
    bytesUp: optCount(raw, 'bytes_up'),
    bytesDown: optCount(raw, 'bytes_down'),
    cause: bounded(optInt(raw, 'cause'), 'cause', 0, 255),
    seconds: bounded(optCount(raw, 'seconds'), 'seconds', 0, 2_147_483_647),
  };
  for (const v of Object.values(fields)) if (failed(v)) return v;
  const event = {
    ...(fields as { [K in keyof typeof fields]: Exclude<(typeof fields)[K], Rejection> }),
    ts: when,
    iccid,
    type,
    rat: (raw.rat ?? null) as Rat | null,
    status: (raw.status ?? null) as NetworkEvent['status'],
  };
  for (const need of NEEDS[type]) {
    if (event[need] === null) {
      const name = WIRE_NAME[need] ?? need;
      return reject('missing_field', `${name} is required for type ${type}`, name);
    }
  }
  return { ok: true, record: event };
}

/** One telemetry record; `topicDeviceId` (MQTT) is authoritative like the network topic's ICCID. */
export function parseTelemetry(raw: unknown, opts: { topicDeviceId?: string; now?: number } = {}): Parsed<Telemetry> {
  if (!isObj(raw)) return reject('not_an_object', 'a record must be a JSON object');
  const text = unstorableText(raw);
  if (text) return text;
  const topic = opts.topicDeviceId === undefined ? null : jsonBodyProblem(opts.topicDeviceId);
  if (topic) return reject('out_of_range', `topic device id ${topic.reason}`, 'topic', topic.value);
  const id = optString(raw, 'id', 128);
  if (failed(id)) return id;
  const body = optString(raw, 'deviceId', 128);
  if (failed(body)) return body;
  if (body === null && opts.topicDeviceId === undefined)
    return reject('missing_field', 'deviceId is required', 'deviceId');
  if (body !== null && opts.topicDeviceId !== undefined && body !== opts.topicDeviceId)
    return reject('topic_mismatch', `deviceId ${body} contradicts the topic's ${opts.topicDeviceId}`, 'deviceId', body);
  const deviceId = opts.topicDeviceId ?? (body as string);
  if (deviceId.length === 0 || deviceId.length > 128)
    return reject('out_of_range', 'deviceId must be 1–128 characters', 'deviceId', deviceId);
  const when = ts(raw, opts.now);
  if (failed(when)) return when;
  const m = raw.metrics;
  if (m === undefined) return reject('missing_field', 'metrics is required', 'metrics');
  if (!isObj(m)) return reject('wrong_type', 'metrics must be an object of name → number', 'metrics', m);
  const names = Object.keys(m);
  if (names.length > MAX_METRICS) return reject('oversized', `at most ${MAX_METRICS} metrics a record`, 'metrics');
  const metrics: Record<string, number> = {};
  for (const name of names) {
    const v = m[name];
    if (name.length === 0 || name.length > 128)
      return reject('out_of_range', 'metric names must be 1–128 characters', `metrics.${name}`);
    if (typeof v !== 'number' || !Number.isFinite(v))
      return reject('wrong_type', `metric ${name} must be a finite number`, `metrics.${name}`, v);
    if (isPercentMetric(name) && (v < 0 || v > 100))
      return reject('out_of_range', `metric ${name} is a percentage: 0–100`, `metrics.${name}`, v);
    metrics[name] = v;
  }
  return { ok: true, record: { id, ts: when, deviceId, metrics } };
}

/**
 * The contract's percentages (0–100): a wear of 200 % would schedule maintenance on a part that cannot be that worn,
 * and a utilisation over 100 would offer an upgrade on a sensor fault. Other metric names are free (stored as sent).
 */
function isPercentMetric(name: string): boolean {
  return name === 'link_utilization_pct' || name.startsWith('wear_pct.') || name.startsWith('stock_level_pct.');
}

export type Line = { line: number; value: unknown } | { line: number; rejection: Rejection };

function jsonOf(text: string, line: number): Line {
  if (Buffer.byteLength(text) > MAX_RECORD_BYTES)
    return { line, rejection: reject('oversized', `a record may be at most ${MAX_RECORD_BYTES} bytes`) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, rejection: reject('malformed_json', `not JSON: ${(e as Error).message}`) };
  }
  return nestedDeeperThan(value, MAX_JSON_DEPTH) ? { line, rejection: tooDeep() } : { line, value };
}

const tooDeep = () => reject('malformed_json', `nested deeper than ${MAX_JSON_DEPTH} levels`);

/**
 * An HTTP body into numbered raw records: NDJSON (one object a line; blank lines skipped, numbered physically)
 * or a JSON array (line = position in the array, 1-based). A body that is not an array is one malformed record.
 */
export function splitBody(body: string, format: 'ndjson' | 'json'): Line[] {
  if (format === 'ndjson') {
    const out: Line[] = [];
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.trim();
      if (text !== '') out.push(jsonOf(text, i + 1));
    }
    return out;
  }
  const whole = (() => {
    try {
      return { value: JSON.parse(body) as unknown };
    } catch (e) {
      return { error: (e as Error).message };
    }
  })();
  if ('error' in whole) return [{ line: 1, rejection: reject('malformed_json', `not JSON: ${whole.error}`) }];
  const items = Array.isArray(whole.value) ? whole.value : [whole.value];
  // Depth first: JSON.stringify below overflows the stack on a record nested 50,000 levels deep.
  return items.map((value, i) =>
    nestedDeeperThan(value, MAX_JSON_DEPTH)
      ? { line: i + 1, rejection: tooDeep() }
      : JSON.stringify(value).length > MAX_RECORD_BYTES
        ? { line: i + 1, rejection: reject('oversized', `a record may be at most ${MAX_RECORD_BYTES} bytes`) }
        : { line: i + 1, value },
  );
}

/**
 * A body as bytes: the contract's text is UTF-8, and decoding anything else would store U+FFFD without a word. In
 * NDJSON only the lines that are not UTF-8 are refused (the others still count); a JSON batch is one value, so a
 * bad byte refuses all of it.
 */
export function splitBodyBytes(body: Buffer, format: 'ndjson' | 'json'): Line[] {
  if (firstBadUtf8Byte(body) < 0) return splitBody(body.toString('utf8'), format);
  const notUtf8 = (line: Buffer, bad: number) =>
    reject(
      'malformed_json',
      `not UTF-8: byte 0x${line.subarray(bad, bad + 1).toString('hex')} at byte ${bad + 1} of the ${format === 'ndjson' ? 'line' : 'body'}`,
    );
  if (format === 'json') return [{ line: 1, rejection: notUtf8(body, firstBadUtf8Byte(body)) }];
  const out: Line[] = [];
  let start = 0;
  for (let n = 1; start <= body.length; n++) {
    const end = body.indexOf(10, start);
    const line = body.subarray(start, end < 0 ? body.length : end);
    const bad = firstBadUtf8Byte(line);
    if (bad >= 0) out.push({ line: n, rejection: notUtf8(line, bad) });
    else out.push(...splitBody(line.toString('utf8'), 'ndjson').map((l) => ({ ...l, line: n })));
    if (end < 0) break;
    start = end + 1;
  }
  return out;
}

/** An MQTT payload: one JSON object, or an array of them. */
export function splitMqttPayload(payload: Buffer): Line[] {
  if (payload.length > MAX_RECORD_BYTES * 100)
    return [{ line: 1, rejection: reject('oversized', `a message may be at most ${MAX_RECORD_BYTES * 100} bytes`) }];
  return splitBodyBytes(payload, 'json');
}
