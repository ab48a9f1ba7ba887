import type { FastifyRequest } from 'fastify';
import type { Principal, Scope } from '../auth.ts';
import { AppError, unauthenticated } from '../errors.ts';
import type { App } from './app.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route must say who may call it: 'public' or the scope it needs. */
    auth?: 'public' | Scope;
    /** OpenAPI for raw (non-JSON) bodies: see platform/http/openapi.ts. */
    openapi?: import('./openapi.ts').RawBodyDoc;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Guardrail: a route without `config.auth` fails at startup, so no route ships unauthenticated by accident.
 * Then each request resolves its principal (cookie or Bearer) and its route's scope is checked.
 */
export function registerAuth(app: App, resolve: (req: FastifyRequest) => Promise<Principal | null>) {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const auth = (route.config as { auth?: unknown } | undefined)?.auth;
    const isPluginRoute = route.url.startsWith('/docs');
    if (auth === undefined && !isPluginRoute) {
      throw new Error(`route ${route.method} ${route.url} declares no config.auth`);
    }
  });
  app.addHook('onRequest', async (req) => {
    const auth = req.routeOptions.config.auth ?? 'public';
    if (auth === 'public') return;
    const principal = await resolve(req);
    if (!principal) throw unauthenticated();
    if (!principal.scopes.has(auth)) {
      throw new AppError('forbidden', 'auth.scope_missing', `This call needs the '${auth}' scope`, [
        { field: 'scope', value: [...principal.scopes], reason: `missing '${auth}'` },
      ]);
    }
    req.principal = principal;
  });
}

/** For handlers of authenticated routes: the principal is always set by the hook above. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}
