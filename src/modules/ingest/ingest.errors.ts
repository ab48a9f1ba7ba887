export const IngestErrors = {
  credentialNameTaken: 'ingest.credential_name_taken',
  credentialNotFound: 'ingest.credential_not_found',
  emptyBody: 'ingest.empty_body',
  cursorInvalid: 'ingest.cursor_invalid',
  writeFailed: 'ingest.write_failed',
  staffOnly: 'ingest.staff_only',
} as const;
