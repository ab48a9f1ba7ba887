export const CapacityErrors = {
  staffOnly: 'capacity.staff_only',
  notFound: 'capacity.link_not_found',
  cursorInvalid: 'capacity.cursor_invalid',
  accountUnknown: 'capacity.account_unknown',
} as const;
