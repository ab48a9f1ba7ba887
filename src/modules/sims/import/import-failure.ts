/** What an import's failure is answered as: every error of the stream or the database as an AppError naming the line. */
import { CsvError } from 'csv-parse';
import { isUniqueViolation } from '../../../platform/db/pg-errors.ts';
import { AppError, invalid, isAppError } from '../../../platform/errors.ts';
import { MAX_LINE_CHARS } from './csv-row.ts';
import { ImportErrors as E } from './import.errors.ts';

/**
 * csv-parse names the end of the file for a quote never closed (the probe's quote opened on line 50,002 of 100,001
 * was reported on line 100,001); the quote opened in the record after the last one read.
 */
export function unclosedQuoteAt(e: unknown, line: number): unknown {
  if (!(e instanceof CsvError) || e.code !== 'CSV_QUOTE_NOT_CLOSED') return e;
  const reason = `the record starting on line ${line} opens a quoted field that is never closed (its closing quote is missing)`;
  return invalid(E.csvMalformed, `Malformed CSV at line ${line}: ${reason}`, [{ line, field: '(csv)', reason }]);
}

/** A line past the limit, refused as it arrives (utf8-guard.ts) or by csv-parse's record limit. */
export function lineTooLong(line: number, max = MAX_LINE_CHARS) {
  const reason = `line longer than ${max} bytes: a SIM line is far shorter (a missing newline, or not a SIM file?)`;
  return invalid(E.csvMalformed, `Malformed CSV at line ${line}: ${reason}`, [{ line, field: '(csv)', reason }]);
}

/** Errors of the stream (malformed CSV, too large) become AppErrors naming the line. */
export function asImportError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (e instanceof CsvError && e.code === 'CSV_MAX_RECORD_SIZE')
    return lineTooLong((e as CsvError & { lines?: number }).lines ?? 1);
  if (e instanceof CsvError) {
    const line = (e as CsvError & { lines?: number }).lines;
    return invalid(E.csvMalformed, `Malformed CSV${line ? ` at line ${line}` : ''}: ${e.message}`, [
      { ...(line ? { line } : {}), field: '(csv)', reason: e.message },
    ]);
  }
  if (isUniqueViolation(e)) {
    return new AppError(
      'conflict',
      E.duplicates,
      'A concurrent change inserted the same ICCID/MSISDN/IMSI; re-run the import',
      [{ reason: e instanceof Error ? e.message : String(e) }],
    );
  }
  return new AppError('unavailable', 'sims.import_failed', e instanceof Error ? e.message : String(e));
}
