import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { stringProblem } from './json-body.ts';

/**
 * Unknown query parameters and body fields are refused, not ignored, at every depth: `GET /sims/export?account=X`
 * exported every customer's SIMs because `account` (the CLI's word) is not the API's `accountId`, `PATCH
 * /cases/{n}` with a misspelt field answered 200 having changed nothing, and a misspelt key inside a nested object
 * (a selection, a policy's match) was dropped the same way. The querystring and the body's top-level object are
 * made strict; below the top, zod strips unknown keys, so the parsed value is compared with what was sent and
 * every key that validation dropped is refused, named by its path. (Validation only: the OpenAPI document is
 * built from each route's own schema.)
 */
export const strictValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const schema = route.schema as z.ZodType;
  const strictPart = route.httpPart === 'querystring' || route.httpPart === 'body';
  const strict = strictPart && schema instanceof z.ZodObject ? schema.strict() : schema;
  const validate = validatorCompiler({ ...route, schema: strict }) as Validate;
  const numbers = route.httpPart === 'querystring' || route.httpPart === 'params' ? numericFields(schema) : new Map();
  if (route.httpPart === 'querystring')
    return (data: unknown) => unstorable(data) ?? notNumbers(data, numbers) ?? namingRepeats(data, validate(data));
  if (route.httpPart === 'params')
    return (data: unknown) => unstorable(data) ?? notNumbers(data, numbers) ?? validate(data);
  if (route.httpPart !== 'body') return validate;
  return (data: unknown) => {
    const result = validate(data);
    if (result.error) return result;
    const dropped = droppedKeys(data, result.value);
    return dropped.length === 0 ? result : { error: dropped.map(unrecognized) };
  };
};

type Validate = (data: unknown) => { value?: unknown; error?: FastifySchemaValidationError[] };
type Validated = ReturnType<Validate>;

/**
 * A query or path value the database cannot hold (`?q=%00` answered 500 on every search): refused naming it, like
 * the same characters in a JSON body (json-body.ts). Checked before the schema, whatever the parameter's type.
 */
function unstorable(data: unknown): Validated | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  for (const [name, given] of Object.entries(data as Record<string, unknown>)) {
    for (const v of Array.isArray(given) ? given : [given]) {
      const problem = typeof v === 'string' ? stringProblem(v) : null;
      if (problem)
        return { error: [{ ...template, instancePath: `/${name}`, keyword: 'custom', message: problem, params: {} }] };
    }
  }
  return undefined;
}

type Numeric = 'integer' | 'number';
type NumericField = { kind: Numeric; list: boolean };

/**
 * The query and path parameters that zod coerces to a number, by name. Coercion is JavaScript's `Number()`: it read
 * `abc` as NaN (answered "expected number, received NaN", probe round 4: ~290 times), and `0x10`, `1e3`, ` 5` or ``
 * as 16, 1000, 5 and 0, so `/accounts/0x10` answered account 16. A parameter is a decimal number as written.
 */
function numericFields(schema: z.ZodType): Map<string, NumericField> {
  const out = new Map<string, NumericField>();
  if (!(schema instanceof z.ZodObject)) return out;
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    let inner = unwrap(field);
    const list = inner instanceof z.ZodArray;
    if (inner instanceof z.ZodArray) inner = unwrap(inner.element as z.ZodType);
    if (inner instanceof z.ZodNumber && (inner._zod.def as { coerce?: boolean }).coerce)
      out.set(name, { kind: inner.isInt ? 'integer' : 'number', list });
  }
  return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
    s = s._zod.def.innerType as z.ZodType;
  return s;
}

// No leading zeros: `/tokens/0001` revoked token 1 (probe round 6); an id is written one way.
const DECIMAL: Record<Numeric, RegExp> = { integer: /^-?(0|[1-9]\d*)$/, number: /^-?(0|[1-9]\d*)(\.\d+)?$/ };

function notNumbers(data: unknown, numbers: Map<string, NumericField>): Validated | undefined {
  if (numbers.size === 0 || data === null || typeof data !== 'object') return undefined;
  const error: FastifySchemaValidationError[] = [];
  for (const [name, { kind, list }] of numbers) {
    const given = (data as Record<string, unknown>)[name];
    // A repeated single-valued parameter is named so by namingRepeats; a list's members are each checked.
    if (Array.isArray(given) && !list) continue;
    const values = Array.isArray(given) ? given : [given];
    values.forEach((v, i) => {
      if (typeof v !== 'string' || DECIMAL[kind].test(v)) return;
      const path = Array.isArray(given) ? `/${name}/${i}` : `/${name}`;
      const message =
        kind === 'integer'
          ? 'not a whole number (digits only, no leading zeros, e.g. 42)'
          : 'not a number (e.g. 42 or 0.5, no leading zeros)';
      error.push({ ...template, instancePath: path, keyword: 'custom', message, params: {} });
    });
  }
  return error.length > 0 ? { error } : undefined;
}

/**
 * A parameter given twice (`?limit=5&limit=6`) reaches validation as an array; a single-valued parameter then
 * failed with the coercion's words ("expected number, received NaN"). Its error says what happened instead.
 */
function namingRepeats(data: unknown, result: Validated): Validated {
  // Fastify's parsed query has no prototype, so not `plain`.
  if (!result.error || data === null || typeof data !== 'object') return result;
  const query = data as Record<string, unknown>;
  return {
    error: result.error.map((e) => {
      // Only an error about the parameter as a whole: a list parameter's bad member is at /name/i.
      const [, name, ...below] = e.instancePath.split('/');
      if (below.length > 0) return e;
      const given = name === undefined || !Object.hasOwn(query, name) ? undefined : query[name];
      return Array.isArray(given) ? { ...e, message: `given ${given.length} times; give it once` } : e;
    }),
  };
}
type Dropped = { path: string[]; keys: string[] };

const plain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** Keys of objects in `input` that are missing from the same object in `output` (the parsed value). */
export function droppedKeys(input: unknown, output: unknown, path: string[] = [], out: Dropped[] = []): Dropped[] {
  if (plain(input) && plain(output)) {
    const keys = Object.keys(input);
    const dropped = keys.filter((k) => !Object.hasOwn(output, k));
    if (dropped.length > 0) out.push({ path, keys: dropped });
    for (const k of keys) if (Object.hasOwn(output, k)) droppedKeys(input[k], output[k], [...path, k], out);
  } else if (Array.isArray(input) && Array.isArray(output) && input.length === output.length) {
    for (let i = 0; i < input.length; i++) droppedKeys(input[i], output[i], [...path, String(i)], out);
  }
  return out;
}

/**
 * The library's own error entry for an unknown key (its marker symbol is private, so one is made by the library
 * and re-pointed): errors.ts then answers it as every other unknown field, one detail per key.
 */
const template = (
  validatorCompiler({ schema: z.strictObject({}), method: 'POST', url: '/', httpPart: 'body' }) as unknown as Validate
)({ x: 1 }).error![0]!;

function unrecognized({ path, keys }: Dropped): FastifySchemaValidationError {
  return {
    ...template,
    instancePath: `/${path.join('/')}`,
    schemaPath: `#/${path.join('/')}/unrecognized_keys`,
    message: `Unrecognized key${keys.length > 1 ? 's' : ''}: ${keys.map((k) => `"${k}"`).join(', ')}`,
    params: { keys },
  };
}
