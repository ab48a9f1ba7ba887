import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { App } from './app.ts';

/**
 * The OpenAPI document (docs/openapi.json, linted by Redocly's recommended rules in `npm run check`). Customers
 * generate clients from it, so every documented operation must carry a stable camelCase operationId (otherwise a
 * generator invents a method name from the path) and a short summary: the guard below refuses a route without
 * them at startup, as auth-hooks.ts refuses one without config.auth.
 */

/** OpenAPI for raw (non-JSON) bodies, declared in a route's `config.openapi`. */
export type RawBodyDoc = {
  body?: { contentTypes: string[]; description: string };
  produces?: string[];
};

/**
 * Routes that stream a raw body (CSV import) or answer with one (CSV export) have no zod body schema; they say
 * so in `config.openapi`, and this adds it to the OpenAPI document on top of the zod-generated schema.
 */
type RouteInput = Parameters<typeof jsonSchemaTransform>[0];
export function transformRoute(input: RouteInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const extra = (input.route.config as { openapi?: RawBodyDoc } | undefined)?.openapi;
  if (!extra) return out;
  const schema: Record<string, unknown> = { ...out.schema };
  if (extra.body) {
    schema.body = { type: 'string', description: extra.body.description };
    schema.consumes = extra.body.contentTypes;
  }
  if (extra.produces) schema.produces = extra.produces;
  return { ...out, schema } as ReturnType<typeof jsonSchemaTransform>;
}

/**
 * fastify-type-provider-zod emits every registered schema twice, as `X` (output) and `XInput` (input), whether
 * or not a route uses that side; only the components the operations reach (directly or through other
 * components) are kept.
 */
type DocumentInput = Parameters<typeof jsonSchemaTransformObject>[0];
export function transformDocument(input: DocumentInput): ReturnType<typeof jsonSchemaTransformObject> {
  const doc = jsonSchemaTransformObject(input) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (!schemas || !doc.components) return doc as ReturnType<typeof jsonSchemaTransformObject>;
  const reached = new Set<string>();
  const visit = (node: unknown) => {
    for (const name of schemaRefs(node)) {
      if (reached.has(name) || !(name in schemas)) continue;
      reached.add(name);
      visit(schemas[name]);
    }
  };
  visit({ ...doc, components: { ...doc.components, schemas: {} } });
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name)));
  closeRequestBodies((doc as { paths?: unknown }).paths, kept);
  return { ...doc, components: { ...doc.components, schemas: kept } } as ReturnType<typeof jsonSchemaTransformObject>;
}

/**
 * A JSON request body refuses unknown keys at every depth (strict-validator.ts); the document says so with
 * `additionalProperties: false` on each object of a request body that does not declare its own (a record keeps
 * its map), so generated clients type bodies exactly. Not inside allOf, where it would forbid the other parts'
 * properties.
 */
function closeRequestBodies(paths: unknown, schemas: Record<string, unknown>) {
  const seen = new Set<unknown>();
  const close = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const s = node as Record<string, unknown>;
    const ref = typeof s.$ref === 'string' && s.$ref.startsWith(SCHEMA_REF) ? s.$ref.slice(SCHEMA_REF.length) : null;
    if (ref) {
      close(schemas[ref]);
      return;
    }
    if (s.type === 'object' && s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
    for (const p of Object.values((s.properties as Record<string, unknown>) ?? {})) close(p);
    close(s.items);
    for (const alt of [...((s.anyOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? [])]) close(alt);
  };
  for (const ops of Object.values((paths as Record<string, Record<string, unknown>>) ?? {})) {
    for (const op of Object.values(ops)) {
      const body = (op as { requestBody?: { content?: Record<string, { schema?: unknown }> } }).requestBody;
      close(body?.content?.['application/json']?.schema);
    }
  }
}

const SCHEMA_REF = '#/components/schemas/';

function schemaRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) schemaRefs(item, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF)) {
        out.push(value.slice(SCHEMA_REF.length));
      } else {
        schemaRefs(value, out);
      }
    }
  }
  return out;
}

const OPERATION_ID = /^[a-z][A-Za-z0-9]*$/;

/** Guardrail: a documented route without a camelCase, unique operationId or without a summary fails at startup. */
export function requireOperationNames(app: App) {
  const seen = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const schema = route.schema as { hide?: boolean; operationId?: unknown; summary?: unknown } | undefined;
    // HEAD twins of GET routes, hidden routes and the docs UI's own routes are not in the document.
    if (methods.length === 0 || schema?.hide === true || route.url.startsWith('/docs')) return;
    const where = `route ${methods.join(',')} ${route.url}`;
    const id = schema?.operationId;
    if (typeof id !== 'string' || !OPERATION_ID.test(id)) {
      throw new Error(`${where} declares no camelCase schema.operationId (clients are generated from it)`);
    }
    if (typeof schema?.summary !== 'string' || schema.summary.trim() === '') {
      throw new Error(`${where} declares no schema.summary`);
    }
    const other = seen.get(id);
    if (other) throw new Error(`${where} reuses the operationId '${id}' of ${other}`);
    seen.set(id, where);
  });
}
