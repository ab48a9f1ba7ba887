import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** One problem of an API error, as every iotops error lists them: what was wrong and where. */
export type ErrorDetail = { line?: number; field?: string; value?: unknown; reason: string };

/** The API's one error shape (`{ error: { code, message, requestId, details } }`), thrown by every call. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | undefined;
  constructor(status: number, body: unknown) {
    const e = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string } })
      ?.error;
    super(e?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = e?.code ?? (status === 0 ? 'network' : `http_${status}`);
    this.details = e?.details ?? [];
    this.requestId = e?.requestId;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** The session ended (401 on a call that needs one): the app asks to log in again without leaving the page. */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

const watch401: Middleware = {
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/api/v1/auth/login')) {
      for (const l of unauthorizedListeners) l();
    }
  },
};

/** The typed client generated from docs/openapi.json (web/src/api/schema.d.ts): the console's only way to the API. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(watch401);

/** Unwraps an openapi-fetch answer: the data, or an ApiError carrying the server's message and details. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch {
    throw new ApiError(0, { error: { message: 'The server cannot be reached. Check the connection.' } });
  }
  if (r.error !== undefined || !r.response.ok) throw new ApiError(r.response.status, r.error);
  return r.data as T;
}
