/** Recognise PostgreSQL errors across drivers (pg, PGlite) and Drizzle's wrapping. */
type PgErrorLike = { code?: string; constraint?: string; cause?: unknown };

function pgError(e: unknown): PgErrorLike | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 3 && cur && typeof cur === 'object'; i++) {
    const c = cur as PgErrorLike;
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c;
    cur = c.cause;
  }
  return undefined;
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const pe = pgError(e);
  return (
    pe?.code === '23505' && (constraint === undefined || pe.constraint === constraint || String(e).includes(constraint))
  );
}

/**
 * The statement failed because of the data it was given (SQLSTATE class 22 data exception, 23 integrity
 * violation), not because the database is unreachable or busy: sending the same data again fails again.
 */
export function isDataError(e: unknown): boolean {
  const code = pgError(e)?.code;
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/** A row another table still points at (or a key to a row that is gone): SQLSTATE 23503. */
export function isForeignKeyViolation(e: unknown): boolean {
  return pgError(e)?.code === '23503';
}
