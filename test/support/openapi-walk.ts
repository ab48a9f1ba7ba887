/**
 * The OpenAPI document as test input: every operation, and a schema-conforming sample of its JSON body. The
 * generated suites (test/generated-*.test.ts) walk it, so a new route is covered without anyone writing a test.
 */

export type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  additionalProperties?: boolean | Schema;
};

export type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

export type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
};

export type Op = { method: string; path: string; op: Operation; jsonBody: Schema | null };

export function operations(doc: Doc): Op[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([m, op]) => ({
      method: m.toUpperCase(),
      path,
      op,
      jsonBody: op.requestBody?.content['application/json']?.schema ?? null,
    })),
  );
}

export function resolve(doc: Doc, s: Schema): Schema {
  let cur = s;
  for (let i = 0; cur.$ref && i < 20; i++) cur = doc.components.schemas[cur.$ref.split('/').pop()!] ?? {};
  return cur;
}

/** Values by property name: how a probe points a body at particular things (another tenant's account, SIM…). */
export type Hints = Record<string, unknown>;

const FORMATS: Record<string, string> = {
  'date-time': '2026-11-21T08:15:00Z',
  date: '2026-11-21',
  email: 'probe@example.test',
  uri: 'https://example.test/x',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/** A value that conforms to the schema as far as a plain reading allows (required properties, enums, minimums). */
export function sample(doc: Doc, schema: Schema, hints: Hints = {}, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (depth > 8) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) {
    const first = alt.find((a) => resolve(doc, a).type !== 'null') ?? alt[0]!;
    return sample(doc, first, hints, depth + 1);
  }
  if (s.allOf?.length) {
    return Object.assign({}, ...s.allOf.map((a) => sample(doc, a, hints, depth + 1) as object));
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) {
        out[k] = k in hints ? hints[k] : sample(doc, s.properties?.[k] ?? {}, hints, depth + 1);
      }
      for (const k of Object.keys(s.properties ?? {})) if (k in hints && !(k in out)) out[k] = hints[k];
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 0) }, () => sample(doc, s.items ?? {}, hints, depth + 1));
    case 'integer':
    case 'number':
      return s.default ?? Math.max(1, s.minimum ?? 0, (s.exclusiveMinimum ?? 0) + 1);
    case 'boolean':
      return s.default ?? false;
    case 'string':
      if (typeof s.default === 'string') return s.default;
      if (s.format && FORMATS[s.format]) return FORMATS[s.format];
      return 'probe'.padEnd(Math.max(5, s.minLength ?? 0), 'x');
    default:
      return s.default ?? null;
  }
}

/** A path with each {param} replaced by `value(name)`. */
export function fill(path: string, value: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(value(name)));
}
