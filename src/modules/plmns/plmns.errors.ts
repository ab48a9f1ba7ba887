export const PlmnsErrors = {
  notFound: 'plmns.not_found',
  cursorInvalid: 'plmns.cursor_invalid',
} as const;
