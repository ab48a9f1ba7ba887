import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { App } from './app.ts';

/**
 * Cross-site request protection for cookie sessions. The session cookie is SameSite=Lax, which already keeps it off
 * cross-site POSTs in current browsers; this is the second, browser-independent layer OWASP recommends: a
 * state-changing request that may ride on ambient credentials (it carries no Authorization header) must come from
 * the console's own origin. Browsers send Origin on every non-GET fetch and form post, and Sec-Fetch-Site where they
 * know it; scripts (curl, the CLI, generated clients) send neither and use Bearer tokens, so they are not affected.
 * The login itself is covered too (login CSRF: being logged in as the attacker).
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function crossSiteProblem(
  req: Pick<FastifyRequest, 'method' | 'headers' | 'host'>,
  allowedOrigins: readonly string[],
): { field: string; value: string; reason: string } | null {
  if (SAFE.has(req.method) || req.headers.authorization !== undefined) return null;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return { field: 'Origin', value: origin, reason: 'an opaque origin may not change data' };
    // req.host is the Host header, or X-Forwarded-Host when the peer is a proxy named in TRUST_PROXY.
    const host = req.host;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { field: 'Origin', value: origin.slice(0, 200), reason: 'not an origin' };
    }
    if (originHost === host || allowedOrigins.includes(origin)) return null;
    return {
      field: 'Origin',
      value: origin.slice(0, 200),
      reason: `not this server (${String(host).slice(0, 200)}) nor an ALLOWED_ORIGINS entry`,
    };
  }
  // No Origin (older browsers on same-origin requests, or a script): trust the browser's own verdict if it gave one.
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return { field: 'Sec-Fetch-Site', value: site, reason: 'a request from another site may not change data' };
  }
  return null;
}

export function registerCrossSiteGuard(app: App, allowedOrigins: readonly string[]) {
  app.addHook('onRequest', async (req) => {
    const problem = crossSiteProblem(req, allowedOrigins);
    if (problem) {
      throw new AppError(
        'forbidden',
        'request.cross_site',
        `Refused: a state-changing request from another site (${problem.field}: ${problem.reason})`,
        [problem],
      );
    }
  });
}
