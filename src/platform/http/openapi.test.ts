import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from './app.ts';
import { requireOperationNames, transformDocument, transformRoute } from './openapi.ts';

function bareApp(): App {
  const app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as App;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  requireOperationNames(app);
  return app;
}

const ok = async () => ({ ok: true });

describe('every documented route names its operation', () => {
  it('accepts a camelCase operationId with a summary; hidden routes and HEAD twins need none', async () => {
    const app = bareApp();
    app.get('/a', { schema: { operationId: 'getA', summary: 'Get A' } }, ok);
    app.get('/hidden', { schema: { hide: true } }, ok);
    await app.ready();
    await app.close();
  });

  it('refuses a route without an operationId, with a badly cased one, or without a summary', () => {
    const app = bareApp();
    expect(() => app.get('/a', { schema: { summary: 'Get A' } }, ok)).toThrow(/GET \/a declares no camelCase/);
    expect(() => app.get('/b', { schema: { operationId: 'get-b', summary: 'Get B' } }, ok)).toThrow(/camelCase/);
    expect(() => app.get('/c', { schema: { operationId: 'GetC', summary: 'Get C' } }, ok)).toThrow(/camelCase/);
    expect(() => app.post('/d', { schema: { operationId: 'createD' } }, ok)).toThrow(/POST \/d declares no/);
    expect(() => app.get('/e', {}, ok)).toThrow(/declares no camelCase/);
  });

  it('refuses an operationId used twice', () => {
    const app = bareApp();
    app.get('/a', { schema: { operationId: 'getA', summary: 'Get A' } }, ok);
    expect(() => app.get('/a2', { schema: { operationId: 'getA', summary: 'Get A again' } }, ok)).toThrow(
      /reuses the operationId 'getA' of route GET \/a/,
    );
  });
});

describe('the document keeps only the schemas its operations reach', () => {
  it('drops the unused input/output twin of a registered schema, keeps nested references', async () => {
    const Inner = z.object({ n: z.number() }).meta({ id: 'ProbeInner' });
    const Outer = z.object({ inner: Inner }).meta({ id: 'ProbeOuter' });
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(fastifySwagger, {
      openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } },
      transform: transformRoute,
      transformObject: transformDocument,
    });
    app.get('/o', { schema: { response: { 200: Outer } } }, async () => ({ inner: { n: 1 } }));
    await app.ready();
    const schemas = Object.keys((app.swagger() as { components: { schemas: object } }).components.schemas);
    expect(schemas).toContain('ProbeOuter');
    expect(schemas).toContain('ProbeInner');
    expect(schemas).not.toContain('ProbeOuterInput');
    expect(schemas).not.toContain('ProbeInnerInput');
    await app.close();
  });
});
