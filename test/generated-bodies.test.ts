import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from './support/harness.ts';
import { type Doc, fill, type Op, operations, resolve, type Schema, sample } from './support/openapi-walk.ts';
import { idFor, makeWorld, type World } from './support/openapi-world.ts';

/**
 * Generated from docs/openapi.json (issue 13 b): EVERY write operation receives property-based malformed bodies
 * over a real HTTP connection — nesting far past the limit, NUL and lone surrogates in its string fields, wrong
 * JSON types in each property, unknown keys (`__proto__` among them), bodies that are not JSON, a wrong
 * content type, junk CSV and NDJSON — built from a conforming sample of the operation's own schema with the
 * real ids of one tenant's things, so each probe gets past routing and reaches validation or the handler.
 * Each answer is a 4xx in the documented error shape (never a 5xx, never a dropped connection), and no answer
 * is larger than what was sent. A new route is covered by being in the document.
 *
 * fast-check prints the seed and the shrunk counterexample of a failure; replay it with IOTOPS_FUZZ_SEED.
 * IOTOPS_FUZZ_RUNS sets the number of bodies per operation and kind (default 6; acceptance runs can raise it).
 */
const RUNS = Number(process.env.IOTOPS_FUZZ_RUNS ?? 6);
const SEED = process.env.IOTOPS_FUZZ_SEED ? Number(process.env.IOTOPS_FUZZ_SEED) : undefined;
const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let h: Harness;
let t: Tenant;
let doc: Doc;
let world: World;
let base: string;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  doc = (await h.app.inject('/openapi.json')).json() as Doc;
  world = await makeWorld(h, t);
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
}, 240_000);
afterAll(() => h.close());

type Probe = { kind: string; body: string; contentType: string; malformed: boolean };
type Answer = { status: number; text: string; type: string };

/** One request over a real connection; a dropped connection fails the property with what was sent. */
async function send(method: string, url: string, probe: Probe): Promise<Answer> {
  try {
    const res = await fetch(base + url, {
      method,
      headers: { ...t.admin, 'content-type': probe.contentType },
      body: probe.body,
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
  } catch (e) {
    throw new Error(`${method} ${url} (${probe.kind}): no answer — ${(e as Error).cause ?? e}`);
  }
}

/** The documented error shape (components.schemas.Error), checked field by field. */
function errorShapeProblem(a: Answer): string | null {
  if (!a.type.includes('application/json')) return `content-type ${a.type}`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return 'body is not JSON';
  }
  const e = (body as { error?: Record<string, unknown> }).error;
  if (!e || Object.keys(body as object).length !== 1) return 'not {error}';
  if (typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.requestId !== 'string')
    return 'code, message or requestId missing';
  if (!Array.isArray(e.details) || e.details.some((d) => typeof (d as { reason?: unknown }).reason !== 'string'))
    return 'details not a list of {reason}';
  const extra = Object.keys(e).filter((k) => !['code', 'message', 'requestId', 'details'].includes(k));
  return extra.length ? `undocumented ${extra.join(', ')}` : null;
}

/**
 * A producer batch (contract ingest-v1) answers 200 with each bad record rejected by line, so that the good
 * records of a batch are stored: for a malformed body that means nothing accepted and at least one rejection.
 */
function rejectedWhole(probe: Probe, a: Answer): boolean {
  if (a.status !== 200) return false;
  const r = JSON.parse(a.text) as { accepted?: number; rejected?: unknown[] };
  // `[]` is an empty batch, not a malformed one: nothing to store, nothing to reject.
  const records = probe.body.trim() === '[]' ? 0 : 1;
  return r.accepted === 0 && Array.isArray(r.rejected) && r.rejected.length >= records;
}

function isBatch(o: Op): boolean {
  const ok = (o.op as { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }).responses?.[
    '200'
  ]?.content?.['application/json']?.schema;
  return ok !== undefined && 'rejected' in (resolve(doc, ok).properties ?? {});
}

function check(o: Op, url: string, probe: Probe, a: Answer): void {
  const method = o.method;
  const where = `${method} ${url} (${probe.kind}) ${probe.body.slice(0, 160)} → ${a.status} ${a.text.slice(0, 300)}`;
  if (a.status >= 500) throw new Error(`5xx: ${where}`);
  const refused = (a.status >= 400 && a.status < 500) || (isBatch(o) && rejectedWhole(probe, a));
  if (probe.malformed && !refused) throw new Error(`accepted: ${where}`);
  if (a.status >= 400) {
    const p = errorShapeProblem(a);
    if (p) throw new Error(`error shape (${p}): ${where}`);
  }
  // An error never echoes the request back several times over (issue 13.6: 10 MB in, 50 MB out).
  if (a.status >= 400 && a.text.length > Math.max(16_384, probe.body.length))
    throw new Error(`answer of ${a.text.length} characters to ${probe.body.length}: ${where.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------------------
// What the schema accepts, to build what it must refuse.

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** The JSON types a schema accepts, or null for "anything" (no type said). */
function jsonTypes(s0: Schema, depth = 0): Set<JsonType> | null {
  const s = resolve(doc, s0);
  if (depth > 10) return null;
  const of = (v: unknown): JsonType =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');
  if (s.const !== undefined) return new Set([of(s.const)]);
  if (s.enum?.length) return new Set(s.enum.map(of));
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) {
    const out = new Set<JsonType>();
    for (const a of alt) {
      const ts = jsonTypes(a, depth + 1);
      if (!ts) return null;
      for (const x of ts) out.add(x);
    }
    return out;
  }
  if (s.allOf?.length) return jsonTypes(s.allOf[0]!, depth + 1);
  if (s.type === undefined) return s.properties ? new Set(['object']) : null;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return new Set(types.map((x) => (x === 'integer' ? 'number' : (x as JsonType))));
}

const VALUE_OF: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 12 }),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
};

/** A value of a JSON type the schema does not accept, or null when it accepts every type. */
function wrongValue(s: Schema): fc.Arbitrary<unknown> | null {
  const ok = jsonTypes(s);
  if (!ok) return null;
  const wrong = (Object.keys(VALUE_OF) as JsonType[]).filter((x) => !ok.has(x));
  return wrong.length ? fc.oneof(...wrong.map((x) => VALUE_OF[x])) : null;
}

/** Top-level properties of an object body (through allOf), with their schemas. */
function properties(s0: Schema): [string, Schema][] {
  const s = resolve(doc, s0);
  if (s.allOf) return s.allOf.flatMap(properties);
  return Object.entries(s.properties ?? {});
}

/** A string that breaks the rule of every JSON entry: NUL, a lone surrogate, either one in a key. */
const badString = fc.oneof(
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\ud800', '\udfff', '\udbff')).map(([a, s]) => a + s),
);

/** Nesting past MAX_JSON_DEPTH, up to a depth that overflowed the stack before (50,000). */
const deepJson = fc
  .tuple(fc.integer({ min: 65, max: 60_000 }), fc.constantFrom('array', 'object'))
  .map(([n, kind]) =>
    kind === 'array' ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
  );

/** Malformed JSON bodies for one operation: each must be refused with a 4xx. */
function jsonProbes(schema: Schema): fc.Arbitrary<Probe>[] {
  const good = sample(doc, schema, world.hints);
  const json = (kind: string, value: unknown): Probe => ({
    kind,
    body: typeof value === 'string' ? value : JSON.stringify(value),
    contentType: 'application/json',
    malformed: true,
  });
  const props = good !== null && typeof good === 'object' && !Array.isArray(good) ? properties(schema) : [];
  const out: fc.Arbitrary<Probe>[] = [
    deepJson.map((d) => json('deep nesting', d)),
    // As a property's value too: past the parser, where validators and serialisers recurse.
    fc
      .tuple(deepJson, fc.constantFrom(...(props.length ? props.map(([k]) => k) : ['x'])))
      .map(([d, k]) => json('deep nesting in a field', `{${JSON.stringify(k)}:${d}}`)),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => {
        // Only whitespace is no body at all, which an operation whose body is optional rightly takes as none.
        if (s.trim() === '') return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((s) => json('not JSON', s)),
    fc.constant(json('truncated', JSON.stringify(good).slice(0, -1))),
    fc.constant({ kind: 'wrong content type', body: JSON.stringify(good), contentType: 'text/plain', malformed: true }),
  ];
  const top = wrongValue(schema);
  // Serialised here: json() sends a string as raw text, and a wrong-type string "" would be an empty body, which an
  // operation whose body is optional rightly takes as none.
  if (top) out.push(top.map((v) => json('wrong type of body', JSON.stringify(v))));
  if (props.length === 0) return out;
  const body = good as Record<string, unknown>;
  out.push(
    fc
      .tuple(fc.constantFrom(...props), badString)
      .map(([[k], s]) => json(`NUL or surrogate in ${k}`, { ...body, [k]: s })),
    badString.map((s) => json('NUL or surrogate in a key', withKey(JSON.stringify(s), '1', body))),
    fc
      .oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'tenantId', 'role'),
        fc.string({ minLength: 1, maxLength: 10 }),
      )
      .filter((k) => !props.some(([p]) => p === k))
      .map((k) => json(`unknown key ${k}`, withKey(JSON.stringify(k), '{"polluted":true}', body))),
  );
  const typed = props.flatMap(([k, s]) => {
    const w = wrongValue(s);
    return w ? [w.map((v) => json(`wrong type in ${k}`, { ...body, [k]: v }))] : [];
  });
  if (typed.length) out.push(fc.oneof(...typed));
  // Huge strings: refused (maxLength or body limit) or stored, but never a 5xx or an echo of the whole value.
  const strings = props.filter(([, s]) => jsonTypes(s)?.has('string'));
  if (strings.length) {
    out.push(
      fc
        .tuple(fc.constantFrom(...strings), fc.integer({ min: 20_000, max: 1_200_000 }))
        .map(([[k], n]) => ({ ...json(`huge string in ${k}`, { ...body, [k]: 'x'.repeat(n) }), malformed: false })),
    );
  }
  return out;
}

/** The body's JSON text with one more key first, written as text (so that `__proto__` stays an own key). */
function withKey(key: string, value: string, body: Record<string, unknown>): string {
  const rest = JSON.stringify(body).slice(1, -1);
  return `{${key}:${value}${rest ? `,${rest}` : ''}}`;
}

/** Junk for the raw-body routes (CSV import, NDJSON ingest, attachments). */
function rawProbes(contentType: string): fc.Arbitrary<Probe>[] {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .array(fc.oneof(fc.string({ maxLength: 8 }), badString, fc.constant('"')), { maxLength: 5 })
      .map((a) => a.join(',')),
    deepJson.map((d) => d.slice(0, 2000)),
  );
  return [
    fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => ({
      kind: `junk ${contentType}`,
      body: ls.join('\n'),
      contentType,
      malformed: false,
    })),
  ];
}

function writeOps(): Op[] {
  return operations(doc).filter((o) => o.path.startsWith('/api/v1/') && WRITE.has(o.method));
}

describe('malformed bodies on every write operation (generated from the OpenAPI document, fast-check)', () => {
  it('each answer is a 4xx in the documented error shape; none is a 5xx, a dropped connection or an echo', async () => {
    const ops = writeOps();
    expect(ops.length).toBeGreaterThan(50);
    let requests = 0;
    const problems: string[] = [];
    for (const o of ops) {
      const url = fill(o.path, (n) => idFor(world, o.path, n));
      const types = Object.keys(o.op.requestBody?.content ?? {});
      const probes = o.jsonBody
        ? [...jsonProbes(o.jsonBody), ...types.filter((ct) => ct.includes('ndjson')).flatMap(rawProbes)]
        : types.length
          ? types.filter((ct) => ct !== 'application/json').flatMap((ct) => rawProbes(ct === '*/*' ? 'text/plain' : ct))
          : // No body documented: a JSON body sent anyway is junk the route must not choke on.
            [
              fc.string({ maxLength: 20 }).map((s) => ({
                kind: 'undocumented body',
                body: JSON.stringify({ s }),
                contentType: 'application/json',
                malformed: false,
              })),
            ];
      for (const probe of probes) {
        const r = await fc.check(
          fc.asyncProperty(probe, async (p) => {
            requests++;
            check(o, url, p, await send(o.method, url, p));
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        // The shrunk counterexample's own message, not fast-check's print of a 300 KB body.
        if (r.failed) problems.push(`${(r.errorInstance as Error)?.message ?? r.errorInstance} [seed ${r.seed}]`);
      }
    }
    expect(problems).toEqual([]);
    expect(requests).toBeGreaterThan(ops.length * RUNS);
  }, 900_000);
});
