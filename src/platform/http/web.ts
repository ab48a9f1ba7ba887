import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { App, RouteModule } from './app.ts';
import { notFoundHandler } from './errors.ts';

/**
 * The web console (web/, built into web/dist by `npm install`) served by the same process at `/`: files under
 * /assets by name, every other GET outside the API answered with index.html so a deep link or a reload of
 * `/cases/C-2026-000001` opens the console there. The build is small (~1 MB), so it is read and gzipped once at
 * start: no file system access per request, and no path from a URL ever reaches the file system.
 */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

type WebFile = { body: Buffer; gzip: Buffer | null; type: string; etag: string; immutable: boolean };
export type WebBundle = { files: Map<string, WebFile>; built: boolean };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Paths the console never answers: an unknown one there is the API's JSON 404, not the console's page. */
const NOT_CONSOLE = /^\/(api|docs|openapi\.json|metrics|healthz|readyz)(\/|$|\?)/;

/**
 * Content-Security-Policy for the console: only our own scripts; inline styles because Mantine sets CSS
 * variables in style attributes; no framing (clickjacking).
 */
const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

let loaded: WebBundle | null = null;
/** The built console, read once per process (tests build many apps). */
export function webBundle(): WebBundle {
  loaded ??= loadWebBundle(WEB_DIST);
  return loaded;
}

export function loadWebBundle(dir: string): WebBundle {
  const files = new Map<string, WebFile>();
  if (!existsSync(path.join(dir, 'index.html'))) return { files, built: false };
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = path.posix.join(sub, name);
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else {
        const body = readFileSync(path.join(dir, rel));
        const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
        const compressible = /text|javascript|json|svg/.test(type) && body.length > 1024;
        files.set(`/${rel}`, {
          body,
          gzip: compressible ? gzipSync(body, { level: 9 }) : null,
          type,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          // Vite names built assets by content hash: they never change under the same name.
          immutable: rel.startsWith('assets/'),
        });
      }
    }
  };
  walk('');
  return { files, built: true };
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>iotops</title>
<p>The web console is not built. Run <code>npm run build:web</code> (done by <code>npm install</code>), then reload.
The API is at <a href="/docs">/docs</a>.</p>`;

export function webRoutes(bundle: WebBundle): RouteModule {
  return (app: App) => {
    const send = (
      req: { headers: Record<string, string | string[] | undefined> },
      reply: import('fastify').FastifyReply,
      f: WebFile,
    ) => {
      reply.header('etag', f.etag).header('vary', 'accept-encoding');
      reply.header('cache-control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (req.headers['if-none-match'] === f.etag) return reply.code(304).send();
      reply.type(f.type);
      const accepts = String(req.headers['accept-encoding'] ?? '');
      if (f.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(f.gzip);
      return reply.send(f.body);
    };
    const page = (req: Parameters<typeof send>[0], reply: Parameters<typeof send>[1]) => {
      reply.headers(CONSOLE_HEADERS);
      const index = bundle.files.get('/index.html');
      if (!index) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
      return send(req, reply, index);
    };
    const opts = { config: { auth: 'public' as const }, schema: { hide: true } };
    app.get('/', opts, (req, reply) => page(req, reply));
    app.get('/*', opts, (req, reply) => {
      const url = req.url.split('?')[0] ?? '/';
      if (NOT_CONSOLE.test(url)) return notFoundHandler(req, reply);
      const file = bundle.files.get(url);
      if (file && url !== '/index.html') return send(req, reply, file);
      // A missing asset is a 404 (a stale page asking for an old chunk must not get HTML as JavaScript).
      if (url.startsWith('/assets/')) return notFoundHandler(req, reply);
      return page(req, reply);
    });
  };
}
