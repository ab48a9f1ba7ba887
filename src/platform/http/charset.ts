import { AppError } from '../errors.ts';

/**
 * Every body iotops reads as text is UTF-8 (JSON by RFC 8259, the CSV and NDJSON contracts by their text). A
 * Content-Type that declares another character set (`text/csv; charset=latin1`) was ignored and the bytes read as
 * UTF-8 anyway (probe round 4): it is refused, saying how to send the file, rather than silently misread.
 * US-ASCII is a subset of UTF-8 and is accepted.
 */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The refusal for a declared charset other than UTF-8, or null. */
export function charsetProblem(contentType: string | undefined): AppError | null {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1];
  if (charset === undefined || UTF8_NAMES.has(charset.toLowerCase())) return null;
  return new AppError(
    'unsupported_media',
    'request.charset_unsupported',
    `The body must be UTF-8, not ${charset}: convert it (e.g. iconv -f ${charset} -t utf-8) and send it with charset=utf-8 or no charset`,
    [{ field: 'content-type', value: contentType, reason: `charset ${charset} is not UTF-8` }],
  );
}
