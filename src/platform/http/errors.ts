import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorDetail, type ErrorKind, isAppError } from '../errors.ts';
import { clip, clipText } from './json-body.ts';

/** The one table from error kind to HTTP status. */
const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  unavailable: 503,
};

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. sims.iccid_invalid'),
      message: z.string(),
      requestId: z.string(),
      details: z.array(
        z.object({
          line: z.number().int().optional(),
          field: z.string().optional(),
          value: z.unknown().optional(),
          reason: z.string(),
        }),
      ),
    }),
  })
  .meta({ id: 'Error' });

export const MAX_DETAILS = 100;

function send(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: string,
  message: string,
  details: ErrorDetail[],
) {
  // Every echo is cut (a 10 MB header line once came back as a 50 MB error): the message, and each detail's value,
  // field (a CSV column's name is the client's text) and reason.
  // At most MAX_DETAILS problems are listed (a header of 1,000 repeated columns answered 83 KB of near-identical
  // details), then one saying how many more there were; an import's full list is its error report.
  const shown: ErrorDetail[] = details.slice(0, MAX_DETAILS).map((d) => ({
    ...d,
    ...(d.field === undefined ? {} : { field: clipText(d.field, 200) }),
    ...(d.value === undefined ? {} : { value: clip(d.value) }),
    reason: clipText(d.reason, 500),
  }));
  if (details.length > MAX_DETAILS) shown.push({ reason: `… and ${details.length - MAX_DETAILS} more problems` });
  const text = clipText(message, 2000);
  return reply.code(status).send({ error: { code, message: text, requestId: String(req.id), details: shown } });
}

/** Validation issue path '/body/accounts/0/name' → field 'accounts[0].name'. */
function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function valueAt(req: FastifyRequest, context: string | undefined, instancePath: string): unknown {
  const root: unknown =
    context === 'body'
      ? req.body
      : context === 'querystring'
        ? req.query
        : context === 'params'
          ? req.params
          : undefined;
  let v: unknown = root;
  for (const part of instancePath.split('/').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Zod's words for a missing field or a repeated one ("expected string, received undefined", "received NaN") say how
 * it failed inside, not what the caller did: a field that is absent is "required".
 */
function plainReason(message: string | undefined, value: unknown, present: boolean): string {
  if (value === undefined && !present && /received undefined/.test(message ?? '')) return 'required';
  return message ?? 'invalid';
}

function hasKey(req: FastifyRequest, context: string | undefined, instancePath: string): boolean {
  const parts = instancePath.split('/').filter(Boolean);
  const last = parts.pop();
  if (last === undefined) return true;
  const parent = valueAt(req, context, parts.length ? `/${parts.join('/')}` : '');
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last);
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isAppError(err)) {
    if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
    return send(reply, req, STATUS[err.kind], err.code, err.message, err.details);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext;
    const named = (field: string) =>
      context && context !== 'body' ? `${context}.${field}`.replace(/\.$/, '') : field || 'body';
    // An unknown key is named itself (one detail each), not as its parent object with the whole value echoed.
    const details = err.validation.flatMap((v) => {
      const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: unknown }).keys : undefined;
      if (Array.isArray(keys) && keys.length > 0) {
        return keys.map((k) => {
          const path = `${v.instancePath.replace(/\/$/, '')}/${String(k)}`;
          return {
            field: named(fieldOf(path)),
            value: valueAt(req, context, path),
            reason: context === 'querystring' ? 'unknown parameter' : 'unknown field',
          };
        });
      }
      return [
        {
          field: named(fieldOf(v.instancePath)),
          value: valueAt(req, context, v.instancePath),
          reason: plainReason(v.message, valueAt(req, context, v.instancePath), hasKey(req, context, v.instancePath)),
        },
      ];
    });
    const first = details[0];
    const where = first ? `${first.field}: ${first.reason}` : 'invalid input';
    return send(reply, req, 400, 'request.invalid', `Invalid request (${where})`, details);
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return send(reply, req, 413, 'request.too_large', `Request body is larger than the limit`, []);
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return send(reply, req, 415, 'request.unsupported_media_type', err.message, []);
  }
  if (
    err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    err instanceof SyntaxError
  ) {
    return send(reply, req, 400, 'request.malformed_json', `Body is not valid JSON: ${err.message}`, []);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return send(reply, req, err.statusCode, 'request.rejected', err.message, []);
  }
  req.log.error({ err }, 'unhandled error');
  return send(reply, req, 500, 'internal', 'Internal error; the request id identifies it in the logs', []);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return send(reply, req, 404, 'route.not_found', `No route ${req.method} ${req.url.split('?')[0]}`, []);
}
