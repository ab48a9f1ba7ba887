import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../auth.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { firstBadUtf8Byte } from '../utf8.ts';
import { registerAuth } from './auth-hooks.ts';
import { charsetProblem } from './charset.ts';
import { registerCrossSiteGuard } from './cross-site.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { jsonBodyProblem } from './json-body.ts';
import { requireOperationNames, transformDocument, transformRoute } from './openapi.ts';
import { answerProtocolErrors, frameworkErrors, HTTP_SERVER_OPTIONS, protocolChecks } from './protocol-errors.ts';
import { drainRequest, isLingering, lingeringClose, registerBodyIdleTimeout, writeRawError } from './request-body.ts';
import { strictValidatorCompiler } from './strict-validator.ts';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export type RouteModule = (app: App) => void;

export type AppOptions = {
  resolvePrincipal: (req: FastifyRequest) => Promise<Principal | null>;
  routes: RouteModule[];
  version: string;
  /** Run when the app closes (what the process opened for it, e.g. a LISTEN connection). */
  onClose?: () => Promise<void>;
};

export async function buildApp(ctx: Ctx, opts: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    requestIdHeader: 'x-request-id',
    // req.ip, req.host and req.protocol come from X-Forwarded-* only when the peer is a proxy named in TRUST_PROXY.
    trustProxy: ctx.config.trustProxy,
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false } },
    http: HTTP_SERVER_OPTIONS,
    frameworkErrors,
    // What Node's HTTP parser refuses (a bad Content-Length, a header too large, a request that took too long) in
    // the documented error shape, not Fastify's own; the client may still be sending, so the connection is closed
    // lingering (request-body.ts). A connection already closing that way has had its answer.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed || isLingering(socket)) return;
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
        writeRawError(socket, 408, 'Request Timeout', 'request.timeout', 'The request took too long to arrive');
      else if (err.code === 'HPE_HEADER_OVERFLOW')
        writeRawError(socket, 431, 'Request Header Fields Too Large', 'request.headers_too_large', 'Headers too large');
      else
        writeRawError(socket, 400, 'Bad Request', 'request.malformed_http', `Malformed HTTP request: ${err.message}`);
      lingeringClose(socket);
    },
  }).withTypeProvider<ZodTypeProvider>();

  // The one place JSON enters: parsed, then held to what every route may assume (json-body.ts).
  app.removeContentTypeParser('application/json');
  // Routes take JSON (or, where they say so, CSV, NDJSON, files); a text/plain body was read as a JSON string.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    // An operation that takes no body: nothing sent (clients that always send the content type) is nothing, and
    // anything sent is refused rather than ignored.
    const takesBody = req.routeOptions.schema?.body !== undefined;
    const charset = charsetProblem(req.headers['content-type']);
    if (charset) return done(charset, undefined);
    // JSON is UTF-8 (RFC 8259): a Latin-1 byte would be decoded to U+FFFD and stored without a word.
    const bytes = body as Buffer;
    const bad = firstBadUtf8Byte(bytes);
    if (bad >= 0) {
      const hex = `0x${bytes.subarray(bad, bad + 1).toString('hex')}`;
      return done(
        new AppError('invalid', 'request.not_utf8', `Body is not UTF-8: byte ${hex} at offset ${bad}`, [
          { field: 'body', value: hex, reason: `byte ${bad} is not UTF-8 (send JSON encoded as UTF-8)` },
        ]),
        undefined,
      );
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      // Nothing where nothing is needed: no body schema, or one that takes none (an optional body).
      const schema = req.routeOptions.schema?.body as { safeParse?: (v: unknown) => { success: boolean } } | undefined;
      if (!takesBody || schema?.safeParse?.(undefined).success) return done(null, undefined);
      return done(new AppError('invalid', 'request.malformed_json', 'Body is empty: send a JSON value'), undefined);
    }
    // An operation whose body is not JSON (a CSV import, an attachment) says what it takes instead.
    const takes = (req.routeOptions.config as { openapi?: { body?: { contentTypes?: string[] } } } | undefined)?.openapi
      ?.body?.contentTypes;
    if (!takesBody && takes?.length && !takes.some((t) => t === '*/*' || t === 'application/json'))
      return done(
        new AppError(
          'unsupported_media',
          'request.unsupported_media_type',
          `This operation takes ${takes.join(' or ')}, not JSON`,
          [{ field: 'content-type', value: 'application/json', reason: `send ${takes.join(' or ')}` }],
        ),
        undefined,
      );
    if (!takesBody)
      return done(
        new AppError('invalid', 'request.unexpected_body', 'This operation takes no body: send none', [
          { field: 'body', reason: 'not expected' },
        ]),
        undefined,
      );
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return done(
        new AppError('invalid', 'request.malformed_json', `Body is not valid JSON: ${(e as Error).message}`),
        undefined,
      );
    }
    const problem = jsonBodyProblem(value);
    if (problem)
      return done(
        new AppError('invalid', 'request.invalid_json', `Body refused (${problem.field}: ${problem.reason})`, [
          problem,
        ]),
        undefined,
      );
    done(null, value);
  });
  app.setValidatorCompiler(strictValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  registerBodyIdleTimeout(app, ctx.config.bodyIdleTimeoutMs);
  answerProtocolErrors(app.server);
  app.addHook('onRequest', protocolChecks);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Answered before the body was read to its end (413, a refused upload, 401/403 before the body, a GET with a
    // body nobody reads): read and drop the rest, so the client gets this answer rather than a reset, and a
    // keep-alive connection stays usable; a connection that closes after it closes lingering (request-body.ts).
    // A 2xx whose body is still being read (a streamed import answered 202) is left to its reader. (Injected
    // requests, in tests, have no `complete`: no connection either.)
    if (req.raw.complete === false && (reply.statusCode >= 400 || req.raw.readableFlowing === null)) {
      // A body that stopped arriving will not be read to its end: this connection cannot carry another request.
      if (reply.statusCode === 408) reply.header('connection', 'close');
      drainRequest(req.raw);
    }
    // Every answer: no MIME sniffing (a CSV or an attachment is never run as script). API answers are data, never a
    // page: nothing may load from them or frame them, and a shared cache keeps none of a customer's data.
    reply.header('x-content-type-options', 'nosniff');
    if (req.url.startsWith('/api/')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    } else if (req.url.startsWith('/docs')) {
      reply.header('x-frame-options', 'DENY');
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'iotops API',
        version: opts.version,
        description:
          'Operations desk for an IoT connectivity provider. Authenticate with `Authorization: Bearer <token>` ' +
          '(create one with POST /api/v1/tokens or `iotops tokens create`) or the session cookie from POST /api/v1/auth/login.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the API is served by the host that serves this document (whatever HOST/PORT or proxy is in front).
      servers: [{ url: '/', description: 'The iotops server that serves this document' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'iotops_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: transformRoute,
    transformObject: transformDocument,
  });
  // The docs page runs the Swagger UI bundle on our origin: its policy allows only its own files and the inline
  // scripts and styles it ships (hashed by the plugin), is never framed, and does not force https (a desk on
  // http://127.0.0.1 must still show its docs).
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // Tags open collapsed: with every operation expanded, Swagger UI stopped rendering after the first seven once the
    // API passed ~132 operations (no error shown), and 140 operations at once is no way to read an API anyway.
    uiConfig: { docExpansion: 'none' },
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace(/\s*upgrade-insecure-requests;?/, '')
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(/ https:/g, '')
        // Swagger UI sets style attributes, which no hash allows: inline styles (never scripts) are let through.
        .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
        .replace(' validator.swagger.io', ''),
  });

  registerCrossSiteGuard(app, ctx.config.allowedOrigins);
  registerAuth(app, opts.resolvePrincipal);
  requireOperationNames(app);

  // An operation that takes no query parameters refuses any (`GET /cases/{n}?acountId=…` answered as if the
  // parameter were honoured): the strict validator then names each unknown one. The probes too (round 6).
  const strictQuery = (url: string) => url.startsWith('/api/') || url === '/healthz' || url === '/readyz';
  app.addHook('onRoute', (route) => {
    if (strictQuery(route.url) && route.schema?.querystring === undefined)
      route.schema = { ...route.schema, querystring: z.object({}).strict() };
  });
  app.get(
    '/openapi.json',
    { config: { auth: 'public' }, schema: { hide: true } },
    async () => app.swagger() as unknown as Record<string, unknown>,
  );
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['ops'],
        operationId: 'getHealth',
        summary: 'Liveness probe',
        description: 'Answers 200 while the process serves HTTP; it checks nothing else.',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['ops'],
        operationId: 'getReadiness',
        summary: 'Readiness probe',
        description: 'Answers 200 once the database answers a query; fails while it is unreachable.',
        response: { 200: z.object({ status: z.literal('ready'), database: z.string() }) },
      },
    },
    async () => {
      await ctx.database.query('select 1');
      return { status: 'ready' as const, database: ctx.database.kind };
    },
  );
  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (req, reply) => {
    metricsAccess(req, ctx.config);
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  for (const register of opts.routes) register(app);
  const onClose = opts.onClose;
  if (onClose) app.addHook('onClose', async () => onClose());
  await app.ready();
  return app;
}

/**
 * /metrics names routes, queues and volumes: internals an internet-facing desk does not publish (probe round 4). It
 * answers to Prometheus's bearer token (METRICS_TOKEN), or with none configured to a loopback peer of a server that
 * is not behind a proxy (behind one, every request arrives from the proxy's, often local, address).
 */
function metricsAccess(req: FastifyRequest, config: Pick<Ctx['config'], 'metricsToken' | 'trustProxy'>): void {
  if (config.metricsToken !== '') {
    const given = Buffer.from(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(config.metricsToken);
    if (given.length === want.length && timingSafeEqual(given, want)) return;
    throw new AppError(
      'unauthenticated',
      'metrics.token_required',
      'Send the METRICS_TOKEN as Authorization: Bearer …',
    );
  }
  const peer = req.socket.remoteAddress ?? '';
  const loopback = /^(127\.|::1$|::ffff:127\.)/.test(peer);
  if (loopback && config.trustProxy === false) return;
  throw new AppError(
    'forbidden',
    'metrics.forbidden',
    'Metrics are served to local peers only: set METRICS_TOKEN to scrape them from elsewhere or through a proxy',
  );
}
