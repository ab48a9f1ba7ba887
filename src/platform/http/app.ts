import { randomUUID } from 'node:crypto';
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
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../auth.ts';
import type { Ctx } from '../context.ts';
import { registerAuth } from './auth-hooks.ts';
import { errorHandler, notFoundHandler } from './errors.ts';

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
};

/**
 * Routes that stream a raw body (CSV import) or answer with one (CSV export) have no zod body schema; they say
 * so in `config.openapi`, and this adds it to the OpenAPI document on top of the zod-generated schema.
 */
type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
function withRawBodies(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
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

export type RawBodyDoc = {
  body?: { contentTypes: string[]; description: string };
  produces?: string[];
};

export async function buildApp(ctx: Ctx, opts: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
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
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'iotops_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: withRawBodies,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  registerAuth(app, opts.resolvePrincipal);

  app.get(
    '/openapi.json',
    { config: { auth: 'public' }, schema: { hide: true } },
    async () => app.swagger() as unknown as Record<string, unknown>,
  );
  app.get(
    '/healthz',
    { config: { auth: 'public' }, schema: { tags: ['ops'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['ops'],
        response: { 200: z.object({ status: z.literal('ready'), database: z.string() }) },
      },
    },
    async () => {
      await ctx.database.query('select 1');
      return { status: 'ready' as const, database: ctx.database.kind };
    },
  );
  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  for (const register of opts.routes) register(app);
  await app.ready();
  return app;
}
