/** Error codes of SIM bulk import/export (contract: shared/contracts/sim-import-v1.md). */
export const ImportErrors = {
  /** Header problems: unknown column, duplicate column, missing required column. */
  headerInvalid: 'sims.import_header_invalid',
  /** The body is not parseable CSV (unclosed quote, …); names the line. */
  csvMalformed: 'sims.import_csv_malformed',
  /** At least one line was rejected (format, unknown account/plan); atomic mode imported nothing. */
  rowsInvalid: 'sims.import_rows_invalid',
  /** Every rejected line was a duplicate (in the file or in the database); atomic mode imported nothing. */
  duplicates: 'sims.import_duplicates',
  /** The streamed body exceeded IMPORT_MAX_BYTES. */
  tooLarge: 'sims.import_too_large',
  /** The file is not UTF-8 (the contract's encoding); names the line and the byte. */
  notUtf8: 'sims.import_not_utf8',
  /** The process running the import died; its transaction rolled back (nothing written). */
  abandoned: 'sims.import_abandoned',
  empty: 'sims.import_empty',
  notFound: 'sims.import_not_found',
  staffOnly: 'sims.import_staff_only',
  exportAccountNotFound: 'sims.export_account_not_found',
} as const;
