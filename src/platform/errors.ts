/**
 * The one error model. Domain code throws AppError with a module-scoped code
 * (`sims.iccid_invalid`); platform/http/errors.ts maps the kind to an HTTP status.
 * Domain code never knows about HTTP.
 */
export type ErrorKind =
  | 'invalid' // 400: the input is wrong
  | 'unauthenticated' // 401
  | 'forbidden' // 403: authenticated, not allowed
  | 'not_found' // 404 (also used for other tenants' rows: never confirm they exist)
  | 'timeout' // 408: the request stopped arriving (a stalled upload)
  | 'conflict' // 409: duplicate, forbidden transition, stale state
  | 'too_large' // 413
  | 'unsupported_media' // 415: a body in a type or character set the operation does not take
  | 'rate_limited' // 429: too many attempts; retryAfterSeconds says when to come back (the Retry-After header)
  | 'unavailable'; // 503

/** One problem with one piece of input: where (line, field), what value, why. */
export type ErrorDetail = {
  line?: number;
  field?: string;
  value?: unknown;
  reason: string;
};

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: ErrorDetail[];
  /** Whole seconds until a retry may succeed; sent as Retry-After (rate_limited, unavailable). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
    opts: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const invalid = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError('invalid', code, message, details);
export const notFound = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError('not_found', code, message, details);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError('conflict', code, message, details);
export const forbidden = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError('forbidden', code, message, details);
export const rateLimited = (code: string, message: string, retryAfterSeconds: number, details: ErrorDetail[] = []) =>
  new AppError('rate_limited', code, message, details, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });
export const unauthenticated = (message = 'Authentication required') =>
  new AppError('unauthenticated', 'auth.unauthenticated', message);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A validation issue's path as a field name: ['hours', 0, 'from'] → 'hours[0].from'. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
