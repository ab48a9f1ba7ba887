/**
 * Requests that never reach a route, answered in the documented error shape rather than Node's or Fastify's own
 * (outside probe round 5): a CONNECT (Node closes the socket without a word when no one listens), an `Expect`
 * it does not meet (Node's bare 417), an HTTP/1.1 request without Host (Node's empty 400), a path that is not
 * valid percent-encoded UTF-8 (`%ff`) or a path parameter past Fastify's length limit (Fastify's own shape).
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { errorHandler } from './errors.ts';
import { lingeringClose, writeRawError } from './request-body.ts';

/** Node's server options: Host is checked by the hook below, so that the refusal has a body. */
export const HTTP_SERVER_OPTIONS = { requireHostHeader: false };

/** Errors Fastify raises before routing, by code: what they are answered as. */
const BEFORE_ROUTING: Record<string, (path: string) => AppError> = {
  FST_ERR_BAD_URL: (path) =>
    new AppError('invalid', 'request.bad_url', 'The path is not valid percent-encoded UTF-8', [
      { field: 'path', value: path, reason: 'a %-escape that is not UTF-8 (e.g. %ff), or a bad escape' },
    ]),
  FST_ERR_MAX_PARAM_LENGTH: (path) =>
    new AppError('invalid', 'request.path_parameter_too_long', 'A path parameter is longer than any id', [
      { field: 'path', value: path, reason: 'a path parameter longer than 100 characters' },
    ]),
};

/** Fastify's `frameworkErrors`: errors raised before routing, in the documented shape. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const mapped = BEFORE_ROUTING[err.code]?.(req.raw.url?.split('?')[0] ?? '');
  return errorHandler(mapped ? (mapped as unknown as FastifyError) : err, req, reply);
}

/**
 * HTTP/1.1 requires Host (RFC 9112 §3.2; HTTP/1.0 may omit it). A query whose %-escapes are not UTF-8 (`?q=%ED%A0%80`)
 * was decoded to U+FFFD and searched or stored so (probe round 6): it is refused, like such bytes in a body.
 */
export async function protocolChecks(req: FastifyRequest, reply: FastifyReply) {
  if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) {
    reply.header('connection', 'close');
    throw new AppError('invalid', 'request.host_missing', 'An HTTP/1.1 request needs a Host header', [
      { field: 'host', reason: 'missing' },
    ]);
  }
  const url = req.raw.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0 && !queryIsUtf8(url.slice(q + 1))) {
    throw new AppError('invalid', 'request.not_utf8', 'The query string is not UTF-8 once its %-escapes are decoded', [
      {
        field: 'query',
        value: url.slice(q + 1),
        reason: 'a %-escape sequence that is not UTF-8 (e.g. %ff or %ED%A0%80)',
      },
    ]);
  }
}

/** The query's bytes (Node hands the request line over as Latin-1) with each %XX decoded, checked as UTF-8. */
function queryIsUtf8(query: string): boolean {
  if (!query.includes('%')) return true;
  const decoded = query.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  return isUtf8(Buffer.from(decoded, 'latin1'));
}

export function answerProtocolErrors(server: Server) {
  server.on('connect', (_req, socket: Socket) => {
    writeRawError(socket, 405, 'Method Not Allowed', 'request.method_not_allowed', 'CONNECT: iotops is not a proxy');
    lingeringClose(socket);
  });
  server.on('checkExpectation', (req, res) => {
    const body = JSON.stringify({
      error: {
        code: 'request.expectation_failed',
        message: `Expect: ${String(req.headers.expect).slice(0, 100)} is not supported (only 100-continue)`,
        requestId: randomUUID(),
        details: [{ field: 'expect', reason: 'only 100-continue is supported' }],
      },
    });
    res
      .writeHead(417, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      })
      .end(body);
  });
}
